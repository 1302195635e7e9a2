"""Human-readable report of a Result: a table with units, and what each quantity means."""

from __future__ import annotations

from ..geometry.units import UNITS
from ..physics.lines import LABELS
from ..physics.result import SIDES, Result

DEFINITIONS = {
    "single": [
        "Z0 = 1/(c*sqrt(C*C0)) with C, C0 the line capacitance with and without dielectrics; eps_eff = C/C0",
    ],
    "pair": [
        "Zdiff   = Z11 + Z22 - 2*Z12: differential-mode impedance, (V1-V2) over (I1-I2)/2",
        "Zcommon = (Z11 + Z22 + 2*Z12)/4: common-mode impedance, (V1+V2)/2 over (I1+I2)",
        "Zodd    = Zdiff/2, Zeven = 2*Zcommon (for a symmetric pair: the odd/even-mode impedance of one line)",
        "Z11, Z22, Z12: the characteristic impedance matrix Zc (Zc*C*Zc = L); Z0(line) = its diagonal",
    ],
}


def _row(name: str, value: float | None, unit: str, fmt: str = "{:.3f}", rel: float | None = None) -> str:
    v = "undefined" if value is None else fmt.format(value)
    line = f"  {name:<22}{v:>14}"
    if value is not None and rel is not None:
        line += " +- " + fmt.format(abs(value) * rel) + f"  {unit:<6}({100 * rel:.2g} %)"
    else:
        line += f"  {unit}"
    return line.rstrip()


def _accuracy(r: Result) -> str:
    a = r.accuracy
    if a is None:
        return "accuracy: one grid, no error estimate (solved without a tolerance)"
    nodes = [lv.nodes for lv in a.levels]
    state = "converged" if a.converged else "NOT converged"
    return (
        f"accuracy: {state} to tol {100 * a.tol:.3g} % on {len(nodes)} grids "
        f"({nodes[0]:,} to {nodes[-1]:,} nodes); +- is the estimated error (grid and open boundary)"
    )


def _matrix(title: str, m, scale: float, unit: str, names) -> list[str]:
    w = max(10, *(len(n) + 2 for n in names))
    lines = [f"{title} ({unit}):", " " * 10 + "".join(f"{n:>{w}}" for n in names)]
    for n, row in zip(names, m, strict=True):
        lines.append(f"{n:>10}" + "".join(f"{v * scale:>{w}.4g}" for v in row))
    return lines


def format_result(r: Result, title: str = "") -> str:
    out: list[str] = []
    if title:
        out.append(title)
    g = r.grid
    scale = UNITS[r.units]
    d = [v / scale for v in g.domain]
    where = ", ".join(k for k, v in zip(SIDES, g.open_sides, strict=True) if v) or "none (closed by grounds)"
    out.append(
        f"grid {g.nx} x {g.ny} = {g.nodes:,} nodes; domain x {d[0]:.4g}..{d[1]:.4g}, "
        f"y {d[2]:.4g}..{d[3]:.4g} {r.units}; open (grounded) outer sides: {where}"
    )
    out.append(_accuracy(r))
    out.append("")
    v = r.values
    u = r.uncertainty or {}
    n = len(r.signals)

    def row(label: str, key: str, unit: str = "ohm", fmt: str = "{:.3f}", scale: float = 1.0) -> str:
        value = v[key]
        return _row(label, None if value is None else value * scale, unit, fmt, u.get(key))

    if n <= 2:
        for key in v:
            if key.startswith("z"):
                out.append(row(LABELS[key], key))
            elif key.startswith("eps_eff"):
                out.append(row(LABELS[key], key, "", "{:.4f}"))
            else:
                out.append(row(LABELS[key], key, "ps/mm", "{:.4f}", 1e9))
    if n == 2:
        for name, z in zip(r.signals, r.z0_lines or (None, None), strict=True):
            out.append(_row(f"Z0 ({name})", z, "ohm"))
    if n > 2:
        for i, m in enumerate(r.modes, 1):
            pattern = " ".join(f"{x:+.2f}" for x in m.voltages)
            out.append(row(f"mode {i} Z", f"z_mode_{i}"))
            out.append(row(f"mode {i} eps_eff", f"eps_eff_mode_{i}", "", "{:.4f}") + f"   v = [{pattern}]")
    out.append("")
    out += _matrix("C, Maxwell capacitance matrix", r.capacitance, 1e12, "pF/m", r.signals)
    out += _matrix("L, inductance matrix", r.inductance, 1e9, "nH/m", r.signals)
    if n > 1:
        out += _matrix("Zc, characteristic impedance matrix", r.impedance_matrix, 1.0, "ohm", r.signals)
    out.append("")
    out += ["where " + DEFINITIONS["single" if n == 1 else "pair"][0]]
    out += ["      " + s for s in DEFINITIONS["single" if n == 1 else "pair"][1:]]
    out += [f"note: {s}" for s in r.notes]
    return "\n".join(out)
