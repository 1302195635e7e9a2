"""Orchestration: mesh, rasterise, solve every excitation in both media, extract matrices.

For each medium (with the dielectrics, and in vacuum) one multigrid hierarchy is built from the
matrix of the grid (:mod:`fieldsolver.numerics.multigrid`), and every signal excitation (that signal at
1 V, every other conductor and the outer boundary at 0 V) is solved against it. The charge on
conductor j of excitation k is ``phi_j . A phi_k``: at the discrete solution that is the sum over
the conductor's nodes of ``A phi_k`` (the flux out of its dual cells), so the Maxwell capacitance
matrix is the Schur complement of the discrete system: symmetric, with non-positive off-diagonal
terms. A sparse direct solve (SuperLU) of the same system is kept as the reference.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..constants import EPS0
from ..geometry.model import CrossSection
from . import kernels
from .grid import Grid, MeshOptions, make_grid, resample
from .multigrid import RTOL, Hierarchy
from .raster import Raster, rasterize


@dataclass(frozen=True)
class MediumSolution:
    capacitance: np.ndarray  # (N, N) F/m, Maxwell matrix of the N signals (floating conductors free)
    potentials: np.ndarray  # (N, ny, nx) V, one per signal excitation
    iterations: tuple[int, ...] = ()  # multigrid-CG iterations per excitation (empty if direct)


@dataclass(frozen=True)
class FieldSolution:
    section: CrossSection
    grid: Grid
    raster: Raster
    dielectric: MediumSolution
    vacuum: MediumSolution
    timings: dict[str, float]


class Operator(NamedTuple):
    """The discrete operator of one medium, per unit eps0: the 5-point links ``gh`` (ny, nx - 1)
    and ``gv`` (ny - 1, nx), and the cells' diagonal and anti-diagonal links ``gd`` (2, ny - 1,
    nx - 1) of the immersed cells that a curved or slanted interface cuts (``cutcell.py``; None
    where there are none)."""

    gh: np.ndarray
    gv: np.ndarray
    gd: np.ndarray | None = None

    def apply(self, phi: np.ndarray) -> np.ndarray:
        """``A @ phi`` (ny, nx): the net flux out of each node's dual cell."""
        return kernels.apply_operator(self.gh, self.gv, phi, self.gd)

    def form(self, pots: np.ndarray) -> np.ndarray:
        """``phi_j . A phi_k`` for potentials (N, ny, nx): (N, N), symmetric."""
        flux = [self.apply(p) for p in pots]
        m = np.array([[float(np.sum(pj * fk)) for fk in flux] for pj in pots])
        return 0.5 * (m + m.T)


def assemble(gh: np.ndarray, gv: np.ndarray, gd: np.ndarray | None = None) -> sp.csr_matrix:
    """Sparse matrix of the whole grid (every node), from the link conductances (and the cells'
    diagonal links ``gd``, if any)."""
    ny, nx = gv.shape[0] + 1, gh.shape[1] + 1
    flat = np.arange(nx * ny).reshape(ny, nx)
    a = [flat[:, :-1].ravel(), flat[:-1, :].ravel()]
    b = [flat[:, 1:].ravel(), flat[1:, :].ravel()]
    g = [gh.ravel(), gv.ravel()]
    if gd is not None:
        jj, ii = np.nonzero(gd[0])
        a.append(flat[jj, ii])
        b.append(flat[jj + 1, ii + 1])
        g.append(gd[0, jj, ii])
        jj, ii = np.nonzero(gd[1])
        a.append(flat[jj, ii + 1])
        b.append(flat[jj + 1, ii])
        g.append(gd[1, jj, ii])
    a, b, g = np.concatenate(a), np.concatenate(b), np.concatenate(g)
    n = nx * ny
    diag = np.bincount(a, g, n) + np.bincount(b, g, n)
    rows = np.concatenate([a, b, np.arange(n)])
    cols = np.concatenate([b, a, np.arange(n)])
    vals = np.concatenate([-g, -g, diag])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def _excitations(raster: Raster) -> np.ndarray:
    """(n_excitations, ny, nx): signal (then floating conductor) k at 1 V on its nodes, 0 elsewhere."""
    n = raster.n_excitations
    return (raster.net[None, :, :] == np.arange(1, n + 1)[:, None, None]).astype(float)


