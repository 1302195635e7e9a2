"""One-call entry point: ``fieldsolver.solve(section)`` -> :class:`Result`."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from . import extract
from .grid import MeshOptions
from .model import CrossSection
from .results import Mode, Result
from .solver import FieldSolution, field_solve

NO_GROUND = "no ground conductor: the common mode has no return path (it returns through infinity)"


def build_result(sol: FieldSolution) -> Result:
    section = sol.section
    c = 0.5 * (sol.dielectric.capacitance + sol.dielectric.capacitance.T)
    c_vac = 0.5 * (sol.vacuum.capacitance + sol.vacuum.capacitance.T)
    l_mat = extract.inductance(c_vac)
    zc = extract.impedance_matrix(c, l_mat)
    eps, vec, zm = extract.modes(c, c_vac, zc)
    grounded = bool(section.grounds) or section.boundary.kind == "box"
    notes: list[str] = []
    values: dict[str, float | None] = {}
    z0_lines = None
    n = len(section.signals)
    if n == 1:
        values.update(extract.single_line(c[0, 0], c_vac[0, 0]))
    elif n == 2:
        values.update(extract.pair(zc))
        values.update(extract.odd_even_eps(eps, vec))
        values["delay_odd"] = np.sqrt(values["eps_eff_odd"]) / extract.LIGHT
        values["delay_even"] = np.sqrt(values["eps_eff_even"]) / extract.LIGHT
        z0_lines = (float(zc[0, 0]), float(zc[1, 1]))
        if not grounded:
            for k in ("z_common", "z_even", "eps_eff_even", "delay_even"):
                values[k] = None
            z0_lines = None
            notes.append(f"z_common, z_even, eps_eff_even and each line's Z0 are undefined: {NO_GROUND}")
    elif not grounded:
        notes.append(f"modal values that involve net charge are undefined: {NO_GROUND}")
    g = sol.grid
    return Result(
        signals=tuple(s.name for s in section.signals),
        capacitance=c,
        capacitance_vacuum=c_vac,
        inductance=l_mat,
        impedance_matrix=zc,
        modes=tuple(
            Mode(eps_eff=float(e), z=float(z), voltages=tuple(map(float, v)))
            for e, z, v in zip(eps, zm, vec.T, strict=True)
        ),
        values={k: (None if v is None else float(v)) for k, v in values.items()},
        z0_lines=z0_lines,
        notes=tuple(notes),
        grid={
            "nx": g.nx,
            "ny": g.ny,
            "nodes": g.nodes,
            "domain": list(g.domain),
            "open_sides": dict(zip(("left", "right", "bottom", "top"), g.open_sides, strict=True)),
        },
        units=section.units,
        timings=dict(sol.timings),
        solution=sol,
    )


def solve(section: CrossSection | str | Path, *, options: MeshOptions | None = None) -> Result:
    """Solve a cross-section (a :class:`CrossSection` or the path of a YAML file)."""
    if not isinstance(section, CrossSection):
        from .loader import load

        section = load(section)
    t = time.perf_counter()
    sol = field_solve(section.validate(), options)
    res = build_result(sol)
    res.timings["total"] = time.perf_counter() - t
    return res
