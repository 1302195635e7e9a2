"""Independent references for the structures with no exact solution: round insulation over a
plane, twisted and shielded pairs, microstrips under solder mask. Regenerate the committed data
(about half an hour on one core, mostly the masked microstrips) with::

    python -m validation.fem            # writes validation/fem_references.json

Method (``validation/femsolve.py``): quadratic isoparametric finite elements on curved,
graded gmsh meshes, capacitance from the field energy. Each point is solved

* on three meshes, every element size halved from one to the next (finer for traces, whose
  corners converge more slowly), at a truncation radius R1
  (open structures) or inside the shield: the observed order ``p`` of the last three values,
  a Richardson extrapolation, and as its error estimate the extrapolation's step
  ``|Q3 - Q2| / (2**p - 1)``; where the order is below 2 or the steps change sign, no
  extrapolation: the finest value, and the larger of the two steps as its error;
* open structures also at 2 R1 and 4 R1 on the middle mesh: the truncation error of a
  structure whose charge sums to zero toward infinity falls as ``1/R**2``; the correction
  ``(Q(4R1) - Q(2R1)) / 3 + Q(4R1) - Q(R1)`` is added, and the difference between that
  correction and the one from R1 and 2R1 (``(Q(2R1) - Q(R1)) * 4/3``) is its error estimate.

The reference's relative error estimate is the sum of both; the committed convergence tables
let ``tests/test_validation.py`` check the claim. Values are the line parameters of
``fieldsolver.physics.lines.line_parameters`` on the FEM matrices, so every definition (Z0,
Zdiff, Zcm, eps_eff) is the package's own.
"""

from __future__ import annotations

import datetime
import json
import math
import time
from pathlib import Path

import fieldsolver as fs
from fieldsolver.geometry.model import Circle, Conductor, CrossSection, Dielectric, Rect, Ring
from fieldsolver.physics import formulas as F
from fieldsolver.physics.lines import line_parameters

from .femsolve import capacitance, scaled

HERE = Path(__file__).parent
DATA = HERE / "fem_references.json"
MM = 1e-3
SIZES = (2.0, 1.0, 0.5)  # element-size factors of the three meshes
FINE = (1.0, 0.5, 0.25)  # those of structures with corners (traces under mask)
R1 = 40.0  # first truncation radius, in units of the structure's size (see ``size_of``)
TARGET = 1e-4  # the relative accuracy the references must show: ten times better than the solver's 0.1 %


def insulated_wire_over_ground(p: dict[str, float]) -> CrossSection:
    """A wire (d = 1) in round insulation d_ins (er) with its centre h above a ground plane."""
    return CrossSection(
        conductors=(
            Conductor("gnd", Rect(-math.inf, math.inf, -MM, 0.0), "ground"),
            Conductor("wire", Circle(0.0, p["h"] * MM, 0.5 * MM), "signal"),
        ),
        dielectrics=(Dielectric(Circle(0.0, p["h"] * MM, 0.5 * p["d_ins"] * MM), p["er"], name="insulation"),),
        units="mm",
    ).validate()


def twisted_pair(p: dict[str, float]) -> CrossSection:
    return fs.template("twisted_pair", d=0.5, d_ins=1.0, er=p["er"], s=p["s"])


def shielded_pair(p: dict[str, float]) -> CrossSection:
    return fs.template("shielded_pair", d=0.5, d_ins=1.0, er=2.1, s=1.05, D=p["D"], er_fill=p["er_fill"])


MASK = {"h": 1.0, "t": 0.35, "er": 4.2, "c1": 0.2, "c2": 0.15, "mask_er": 3.5}  # h = 100 um, 1 oz


def masked_microstrip(p: dict[str, float]) -> CrossSection:
    return fs.template("microstrip", w=p["w"], **MASK)


def masked_coupled_microstrip(p: dict[str, float]) -> CrossSection:
    return fs.template("coupled_microstrip", w=1.2, s=p["s"], **MASK)