def _float(C: np.ndarray, pots: np.ndarray, n_sig: int) -> tuple[np.ndarray, np.ndarray]:
    """Let the floating conductors (excitations ``n_sig`` on) take the potentials at which they
    carry no charge: ``V_f = -C_ff^-1 C_fs V_s``. The signals' matrix is then the Schur complement
    ``C_ss - C_sf C_ff^-1 C_fs``, and each signal's potential includes the floating ones'."""
    if C.shape[0] == n_sig:
        return C, pots
    s, f = slice(0, n_sig), slice(n_sig, None)
    vf = -np.linalg.solve(C[f, f], C[f, s])  # (n_floating, n_sig): floating potentials per excitation
    c = C[s, s] + C[s, f] @ vf
    p = pots[s] + np.einsum("fk,fyx->kyx", vf, pots[f])
    return 0.5 * (c + c.T), np.ascontiguousarray(p)


def _capacitance(op: Operator, pots: np.ndarray) -> np.ndarray:
    """Maxwell matrix (F/m) from the potentials, ``C[j, k] = phi_j . A phi_k``.

    At the exact discrete solution ``A phi_k`` is zero on free nodes and is the conductors'
    charge on theirs, so this is the charge on conductor j of excitation k. Unlike the charge
    sum alone it is symmetric, and an iteration error e changes it only by ``e_j . A e_k``.
    """
    return EPS0 * op.form(pots)


def conductances(grid: Grid, raster: Raster, medium: str = "dielectric") -> tuple[np.ndarray, np.ndarray]:
    """The 5-point link conductances (per unit eps0) of a medium of ``raster`` (``"dielectric"`` or
    ``"vacuum"``), the immersed cells' edges included. The whole operator also has those cells'
    diagonal links: :func:`operator`."""
    face_h, face_v = raster.faces(medium)
    gh, gv = kernels.link_conductances(grid.x, grid.y, face_h, face_v, raster.frac_h, raster.frac_v)
    cut = raster.cells(medium)
    if cut is not None:  # each immersed cell's bottom, top, left and right links
        gh[:-1, :] += cut[0]
        gh[1:, :] += cut[1]
        gv[:, :-1] += cut[2]
        gv[:, 1:] += cut[3]
    return gh, gv


def operator(grid: Grid, raster: Raster, medium: str = "dielectric") -> Operator:
    """The operator of a medium of ``raster``: its links, and the diagonal links of the cells that
    a dielectric interface cuts (see :mod:`fieldsolver.numerics.cutcell`)."""
    gh, gv = conductances(grid, raster, medium)
    cut = raster.cells(medium)
    return Operator(gh, gv, None if cut is None else np.ascontiguousarray(cut[4:]))


def energy_matrix(grid: Grid, up: Raster, down: Raster, step: float, pots: np.ndarray) -> np.ndarray:
    """``phi_j . (dA/dp) phi_k`` (N, N) for potentials (N, ny, nx), with ``dA/dp`` the central
    difference of the operators of two rasters of the same grid, ``up`` at ``p + step`` and
    ``down`` at ``p - step`` (e.g. a region's er scaled by ``1 +- step``): the field energy per unit
    change of p, of the whole operator (links and the cells' diagonal links)."""
    a, b = operator(grid, up), operator(grid, down)
    gd = None
    if a.gd is not None or b.gd is not None:
        zero = np.zeros((2, grid.ny - 1, grid.nx - 1))
        gd = ((zero if a.gd is None else a.gd) - (zero if b.gd is None else b.gd)) / (2 * step)
    d = Operator((a.gh - b.gh) / (2 * step), (a.gv - b.gv) / (2 * step), gd)
    return d.form(pots)


