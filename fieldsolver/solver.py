"""Orchestration: mesh, rasterise, solve every excitation in both media, extract matrices.

For each medium (with the dielectrics, and in vacuum) the matrix of the free nodes is assembled
and factorised once (SuperLU); every signal excitation (that signal at 1 V, every other conductor
and the outer boundary at 0 V) is a right-hand side of that one factorisation. The charge on
conductor k is the sum over its nodes of ``A @ phi`` (the flux out of its dual cells), which makes
the Maxwell capacitance matrix exactly the Schur complement of the discrete system: symmetric,
with non-positive off-diagonal terms.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from . import kernels
from .grid import Grid, MeshOptions, make_grid
from .model import CrossSection
from .raster import Raster, rasterize

EPS0 = 8.8541878188e-12  # F/m, CODATA 2022
MU0 = 1.25663706127e-6  # H/m, CODATA 2022
C0 = 299792458.0  # m/s, exact


@dataclass(frozen=True)
class MediumSolution:
    capacitance: np.ndarray  # (N, N) F/m, Maxwell matrix
    potentials: np.ndarray  # (N, ny, nx) V, one per signal excitation


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


def solve_medium(grid: Grid, raster: Raster, eps: np.ndarray) -> MediumSolution:
    gh, gv = kernels.link_conductances(grid.x, grid.y, eps, raster.frac_h, raster.frac_v)
    A = assemble(gh, gv)
    net = raster.net.ravel()
    free = net < 0
    n_sig = raster.n_signals
    # boundary values: column k is excitation k (signal k at 1 V)
    V = np.zeros((net.size, n_sig))
    for k in range(1, n_sig + 1):
        V[net == k, k - 1] = 1.0
    A_free = A[free]
    lu = splu(
        A_free[:, free].tocsc(),
        permc_spec="MMD_AT_PLUS_A",
        diag_pivot_thresh=0.0,
        options={"SymmetricMode": True},
    )
    rhs = -(A_free[:, ~free] @ V[~free])
    phi = V.copy()
    phi[free] = lu.solve(np.asfortranarray(rhs))
    pots = np.ascontiguousarray(phi.T.reshape(n_sig, grid.ny, grid.nx))
    C = np.empty((n_sig, n_sig))
    for k in range(n_sig):
        q = kernels.apply_operator(gh, gv, pots[k]).ravel()
        C[:, k] = [q[net == m].sum() for m in range(1, n_sig + 1)]
    return MediumSolution(capacitance=EPS0 * C, potentials=pots)


def field_solve(section: CrossSection, options: MeshOptions | None = None) -> FieldSolution:
    t0 = time.perf_counter()
    grid = make_grid(section, options)
    raster = rasterize(section, grid)
    t1 = time.perf_counter()
    diel = solve_medium(grid, raster, raster.eps)
    if np.all(raster.eps == raster.eps.flat[0]):
        # homogeneous: the vacuum solution is the same field with C scaled by 1/er
        vac = MediumSolution(diel.capacitance / raster.eps.flat[0], diel.potentials)
    else:
        vac = solve_medium(grid, raster, np.ones_like(raster.eps))
    t2 = time.perf_counter()
    return FieldSolution(
        section=section,
        grid=grid,
        raster=raster,
        dielectric=diel,
        vacuum=vac,
        timings={"mesh": t1 - t0, "solve": t2 - t1},
    )
