"""One-call entry point: ``fieldsolver.solve(section)`` -> :class:`Result`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import extract
from .grid import MeshOptions
from .model import CrossSection, InputError
from .refine import Refinement, boundary_uncertainty, grid_uncertainty, refine
from .results import Mode, Result
from .solver import FieldSolution, field_solve

NO_GROUND = "no ground conductor: the common mode has no return path (it returns through infinity)"
TOL = 1e-3
MAX_NODES = 1_000_000


@dataclass(frozen=True)
class Lines:
    """Everything derived from one pair of capacitance matrices."""

    values: dict[str, float | None]
    inductance: np.ndarray
    impedance_matrix: np.ndarray
    modes: tuple[Mode, ...]
    z0_lines: tuple[float, ...] | None
    notes: tuple[str, ...]


def line_parameters(section: CrossSection, c: np.ndarray, c_vac: np.ndarray) -> Lines:
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
    else:
        # N lines: each mode's impedance and eps_eff (the order of Result.modes)
        for i, (e, z) in enumerate(zip(eps, zm, strict=True), 1):
            values[f"z_mode_{i}"] = z
            values[f"eps_eff_mode_{i}"] = e
        if not grounded:
            notes.append(f"modal values that involve net charge are undefined: {NO_GROUND}")
    return Lines(
        values={k: (None if v is None else float(v)) for k, v in values.items()},
        inductance=l_mat,
        impedance_matrix=zc,
        modes=tuple(
            Mode(eps_eff=float(e), z=float(z), voltages=tuple(map(float, v)))
            for e, z, v in zip(eps, zm, vec.T, strict=True)
        ),
        z0_lines=z0_lines,
        notes=tuple(notes),
    )


def value_keys(section: CrossSection) -> tuple[str, ...]:
    """The keys of ``Result.values`` for ``section`` (they depend on its signals and grounds)."""
    eye = np.eye(len(section.signals)) * 1e-10
    return tuple(line_parameters(section, eye, eye).values)


def uncertainty(section: CrossSection, ref: Refinement, part: str = "total") -> dict[str, float | None]:
    """Relative uncertainty of every value: grid (Richardson step) plus open boundary
    (``part="grid"`` or ``"boundary"`` for one of the two)."""
    reported = line_parameters(section, ref.capacitance, ref.capacitance_vacuum).values
    per_level = [line_parameters(section, lv.capacitance, lv.capacitance_vacuum).values for lv in ref.levels]
    per_bnd = [line_parameters(section, lv.capacitance, lv.capacitance_vacuum).values for lv in ref.boundary]
    out: dict[str, float | None] = {}
    for k, v in reported.items():
        if v is None:
            out[k] = None
            continue
        u_grid = grid_uncertainty([vals[k] for vals in per_level], v)
        u_bnd = boundary_uncertainty(*(vals[k] for vals in per_bnd)) if per_bnd else 0.0
        out[k] = {"total": u_grid + u_bnd, "grid": u_grid, "boundary": u_bnd}[part] / abs(v)
    return out


def _level_info(section: CrossSection, lv) -> dict:
    values = line_parameters(section, lv.capacitance, lv.capacitance_vacuum).values
    return {
        "density": lv.density,
        "open_factor": lv.open_factor,
        "nodes": lv.nodes,
        "seconds": lv.seconds,
        "values": values,
    }


def _grid_info(sol: FieldSolution) -> dict:
    g = sol.grid
    return {
        "nx": g.nx,
        "ny": g.ny,
        "nodes": g.nodes,
        "domain": list(g.domain),
        "open_sides": dict(zip(("left", "right", "bottom", "top"), g.open_sides, strict=True)),
    }


def _result(section, c, c_vac, sol, *, uncertainty=None, accuracy=None, notes=(), timings=None) -> Result:
    lines = line_parameters(section, c, c_vac)
    return Result(
        signals=tuple(s.name for s in section.signals),
        capacitance=c,
        capacitance_vacuum=c_vac,
        inductance=lines.inductance,
        impedance_matrix=lines.impedance_matrix,
        modes=lines.modes,
        values=lines.values,
        z0_lines=lines.z0_lines,
        notes=lines.notes + tuple(notes),
        grid=_grid_info(sol),
        units=section.units,
        timings=dict(timings or sol.timings),
        uncertainty=uncertainty,
        accuracy=accuracy,
        solution=sol,
    )


def build_result(sol: FieldSolution) -> Result:
    """Result of one field solution, without an error estimate."""
    c = 0.5 * (sol.dielectric.capacitance + sol.dielectric.capacitance.T)
    c_vac = 0.5 * (sol.vacuum.capacitance + sol.vacuum.capacitance.T)
    return _result(sol.section, c, c_vac, sol)


def solve(
    section: CrossSection | str | Path,
    *,
    options: MeshOptions | None = None,
    tol: float | None = TOL,
    max_nodes: int = MAX_NODES,
) -> Result:
    """Solve a cross-section (a :class:`CrossSection` or the path of a YAML file).

    ``tol`` (relative): refine the grid until the estimated error of every reported value is at
    most ``tol`` or the next grid would exceed ``max_nodes`` nodes; ``Result.uncertainty`` holds
    the estimates and ``Result.accuracy['converged']`` says whether tol was met. ``tol=None``
    solves once on the grid of ``options`` and gives no error estimate.
    """
    if not isinstance(section, CrossSection):
        from .loader import load

        section = load(section)
    if tol is not None and not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes <= 0:
        raise InputError(f"max_nodes must be a positive integer, got {max_nodes!r}")
    t = time.perf_counter()
    section = section.validate()
    if tol is None:
        res = build_result(field_solve(section, options))
        res.timings["total"] = time.perf_counter() - t
        return res
    # refining the grid reduces only the grid part: stop refining when that is within tol
    ref = refine(section, options, tol, max_nodes, lambda r: uncertainty(section, r, "grid"))
    unc = uncertainty(section, ref)
    worst = max((u for u in unc.values() if u is not None), default=0.0)
    converged = worst <= tol
    notes: tuple[str, ...] = ()
    if not converged:
        bnd = uncertainty(section, ref, "boundary")
        key = max((k for k, u in unc.items() if u is not None), key=lambda k: unc[k])
        if bnd[key] > 0.5 * unc[key]:
            why = (
                f"most of it ({100 * bnd[key]:.3g} %) from the open boundary: the field reaches far "
                "(e.g. finite grounds); a larger open_factor in MeshOptions moves the boundary out"
            )
        else:
            why = f"at the node budget ({max_nodes:,}); raise max_nodes for a tighter answer"
        notes = (f"NOT CONVERGED: estimated error {100 * worst:.3g} % exceeds tol {100 * tol:.3g} %, {why}",)
    accuracy = {
        "tol": tol,
        "converged": converged,
        "max_nodes": max_nodes,
        "levels": [_level_info(section, lv) for lv in ref.levels],
        "boundary_levels": [_level_info(section, lv) for lv in ref.boundary],
    }
    # boundary[1] is levels[0], counted once
    solved = ref.levels + ref.boundary[:1] + ref.boundary[2:]
    mesh = sum(lv.mesh_seconds for lv in solved)
    timings = {"mesh": mesh, "solve": sum(lv.seconds for lv in solved) - mesh, "total": time.perf_counter() - t}
    return _result(
        section,
        ref.capacitance,
        ref.capacitance_vacuum,
        ref.finest,
        uncertainty=unc,
        accuracy=accuracy,
        notes=notes,
        timings=timings,
    )
