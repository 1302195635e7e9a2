"""The loss section of ``make validate``: R(f), L(f), G(f) against exact references, each point with
the solver's error estimate (default tolerance, as a user gets them).

References (each cited where it is computed):

* coax RG-58 (solid inner conductor, tube shield): Schelkunoff's internal impedances, exact at
  every frequency, plus ``mu0/(2 pi) ln(b/a)``;
* two parallel plates with flux-parallel side walls (a 1-D field): ``(gamma / sigma w) coth(gamma t)``
  per plate plus ``j w mu0 d / w``, exact;
* twin lead in the skin limit (100 GHz): the loop resistance ``(Rs/(pi a)) p / sqrt(p^2 - 1)``,
  ``p = D / 2a``;
* DC resistance ``1 / (sigma A)`` of a microstrip's trace and finite ground;
* a homogeneous lossy dielectric: ``G = w C tan(delta)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ive, kve

import fieldsolver as fs
from fieldsolver.constants import MU0
from fieldsolver.geometry.loader import load
from fieldsolver.geometry.model import Boundary, Conductor, CrossSection, Rect
from fieldsolver.numerics.grid import MeshOptions
from fieldsolver.numerics.magnetic import MagneticProblem, make_magnetic_grid
from fieldsolver.physics import loss

CU = 5.8e7


def coax_exact(f, a, b, c, sigma=CU):
    """Schelkunoff (Bell Syst. Tech. J. 13, 1934): solid wire and tube, with scaled Bessel functions."""
    g = np.sqrt(1j * 2 * np.pi * f * MU0 * sigma)
    xa, xb, xc = g * a, g * b, g * c
    inner = g / (2 * np.pi * a * sigma) * ive(0, xa) / ive(1, xa)
    e = np.exp(xb + xb.real - xc - xc.real)
    num = e * ive(0, xb) * kve(1, xc) + kve(0, xb) * ive(1, xc)
    den = ive(1, xc) * kve(1, xb) - e * ive(1, xb) * kve(1, xc)
    return inner + g / (2 * np.pi * b * sigma) * num / den + 1j * f * MU0 * np.log(b / a)


def _rows(name: str, f, value, exact, unc) -> list[dict]:
    return [
        {
            "reference": name,
            "freq": float(fk),
            "value": float(v),
            "exact": float(x),
            "error": float(v / x - 1),
            "uncertainty": None if u is None else float(u / abs(v)),
        }
        for fk, v, x, u in zip(f, value, exact, unc if unc is not None else [None] * len(f), strict=True)
    ]


def run() -> list[dict]:
    rows: list[dict] = []
    # coax, R and L, 1 kHz to 100 GHz, with the error estimate
    f = np.logspace(3, 11, 17)
    r = fs.solve(load("geometries/coax_rg58.yaml"), freq=f)
    x, z = r.rlgc, coax_exact(f, 0.405e-3, 1.475e-3, 1.75e-3)
    rows += _rows("coax RG-58: R", f, x.R[:, 0, 0], z.real, x.uncertainty["R"][:, 0, 0])
    rows += _rows("coax RG-58: L", f, x.L[:, 0, 0], z.imag / (2 * np.pi * f), x.uncertainty["L"][:, 0, 0])
    # parallel plates (the magnetic solver alone: the 1-D field needs flux-parallel walls)
    t, d, w = 35e-6, 100e-6, 1e-3
    plates = CrossSection(
        conductors=(Conductor("g", Rect(0, w, 0, t), "ground"), Conductor("s", Rect(0, w, t + d, 2 * t + d), "signal")),
        boundary=Boundary("box", (0, w, -1e-3, 1.2e-3)),
    )
    f = np.logspace(3, 11, 9)
    pr = MagneticProblem(
        make_magnetic_grid(plates, [CU, CU], f.max(), MeshOptions()), magnetic_walls=("left", "right", "bottom")
    )
    zp = pr.impedance(f).z[:, 0, 0]
    g = np.sqrt(1j * 2 * np.pi * f * MU0 * CU)
    exact = 2 * g / (CU * w) / np.tanh(g * t) + 1j * 2 * np.pi * f * MU0 * d / w
    rows += _rows("parallel plates: R", f, zp.real, exact.real, None)
    rows += _rows("parallel plates: L", f, zp.imag / (2 * np.pi * f), exact.imag / (2 * np.pi * f), None)
    # twin lead, skin limit
    sec = load("geometries/twin_wire.yaml")
    a, D = sec.conductors[0].shape.r, sec.conductors[1].shape.cx - sec.conductors[0].shape.cx
    f = np.array([1e11])
    r = fs.solve(sec, freq=f)
    R, U = r.rlgc.R, r.rlgc.uncertainty["R"]
    loop = R[:, 0, 0] + R[:, 1, 1] - 2 * R[:, 0, 1]
    p = D / (2 * a)
    rs = np.sqrt(np.pi * f * MU0 / CU)
    rows += _rows(
        "twin lead, loop R (skin limit)",
        f,
        loop,
        rs / (np.pi * a) * p / np.sqrt(p * p - 1),
        U[:, 0, 0] + U[:, 1, 1] + 2 * U[:, 0, 1],
    )
    # DC resistance of a microstrip with a finite ground
    ms = CrossSection(
        conductors=(
            Conductor("g", Rect(-1e-3, 1e-3, 0.0, 35e-6), "ground"),
            Conductor("s", Rect(-0.15e-3, 0.15e-3, 0.235e-3, 0.27e-3), "signal"),
        ),
        background_er=4.0,
    ).validate()
    series = loss.series_impedance(ms, np.array([10.0]), np.eye(1))
    r_dc = 1 / (CU * 0.3e-3 * 35e-6) + 1 / (CU * 2e-3 * 35e-6)
    rows += _rows("microstrip DC resistance", [10.0], series.R[:, 0, 0], [r_dc], None)
    # homogeneous lossy dielectric
    from dataclasses import replace

    coax = replace(load("geometries/coax_rg58.yaml"), background_tand=0.01)
    f = np.array([1e6, 1e9, 1e11])
    r = fs.solve(coax, freq=f)
    rows += _rows("homogeneous dielectric: G", f, r.rlgc.G[:, 0, 0], 2 * np.pi * f * r.capacitance[0, 0] * 0.01, None)
    return rows


def render(rows: list[dict]) -> list[str]:
    out = [
        "## Loss: R, L and G of frequency",
        "",
        "`fieldsolver.solve(section, freq=...)` at the default tolerance against exact references (see",
        "`validation/loss.py` for each formula and its source). *error*: `solver / exact - 1`; *covered*:",
        "points whose error is within the solver's own estimate (where it gives one). Target: within 1 %.",
        "",
        "| reference | points | frequencies | largest error | covered by the estimate |",
        "|---|---|---|---|---|",
    ]
    names = list(dict.fromkeys(r["reference"] for r in rows))
    for name in names:
        mine = [r for r in rows if r["reference"] == name]
        worst = max(mine, key=lambda r: abs(r["error"]))
        est = [r for r in mine if r["uncertainty"] is not None]
        covered = sum(abs(r["error"]) <= r["uncertainty"] for r in est)
        cov = f"{covered} of {len(est)}" if est else "(no estimate)"
        span = f"{mine[0]['freq']:.3g} - {mine[-1]['freq']:.3g} Hz" if len(mine) > 1 else f"{mine[0]['freq']:.3g} Hz"
        out.append(
            f"| {name} | {len(mine)} | {span} | {100 * worst['error']:+.3g} % at {worst['freq']:.3g} Hz | {cov} |"
        )
    out += [
        "",
        "Not here yet: Wheeler's incremental-inductance check of R on rectangular strips in the skin",
        "limit, a layered parallel plate's G, published roughness examples (the roughness models are",
        "checked against their formulas in `tests/test_materials.py`), slanted faces above the",
        "frequency their note names, and error estimates of G and C(f).",
        "",
    ]
    return out
