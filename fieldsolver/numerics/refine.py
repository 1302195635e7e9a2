"""Grid refinement to a tolerance, extrapolation to zero cell size, and the error estimate of a
result.

Grid sequence. The mesher's spacing everywhere is proportional to ``1 / density``, so solving at
densities ``d, r d, r^2 d, ...`` (``r = sqrt 2``, each level about twice the nodes of the one
before) gives a family of similar grids with a cell size ``h ~ 1 / density``. Refinement starts
with four levels (density 0.35, 0.5, 0.71 and 1 times the options'; the coarsest costs about an
eighth of the rest) and adds one finer level at a time. Each level's solves start from the
previous level's potentials, interpolated, and stop at a relative residual of ``LEVEL_RTOL``
(``CURVED_RTOL`` with a round or slanted conductor): C is an energy, so what that leaves in it is
far below the grid error (see the measurements at the constants).

Grid error: the least-squares procedure of L. Eca and M. Hoekstra, "A procedure for the
estimation of the numerical uncertainty of CFD calculations based on grid refinement studies",
*J. Comput. Phys.* 262 (2014) 104-130, which extends P. J. Roache's grid convergence index
(*Verification and Validation in Computational Science and Engineering*, Hermosa 1998, ch. 5)
to more than three grids whose values scatter. For a sequence ``phi_i`` on the last
(up to ``WINDOW`` = 6) levels:

* fit ``phi = phi0 + alpha h^p`` by least squares (p free: the observed order), unweighted and
  with weights ``~ 1/h`` (the finer grids count more), keeping the fit with the smaller standard
  deviation ``sigma = sqrt(sum w (phi_i - fit_i)^2 / ((n - k) / n sum w))`` (``k`` fitted
  parameters); ``eps = |fit(h_finest) - phi0|`` estimates the finest level's error;
* if ``0.5 <= p < p_th + 0.1`` (``p_th`` the formal order of the discretisation, below), that
  fit is used, with a safety factor ``Fs = 1.25`` when it fits well (``sigma`` below the data
  range ``Delta = (max phi - min phi) / (n - 1)``) and 3 otherwise. An order outside this range
  is not clamped: the data do not support it (an order far above the formal one is what a
  sequence whose last step collapsed by chance looks like, e.g. a coax at D/d = 3 with 0.106 %,
  0.028 %, 0.028 % error on three levels), and the fits with a fixed order ``phi0 + a h``,
  ``phi0 + a h + b h^2`` (and ``phi0 + b h^2`` where ``p_th = 2``) are tried instead, the one
  with the smallest ``sigma`` kept, with ``Fs = 3``;
* the uncertainty is ``U = Fs eps + sigma + |phi_finest - fit(h_finest)|`` where
  ``sigma < Delta``, and ``U = 3 sigma / Delta (eps + sigma + |phi_finest - fit(h_finest)|)``
  otherwise (scatter larger than the trend: the sequence is not converging smoothly).

So the estimate is never smaller than the scatter of the sequence about its fit (and, where the
finest three levels are not monotone, never smaller than their spread), and it grows where the
data do not show a clean power law. ``p_th`` is 2 (conductor boundaries, curved ones
included, are placed exactly by cut links, and the edge singularities of thin strips give p of
about 1.5-1.9 on the graded grids), and 1 where a curved or slanted dielectric interface crosses
the grid (``cutcell.py`` makes such cells linear immersed elements: far more accurate than
smoothing the permittivity, but of a measured order of 0.8-1.7, not 2).

Reported values. Each entry of the capacitance matrices (with and without dielectrics) is
extrapolated by the same procedure (its ``phi0``), and every reported quantity is derived from
these matrices. Extrapolating matrix entries one by one can move a derived quantity away from
its own limit (a Zdiff outside the range of all its grid values was seen), so each quantity's
grid uncertainty is its own ``U`` plus the distance between the value the matrices give and the
quantity's own extrapolation ``phi0``. ``U`` bounds the finest level's error; the reported
(extrapolated) value is usually much closer to the limit than that, so the bar is conservative
where convergence is regular and still covers the error where it is not. ``validation/REPORT.md``
measures how often it covers the true error, per family of exact and independently computed
references (round conductors and round insulation included), and how wide it is. The price is
time: about 1.8x the solve time of the former three-level Richardson estimate at tol 1e-3,
mostly on round structures whose sequences scatter.

Open-boundary error. Where the domain has open sides (grounded at ``open_factor`` structure
sizes), the level at density 0.5 is solved again with the domain 4 and 1/4 times as far. The
change from the nominal to the 4x domain is added to the result (the reported values are those
of the larger domain), and the remaining error is estimated from how fast the change decays:
``|d2| q / (1 - q)`` with ``q = |d2 / d1|`` (clamped to 0.8), ``d1``, ``d2`` the changes from
1/4x to 1x and 1x to 4x. A field that decays like a dipole gives q about 1/16; finite grounds that
leave a net charge give slow, logarithmic decay and a large q, and the estimate says so.

The total uncertainty is the sum of the two. Refinement stops when the caller's
``relative_uncertainty`` (``api.solve``: the grid part aimed at what the boundary part leaves of
``tol``) is within ``tol``, or when the next level would exceed ``max_nodes``; the result is
converged when every total uncertainty is at most ``tol``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..geometry.model import CrossSection, InputError
from .grid import MeshOptions, make_grid
from .multigrid import RTOL
from .solver import FieldSolution, field_solve

RATIO = math.sqrt(2.0)
START = (0.5 / RATIO, 0.5, 0.5 * RATIO, 1.0)  # density multipliers of the first four levels
BOUNDARY_DENSITY = 0.5  # the level solved again with the open boundary moved
WINDOW = 6  # the finest levels the fits use
FS_GOOD, FS_POOR = 1.25, 3.0  # Eca-Hoekstra's safety factors
P_LOW, P_MARGIN = 0.5, 0.1  # the observed order is trusted in [P_LOW, p_th + P_MARGIN)
P_SCAN = np.geomspace(0.05, 12.0, 241)  # the orders the free fit searches
OPEN_STEP = 4.0
# the levels' stopping residual (multigrid-CG, relative): C is an energy, its error quadratic in
# the iteration error. Measured over the bench's ten templates against 1e-8: the reported values
# move by at most 2.2e-6 (relative), 0.3 % of their error bars, and the bars by at most 0.05 %.
# Where a conductor is round or slanted, its cut links (conductances up to 1 / MIN_FRACTION
# times a cell's) weigh most in the residual, and the same residual leaves more error: the
# twin-wire example's Zdiff moved by 6 % of its bar at 1e-6, and the dielectric loss of the
# two-layer coax (G from the finest level's region energies, first order in the iteration
# error) by 1.5e-5 at 1e-7. There the levels keep the multigrid's default residual.
LEVEL_RTOL = 1e-6
CURVED_RTOL = RTOL
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
    boundary: tuple[Level, ...]  # the BOUNDARY_DENSITY level at 1/4x, 1x and 4x the domain (empty if closed)
    capacitance: np.ndarray  # extrapolated and boundary-corrected
    capacitance_vacuum: np.ndarray
    finest: FieldSolution
    order: float = 2.0  # the formal order p_th of the discretisation (see formal_order)
    grid_capacitance: np.ndarray | None = None  # extrapolated, before the boundary correction
    grid_capacitance_vacuum: np.ndarray | None = None


@dataclass(frozen=True)
class Estimate:
    """The grid estimate of one sequence: its limit, the finest level's uncertainty, the
    observed order of the free fit, the safety factor used and the fit's standard deviation."""

    limit: float
    uncertainty: float
    order: float
    safety: float
    sigma: float