# name: (builder, points, quantities, smallest feature (mm), structure size (mm) or None: closed,
# the meshes' size factors)
STRUCTURES = {
    "insulated_wire": (
        insulated_wire_over_ground,
        [
            {"h": 0.85, "d_ins": 1.6, "er": 3.5},
            {"h": 1.2, "d_ins": 1.6, "er": 2.1},
            {"h": 2.5, "d_ins": 2.0, "er": 3.0},
            {"h": 6.0, "d_ins": 1.6, "er": 2.3},
        ],
        ("z0", "eps_eff"),
        0.3,
        lambda p: 2 * p["h"],
        SIZES,
    ),
    "twisted_pair": (
        twisted_pair,
        [{"s": 1.05, "er": 2.1}, {"s": 1.2, "er": 3.5}, {"s": 1.6, "er": 2.5}],
        ("z_diff", "eps_eff_odd"),
        0.25,
        lambda p: 2 * p["s"],
        SIZES,
    ),
    "shielded_pair": (
        shielded_pair,
        [{"D": 2.2, "er_fill": 1.0}, {"D": 2.6, "er_fill": 1.5}, {"D": 3.2, "er_fill": 1.0}],
        ("z_diff", "z_common", "eps_eff_odd", "eps_eff_even"),
        0.25,
        None,
        SIZES,
    ),
    "masked_microstrip": (
        masked_microstrip,
        [{"w": 0.5}, {"w": 1.8}, {"w": 3.0}],
        ("z0", "eps_eff"),
        0.15,
        lambda p: p["w"] + 2.0,
        FINE,
    ),
    "masked_coupled_microstrip": (
        masked_coupled_microstrip,
        [{"s": 0.6}, {"s": 1.2}, {"s": 2.4}],
        ("z_diff", "z_common", "eps_eff_odd", "eps_eff_even"),
        0.15,
        lambda p: 2.4 + p["s"] + 2.0,
        FINE,
    ),
}


def layered_coax(p: dict[str, float]) -> CrossSection:
    """Inner conductor d = 1, a dielectric circle d_diel of er_in, er_out out to the shield D."""
    return CrossSection(
        conductors=(
            Conductor("inner", Circle(0.0, 0.0, 0.5 * MM), "signal"),
            Conductor("shield", Ring(0.0, 0.0, 0.5 * p["D"] * MM, 0.6 * p["D"] * MM)),
        ),
        dielectrics=(Dielectric(Circle(0.0, 0.0, 0.5 * p["d_diel"] * MM), p["er_in"]),),
        background_er=p["er_out"],
        units="mm",
    ).validate()


def eccentric_coax(p: dict[str, float]) -> CrossSection:
    """Inner conductor d = 1 displaced by ``e`` (a fraction of the most it can move, (D - d)/2)."""
    off = p["e"] * (p["D"] - 1.0) / 2
    return CrossSection(
        conductors=(
            Conductor("inner", Circle(off * MM, 0.0, 0.5 * MM), "signal"),
            Conductor("shield", Ring(0.0, 0.0, 0.5 * p["D"] * MM, 0.6 * p["D"] * MM)),
        ),
        background_er=p["er"],
        units="mm",
    ).validate()


def layered_coax_exact(p: dict[str, float]) -> dict[str, float]:
    """:func:`layered_coax`'s exact Z0: two radial capacitors in series."""
    return {"z0": F.coax_layered_z0(1.0, p["d_diel"], p["D"], p["er_in"], p["er_out"])}


def eccentric_coax_exact(p: dict[str, float]) -> dict[str, float]:
    """:func:`eccentric_coax`'s exact Z0 (bipolar coordinates)."""
    return {"z0": F.coax_eccentric_z0(1.0, p["D"], p["e"] * (p["D"] - 1.0) / 2, p["er"])}


# the same procedure on structures with an exact answer: its error estimate must cover its error
CHECKS = {
    "wire_over_ground": (
        lambda p: fs.template("wire_over_ground", d=1.0, h=p["h"], er=1.0),
        [{"h": 0.6}, {"h": 2.0}],
        lambda p: {"z0": F.wire_over_ground_z0(1.0, p["h"])},
        0.2,
        lambda p: 2 * p["h"],
    ),
    "twin_wire": (
        lambda p: fs.template("twin_wire", d=1.0, D=p["D"], er=1.0),
        [{"D": 1.1}, {"D": 3.0}],
        lambda p: {"z_diff": F.twin_wire_z_diff(1.0, p["D"])},
        0.1,
        lambda p: 2 * p["D"],
    ),
    "layered_coax": (
        layered_coax,
        [{"d_diel": 1.6, "D": 3.0, "er_in": 4.0, "er_out": 1.0}],
        layered_coax_exact,
        0.3,
        None,
    ),
    "eccentric_coax": (
        eccentric_coax,
        [{"D": 2.3, "e": 0.9, "er": 1.0}],
        eccentric_coax_exact,
        0.06,
        None,
    ),
}


