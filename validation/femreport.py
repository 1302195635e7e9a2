"""The report's section on the independent FEM references: how they were made, their convergence
on every point, and the same procedure on structures with an exact answer (its error estimate
must cover its true error there). Rendered from ``validation/fem_references.json``."""

from __future__ import annotations

import json

from fieldsolver.physics.lines import LABELS

from .fem import DATA, TARGET


def _p(params: dict) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in params.items())


def _row(r: dict, q: str) -> str:
    conv = " / ".join(f"{v:.7g}" for v in r["convergence"][q])
    trunc = " / ".join(f"{v:.7g}" for v in r["truncation"][q]) if "truncation" in r else "closed (no truncation)"
    order = r["order"][q]
    return (
        f"| {_p(r['params'])} | {LABELS.get(q, q)} | {conv} | {order:.2f} | {trunc} "
        f"| {r['values'][q]:.7g} | {100 * r['error'][q]:.5f} % |"
    )


def render_references() -> list[str]:
    data = json.loads(DATA.read_text())
    errors = [e for pts in data["families"].values() for r in pts for e in r["error"].values()]
    checks = [(r, q) for pts in data["checks"].values() for r in pts for q in r["true_error"]]
    covered = sum(abs(r["true_error"][q]) <= r["error"][q] for r, q in checks)
    out = [
        "",
        "## The independent references (FEM)",
        "",
        f"Made by `python -m validation.fem` on {data['date']}: {data['method']}. Line parameters from",
        "`fieldsolver.physics.lines.line_parameters` on the FEM's C and C0, so every definition is the",
        "solver's own. Each row: the value on the three meshes (coarse / middle / fine), the observed order",
        "of the last two steps (no extrapolation where it is below 2: then the larger step is the error),",
        "the value at truncation radii R1 / 2 R1 / 4 R1 on the middle mesh (open structures), the",
        "reference (extrapolated in both) and its estimated relative error (mesh + truncation).",
        f"Largest estimated error: {100 * max(errors):.5f} % (required: below {100 * TARGET:g} %, a tenth of"
        f" the solver's 0.1 %{'' if max(errors) <= TARGET else '; **not met**'}).",
        "",
        f"The same procedure on {len(checks)} exact cases: its estimate covers its true error in "
        f"{covered}/{len(checks)}:",
        "",
        "| structure | parameters | quantity | FEM | exact | true error | estimated error |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, pts in data["checks"].items():
        for r in pts:
            for q, ex in r["exact"].items():
                out.append(
                    f"| {name} | {_p(r['params'])} | {LABELS.get(q, q)} | {r['values'][q]:.8g} | {ex:.8g} "
                    f"| {100 * r['true_error'][q]:+.6f} % | {100 * r['error'][q]:.6f} % |"
                )
    for name, pts in data["families"].items():
        dofs = [d for r in pts for d in r["mesh"]["dofs"]]
        out += [
            "",
            f"### {name}",
            "",
            f"Meshes of {min(dofs):,} to {max(dofs):,} degrees of freedom.",
            "",
            "| parameters | quantity | meshes | order | truncation radii | reference | estimated error |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [_row(r, q) for r in pts for q in r["values"]]
    return out
