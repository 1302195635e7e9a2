"""One-call entry point: ``fieldsolver.solve(section)`` -> :class:`Result`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .geometry.model import CrossSection, InputError
from .numerics.grid import MeshOptions, make_grid
from .physics.result import Accuracy, GridInfo, LevelInfo, Result

if TYPE_CHECKING:
    from .numerics.refine import Level
    from .numerics.solver import FieldSolution

# the solver (numba kernels, scipy) is imported where a solve runs, not with this module: the
# command line reads TOL and MAX_NODES from here to print its help

TOL = 1e-3
MAX_NODES = 1_000_000

Progress = Callable[[dict], None]
_LISTENER: ContextVar[Progress | None] = ContextVar("fieldsolver_progress", default=None)


@contextmanager
def reporting(progress: Progress) -> Iterator[None]:
    """Every :func:`solve` in this block (also those a design tool or a check runs) tells
    ``progress`` how it goes: after each grid level ``{"levels", "nodes", "error", "tol"}`` (the
    levels solved, the finest one's nodes, the worst estimated error of the values and the
    target), and before a loss sweep ``{"stage": "loss", "frequencies"}``."""
    token = _LISTENER.set(progress)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def _level_info(section: CrossSection, lv: Level) -> LevelInfo:
    from .physics.lines import line_parameters

    values = line_parameters(section, lv.capacitance, lv.capacitance_vacuum).values
    return LevelInfo(density=lv.density, open_factor=lv.open_factor, nodes=lv.nodes, seconds=lv.seconds, values=values)


def _grid_info(sol: FieldSolution) -> GridInfo:
    g = sol.grid
    return GridInfo(nx=g.nx, ny=g.ny, nodes=g.nodes, domain=tuple(g.domain), open_sides=tuple(g.open_sides))


def _result(section, c, c_vac, sol, *, timings, unc=None, accuracy=None, notes=()) -> Result:
    from .physics.lines import line_parameters

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
        timings=timings,
        uncertainty=unc,
        accuracy=accuracy,
        solution=sol,
    )


def build_result(sol: FieldSolution, total: float | None = None) -> Result:
    """Result of one field solution, without an error estimate (``total``: the seconds it took)."""
    c = 0.5 * (sol.dielectric.capacitance + sol.dielectric.capacitance.T)
    c_vac = 0.5 * (sol.vacuum.capacitance + sol.vacuum.capacitance.T)
    timings = dict(sol.timings)
    timings["total"] = sum(sol.timings.values()) if total is None else total
    return _result(sol.section, c, c_vac, sol, timings=timings)


def solve(
    section: CrossSection | str | Path,
    *,
    options: MeshOptions | None = None,
    tol: float | None = TOL,
    max_nodes: int = MAX_NODES,
    freq=None,
) -> Result:
    """Solve a cross-section (a :class:`CrossSection` or the path of a YAML file).

    ``tol`` (relative): refine the grid until the estimated error of every reported value is at
    most ``tol`` or the next grid would exceed ``max_nodes`` nodes; ``Result.uncertainty`` holds
    the estimates and ``Result.accuracy.converged`` says whether tol was met. ``tol=None``
    solves once on the grid of ``options`` and gives no error estimate.

    ``freq`` (Hz, a number or a sequence): also compute R, L, G, C at each frequency and the
    line's modes, impedance and loss (``Result.rlgc``).
    """
    if not isinstance(section, CrossSection):
        from .geometry.loader import load

        section = load(section)
    if tol is not None and not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes <= 0:
        raise InputError(f"max_nodes must be a positive integer, got {max_nodes!r}")
    from .numerics.refine import refine
    from .numerics.solver import field_solve
    from .physics.lines import uncertainties

    t = time.perf_counter()
    section = section.validate()
    if freq is not None:
        from .physics.loss import check_frequencies  # the loss machinery only where it runs

        freq = check_frequencies(freq)
    if tol is None:
        planned = make_grid(section, options)  # its lines only: nothing of its size is built yet
        if planned.nodes > max_nodes:
            raise InputError(
                f"the grid has {planned.nodes:,} nodes, over max_nodes {max_nodes:,}{planned.finest_note}; "
                "raise it or lower the density"
            )
        sol = field_solve(section, options)
        return _with_loss(build_result(sol, total=time.perf_counter() - t), section, freq, options)
    listener = _LISTENER.get()

    last: dict = {}  # the refinement to_refine saw last and its uncertainties (refine returns it)

    def to_refine(ref):
        # refining the grid reduces only the grid part of the error: aim it at what the open
        # boundary's part leaves of tol; where that part alone takes over half of tol, more grid
        # cannot bring the total within tol, so aim the grid part at tol itself
        last.update(ref=ref, parts=uncertainties(section, ref))
        grid, bnd = last["parts"]["grid"], last["parts"]["boundary"]
        aim = {k: g if g is None or bnd[k] > 0.5 * tol else g + bnd[k] for k, g in grid.items()}
        if listener is not None:
            worst = max((g + bnd[k] for k, g in grid.items() if g is not None), default=0.0)
            listener({"levels": len(ref.levels), "nodes": int(ref.levels[-1].nodes), "error": worst, "tol": tol})
        return aim

    ref = refine(section, options, tol, max_nodes, to_refine)
    parts = last["parts"] if last.get("ref") is ref else uncertainties(section, ref)
    unc = parts["total"]
    worst = max((u for u in unc.values() if u is not None), default=0.0)
    converged = worst <= tol
    notes: tuple[str, ...] = ()
    if not converged:
        bnd = parts["boundary"]
        key = max((k for k, u in unc.items() if u is not None), key=lambda k: unc[k])
        if 2 * ref.levels[-1].nodes <= max_nodes or bnd[key] > 0.5 * unc[key]:  # stopped short of the budget
            why = (
                f"{100 * bnd[key]:.3g} % of it from the open boundary, which a finer grid does not reduce: the "
                "field reaches far (e.g. finite grounds); a larger open_factor (a mesh option) moves the boundary out"
            )
        else:
            why = f"at the node budget ({max_nodes:,}); raise max_nodes for a tighter answer"
        notes = (f"NOT CONVERGED: estimated error {100 * worst:.3g} % exceeds tol {100 * tol:.3g} %, {why}",)
    accuracy = Accuracy(
        tol=tol,
        converged=converged,
        max_nodes=max_nodes,
        levels=tuple(_level_info(section, lv) for lv in ref.levels),
        boundary_levels=tuple(_level_info(section, lv) for lv in ref.boundary),
    )
    # boundary[1] is the BOUNDARY_DENSITY level of ref.levels, counted once
    solved = ref.levels + ref.boundary[:1] + ref.boundary[2:]
    mesh = sum(lv.mesh_seconds for lv in solved)
    timings = {"mesh": mesh, "solve": sum(lv.seconds for lv in solved) - mesh, "total": time.perf_counter() - t}
    result = _result(
        section,
        ref.capacitance,
        ref.capacitance_vacuum,
        ref.finest,
        unc=unc,
        accuracy=accuracy,
        notes=notes,
        timings=timings,
    )
    return _with_loss(result, section, freq, options)


def _with_loss(result: Result, section: CrossSection, freq, options: MeshOptions | None) -> Result:
    if freq is None:
        return result
    from .physics.loss import rlgc

    listener = _LISTENER.get()
    if listener is not None:
        listener({"stage": "loss", "frequencies": len(freq)})
    t = time.perf_counter()
    assert result.solution is not None
    x = rlgc(
        section,
        result.solution,
        result.capacitance,
        result.capacitance_vacuum,
        freq,
        options,
        estimate=result.accuracy is not None,
        static_uncertainty=max((u for u in (result.uncertainty or {}).values() if u is not None), default=0.0),
        static_density=result.accuracy.levels[-1].density if result.accuracy is not None else 1.0,
    )
    timings = dict(result.timings)
    timings["loss"] = time.perf_counter() - t
    timings["total"] += timings["loss"]
    return replace(result, rlgc=x, timings=timings, notes=result.notes + x.notes)