def _values(section: CrossSection, *, radius: float | None, size: float, feature: float) -> tuple[dict, int]:
    mm = scaled(section, 1.0 / MM)
    c, c0, dofs = capacitance(mm, radius=radius, size=size, feature=feature)
    return line_parameters(section, c, c0).values, dofs


def richardson(q: list[float], ratio: float = 2.0) -> tuple[float, float, float]:
    """(extrapolated value, its error estimate, observed order) from three values on meshes
    refined by ``ratio``. The order is that of the last two steps; below 2 (or irregular) there is
    no extrapolation: the finest value, with the larger step as its error."""
    d1, d2 = q[1] - q[0], q[2] - q[1]
    p = math.log(abs(d1 / d2), ratio) if d1 * d2 > 0 and d2 != 0 else float("nan")
    if not p >= 2:  # slower or irregular convergence: no extrapolation, the larger step as error
        return q[2], max(abs(d1), abs(d2)), p
    step = d2 / (ratio**p - 1)
    return q[2] + step, abs(step), p


def truncation(q: list[float]) -> tuple[float, float]:
    """(correction to add to q[0], its error estimate) from values at R, 2R, 4R, error ~ 1/R**2."""
    late = q[2] - q[0] + (q[2] - q[1]) / 3
    early = (q[1] - q[0]) * 4 / 3
    return late, abs(late - early)


def reference_point(name: str, params: dict[str, float]) -> dict:
    build, _, quantities, feature, extent, sizes = STRUCTURES[name]
    return _converged(build(params), params, quantities, feature, extent, sizes)


def check_point(name: str, params: dict[str, float]) -> dict:
    """The procedure on an exact case: its value, error estimate and true error."""
    build, _, exact, feature, extent = CHECKS[name]
    ex = exact(params)
    out = _converged(build(params), params, tuple(ex), feature, extent, SIZES)
    out["exact"] = ex
    out["true_error"] = {q: out["values"][q] / v - 1 for q, v in ex.items()}
    return out


def _converged(section: CrossSection, params: dict, quantities, feature: float, extent, sizes) -> dict:
    radius = None if extent is None else R1 * extent(params)
    t = time.perf_counter()
    levels = [_values(section, radius=radius, size=s, feature=feature) for s in sizes]
    out = {
        "params": params,
        "mesh": {"sizes": list(sizes), "dofs": [d for _, d in levels], "radius": radius},
        "convergence": {q: [v[q] for v, _ in levels] for q in quantities},
        "values": {},
        "error": {},
        "order": {},
    }
    if radius is not None:
        far = [levels[1][0]] + [_values(section, radius=k * radius, size=sizes[1], feature=feature)[0] for k in (2, 4)]
        out["truncation"] = {"radii": [radius, 2 * radius, 4 * radius], **{q: [v[q] for v in far] for q in quantities}}
    for q in quantities:
        value, err, order = richardson(out["convergence"][q])
        if radius is not None:
            corr, err_r = truncation(out["truncation"][q])
            value, err = value + corr, err + abs(err_r)
        out["values"][q] = value
        out["error"][q] = err / abs(value)
        out["order"][q] = order
    out["seconds"] = round(time.perf_counter() - t, 1)
    return out


def main() -> int:
    data = {
        "method": (
            "quadratic isoparametric Lagrange finite elements (scikit-fem) on curved second-order "
            "gmsh meshes graded toward corners and interfaces; C from the field energy; three meshes "
            "(element size x2, x1, x1/2; x1, x1/2, x1/4 for traces) and Richardson extrapolation; open structures truncated "
            "by a grounded circle at R1 = 40 structure sizes, 2 R1 and 4 R1 and extrapolated in 1/R^2"
        ),
        "date": datetime.date.today().isoformat(),
        "families": {},
        "checks": {},
    }
    for name, (_, points, *_) in CHECKS.items():
        data["checks"][name] = []
        for p in points:
            r = check_point(name, p)
            print(f"check {name} {p}: true {r['true_error']} estimated {r['error']}", flush=True)
            data["checks"][name].append(r)
    for name, (_, points, *_) in STRUCTURES.items():
        data["families"][name] = []
        for p in points:
            r = reference_point(name, p)
            worst = max(r["error"].values())
            print(f"{name} {p}: {r['values']} worst error {worst:.1e} ({r['seconds']} s)", flush=True)
            data["families"][name].append(r)
    DATA.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
