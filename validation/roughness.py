"""The roughness models against numbers published elsewhere (``validation/roughness.json``).

Each entry names where its number is printed and the tolerance its printing allows. Entries of
kind ``published`` are pass criteria: the model computed here must land within the tolerance.
Entries of kind ``comparison`` are another model's numbers, shown with the reason they differ.
The rows need no field solve: they are cheap enough to compute whenever the report is rendered.
"""

from __future__ import annotations

import json
from pathlib import Path

from fieldsolver.geometry.roughness import model_class, skin_depth

DATA = Path(__file__).with_name("roughness.json")


def _model(spec: dict):
    params = {k: v for k, v in spec.items() if k != "model"}
    return model_class(spec["model"])(**params)


def rows(path: Path = DATA) -> list[dict]:
    """One row per published point: source, frequency, published and computed values, and
    whether the computed value is within the tolerance (``None`` for comparisons)."""
    data = json.loads(path.read_text())
    out = []
    for e in data["entries"]:
        sigma = e["sigma"]
        for point in e["points"]:
            f = point[0]
            row = {"source": e["source"], "where": e["where"], "kind": e["kind"], "quantity": e["quantity"], "freq": f}
            if e["quantity"] == "Rs":
                value = 1.0 / (sigma * float(skin_depth(f, sigma)))
                row.update(model="smooth", published=point[1], computed=value, tol=point[2])
            elif e["quantity"] == "K":
                value = float(_model(e["model"]).factor(f, sigma))
                row.update(model=e["model"]["model"], published=point[1], computed=value, tol=point[2])
            else:  # a comparison of K and Kx with another model's
                m = _model(e["model"])
                row.update(
                    model=e["model"]["model"],
                    published=(point[1], point[2]),
                    computed=(float(m.factor(f, sigma)), float(m.reactance_factor(f, sigma))),
                    tol=None,
                    why=e["why"],
                )
            if row["tol"] is not None:
                row["ok"] = abs(row["computed"] - row["published"]) <= row["tol"]
            else:
                row["ok"] = None
            out.append(row)
    return out


def _fmt(v) -> str:
    return ", ".join(f"{x:.4g}" for x in v) if isinstance(v, tuple) else f"{v:.6g}"


def render(table: list[dict], path: Path = DATA) -> list[str]:
    """The report's roughness section (markdown lines)."""
    out = [
        "## Roughness models against published numbers",
        "",
        "From `validation/roughness.json` (`validation/roughness.py`): each model computed here",
        "against a number printed elsewhere, within the tolerance its printing allows. *K*: the",
        "loss factor; *Kx*: the internal-reactance factor (the rough surface impedance is",
        "`(K + j Kx) Rs`); *Rs*: the smooth surface resistance `1 / (sigma delta)` every K multiplies.",
        "",
        "| source | model | quantity | frequency | published | computed | tolerance | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table:
        tol = "comparison" if r["tol"] is None else f"+-{r['tol']:.2g}"
        mark = "" if r["ok"] is None else ("met" if r["ok"] else "**missed**")
        out.append(
            f"| {r['source'].split(':')[0]} | {r['model']} | {r['quantity']} | {r['freq']:.3g} Hz "
            f"| {_fmt(r['published'])} | {_fmt(r['computed'])} | {tol} | {mark} |"
        )
    whys = dict.fromkeys(f"*{r['model']} against the gradient model*: {r['why']}." for r in table if r["ok"] is None)
    out += ["", *whys, ""]
    out += [
        "The internal reactance: `hammerstad` and `huray` use the published causal forms of the models",
        "(Dmitriev-Zdorov, Simonovich and Kochikov 2018; Bracken 2012), whose real parts are the",
        "classic K (checked to 1e-12) and which satisfy Kramers-Kronig (checked numerically to 1e-6);",
        "a rough RG-58 adds `(Kx - 1)` times Schelkunoff's exact internal reactance within 2e-4",
        "(`tests/test_roughness.py`). `groisse` scales R and X by the same K (not causal).",
        "",
        f"Not here yet: {json.loads(path.read_text())['not_found']}",
        "",
    ]
    return out
