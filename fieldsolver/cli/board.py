"""Command line of ``fieldsolver board``: a KiCad board's controlled-impedance table, the widths
that meet the targets, the fab's table and KiCad's rules (:mod:`fieldsolver.studies.board`).
A thin layer: parse, call, print."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..api import MAX_NODES, TOL
from ..errors import InputError
from ..geometry.kicad import read_board
from ..studies.board import METRE_PER_INCH, BoardResult, Solve, Target, board_table
from ..studies.board_report import REPORT_FORMATS, report_text, rules_text
from .arguments import add_mesh_options, count, mesh_options, positive, solver_tol


def add_parsers(sub) -> None:
    q = sub.add_parser(
        "board",
        help="a KiCad board's impedance table, widths for targets, fab report and rules: "
        "board BOARD.kicad_pcb --target USB=90diff+-10%%",
    )
    q.add_argument("file", help="the .kicad_pcb board (KiCad 6 to 9)")
    q.add_argument(
        "--project", metavar="FILE.kicad_pro", help="the project with the net classes (default: beside the board)"
    )
    q.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NETCLASS=VALUE[diff|se][+-TOL%]",
        help="an impedance target, e.g. USB=90diff+-10%%, RF=50se+-5%% (default se, +-10 %%)",
    )
    q.add_argument(
        "--planes",
        action="append",
        default=[],
        metavar="LAYER=REF[,REF]",
        help="the reference planes of a layer, e.g. In2.Cu=In1.Cu,In4.Cu (default: the nearest planes)",
    )
    q.add_argument("--report", metavar="FILE", help="the fab impedance table: .csv, .md or .html")
    q.add_argument("--rules", metavar="FILE.kicad_dru", help="KiCad custom rules with the synthesized widths")
    q.add_argument(
        "--etch",
        type=positive,
        metavar="F",
        help="the fab's etch factor (copper thickness / undercut per side): trapezoidal traces, w_top = w - 2 t / F",
    )
    q.add_argument("--no-synth", action="store_true", help="solve the present widths only")
    q.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    q.add_argument("--tol", type=solver_tol, default=TOL, help=f"relative error target (default {TOL:g})")
    q.add_argument("--max-nodes", type=count, default=MAX_NODES, help=f"node budget (default {MAX_NODES:,})")
    add_mesh_options(q)


def _planes(items: list[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for it in items:
        layer, sep, refs = it.partition("=")
        names = tuple(r.strip() for r in refs.split(",") if r.strip())
        if not sep or not layer.strip() or not names:
            raise InputError(f"--planes {it!r}: expected LAYER=REF[,REF], e.g. In2.Cu=In1.Cu,In4.Cu")
        out[layer.strip()] = names
    return out


def _outputs(args) -> None:
    for flag, path, suffixes in (("--report", args.report, REPORT_FORMATS), ("--rules", args.rules, (".kicad_dru",))):
        if path is None:
            continue
        p = Path(path)
        if p.suffix.lower() not in suffixes:
            raise InputError(f"{flag} {path}: use a {' or '.join(suffixes)} file name")
        if not p.parent.is_dir():
            raise InputError(f"{flag} {path}: folder {p.parent} does not exist")
    if args.rules is not None and (args.no_synth or not args.target):
        raise InputError("--rules writes the synthesized widths: give --target (and not --no-synth)")


def run(args: argparse.Namespace) -> int:
    targets = [Target.parse(t) for t in args.target]
    planes = _planes(args.planes)
    _outputs(args)
    board = read_board(args.file, args.project)
    how = Solve(args.tol, args.max_nodes, mesh_options(args))
    result = board_table(board, targets, planes=planes, how=how, synthesize_widths=not args.no_synth, etch=args.etch)
    from ..post.output import write_text

    if args.report is not None:
        write_text(args.report, report_text(result, args.report))
    if args.rules is not None:
        write_text(args.rules, rules_text(result))
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        print(table(result))
        for kind, path in (("report", args.report), ("rules", args.rules)):
            if path is not None:
                print(f"{kind} written to {path}")
    for e in result.errors:
        print(f"fieldsolver: error: {e}", file=sys.stderr)
    return 2 if result.errors else 0


def table(result: BoardResult) -> str:
    b = result.board
    lines = [f"board: {b.path} (KiCad file version {b.version}, {len(b.copper)} copper layers)"]
    lines += [f"  note: {n}" for n in b.notes]
    head = (
        f"  {'net class':<10} {'layer':<7} {'structure':<16} {'references':<15} {'width':>6} {'gap':>6}  "
        f"{'impedance':<22} {'delay':>11}  {'target':<20} {'pass':<5} synthesized"
    )
    lines += ["", head]
    for r in result.rows:
        label = "Zdiff" if r.quantity == "z_diff" else "Z0"
        imp = f"{label} {r.value:.2f} +- {r.uncertainty * r.value:.2g}"
        t = "-" if r.target is None else str(r.target)
        ok = "-" if r.passed is None else ("PASS" if r.passed else "FAIL")
        syn = ""
        if r.synthesized_width is not None:
            syn = f"w {r.synthesized_width:.4f}" + (f" s {r.synthesized_gap:g}" if r.synthesized_gap else "")
            syn += f" ({r.synthesized_value:.2f} ohm)"
        elif r.synthesis_note:
            syn = "NOT reachable with w from 1/4 to 4 times the class's"
        lines.append(
            f"  {r.netclass:<10} {r.layer:<7} {r.structure:<16} {'/'.join(r.references):<15} {r.width:6.3f} "
            f"{'-' if r.gap is None else f'{r.gap:.3f}':>6}  {imp:<22} {r.delay * METRE_PER_INCH * 1e12:6.1f} ps/in  "
            f"{t:<20} {ok:<5} {syn}"
        )
    outside = [(r, n) for r in result.rows for n in r.outside]
    if outside:
        lines += ["", "routed widths (and a pair's gaps) outside the target:"]
        for r, n in outside:
            label = "Zdiff" if r.quantity == "z_diff" else "Z0"
            gap = "" if n.gap is None else f", gap {n.gap:g} mm"
            lines.append(
                f"  {n.net} on {r.layer}: {n.length:.3g} mm at width {n.width:g} mm{gap}: {label} {n.value:.2f} ohm "
                f"(target {r.target})"
            )
    lines += [
        "",
        "mm; impedance +- the estimated error; delay of the mode the target is on; synthesized: the width "
        "that meets the target on that layer (a pair's gap kept)",
    ]
    return "\n".join(lines)
