"""Human-readable report of a Result: a table with units, and what each quantity means."""

from __future__ import annotations

import math

import numpy as np

from ..constants import C0 as LIGHT
from ..geometry.units import UNITS
from ..physics import network
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
    if value and fmt == "{:.3f}" and abs(value) < 1:  # keep four significant digits (0.004123, not 0.004)
        fmt = f"{{:.{3 - math.floor(math.log10(abs(value)))}f}}"
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


def format_result(
    r: Result,
    title: str = "",
    *,
    length: float | None = None,
    z_ref=50.0,
    rise: float | None = None,
    crosstalk: bool = False,
) -> str:
    """The table of ``r``. With a ``length`` (m) and frequencies, also what that length of line
    does between ports of ``z_ref`` ohm (:func:`format_network`); with ``crosstalk`` or a
    ``rise`` time (s), the crosstalk coefficients and NEXT/FEXT (:func:`format_crosstalk`)."""
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
    if r.rlgc is not None:
        out.append("")
        out += format_loss(r)
        if length is not None:
            out.append("")
            out += format_network(r, length, z_ref=z_ref)
    if crosstalk or rise is not None:
        out.append("")
        out += format_crosstalk(r, length, rise)
    out += [f"note: {s}" for s in r.notes]
    return "\n".join(out)


SHOWN = 7  # frequencies in the loss table


def shown_frequencies(freq) -> list[int]:
    """Indices of the frequencies the table shows: all of a short list, else about one per
    decade (the ones nearest the powers of ten), always the first and last."""
    f = np.asarray(freq)
    if f.size <= SHOWN:
        return list(range(f.size))
    decades = np.arange(np.ceil(np.log10(f[0])), np.floor(np.log10(f[-1])) + 1)
    picks = {0, f.size - 1} | {int(np.argmin(np.abs(np.log10(f) - d))) for d in decades}
    if len(picks) > SHOWN:
        picks = {round(k) for k in np.linspace(0, f.size - 1, SHOWN)}
    return sorted(picks)


