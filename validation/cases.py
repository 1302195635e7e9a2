"""What ``make validate`` sweeps, and what each point is compared with.

A *family* is a structure swept over its practical range. Each point is solved at the default
tolerance and compared with every applicable reference. A reference is ``exact`` (a 2D
conformal-mapping, image or bipolar-coordinate solution: the solver must agree within its
target, and the true error must lie inside the reported error bar), a ``reference`` (an
independent high-order finite-element solution, ``validation/fem.py``, committed in
``validation/fem_references.json`` with its convergence tables and an error estimate below
1e-4, a tenth of the solver's target: judged like an exact one) or a ``closed form`` with a tolerance and the reason for it (the
formula's own stated accuracy, or the accuracy calculators claim for it). Lengths in mm.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import fieldsolver as fs
from fieldsolver.geometry.model import Conductor, CrossSection, Dielectric, Rect
from fieldsolver.physics import formulas as F

from . import fem

EXACT_TOL = 1e-3  # the solver's default tolerance: exact cases must agree to 0.1 %


@dataclass(frozen=True)
class Reference:
    label: str
    kind: str  # "exact" | "reference" (independent FEM) | "closed form"
    tol: float  # relative
    why: str
    values: Callable[[dict[str, float]], dict[str, float]]  # point parameters -> {quantity: value}
    applies: Callable[[dict[str, float]], bool] = lambda p: True  # inside the formula's stated range


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    axis: str  # the swept parameter shown on the x axis of the plot
    axis_label: str
    points: list[dict[str, float]]
    section: Callable[[dict[str, float]], CrossSection]
    references: list[Reference]
    series: str = ""  # a second parameter that splits the points into curves (e.g. er)
    log: bool = True  # a logarithmic x axis


def _logspace(a: float, b: float, n: int) -> list[float]:
    return [float(v) for v in np.round(np.geomspace(a, b, n), 6)]


ER_CYCLE = (1.0, 2.2, 4.3, 12.0)


def _cycle_er(values: list[float], key: str) -> list[dict[str, float]]:
    return [{key: v, "er": ER_CYCLE[i % len(ER_CYCLE)]} for i, v in enumerate(values)]


def cpw_half_space(p: dict[str, float]) -> CrossSection:
    """Zero-thickness CPW, centre width 1, semi-infinite grounds, substrate filling y < 0."""
    w, k = 1.0, p["k"]
    g = (w / k - w) / 2
    return CrossSection(
        conductors=(
            Conductor("s", Rect(-w / 2, w / 2, 0, 0), "signal"),
            Conductor("gl", Rect(-math.inf, -w / 2 - g, 0, 0)),
            Conductor("gr", Rect(w / 2 + g, math.inf, 0, 0)),
        ),
        dielectrics=(Dielectric(Rect(-math.inf, math.inf, -math.inf, 0), p["er"]),),
        units="mm",
    ).validate()


def _t(name: str, **fixed: Any) -> Callable[[dict[str, float]], CrossSection]:
    return lambda p: fs.template(name, **{**fixed, **p})


def fem_values(name: str, quantities: tuple[str, ...]) -> Callable[[dict[str, float]], dict[str, float]]:
    """The committed FEM reference values of family ``name`` at a point."""

    def values(p: dict[str, float]) -> dict[str, float]:
        for r in json.loads(fem.DATA.read_text())["families"][name]:
            if r["params"] == p:
                return {q: r["values"][q] for q in quantities}
        raise KeyError(f"no FEM reference for {name} at {p}: run python -m validation.fem")

    return values


def fem_error(name: str, p: dict[str, float]) -> dict[str, float]:
    """The committed FEM reference's relative error estimate at a point, per quantity."""
    for r in json.loads(fem.DATA.read_text())["families"][name]:
        if r["params"] == p:
            return r["error"]
    raise KeyError(name)


def _fem_family(name: str, title: str, axis: str, axis_label: str, quantities: tuple[str, ...], **kw) -> Family:
    build, points, *_ = fem.STRUCTURES[name]
    why = "independent high-order FEM on curved elements (validation/fem.py); its error estimate is in the table"
    return Family(
        name,
        title,
        axis,
        axis_label,
        points,
        build,
        [Reference("FEM", "reference", EXACT_TOL, why, fem_values(name, quantities))],
        **kw,
    )


def _eccentric_points() -> list[dict[str, float]]:
    fractions = (0.0, 0.25, 0.5, 0.7, 0.85, 0.93, 0.97)
    return [{"D": D, "e": e, "er": er} for D, er in ((2.3, 1.0), (3.5, 2.25)) for e in fractions]


