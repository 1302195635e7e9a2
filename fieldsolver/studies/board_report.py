"""A board's impedance table for the fab (CSV, Markdown, HTML) and its design rules for KiCad
(``.kicad_dru``): the outputs of :func:`fieldsolver.studies.board.board_table`."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from ..errors import InputError
from .board import METRE_PER_INCH, BoardResult, Row

REPORT_FORMATS = (".csv", ".md", ".html")
COLUMNS = (
    "net class",
    "layer",
    "structure",
    "references",
    "dielectrics (h mm, er)",
    "solder mask (mm, er)",
    "quantity",
    "target (ohm)",
    "tolerance",
    "width (mm)",
    "gap (mm)",
    "w_top (mm)",
    "impedance (ohm)",
    "error bar (ohm)",
    "delay (ps/in)",
    "pass",
    "synthesized width (mm)",
    "synthesized gap (mm)",
    "synthesized impedance (ohm)",
    "nets outside target",
)


def _label(q: str) -> str:
    return {"z_diff": "Zdiff", "z0": "Z0"}[q]


def cells(r: Row) -> list[str]:
    """One row of the fab table, as text."""
    t = r.target
    mask = "" if r.mask is None else f"{r.mask['c1']:g} mm, er {r.mask['er']:g}"
    passed = "" if r.passed is None else ("PASS" if r.passed else "FAIL")
    outside = "; ".join(
        f"{n.net} at {n.width:g} mm" + ("" if n.gap is None else f", gap {n.gap:g} mm") + f": {n.value:.1f} ohm"
        for n in r.outside
    )
    return [
        r.netclass,
        r.layer,
        r.structure,
        " / ".join(r.references),
        "; ".join(f"{n} {h:g}, {er:g}" for n, h, er in r.heights),
        mask,
        _label(r.quantity),
        "" if t is None else f"{t.value:g}",
        "" if t is None else f"+-{100 * t.tolerance:g} %",
        f"{r.width:.4g}",
        "" if r.gap is None else f"{r.gap:.4g}",
        f"{r.w_top:.4g}",
        f"{r.value:.2f}",
        f"{r.uncertainty * r.value:.2g}",
        f"{r.delay * METRE_PER_INCH * 1e12:.2f}",
        passed,
        "" if r.synthesized_width is None else f"{r.synthesized_width:.4f}",
        "" if r.synthesized_gap is None else f"{r.synthesized_gap:.4g}",
        "" if r.synthesized_value is None else f"{r.synthesized_value:.2f}",
        outside,
    ]


def report_text(result: BoardResult, path: str | Path) -> str:
    """The fab impedance table in the format of ``path``'s extension."""
    suffix = Path(path).suffix.lower()
    rows = [cells(r) for r in result.rows]
    if suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
        return buf.getvalue()
    title = f"Impedance table: {Path(result.board.path).name}"
    note = (
        "Impedance: 2D field solution (fieldsolver) with its estimated error; Zdiff = differential "
        "voltage over differential current (= 2 Zodd). Delay of the mode the target is on. "
        "Synthesized: the width that meets the target on that layer, the gap kept."
    )
    if suffix == ".md":
        out = [f"# {title}", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        out += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
        return "\n".join([*out, "", note, ""])
    if suffix == ".html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n" for row in rows)
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>table{border-collapse:collapse;font:13px sans-serif}td,th{border:1px solid #999;"
            "padding:3px 6px}th{background:#eee}</style></head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n<table>\n<tr>{head}</tr>\n{body}</table>\n"
            f"<p>{html.escape(note)}</p>\n</body></html>\n"
        )
    raise InputError(f"--report {path}: use a .csv, .md or .html file name")


def rules_text(result: BoardResult) -> str:
    """KiCad custom design rules (``.kicad_dru``): per net class and layer with a synthesized
    width, the track width (opt: the synthesized width; min and max: the widths within the
    target's tolerance, from the impedance's slope there) and for a pair the gap (kept)."""
    out = ["(version 1)"]
    for r in result.rows:
        if r.synthesized_width is None or r.target is None:
            continue
        w = r.synthesized_width
        lo, hi = r.width_range or (w, w)
        name = f"{r.netclass} {r.target} on {r.layer}"
        out.append(f'(rule "{name}"')
        out.append(f'\t(layer "{r.layer}")')
        out.append(f"\t(condition \"A.NetClass == '{r.netclass}'\")")
        out.append(f"\t(constraint track_width (min {lo:.4f}mm) (opt {w:.4f}mm) (max {hi:.4f}mm))")
        if r.synthesized_gap is not None:
            g = r.synthesized_gap
            out.append(f"\t(constraint diff_pair_gap (min {g:.4f}mm) (opt {g:.4f}mm) (max {g:.4f}mm))")
        out[-1] += ")"
    return "\n".join(out) + "\n"