def _hz(f: float) -> str:
    for unit, k in (("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3)):
        if f >= k:
            return f"{f / k:.4g} {unit}"
    return f"{f:.4g} Hz"


def format_loss(r: Result) -> list[str]:
    """The loss table: per line R, L, G, C, and per mode (a pair: differential and common) the
    impedance, eps_eff and the attenuation in dB/inch and dB/m, split conductor/dielectric."""
    x = r.rlgc
    assert x is not None
    p = x.propagation
    rows = shown_frequencies(x.freq)
    out = ["per unit length, at each frequency (R, G, C of the lines; the diagonal of the matrices):"]
    head = f"  {'f':>10}" + "".join(
        f"{h:>11}" for n in r.signals for h in (f"R {n[:6]}", f"L {n[:6]}", f"G {n[:6]}", f"C {n[:6]}")
    )
    out += [head, f"  {'':>10}" + "".join(f"{u:>11}" for _ in r.signals for u in ("ohm/m", "nH/m", "mS/m", "pF/m"))]
    for k in rows:
        vals = [
            v
            for i in range(len(r.signals))
            for v in (x.R[k, i, i], 1e9 * x.L[k, i, i], 1e3 * x.G[k, i, i], 1e12 * x.C[k, i, i])
        ]
        out.append(f"  {_hz(x.freq[k]):>10}" + "".join(f"{v:>11.4g}" for v in vals))
    out.append("")
    if x.pair is not None:
        modes = [("diff", x.pair.z_diff, x.pair.eps_eff_diff, x.pair.attenuation_diff)]
        modes.append(("common", x.pair.z_common, x.pair.eps_eff_common, x.pair.attenuation_common))
    else:
        names = ["line"] if len(r.signals) == 1 else [f"mode {i}" for i in range(1, len(r.signals) + 1)]
        modes = [(n, p.z_mode[:, i], p.eps_eff[:, i], _mode_attenuation(p.attenuation, i)) for i, n in enumerate(names)]
    out.append(
        f"  {'f':>10}{'mode':>8}{'|Zc|':>9}{'Zc phase':>10}{'eps_eff':>9}"
        f"{'loss':>10}{'cond.':>10}{'diel.':>10}{'loss':>10}"
    )
    out.append(f"  {'':>10}{'':>8}{'ohm':>9}{'deg':>10}{'':>9}{'dB/in':>10}{'dB/in':>10}{'dB/in':>10}{'dB/m':>10}")
    for k in rows:
        for name, z, eps, att in modes:
            a, m = att.to("dB/in"), att.to("dB/m")
            out.append(
                f"  {_hz(x.freq[k]):>10}{name:>8}{abs(z[k]):>9.3f}{np.degrees(np.angle(z[k])):>10.3f}{eps[k]:>9.4f}"
                f"{a.total[k]:>10.4g}{a.conductor[k]:>10.4g}{a.dielectric[k]:>10.4g}{m.total[k]:>10.4g}"
            )
    if x.uncertainty is not None:
        out += _loss_bars(x, len(r.signals))
    dc = " ".join(f"{v:.4g}" for v in np.diag(x.r_dc))
    out.append(f"  DC resistance of each line with its return: {dc} ohm/m")
    out.append(
        "  loss = Re(gamma) of the mode, exact; cond./diel.: with G = 0 / R = 0 (they add up to the loss only "
        "at low loss); Zc: the mode's characteristic impedance (a pair: Zdiff and Zcommon)"
    )
    if x.uncertainty is None:
        out.append("  no error estimate (solved without a tolerance)")
    return out


def _largest(bar: np.ndarray, value: np.ndarray) -> float:
    """The largest relative bar (a perfect line has R = 0 and nothing to estimate)."""
    value = np.abs(value)
    return float(np.max(np.divide(np.abs(bar), value, out=np.zeros_like(value), where=value > 0)))


def _loss_bars(x, n: int) -> list[str]:
    """The error estimates' lines of the loss table: the largest relative bar over the band."""
    diag = np.arange(n)
    rel = {k: _largest(v[:, diag, diag], getattr(x, k)[:, diag, diag]) for k, v in x.uncertainty.items()}
    shown = [k for k in "RLGC" if k in rel and (k != "G" or np.any(x.G))]  # no G: nothing to estimate
    text = ", ".join(f"{k} within {100 * rel[k]:.2g} %" for k in shown)
    out = [f"  estimated error (grids of 1/sqrt 2 the density): {text} over the band"]
    u = x.line_uncertainty
    if u is None:
        return out
    if x.pair is not None and u.z_diff is not None:
        assert u.attenuation_diff is not None and u.attenuation_common is not None
        parts = [
            ("Zdiff", abs(u.z_diff), x.pair.z_diff),
            ("Zcommon", abs(u.z_common), x.pair.z_common),
            ("diff. loss", u.attenuation_diff.total, x.pair.attenuation_diff.total),
            ("common loss", u.attenuation_common.total, x.pair.attenuation_common.total),
        ]
    else:
        p = x.propagation
        parts = [("|Zc|", abs(u.z_mode), p.z_mode), ("loss", u.attenuation.total, p.attenuation.total)]
    text = ", ".join(f"{name} within {100 * _largest(b, v):.2g} %" for name, b, v in parts)
    out.append(f"  and from them (first order, worst case): {text}")
    return out


def _mode_attenuation(a, i: int):
    from ..physics.transmission import Attenuation

    return Attenuation(a.total[:, i], a.conductor[:, i], a.dielectric[:, i], a.unit)


def _length(m: float) -> str:
    return f"{1e3 * m:.4g} mm ({m / 0.0254:.4g} in)"


def _ohms(z) -> str:
    z = np.asarray(z)
    return f"{z[0]:g} ohm" if np.all(z == z[0]) else "/".join(f"{v:g}" for v in z) + " ohm"


def _db_cell(x: complex) -> str:
    v = float(network.db(x)) if abs(x) > 0 else -np.inf
    return f"{v:>10.4g}" if v > -200 else f"{'<-200':>10}"


def format_network(r: Result, length: float, *, z_ref=50.0) -> list[str]:
    """A ``length`` (m) of the line between ports of ``z_ref`` ohm, at the frequencies the loss
    table shows: each line's through and reflection (a pair: SDD21, SDD11, SCC21, SCD21) and the
    NEXT and FEXT between every two lines, in dB, with their definitions."""
    x = r.rlgc
    assert x is not None
    resp = network.response(x.propagation, length, z_ref=z_ref)
    rows = shown_frequencies(x.freq)
    names, n = list(r.signals), len(r.signals)
    near, far = ", ".join(names), ", ".join(f"{a}'" for a in names)
    table: list[tuple[str, np.ndarray]] = []
    if resp.mixed is not None and resp.z_mixed is not None:
        zd, zc = _ohms(resp.z_mixed[:2]), _ohms(resp.z_mixed[2:])
        what = {"sdd21": "diff. through", "sdd11": "diff. reflection", "scc21": "common through"}
        for key, (i, j) in network.MIXED_KEYS.items():
            table.append((f"{key.upper()} {what.get(key, 'diff. to common')}", resp.mixed[:, i, j]))
    else:
        table += [(f"S({a}',{a}) through", resp.through[:, i]) for i, a in enumerate(names)]
        table += [(f"S({a},{a}) reflection", resp.reflection[:, i]) for i, a in enumerate(names)]
    for i in range(n):
        for j in range(i + 1, n):
            table.append((f"NEXT {names[i]},{names[j]}: S({names[i]},{names[j]})", resp.near_end[:, i, j]))
    for i in range(n):
        for j in range(n):
            if i != j:
                table.append((f"FEXT {names[j]}>{names[i]}: S({names[i]}',{names[j]})", resp.far_end[:, i, j]))
    w = max(26, *(len(label) + 2 for label, _ in table))
    out = [
        f"network: {_length(length)} of line between {_ohms(resp.z_ref)} ports, 20 log10 |S| in dB "
        f"(ports: near ends {near}; far ends {far})",
        f"  {'':<{w}}" + "".join(f"{_hz(x.freq[k]):>10}" for k in rows),
    ]
    out += [f"  {label:<{w}}" + "".join(_db_cell(v[k]) for k in rows) for label, v in table]
    if resp.mixed is not None:
        out.append(
            f"  SDD, SCC: the pair's differential ({zd} ports) and common mode ({zc}), scikit-rf's se2gmm "
            "convention: Vd = V1 - V2, Id = (I1 - I2)/2, Vc = (V1 + V2)/2, Ic = I1 + I2; SCD21: common out per diff. in"
        )
    out.append("  insertion loss = -(through in dB), return loss = -(reflection in dB), both >= 0 for a passive line")
    if n > 1:
        out.append(
            "  NEXT a,b: S(a,b) = S(b,a), the wave out of one line's near end per wave into the other's near end; "
            "FEXT a>b: S(b',a), out of b's far end per wave into a's near end; every port terminated in its reference"
        )
    return out


def format_crosstalk(r: Result, length: float | None = None, rise: float | None = None) -> list[str]:
    """The crosstalk coefficients Kb and Kf between every two signals (from the static L and C),
    with a ``length`` (m) and ``rise`` time (s) the NEXT and FEXT of a step; for three or more
    signals also each victim's total from all the others; with the definitions."""
    names, n = list(r.signals), len(r.signals)
    if n < 2:
        return ["crosstalk: a single line has none"]
    x = r.crosstalk()
    timed = length is not None and rise is not None
    head = "crosstalk, from the static L and C (lossless lines, each end terminated in its own impedance)"
    if timed:
        head += f"; {_length(length)}, rise time {rise * 1e12:.4g} ps"
    out = [head + ":", f"  {'victim <- aggressor':<24}{'Kb':>10}{'Kf':>10}"]
    if timed:
        out[-1] += f"{'NEXT':>11}{'FEXT':>11}{'NEXT saturates from':>22}"
        nxt, fxt, sat = x.near_end(length, rise), x.far_end(length, rise), x.saturation_length(rise)

    def row(label: str, i: int, js: list[int]) -> None:
        text = f"  {label:<24}{x.k_backward[i, js].sum():>10.4f}{x.k_forward[i, js].sum():>10.4f}"
        if timed:
            text += f"{100 * nxt[i, js].sum():>9.2f} %{100 * fxt[i, js].sum():>9.2f} %"
            text += f"{_length(sat[i, js[0]]):>22}" if len(js) == 1 else ""
        out.append(text)

    if n == 2:  # the same both ways
        row(f"{names[1]} <- {names[0]}", 1, [0])
    for i in range(n if n > 2 else 0):
        others = [j for j in range(n) if j != i]
        for j in others:
            row(f"{names[i]} <- {names[j]}", i, [j])
        row(f"{names[i]} <- all others", i, others)
    out += [
        "  kL = L_ij/sqrt(L_ii L_jj), kC = P_ij/sqrt(P_ii P_jj) with P = C^-1 (for two lines kC = Cm/C, "
        "Cm = -C_12); the same both ways",
        "  Kb = (kL + kC)/4 > 0; Kf = (kC - kL)/2: < 0 where the inductive coupling is the larger (microstrip), "
        "0 in a homogeneous medium (stripline)",
    ]
    if timed:
        out.append(
            "  NEXT = Kb min(1, 2 TD/tr): the victim's near-end voltage per volt of the aggressor's step, "
            "FEXT = Kf TD/tr: its far-end pulse (TD = length x delay, tr = the rise time)"
        )
    if n > 2:
        out.append("  all others: the sum, every aggressor switching the same way at once (the worst case)")
    if timed:
        delays = [np.sqrt(m.eps_eff) / LIGHT for m in r.modes]
        spread = (max(delays) - min(delays)) * length
        if spread > rise:
            out.append(
                f"  FEXT = Kf TD/tr holds while the modes arrive within the rise time; over this length they are "
                f"{spread * 1e12:.3g} ps apart, more than tr: the far-end pulse is then lower (at most about half "
                "the step) and wider than the figure above (the network's FEXT, --freq, has no such limit)"
            )
    return out