def _layered_points() -> list[dict[str, float]]:
    ers = ((2.25, 1.0), (10.0, 2.2))
    return [{"d_diel": dd, "D": 3.0, "er_in": a, "er_out": b} for a, b in ers for dd in (1.15, 1.5, 2.0, 2.6)]


WHEELER_WHY = "the accuracy usually quoted with Wheeler's formula: within 1 % in most cases, 2 % worst"
IPC_MS_WHY = "no published accuracy; calculators use it as a rough estimate (about 5 %), 0.1 < w/h < 2"
HJ_WHY = "Hammerstad-Jensen's stated accuracy: 0.2 % on eps_eff, 0.03 % on Z0 in air"

FAMILIES: list[Family] = [
    # ---------------------------------------------------------------- exact 2D solutions
    Family(
        "coax",
        "Coaxial line",
        "D",
        "D/d",
        _cycle_er(_logspace(1.1, 20.0, 10), "D"),
        lambda p: fs.template("coax", d=1.0, D=p["D"], er=p["er"]),
        [Reference("ln(D/d)", "exact", EXACT_TOL, "exact", lambda p: {"z0": F.coax_z0(1.0, p["D"], p["er"])})],
    ),
    Family(
        "wire_over_ground",
        "Round wire over a ground plane",
        "two_h",
        "2h/d",
        _cycle_er(_logspace(1.05, 20.0, 10), "two_h"),
        lambda p: fs.template("wire_over_ground", d=1.0, h=p["two_h"] / 2, er=p["er"]),
        [
            Reference(
                "acosh(2h/d)",
                "exact",
                EXACT_TOL,
                "exact (image)",
                lambda p: {"z0": F.wire_over_ground_z0(1.0, p["two_h"] / 2, p["er"])},
            )
        ],
    ),
    Family(
        "twin_wire",
        "Twin wire (no ground)",
        "D",
        "D/d",
        _cycle_er(_logspace(1.05, 20.0, 10), "D"),
        lambda p: fs.template("twin_wire", d=1.0, D=p["D"], er=p["er"]),
        [
            Reference(
                "acosh(D/d)",
                "exact",
                EXACT_TOL,
                "exact",
                lambda p: {"z_diff": F.twin_wire_z_diff(1.0, p["D"], p["er"])},
            )
        ],
    ),
    Family(
        "stripline",
        "Zero-thickness centred stripline (b = 1)",
        "w",
        "w/b",
        _cycle_er(_logspace(0.05, 5.0, 12), "w"),
        lambda p: fs.template("stripline", w=p["w"], h1=0.5, h2=0.5, er=p["er"]),
        [Reference("Cohn 1954", "exact", EXACT_TOL, "exact", lambda p: {"z0": F.stripline_z0(p["w"], 1.0, p["er"])})],
    ),
    Family(
        "coupled_stripline",
        "Zero-thickness edge-coupled stripline (w = 0.5, b = 1)",
        "s",
        "s/b",
        _cycle_er(_logspace(0.02, 3.0, 10), "s"),
        lambda p: fs.template("coupled_stripline", w=0.5, s=p["s"], h1=0.5, h2=0.5, er=p["er"]),
        [
            Reference(
                "Cohn 1955",
                "exact",
                EXACT_TOL,
                "exact",
                lambda p: dict(zip(("z_odd", "z_even"), F.coupled_stripline_z(0.5, p["s"], 1.0, p["er"]), strict=True)),
            ),
            Reference(
                "Zdiff empirical (stripline)",
                "closed form",
                0.05,
                "empirical fit quoted by online calculators; no stated accuracy, commonly trusted to about 5 %",
                lambda p: {
                    "z_diff": F.z_diff_stripline_empirical(F.stripline_z0(0.5, 1.0, p["er"]), p["s"], 1.0),
                },
            ),
        ],
    ),
    Family(
        "broadside_stripline",
        "Zero-thickness broadside-coupled stripline (s = 0.2, b = 1)",
        "w",
        "w/b",
        _cycle_er(_logspace(0.6, 5.0, 8), "w"),
        lambda p: fs.template("broadside_stripline", w=p["w"], h1=0.4, hs=0.2, h2=0.4, er=p["er"]),
        [
            Reference(
                "Cohn 1960",
                "exact",
                EXACT_TOL,
                "exact while the strips' edges do not interact (w >= 3s)",
                lambda p: dict(
                    zip(("z_odd", "z_even"), F.broadside_stripline_z(p["w"], 0.2, 1.0, p["er"]), strict=True)
                ),
            )
        ],
    ),
    Family(
        "cpw_half_space",
        "CPW on a thick (semi-infinite) substrate, zero thickness",
        "k",
        "k = w/(w+2g)",
        [
            {"k": k, "er": er}
            for k, er in zip(_logspace(0.1, 0.9, 9), (2.2, 4.3, 12.0, 9.8, 1.0, 3.0, 6.15, 10.2, 12.0), strict=True)
        ],
        cpw_half_space,
        [
            Reference(
                "conformal mapping",
                "exact",
                EXACT_TOL,
                "exact",
                lambda p: dict(zip(("z0", "eps_eff"), F.cpw_thick_z0(1.0, (1 / p["k"] - 1) / 2, p["er"]), strict=True)),
            )
        ],
    ),
    Family(
        "eccentric_coax",
        "Eccentric coax (d = 1): inner conductor moved off axis toward the shield",
        "e",
        "2 offset / (D - d)",
        _eccentric_points(),
        fem.eccentric_coax,
        [
            Reference(
                "bipolar coordinates",
                "exact",
                EXACT_TOL,
                "exact (two non-concentric cylinders)",
                fem.eccentric_coax_exact,
            )
        ],
        series="D",
        log=False,
    ),
    Family(
        "layered_coax",
        "Two-layer coax (d = 1, D = 3): er_in out to d_diel, er_out beyond",
        "d_diel",
        "d_diel/d",
        _layered_points(),
        fem.layered_coax,
        [
            Reference(
                "series radial capacitors",
                "exact",
                EXACT_TOL,
                "exact (radial field)",
                fem.layered_coax_exact,
            )
        ],
        series="er_in",
    ),
    # ---------------------------------------------------------------- independent FEM references
    _fem_family(
        "insulated_wire",
        "Round wire (d = 1) in round insulation over a ground plane",
        "h",
        "h/d (centre height)",
        ("z0", "eps_eff"),
    ),
    _fem_family(
        "twisted_pair",
        "Twisted pair cross-section (d = 0.5, d_ins = 1)",
        "s",
        "s/d_ins",
        ("z_diff", "eps_eff_odd"),
    ),
    _fem_family(
        "shielded_pair",
        "Shielded pair (d = 0.5, d_ins = 1, er = 2.1, s = 1.05) in a round shield",
        "D",
        "D/d_ins",
        ("z_diff", "z_common", "eps_eff_odd", "eps_eff_even"),
    ),
    _fem_family(
        "masked_microstrip",
        "Microstrip under solder mask (h = 1, t = 0.35, er = 4.2, mask 0.2/0.15 of er 3.5)",
        "w",
        "w/h",
        ("z0", "eps_eff"),
    ),
    _fem_family(
        "masked_coupled_microstrip",
        "Coupled microstrip under solder mask (w = 1.2, h = 1, t = 0.35, er = 4.2, mask 0.2/0.15 of er 3.5)",
        "s",
        "s/h",
        ("z_diff", "z_common", "eps_eff_odd", "eps_eff_even"),
    ),
    # ---------------------------------------------------------------- closed forms
    Family(
        "microstrip",
        "Zero-thickness microstrip (h = 1)",
        "w",
        "w/h",
        [{"w": w, "er": er} for er in (1.0, 4.3, 12.0) for w in _logspace(0.1, 10.0, 9)],
        lambda p: fs.template("microstrip", w=p["w"], h=1.0, er=p["er"]),
        [
            Reference(
                "Hammerstad-Jensen",
                "closed form",
                3e-3,
                HJ_WHY,
                lambda p: dict(
                    zip(("z0", "eps_eff"), F.microstrip_hammerstad_jensen(p["w"], 1.0, p["er"]), strict=True)
                ),
            ),
            Reference(
                "Wheeler 1977",
                "closed form",
                0.01,
                WHEELER_WHY,
                lambda p: {"z0": F.microstrip_wheeler(p["w"], 1.0, 0.0, p["er"])},
            ),
            Reference(
                "IPC-2141",
                "closed form",
                0.05,
                IPC_MS_WHY + " (grey circles: outside)",
                lambda p: {"z0": F.microstrip_ipc2141(p["w"], 1.0, 0.0, p["er"])},
                lambda p: 0.1 <= p["w"] <= 2.0,
            ),
        ],
        series="er",
    ),
    Family(
        "microstrip_thick",
        "Microstrip with trace thickness (w/h = 1, er = 4.3)",
        "t",
        "t/h",
        [{"t": t} for t in _logspace(0.005, 0.2, 7)],
        lambda p: fs.template("microstrip", w=1.0, h=1.0, t=p["t"], er=4.3),
        [
            Reference(
                "Hammerstad-Jensen + t",
                "closed form",
                0.01,
                "zero-thickness core 0.2 %; the thickness term is an empirical width correction with no stated accuracy: 1 %",
                lambda p: dict(
                    zip(("z0", "eps_eff"), F.microstrip_hammerstad_jensen_thick(1.0, 1.0, p["t"], 4.3), strict=True)
                ),
            ),
            Reference(
                "Wheeler 1977",
                "closed form",
                0.01,
                WHEELER_WHY,
                lambda p: {"z0": F.microstrip_wheeler(1.0, 1.0, p["t"], 4.3)},
            ),
            Reference(
                "IPC-2141",
                "closed form",
                0.05,
                IPC_MS_WHY,
                lambda p: {"z0": F.microstrip_ipc2141(1.0, 1.0, p["t"], 4.3)},
            ),
        ],
    ),
    Family(
        "stripline_thick",
        "Centred stripline with thickness (w/b = 0.3, er = 4)",
        "t",
        "t/b",
        [{"t": t} for t in _logspace(0.005, 0.2, 7)],
        lambda p: fs.template("stripline", w=0.3, h1=(1 - p["t"]) / 2, h2=(1 - p["t"]) / 2, t=p["t"], er=4.0),
        [
            Reference(
                "Wheeler 1978 (thick)",
                "closed form",
                0.005,
                "Wheeler's stated accuracy: 0.5 % for w/(b-t) < 10",
                lambda p: {"z0": F.stripline_thick(0.3, 1.0, p["t"], 4.0)},
            ),
            Reference(
                "IPC-2141",
                "closed form",
                0.02,
                "within 1-2 % of a field solver for 0.05 < w/(b-t) < 0.35, t/b < 0.25 (Clemson CVEL notes)",
                lambda p: {"z0": F.stripline_ipc2141(0.3, 1.0, p["t"], 4.0)},
                lambda p: 0.3 / (1.0 - p["t"]) < 0.35,
            ),
        ],
    ),
    Family(
        "coupled_microstrip",
        "Zero-thickness edge-coupled microstrip (w/h = 1, er = 4.3)",
        "s",
        "s/h",
        [{"s": s} for s in _logspace(0.1, 10.0, 9)],
        lambda p: fs.template("coupled_microstrip", w=1.0, s=p["s"], h=1.0, er=4.3),
        [
            Reference(
                "Kirschning-Jansen",
                "closed form",
                0.01,
                "Kirschning and Jansen's stated accuracy: about 1 % (0.1 <= u, g <= 10)",
                lambda p: dict(
                    zip(
                        ("z_odd", "z_even", "eps_eff_odd", "eps_eff_even"),
                        F.coupled_microstrip_kirschning_jansen(1.0, p["s"], 1.0, 4.3),
                        strict=True,
                    )
                ),
            ),
            Reference(
                "Zdiff empirical (microstrip)",
                "closed form",
                0.05,
                "empirical fit quoted by online calculators; no stated accuracy, commonly trusted to about 5 %",
                lambda p: {
                    "z_diff": F.z_diff_microstrip_empirical(
                        F.microstrip_hammerstad_jensen(1.0, 1.0, 4.3)[0], p["s"], 1.0
                    )
                },
            ),
        ],
    ),
    Family(
        "cpw_substrate",
        "CPW on a substrate of height h (w = 1, g = 0.5, er = 9.8, no backing)",
        "h",
        "h/w",
        [{"h": h} for h in _logspace(0.2, 10.0, 7)],
        lambda p: fs.template("cpw", w=1.0, g=0.5, h=p["h"], er=9.8),
        [
            Reference(
                "Ghione-Naldi",
                "closed form",
                0.01,
                "partial-capacitance conformal mapping, exact as h -> inf; no stated accuracy otherwise: 1 %",
                lambda p: dict(zip(("z0", "eps_eff"), F.cpw_ghione_naldi(1.0, 0.5, p["h"], 9.8), strict=True)),
            )
        ],
    ),
    Family(
        "gcpw",
        "Conductor-backed CPW (w = 1, g = 0.5, er = 4.3)",
        "h",
        "h/w",
        [{"h": h} for h in _logspace(0.2, 5.0, 7)],
        lambda p: fs.template("cpw", w=1.0, g=0.5, h=p["h"], er=4.3, backed=True),
        [
            Reference(
                "conformal mapping (Ghione-Naldi 1987)",
                "closed form",
                0.02,
                "conformal mapping that treats the regions above and below separately; no stated accuracy: 2 %",
                lambda p: dict(zip(("z0", "eps_eff"), F.gcpw(1.0, 0.5, p["h"], 4.3), strict=True)),
            )
        ],
    ),
]

IMPEDANCES = ("z0", "z_diff", "z_odd", "z_even", "z_common")


def family(name: str) -> Family:
    for f in FAMILIES:
        if f.name == name:
            return f
    raise KeyError(name)