def formal_order(section: CrossSection) -> float:
    """p_th: 1 where a curved or slanted dielectric interface crosses the grid (its cut cells,
    ``cutcell.py``, converge at a measured order of 0.8-1.7, not 2), else 2."""
    return 1.0 if any(d.shape.curved for d in section.dielectrics) else 2.0


def _fit(x: np.ndarray, phi: np.ndarray, w: np.ndarray):
    """Weighted least squares ``phi ~ c0 + x @ c``: (coefficients, fitted values, weighted SSR)."""
    a = np.column_stack([np.ones_like(phi), x])
    sw = np.sqrt(w)
    coef = np.linalg.lstsq(a * sw[:, None], phi * sw, rcond=None)[0]
    fit = a @ coef
    return coef, fit, float(np.sum(w * (phi - fit) ** 2))


def _power_ssr(log_h: np.ndarray, phi: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The weighted SSR of the best ``phi0 + alpha h^p`` for each order in ``p`` (closed form).

    ``w`` (k, n): k weightings of the n values; ``p`` (P,) shared by all or (k, P) one row each.
    Returns (k, P)."""
    x = np.exp(p[..., None] * log_h)  # (P, n) or (k, P, n)
    sw = np.sum(w, axis=-1)[:, None]  # (k, 1)
    wb = w[:, None, :]
    xm = np.sum(x * wb, axis=-1) / sw  # (k, P)
    ym = (w @ phi)[:, None] / sw  # (k, 1)
    dx = x - xm[..., None]
    sxx = np.sum(dx * dx * wb, axis=-1)
    sxy = np.sum(dx * ((phi[None, :] - ym)[:, None, :] * wb), axis=-1)
    syy = np.sum(w * (phi[None, :] - ym) ** 2, axis=-1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sxx > 0, syy - sxy**2 / sxx, syy)


def _free_fits(h: np.ndarray, phi: np.ndarray, w: np.ndarray) -> list[dict]:
    """The free-order fit for each weighting (rows of ``w``)."""
    log_h = np.log(h)
    k = np.arange(w.shape[0])
    grid = P_SCAN
    for _ in range(4):  # the scan, then its best point's neighbourhood three times, 50 times finer each
        ssr = _power_ssr(log_h, phi, w, grid)
        i = np.argmin(ssr, axis=1)
        p = grid[i] if grid.ndim == 1 else grid[k, i]
        n = grid.shape[-1]
        if grid.ndim == 1:
            lo, hi = grid[np.maximum(i - 1, 0)], grid[np.minimum(i + 1, n - 1)]
        else:
            lo, hi = grid[k, np.maximum(i - 1, 0)], grid[k, np.minimum(i + 1, n - 1)]
        grid = np.linspace(lo, hi, 101, axis=1)
    out = []
    for pk, wk in zip(p, w, strict=True):
        pk = float(pk)
        coef, fit, s = _fit(h[:, None] ** pk, phi, wk)
        out.append(
            {"p": pk, "phi0": float(coef[0]), "fit": fit, "sigma": _sigma(s, wk, 3), "eps": abs(fit[-1] - coef[0])}
        )
    return out


def _fixed_fits(h: np.ndarray, phi: np.ndarray, w: np.ndarray, order: float) -> list[dict]:
    forms = [h[:, None], np.column_stack([h, h**2])]
    if order >= 2:
        forms.append(h[:, None] ** 2)
    out = []
    for x in forms:
        k = 1 + x.shape[1]
        if len(h) <= k:
            continue
        coef, fit, s = _fit(x, phi, w)
        out.append({"phi0": float(coef[0]), "fit": fit, "sigma": _sigma(s, w, k), "eps": abs(fit[-1] - coef[0])})
    return out


def _sigma(ssr: float, w: np.ndarray, k: int) -> float:
    n = len(w)
    return math.sqrt(max(ssr, 0.0) / (max(n - k, 1) / n * float(np.sum(w))))


def estimate(h: Sequence[float], phi: Sequence[float], order: float = 2.0) -> Estimate:
    """Eca and Hoekstra's (2014) estimate from values ``phi`` on grids of cell size ``h`` (at
    least three, coarse to fine); ``order`` is the formal order p_th (see the module's text)."""
    h_arr = np.asarray(h, dtype=float)
    h_arr = h_arr / h_arr.min()
    y = np.asarray(phi, dtype=float)
    n = len(y)
    if n < 3:
        raise ValueError("the estimate needs at least three grids")
    data_range = float(y.max() - y.min()) / (n - 1)
    if data_range == 0.0:
        return Estimate(float(y[-1]), 0.0, math.nan, FS_GOOD, 0.0)
    weights = np.stack([np.full(n, 1.0 / n), (1.0 / h_arr) / np.sum(1.0 / h_arr)])
    free = min(_free_fits(h_arr, y, weights), key=lambda c: c["sigma"])
    p = free["p"]
    if P_LOW <= p < order + P_MARGIN:
        chosen, fs = free, (FS_GOOD if free["sigma"] < data_range else FS_POOR)
    else:
        fits = [c for w in weights for c in _fixed_fits(h_arr, y, w, order)]
        chosen, fs = (min(fits, key=lambda c: c["sigma"]), FS_POOR) if fits else (free, FS_POOR)
    eps, sig = chosen["eps"], chosen["sigma"]
    miss = abs(y[-1] - chosen["fit"][-1])
    if sig < data_range:
        u = fs * eps + sig + miss
    else:
        u = 3.0 * sig / data_range * (eps + sig + miss)
    e21, e32 = y[-2] - y[-3], y[-1] - y[-2]
    if not (e21 * e32 > 0 and abs(e32) < abs(e21)):  # the finest three levels scatter: at least their spread
        u = max(u, float(y[-3:].max() - y[-3:].min()))
    return Estimate(chosen["phi0"], float(u), p, fs, sig)


def grid_uncertainty(levels: Sequence[Level], seq: Sequence[float], reported: float, order: float = 2.0) -> float:
    """Absolute grid uncertainty of one quantity: ``U`` of its values ``seq`` on ``levels`` (the
    last WINDOW), plus the distance from ``reported`` to the sequence's own extrapolation."""
    h = [1.0 / lv.density for lv in levels][-WINDOW:]
    est = estimate(h, list(seq)[-WINDOW:], order)
    return est.uncertainty + abs(reported - est.limit)


def extrapolate(levels: Sequence[Level], matrices: Sequence[np.ndarray], order: float = 2.0) -> np.ndarray:
    """Each entry of a matrix sequence (one per level) extrapolated to zero cell size."""
    h = [1.0 / lv.density for lv in levels][-WINDOW:]
    stack = np.stack([np.asarray(m, dtype=float) for m in matrices][-WINDOW:])
    out = np.empty(stack.shape[1:])
    symmetric = out.ndim == 2 and np.array_equal(stack, stack.transpose(0, 2, 1))
    for idx in np.ndindex(*out.shape):
        if symmetric and idx[0] > idx[1]:
            continue  # a symmetric matrix's lower triangle: its mirror's
        out[idx] = estimate(h, stack[(slice(None), *idx)], order).limit
    if symmetric:
        out = np.triu(out) + np.triu(out, 1).T
    return out


def boundary_uncertainty(v_in: float, v_mid: float, v_out: float) -> float:
    """Remaining open-boundary error after the 4x domain, from the values at 1/4x, 1x and 4x."""
    d1, d2 = v_mid - v_in, v_out - v_mid
    if d2 == 0.0:
        return 0.0
    q = Q_MAX if d1 == 0.0 else min(abs(d2 / d1), Q_MAX)
    return abs(d2) * q / (1.0 - q)


def _solve(section: CrossSection, base: MeshOptions, density: float, open_factor: float, guess=None):
    opts = replace(base, density=base.density * density, open_factor=open_factor)
    rtol = CURVED_RTOL if any(c.shape.curved for c in section.conductors) else LEVEL_RTOL
    sol = field_solve(section, opts, guess=guess, rtol=rtol)
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
    # the widest boundary grid too (as it will be solved): a gap its coordinates cannot hold is
    # refused before any solve
    if any(planned.open_sides):
        make_grid(
            section, replace(base, density=base.density * BOUNDARY_DENSITY, open_factor=base.open_factor * OPEN_STEP)
        )
    # each solve starts from the previous solution, interpolated to its grid
    levels: list[Level] = []
    finest: FieldSolution | None = None
    mid: FieldSolution | None = None
    for m in START:
        lev, finest = _solve(section, base, m, base.open_factor, finest)
        levels.append(lev)
        if m == BOUNDARY_DENSITY:
            mid = finest
    boundary: tuple[Level, ...] = ()
    if any(finest.grid.open_sides):
        inner, _ = _solve(section, base, BOUNDARY_DENSITY, base.open_factor / OPEN_STEP, mid)
        outer, _ = _solve(section, base, BOUNDARY_DENSITY, base.open_factor * OPEN_STEP, mid)
        boundary = (inner, levels[START.index(BOUNDARY_DENSITY)], outer)
    order = formal_order(section)
    while True:
        ref = _combine(levels, boundary, finest, order)
        unc = relative_uncertainty(ref)
        worst = max((u for u in unc.values() if u is not None), default=0.0)
        if worst <= tol or 2 * levels[-1].nodes > max_nodes:
            return ref
        lev, finest = _solve(section, base, levels[-1].density * RATIO, base.open_factor, finest)
        levels.append(lev)


def _combine(levels: list[Level], boundary: tuple[Level, ...], finest: FieldSolution, order: float) -> Refinement:
    c = _sym(extrapolate(levels, [lv.capacitance for lv in levels], order))
    c0 = _sym(extrapolate(levels, [lv.capacitance_vacuum for lv in levels], order))
    cb, c0b = c, c0
    if boundary:
        cb = c + boundary[2].capacitance - boundary[1].capacitance
        c0b = c0 + boundary[2].capacitance_vacuum - boundary[1].capacitance_vacuum
    return Refinement(
        levels=tuple(levels),
        boundary=boundary,
        capacitance=_sym(cb),
        capacitance_vacuum=_sym(c0b),
        finest=finest,
        order=order,
        grid_capacitance=c,
        grid_capacitance_vacuum=c0,
    )
