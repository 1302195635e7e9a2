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

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..constants import EPS0
from ..geometry.model import CrossSection
from . import kernels
from .grid import Grid, MeshOptions, make_grid, resample
from .multigrid import Hierarchy
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


def assemble(gh: np.ndarray, gv: np.ndarray) -> sp.csr_matrix:
    """Sparse matrix of the whole grid (every node), from the link conductances."""
    ny, nx = gv.shape[0] + 1, gh.shape[1] + 1
    flat = np.arange(nx * ny).reshape(ny, nx)
    a = np.concatenate([flat[:, :-1].ravel(), flat[:-1, :].ravel()])
    b = np.concatenate([flat[:, 1:].ravel(), flat[1:, :].ravel()])
    g = np.concatenate([gh.ravel(), gv.ravel()])
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


def _capacitance(gh: np.ndarray, gv: np.ndarray, pots: np.ndarray) -> np.ndarray:
    """Maxwell matrix (F/m) from the potentials, ``C[j, k] = phi_j . A phi_k``.

    At the exact discrete solution ``A phi_k`` is zero on free nodes and is the conductors'
    charge on theirs, so this is the charge on conductor j of excitation k. Unlike the charge
    sum alone it is symmetric, and an iteration error e changes it only by ``e_j . A e_k``.
    """
    n_sig = pots.shape[0]
    flux = [kernels.apply_operator(gh, gv, p) for p in pots]
    C = np.array([[float(np.sum(pots[j] * flux[k])) for k in range(n_sig)] for j in range(n_sig)])
    return EPS0 * C


def conductances(grid: Grid, raster: Raster, medium: str = "dielectric") -> tuple[np.ndarray, np.ndarray]:
    """Link conductances (per unit eps0) of a medium of ``raster`` (``"dielectric"`` or ``"vacuum"``)."""
    face_h, face_v = raster.faces(medium)
    return kernels.link_conductances(grid.x, grid.y, face_h, face_v, raster.frac_h, raster.frac_v)


def solve_medium(
    grid: Grid,
    raster: Raster,
    medium: str = "dielectric",
    *,
    guess: np.ndarray | None = None,
    method: str = "multigrid",
) -> MediumSolution:
    """Potentials of every signal excitation in one medium (``"dielectric"``: the raster's link
    permittivities; ``"vacuum"``: 1 everywhere), and its capacitance matrix.

    ``method``: ``"multigrid"`` (multigrid-preconditioned conjugate gradients, one hierarchy for
    all excitations; ``guess``, potentials (n_signals, ny, nx) of a nearby solution, is its
    starting point) or ``"direct"`` (SuperLU, one factorisation for all excitations: the
    reference the tests compare with). Both solve the same operator.
    """
    gh, gv = conductances(grid, raster, medium)
    fixed = raster.net >= 0
    V = _excitations(raster)
    its: list[int] = []
    if method == "direct":
        pots = _solve_direct(gh, gv, fixed, V)
    elif method == "multigrid":
        h = Hierarchy(grid.x, grid.y, gh, gv, fixed)
        pots = np.empty_like(V)
        try:
            for k in range(V.shape[0]):
                b = -kernels.apply_operator(gh, gv, V[k])
                b[fixed] = 0.0
                x0 = None
                # a guess holds one potential per signal; with floating conductors the excitations
                # differ from the guess's (which has them floated in): start from zero
                if guess is not None and guess.shape[0] == V.shape[0]:
                    x0 = h.padded(np.where(fixed, 0.0, guess[k]))
                x, it = h.solve(h.padded(b), x0)
                pots[k] = V[k] + x[1:-1, 1:-1]
                its.append(it)
        except RuntimeError as e:
            # never seen on the mesher's grids (at most 6 iterations over the validation sweep);
            # the direct solve still gives the answer, only slower
            warnings.warn(f"{e}; solving this grid directly instead", RuntimeWarning, stacklevel=2)
            pots, its = _solve_direct(gh, gv, fixed, V), []
    else:
        raise ValueError(f"unknown method {method!r}")
    C, pots = _float(_capacitance(gh, gv, pots), pots, raster.n_signals)
    return MediumSolution(capacitance=C, potentials=pots, iterations=tuple(its))


def _solve_direct(gh: np.ndarray, gv: np.ndarray, fixed: np.ndarray, V: np.ndarray) -> np.ndarray:
    n_sig, ny, nx = V.shape
    A = assemble(gh, gv)
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
) -> FieldSolution:
    """Mesh, rasterise and solve both media. ``guess``: a solution of the same section on another
    grid (e.g. the previous refinement level), interpolated as the iteration's starting point."""
    t0 = time.perf_counter()
    grid = make_grid(section, options)
    raster = rasterize(section, grid)
    t1 = time.perf_counter()

    def start(medium: str) -> np.ndarray | None:
        if guess is None or method != "multigrid":
            return None
        pots = getattr(guess, medium).potentials
        return resample(pots, guess.grid, grid)

    diel = solve_medium(grid, raster, "dielectric", guess=start("dielectric"), method=method)
    if np.all(raster.eps == raster.eps.flat[0]):
        # homogeneous: the vacuum solution is the same field with C scaled by 1/er
        vac = MediumSolution(diel.capacitance / raster.eps.flat[0], diel.potentials, ())
    else:
        vac = solve_medium(grid, raster, "vacuum", guess=start("vacuum"), method=method)
    t2 = time.perf_counter()
    return FieldSolution(
        section=section,
        grid=grid,
        raster=raster,
        dielectric=diel,
        vacuum=vac,
        timings={"mesh": t1 - t0, "solve": t2 - t1},
    )
