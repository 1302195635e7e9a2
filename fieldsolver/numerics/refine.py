"""Grid refinement to a tolerance, Richardson extrapolation, and the error estimate of a result.

Grid error. The mesher's spacing everywhere is proportional to ``1 / density``, so solving at
densities ``d, r d, r^2 d`` (``r = sqrt 2``, each level about twice the nodes of the one before)
gives a family of similar grids. For each entry ``f`` of the capacitance matrices (with and
without dielectrics) on the three finest levels ``f1, f2, f3``:

* if the differences ``e21 = f2 - f1`` and ``e32 = f3 - f2`` have the same sign and shrink, the
  entry converges like ``h^p`` with the observed order ``p = ln(e21 / e32) / ln r`` (clamped to
  [0.5, 2]; the edge singularity of a thin strip gives p of about 1.5-1.9 here, and p > 2 on
  these grids is noise). The reported entry is the Richardson extrapolation
  ``f3 + e32 / (r^p - 1)``;
* otherwise the sequence is in its noise (the rounding of cell counts to integers makes tiny
  non-monotone changes) and the finest value is kept.

Every reported quantity is derived from the extrapolated matrices, and its uncertainty is the
size of that extrapolation step, ``|q_reported - q_finest|``, or, where the quantity's own
sequence is not monotone, the largest change between levels if that is larger. This is Roache's
grid convergence index with a safety factor of 1 applied to the extrapolated value (P. J. Roache,
*Verification and Validation in Computational Science and Engineering*, Hermosa 1998, ch. 5):
the extrapolation removes most of the leading error, so the step bounds what is left.
``validation/REPORT.md`` measures how often it does over the swept exact cases.

Open-boundary error. Where the domain has open sides (grounded at ``open_factor`` structure
sizes), the coarsest level is solved again with the domain 4 and 1/4 times as far. The change
from the nominal to the 4x domain is added to the result (the reported values are those of the
larger domain), and the remaining error is estimated from how fast the change decays:
``|d2| q / (1 - q)`` with ``q = |d2 / d1|`` (clamped to 0.8), ``d1``, ``d2`` the changes from
1/4x to 1x and 1x to 4x. A field that decays like a dipole gives q about 1/16; finite grounds that
leave a net charge give slow, logarithmic decay and a large q, and the estimate says so.

The total uncertainty is the sum of the two. Refinement stops when every grid uncertainty is at
most ``tol`` (more grid cannot reduce the boundary part), or when the next level would exceed
``max_nodes``; the result is converged when every total uncertainty is at most ``tol``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..geometry.model import CrossSection, InputError
from .grid import MeshOptions, make_grid
from .solver import FieldSolution, field_solve

RATIO = math.sqrt(2.0)
START = (0.5, 0.5 * RATIO, 1.0)  # density multipliers of the first three levels
P_MIN, P_MAX = 0.5, 2.0
OPEN_STEP = 4.0
Q_MAX = 0.8


@dataclass(frozen=True)
class Level:
    """One solve: its density (relative to the options'), domain factor, node count, matrices."""

    density: float
    open_factor: float
    nodes: int
    capacitance: np.ndarray
    capacitance_vacuum: np.ndarray
    seconds: float  # mesh and solve
    mesh_seconds: float


@dataclass(frozen=True)
class Refinement:
    levels: tuple[Level, ...]  # the grid sequence, coarse to fine
    boundary: tuple[Level, ...]  # coarsest density at 1/4x, 1x and 4x the domain (empty if closed)
    capacitance: np.ndarray  # extrapolated and boundary-corrected
    capacitance_vacuum: np.ndarray
    finest: FieldSolution


def richardson(f1: np.ndarray, f2: np.ndarray, f3: np.ndarray, r: float = RATIO):
    """Elementwise extrapolation of a sequence on grids refined by ``r``: (value, monotone mask)."""
    f1, f2, f3 = (np.asarray(f, dtype=float) for f in (f1, f2, f3))
    e21, e32 = f2 - f1, f3 - f2
    mono = (e21 * e32 > 0) & (np.abs(e32) < np.abs(e21))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.clip(np.log(np.abs(e21 / e32)) / math.log(r), P_MIN, P_MAX)
        ext = np.where(mono, f3 + e32 / (r**p - 1.0), f3)
    return ext, mono


def grid_uncertainty(seq: list[float], reported: float) -> float:
    """Absolute grid uncertainty of one quantity from its values on the last three levels."""
    f1, f2, f3 = seq[-3:]
    e21, e32 = f2 - f1, f3 - f2
    u = abs(reported - f3)
    if not (e21 * e32 > 0 and abs(e32) < abs(e21)):
        u = max(u, abs(e21), abs(e32))
    return u


def boundary_uncertainty(v_in: float, v_mid: float, v_out: float) -> float:
    """Remaining open-boundary error after the 4x domain, from the values at 1/4x, 1x and 4x."""
    d1, d2 = v_mid - v_in, v_out - v_mid
    if d2 == 0.0:
        return 0.0
    q = Q_MAX if d1 == 0.0 else min(abs(d2 / d1), Q_MAX)
    return abs(d2) * q / (1.0 - q)


def _solve(section: CrossSection, base: MeshOptions, density: float, open_factor: float, guess=None):
    opts = replace(base, density=base.density * density, open_factor=open_factor)
    sol = field_solve(section, opts, guess=guess)
    level = Level(
        density=density,
        open_factor=open_factor,
        nodes=sol.grid.nodes,
        capacitance=_sym(sol.dielectric.capacitance),
        capacitance_vacuum=_sym(sol.vacuum.capacitance),
        seconds=sum(sol.timings.values()),
        mesh_seconds=sol.timings["mesh"],
    )
    return level, sol


def _sym(c: np.ndarray) -> np.ndarray:
    return 0.5 * (c + c.T)


def refine(
    section: CrossSection,
    options: MeshOptions | None,
    tol: float,
    max_nodes: int,
    relative_uncertainty: Callable[[Refinement], dict[str, float | None]],
) -> Refinement:
    """Refine until ``relative_uncertainty(refinement)`` (a dict of relative values) is within
    tol, or the next level would exceed ``max_nodes``."""
    base = options or MeshOptions()
    planned = make_grid(section, replace(base, density=base.density * START[-1]))
    if planned.nodes > max_nodes:
        raise InputError(
            f"max_nodes {max_nodes:,} is below the {planned.nodes:,} nodes of the starting grid"
            f"{planned.finest_note}; raise it or lower the density"
        )
    # the widest boundary grid too: a gap its coordinates cannot hold is refused before any solve
    make_grid(section, replace(base, density=base.density * START[0], open_factor=base.open_factor * OPEN_STEP))
    # each solve starts from the previous solution, interpolated to its grid
    levels: list[Level] = []
    finest: FieldSolution | None = None
    first: FieldSolution | None = None
    for m in START:
        lev, finest = _solve(section, base, m, base.open_factor, finest)
        levels.append(lev)
        if first is None:
            first = finest
    boundary: tuple[Level, ...] = ()
    if any(finest.grid.open_sides):
        inner, _ = _solve(section, base, START[0], base.open_factor / OPEN_STEP, first)
        outer, _ = _solve(section, base, START[0], base.open_factor * OPEN_STEP, first)
        boundary = (inner, levels[0], outer)
    while True:
        ref = _combine(levels, boundary, finest)
        unc = relative_uncertainty(ref)
        worst = max((u for u in unc.values() if u is not None), default=0.0)
        if worst <= tol or 2 * levels[-1].nodes > max_nodes:
            return ref
        lev, finest = _solve(section, base, levels[-1].density * RATIO, base.open_factor, finest)
        levels.append(lev)


def _combine(levels: list[Level], boundary: tuple[Level, ...], finest: FieldSolution) -> Refinement:
    last = levels[-3:]
    c, _ = richardson(*(lv.capacitance for lv in last))
    c0, _ = richardson(*(lv.capacitance_vacuum for lv in last))
    if boundary:
        c = c + boundary[2].capacitance - boundary[1].capacitance
        c0 = c0 + boundary[2].capacitance_vacuum - boundary[1].capacitance_vacuum
    return Refinement(
        levels=tuple(levels), boundary=boundary, capacitance=_sym(c), capacitance_vacuum=_sym(c0), finest=finest
    )
