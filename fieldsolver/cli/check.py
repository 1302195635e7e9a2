"""Command line of ``fieldsolver check``: a calculator's claim beside the field solution and the
closed forms (:mod:`fieldsolver.studies.check`). A thin layer: parse, call, print."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

from ..api import MAX_NODES, TOL
from ..errors import InputError
from ..geometry.units import DEFAULT_UNITS
from ..studies.check import RESULT_COLUMNS, CheckResult, Claim, check, check_table, label, unit
from .arguments import add_mesh_options, count, mesh_options, parse_params, solver_tol


def add_parsers(sub) -> None:
    q = sub.add_parser(
        "check",
        help="a calculator's claim against the field solution and the closed forms: "
        "check coupled_microstrip w=0.27 s=0.15 h=0.2 t=0.035 er=4.4 --claim z_diff=100",
    )
    q.add_argument("source", nargs="?", help="a template name or a YAML file (not with --table)")
    q.add_argument("params", nargs="*", metavar="key=value", help="the template's parameters")
    q.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="QUANTITY=VALUE",
        help="a claimed value, e.g. z_diff=90 or z0=50.3 (z0, eps_eff, z_diff, z_common, z_odd, z_even, ...)",
    )
    q.add_argument(
        "--table",
        metavar="FILE.csv",
        help="check a whole table: one row per structure and claim (columns template or file, its "
        "parameters, units, quantity, claimed); writes it back with the verdicts (-o, else stdout)",
    )
    q.add_argument("-o", "--output", metavar="FILE.csv", help="with --table: the checked table")
    q.add_argument("--units", default=DEFAULT_UNITS, help="length units of template parameters (mm, um, mil, in)")
    q.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    q.add_argument("--tol", type=solver_tol, default=TOL, help=f"relative error target (default {TOL:g})")
    q.add_argument("--max-nodes", type=count, default=MAX_NODES, help=f"node budget (default {MAX_NODES:,})")
    add_mesh_options(q)


def run(args: argparse.Namespace) -> int:
    solve = {"tol": args.tol, "max_nodes": args.max_nodes, "options": mesh_options(args)}
    if args.table is not None:
        return _table(args, solve)
    if args.output is not None:
        raise InputError("-o is for --table: the checked table")
    if args.source is None:
        raise InputError("check: give a template with its parameters (or a YAML file), or --table FILE.csv")
    if not args.claim:
        raise InputError("check: give at least one --claim QUANTITY=VALUE, e.g. --claim z0=50")
    claims = [Claim.parse(c, "--claim") for c in args.claim]
    result = check(args.source, parse_params(args.params), claims, units=args.units, **solve)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        print(report(result))
    return 0


def _table(args: argparse.Namespace, solve: dict) -> int:
    if args.source is not None or args.params or args.claim:
        raise InputError("--table checks the structures and claims of its rows: give no template or --claim")
    path = Path(args.table)
    if args.output is not None:
        out = Path(args.output)
        if out.suffix.lower() != ".csv":
            raise InputError(f"-o {args.output}: use a .csv file name")
        if not out.parent.is_dir():
            raise InputError(f"-o {args.output}: folder {out.parent} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"--table {path}: cannot read: {e.strerror or e}") from None
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    if not rows:
        raise InputError(f"{path}: no rows (expected a header and one row per claim)")
    for need in ("quantity", "claimed"):
        if need not in header:
            raise InputError(f"{path}:1: no column {need!r} (columns: {', '.join(header)})")
    checked = check_table(rows, str(path), path.parent, **solve)
    columns = header + [c for c in RESULT_COLUMNS if c not in header]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(checked)
    if args.output is None:
        print(buf.getvalue(), end="")
        return 0
    from ..post.output import write_text

    write_text(args.output, buf.getvalue())
    agree = sum(r["verdict"] == "agrees" for r in checked)
    print(f"{len(checked)} claims checked: {agree} agree, {len(checked) - agree} disagree; written to {args.output}")
    return 0


def report(r: CheckResult) -> str:
    """The readable table of a check."""
    lines = [f"check: {r.structure}"]
    state = "" if r.converged is None else (" (converged)" if r.converged else " (NOT converged)")
    lines.append(f"field solution{state}, +- is the estimated error:")
    for k, v in r.values.items():
        if v is None or not (k.startswith("z") or k.startswith("eps")):
            continue
        u = (r.uncertainty.get(k) or 0.0) * abs(v)
        lines.append(f"  {label(k):<14} {v:10.4f} +- {u:<8.2g} {unit(k)}")
    if r.single_line_z0 is not None:
        lines.append(f"  {'Z0 alone':<14} {r.single_line_z0:10.4f}          ohm   (one trace of the pair, no partner)")
    lines.append("")
    lines.append(f"  {'claim':<14} {'claimed':>10} {'field':>10} {'deviation':>10} {'error bars':>11}  verdict")
    for c in r.claims:
        bars = c.bars
        lines.append(
            f"  {label(c.claim.quantity):<14} {c.claim.shown:>10} {c.value:10.4f} {100 * c.deviation:+9.2f}% "
            f"{'-' if bars is None else f'{bars:+.1f}':>11}  {'agrees' if c.agrees else 'DISAGREES'}"
        )
    if r.formulas:
        lines.append("")
        lines.append("closed forms (deviation = formula / field solution - 1):")
        lines.append(
            f"  {'formula':<30} {'quantity':<9} {'value':>9} {'deviation':>10} {'stated acc.':>11}  {'range':<6} claim"
        )
        notes: list[str] = []
        for f in r.formulas:
            acc = (
                "exact"
                if f.form.exact
                else "none"
                if f.form.stated_accuracy is None
                else f"{100 * f.form.stated_accuracy:g} %"
            )
            rng = "in" if f.form.in_range else "OUT"
            if not f.form.in_range and (f.form.name, f.form.range_note) not in notes:
                notes.append((f.form.name, f.form.range_note))
            claim = "" if f.matches_claim is None else ("MATCHES" if f.matches_claim else "-")
            lines.append(
                f"  {f.form.name:<30} {label(f.form.quantity):<9} {f.form.value:9.4f} {100 * f.deviation:+9.2f}% "
                f"{acc:>11}  {rng:<6} {claim}"
            )
        for name, note in notes:
            lines.append(f"  OUT {name}: {note}")
    lines.append("")
    lines.append(f"verdict: {r.verdict}")
    return "\n".join(line.rstrip() for line in lines)