def solve_medium(
    grid: Grid,
    raster: Raster,
    medium: str = "dielectric",
    *,
    guess: np.ndarray | None = None,
    method: str = "multigrid",
    rtol: float = RTOL,
) -> MediumSolution:
    """Potentials of every signal excitation in one medium (``"dielectric"``: the raster's link
    permittivities; ``"vacuum"``: 1 everywhere), and its capacitance matrix.

    ``method``: ``"multigrid"`` (multigrid-preconditioned conjugate gradients, one hierarchy for
    all excitations; ``guess``, potentials (n_signals, ny, nx) of a nearby solution, is its
    starting point) or ``"direct"`` (SuperLU, one factorisation for all excitations: the
    reference the tests compare with). Both solve the same operator. ``rtol``: the multigrid
    iteration stops at a residual of ``rtol`` times the right-hand side's. The second line of a
    mirror-symmetric pair starts from the first line's potential mirrored, which on a symmetric
    grid already meets that residual (no iteration).
    """
    op = operator(grid, raster, medium)
    fixed = raster.net >= 0
    V = _excitations(raster)
    its: list[int] = []
    if method == "direct":
        pots = _solve_direct(op, fixed, V)
    elif method == "multigrid":
        h = Hierarchy(grid.x, grid.y, op.gh, op.gv, fixed, gd=op.gd)
        pots = np.empty_like(V)
        try:
            for k in range(V.shape[0]):
                b = -op.apply(V[k])
                b[fixed] = 0.0
                x0 = None
                mirror = _mirrored(V, pots, k)
                if mirror is not None:
                    # the mirror image of an excitation solved already: where the grid and the
                    # operator are symmetric too, its potential is the answer (checked: its
                    # residual meets the stopping rule); elsewhere the best starting point
                    x0 = np.where(fixed, 0.0, mirror - V[k])
                    r = np.where(fixed, 0.0, b - op.apply(x0))
                    if np.sqrt(np.sum(r * r)) <= rtol * np.sqrt(np.sum(b * b)):
                        pots[k] = V[k] + x0
                        its.append(0)
                        continue
                    x0 = h.padded(x0)
                # a guess holds one potential per signal; with floating conductors the excitations
                # differ from the guess's (which has them floated in): start from zero
                elif guess is not None and guess.shape[0] == V.shape[0]:
                    x0 = h.padded(np.where(fixed, 0.0, guess[k]))
                x, it = h.solve(h.padded(b), x0, rtol)
                pots[k] = V[k] + x[1:-1, 1:-1]
                its.append(it)
        except RuntimeError as e:
            # never seen on the mesher's grids (at most 6 iterations over the validation sweep);
            # the direct solve still gives the answer, only slower
            warnings.warn(f"{e}; solving this grid directly instead", RuntimeWarning, stacklevel=2)
            pots, its = _solve_direct(op, fixed, V), []
    else:
        raise ValueError(f"unknown method {method!r}")
    C, pots = _float(_capacitance(op, pots), pots, raster.n_signals)
    return MediumSolution(capacitance=C, potentials=pots, iterations=tuple(its))


def _mirrored(V: np.ndarray, pots: np.ndarray, k: int) -> np.ndarray | None:
    """The potential of an excitation before ``k`` whose conductor nodes are those of ``k``
    mirrored left-right or top-bottom (the other line of a symmetric pair), mirrored; or None."""
    for j in range(k):
        for flip in (np.fliplr, np.flipud):
            if np.array_equal(V[k], flip(V[j])):
                return flip(pots[j])
    return None


def _solve_direct(op: Operator, fixed: np.ndarray, V: np.ndarray) -> np.ndarray:
    n_sig, ny, nx = V.shape
    A = assemble(*op)
    free = ~fixed.ravel()
    Vf = V.reshape(n_sig, -1).T
    A_free = A[free]
    lu = splu(
        A_free[:, free].tocsc(),
        permc_spec="MMD_AT_PLUS_A",
        diag_pivot_thresh=0.0,
        options={"SymmetricMode": True},
    )
    phi = Vf.copy()
    phi[free] = lu.solve(np.asfortranarray(-(A_free[:, ~free] @ Vf[~free])))
    return np.ascontiguousarray(phi.T.reshape(n_sig, ny, nx))


def field_solve(
    section: CrossSection,
    options: MeshOptions | None = None,
    *,
    guess: FieldSolution | None = None,
    method: str = "multigrid",
    rtol: float = RTOL,
) -> FieldSolution:
    """Mesh, rasterise and solve both media. ``guess``: a solution of the same section on another
    grid (e.g. the previous refinement level), interpolated as the iteration's starting point;
    ``rtol``: the iteration's stopping residual (see :func:`solve_medium`)."""
    t0 = time.perf_counter()
    grid = make_grid(section, options)
    raster = rasterize(section, grid)
    t1 = time.perf_counter()

    def start(medium: str) -> np.ndarray | None:
        if guess is None or method != "multigrid":
            return None
        pots = getattr(guess, medium).potentials
        V = _excitations(raster)
        if pots.shape[0] != V.shape[0]:
            return None  # floating conductors: solve_medium starts from zero (see there)
        # the second line of a mirror-symmetric pair starts from the first's mirrored instead
        own = [k for k in range(V.shape[0]) if _mirrored(V, V, k) is None]
        out = np.zeros((V.shape[0], grid.ny, grid.nx))
        out[own] = resample(pots[own], guess.grid, grid)
        return out

    diel = solve_medium(grid, raster, "dielectric", guess=start("dielectric"), method=method, rtol=rtol)
    if np.all(raster.eps == raster.eps.flat[0]):
        # homogeneous: the vacuum solution is the same field with C scaled by 1/er
        vac = MediumSolution(diel.capacitance / raster.eps.flat[0], diel.potentials, ())
    else:
        vac = solve_medium(grid, raster, "vacuum", guess=start("vacuum"), method=method, rtol=rtol)
    t2 = time.perf_counter()
    return FieldSolution(
        section=section,
        grid=grid,
        raster=raster,
        dielectric=diel,
        vacuum=vac,
        timings={"mesh": t1 - t0, "solve": t2 - t1},
    )
