"""Multigrid-preconditioned conjugate gradients for the Laplace problem on a rectilinear grid.

The method, chosen for the strongly graded, high-aspect-ratio grids that the mesher makes (cells
a few nanometres wide at a trace edge next to cells a millimetre tall, so the operator is
anisotropic in both directions, and the direction changes across the grid):

* coarse grids keep every other grid line of each axis (the first and last always), so a coarse
  grid is again rectilinear; interpolation is linear in the coordinate along each axis;
* coarse operators are Galerkin products ``P^T A P`` (9-point stencils), which carry jumps of
  permittivity and thin conductors to the coarse grids without any geometry;
* the smoother is alternating zebra line Gauss-Seidel: every row of one parity is solved exactly,
  then the other parity, then the same with columns. With full coarsening this is robust for
  any grid-aligned anisotropy (U. Trottenberg, C. Oosterlee, A. Schuller, *Multigrid*, Academic
  Press 2001, sections 5.1-5.2). Lines of one parity are independent, so they run in parallel;
* conductor (Dirichlet) nodes are identity rows, zero in every correction; a coarse node on a
  conductor node is one as well;
* the symmetric V-cycle (the post-smoother runs the pre-smoother's sweeps in reverse order) is the
  preconditioner of conjugate gradients (the matrix is symmetric positive definite), which also
  absorbs what the smoother leaves of unusual couplings.

One :class:`Hierarchy` serves every right-hand side of one medium. The work per iteration is
proportional to the number of nodes; the iteration count barely grows with the grid.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from . import kernels

COARSEST = 600  # nodes at or below which the coarsest grid is solved directly
MIN_LINES = 5  # an axis with fewer lines is not coarsened further
# relative residual at which the iteration stops. The capacitance (energy form) errs by the square
# of the iteration error: on 100-200k-node CPW and coupled-microstrip grids, 1e-6 leaves 3e-9 of
# relative error in C, 1e-8 leaves 1e-13, at 4 and 6 iterations
RTOL = 1e-8
MAX_ITER = 200


def _coarse_lines(coord: np.ndarray):
    """Coarse lines of one axis, as fine indices, and the interpolation (parent, weight) of each fine line."""
    n = coord.size
    if n < MIN_LINES:
        c2f = np.arange(n)
    else:
        c2f = np.arange(0, n, 2)
        if c2f[-1] != n - 1:
            c2f = np.append(c2f, n - 1)
    par = np.searchsorted(c2f, np.arange(n), side="right") - 1
    w = np.ones(n)
    between = np.ones(n, bool)
    between[c2f] = False
    k = np.nonzero(between)[0]
    lo, hi = coord[c2f[par[k]]], coord[c2f[par[k] + 1]]
    w[k] = (hi - coord[k]) / (hi - lo)
    return c2f.astype(np.int64), par.astype(np.int64), w


class _Level:
    """One grid of the hierarchy: its operator, a 9-point stencil ``st`` (ny, nx, 9), or on the
    finest grid without diagonal links the 5-point links (2 doubles a node instead of 9: see
    ``kernels.relax_rows5``), and the smoother's line factors."""

    def __init__(self, fixed, x, y, *, st=None, links=None):
        self.fixed, self.x, self.y = fixed, x, y
        ny, nx = fixed.shape
        self.shape = (ny + 2, nx + 2)
        self.kernels = kernels.multigrid_kernels(ny * nx)
        self.ivx, self.ivy = np.empty((ny, nx)), np.empty((ny, nx))
        self._st = st
        self.links = None  # the padded links (h, v) of a 5-point level
        if st is not None:
            self.kernels.line_factors(st, self.ivx, self.ivy)
        else:
            gh, gv = links
            self._links = links
            self.h = np.zeros((ny, nx + 1))
            self.h[:, 1:-1] = gh
            self.v = np.zeros((ny + 1, nx))
            self.v[1:-1, :] = gv
            self.kernels.line_factors5(self.h, self.v, fixed, self.ivx, self.ivy)
            self.links = (self.h, self.v)
        # the V-cycle's work arrays, made once per hierarchy: the residual on this level, and the
        # right-hand side and correction when this is a coarse level (halos stay zero). Fresh
        # arrays per cycle cost a page-fault and zeroing pass each, most where malloc returns big
        # blocks to the system at once (as under a Dask nanny's MALLOC_TRIM_THRESHOLD_)
        self.r = np.zeros(self.shape) if st is not None else None  # (a 5-point level restricts as it goes)
        self.rhs = self.sol = None  # see Hierarchy._build

    @property
    def st(self) -> np.ndarray:
        """The level's 9-point stencil (made from the links on a 5-point level)."""
        if self._st is None:
            return kernels.stencil(*self._links, self.fixed)
        return self._st

    def coarse(self) -> None:
        """Make the arrays of a coarse level."""
        self.rhs, self.sol = np.zeros(self.shape), np.zeros(self.shape)

    @property
    def nodes(self) -> int:
        return self.fixed.size

    @property
    def operator_bytes(self) -> int:
        """Bytes of operator a node (see :meth:`Hierarchy.traffic`)."""
        return 72 if self._st is not None else 16

    def relax_rows(self, b, x, color) -> None:
        if self._st is None:
            self.kernels.relax_rows5(self.h, self.v, self.ivx, b, x, color)
        else:
            self.kernels.relax_rows(self._st, self.ivx, b, x, color)

    def relax_columns(self, b, x, color, chunks) -> None:
        if self._st is None:
            self.kernels.relax_columns5(self.h, self.v, self.ivy, b, x, color, chunks)
        else:
            self.kernels.relax_columns(self._st, self.ivy, b, x, color, chunks)

    def residual(self, b, x, r) -> None:
        if self._st is None:
            self.kernels.residual5(self.h, self.v, self.fixed, b, x, r)
        else:
            self.kernels.residual(self._st, b, x, r)

    def apply(self, x, y) -> None:
        if self._st is None:
            self.kernels.apply5(self.h, self.v, self.fixed, x, y)
        else:
            self.kernels.apply_stencil(self._st, x, y)


def _matrix(st: np.ndarray) -> sp.csc_matrix:
    """Sparse matrix of a stencil (for the direct solve of the coarsest grid)."""
    ny, nx = st.shape[:2]
    idx = np.arange(nx * ny).reshape(ny, nx)
    rows, cols, vals = [], [], []
    for s in range(9):
        dj, di = s // 3 - 1, s % 3 - 1
        j0, j1 = max(0, -dj), ny - max(0, dj)
        i0, i1 = max(0, -di), nx - max(0, di)
        v = st[j0:j1, i0:i1, s]
        nz = v != 0
        rows.append(idx[j0:j1, i0:i1][nz])
        cols.append(idx[j0 + dj : j1 + dj, i0 + di : i1 + di][nz])
        vals.append(v[nz])
    n = nx * ny
    return sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


class Hierarchy:
    """Grids, operators and smoother data of one medium: build once, solve any number of times.

    ``gh``, ``gv``: link conductances of the fine grid (see :func:`fieldsolver.numerics.kernels.link_conductances`),
    ``gd``: the cells' diagonal links (2, ny - 1, nx - 1) where a dielectric interface cuts a cell
    (:mod:`fieldsolver.numerics.cutcell`; the finest level is then a 9-point stencil, as the
    coarse levels are; without them it keeps its 5-point links);
    ``fixed``: boolean (ny, nx), the conductor nodes; ``coarsest``: coarsen until a grid has at
    most this many nodes.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        gh: np.ndarray,
        gv: np.ndarray,
        fixed: np.ndarray,
        coarsest: int = COARSEST,
        *,
        gd: np.ndarray | None = None,
    ):
        with kernels.PARALLEL:
            self._build(x, y, gh, gv, gd, np.ascontiguousarray(fixed, dtype=np.bool_), coarsest)

    def _build(self, x, y, gh, gv, gd, fixed, coarsest):
        if gd is None or not np.any(gd):
            self.levels = [_Level(fixed, x, y, links=(gh, gv))]
        else:
            self.levels = [_Level(fixed, x, y, st=kernels.stencil(gh, gv, fixed, gd))]
        self.transfers = []
        while True:
            f = self.levels[-1]
            yc2f, ypar, yw = _coarse_lines(f.y)
            xc2f, xpar, xw = _coarse_lines(f.x)
            if f.nodes <= coarsest or (yc2f.size == f.y.size and xc2f.size == f.x.size):
                break
            fixed_c = np.ascontiguousarray(f.fixed[np.ix_(yc2f, xc2f)])
            stc = np.empty((yc2f.size, xc2f.size, 9))
            if f.links is None:
                kernels.galerkin(f.kernels, f.st, f.fixed, ypar, yw, yc2f, xpar, xw, fixed_c, stc)
            else:
                kernels.galerkin(f.kernels, None, f.fixed, ypar, yw, yc2f, xpar, xw, fixed_c, stc, links=f.links)
            self.transfers.append((ypar, yw, yc2f, xpar, xw, xc2f))
            self.levels.append(_Level(fixed_c, f.x[xc2f], f.y[yc2f], st=stc))
        for lv in self.levels[1:]:
            lv.coarse()
        # column chunks of the y-line smoother: a few per thread (one without threads)
        self.chunks = 4 * kernels.thread_count() if self.levels[0].kernels is kernels.THREADED else 1
        last = self.levels[-1]
        self._coarsest = splu(_matrix(last.st), permc_spec="MMD_AT_PLUS_A")
        self.fixed = fixed

    # --- operator and preconditioner on halo-padded arrays -------------------------------------

    def padded(self, a: np.ndarray | None = None) -> np.ndarray:
        """A zero halo-padded vector of the fine grid, optionally holding ``a`` (ny, nx)."""
        v = np.zeros(self.levels[0].shape)
        if a is not None:
            v[1:-1, 1:-1] = a
        return v

    def apply(self, x: np.ndarray, out: np.ndarray) -> None:
        self.levels[0].apply(x, out)

    def vcycle(self, b: np.ndarray, x: np.ndarray, k: int = 0) -> None:
        """One symmetric V-cycle for ``A_k x = b`` from ``x = 0``; the result is written into x."""
        lv = self.levels[k]
        if k == len(self.levels) - 1:
            x[1:-1, 1:-1] = self._coarsest.solve(b[1:-1, 1:-1].ravel()).reshape(lv.fixed.shape)
            return
        ch, kern = self.chunks, lv.kernels
        x[:] = 0.0
        for color in (0, 1):
            lv.relax_rows(b, x, color)
        for color in (0, 1):
            lv.relax_columns(b, x, color, ch)
        ypar, yw, yc2f, xpar, xw, xc2f = self.transfers[k]
        c = self.levels[k + 1]
        if lv.links is None:
            lv.residual(b, x, lv.r)
            kern.restrict(lv.r, c.rhs, ypar, yw, yc2f, xpar, xw, xc2f, c.fixed)
        else:  # one pass: the residual is restricted as it is made
            kern.residual_restrict5(*lv.links, lv.fixed, b, x, c.rhs, ypar, yw, yc2f, xpar, xw, xc2f, c.fixed)
        self.vcycle(c.rhs, c.sol, k + 1)
        kern.prolong_add(c.sol, x, ypar, yw, xpar, xw, lv.fixed)
        for color in (1, 0):
            lv.relax_columns(b, x, color, ch)
        for color in (1, 0):
            lv.relax_rows(b, x, color)

    def solve(self, b: np.ndarray, x0: np.ndarray | None = None, rtol: float = RTOL, max_iter: int | None = None):
        """Solve ``A x = b`` (padded arrays, zero on fixed nodes) by preconditioned conjugate gradients.

        Returns ``(x, iterations)``; stops when ``|r| <= rtol |b|``. Raises ``RuntimeError`` if it
        does not get there in ``max_iter`` (default ``MAX_ITER``) iterations.
        """
        max_iter = MAX_ITER if max_iter is None else max_iter
        with kernels.PARALLEL:
            return self._pcg(b, x0, rtol, max_iter)

    def _pcg(self, b, x0, rtol, max_iter):
        kern = self.levels[0].kernels
        x = np.zeros_like(b) if x0 is None else x0.copy()
        x[1:-1, 1:-1][self.fixed] = 0.0  # the operator's links to fixed nodes act on x there
        r = np.zeros_like(b)  # halos stay zero
        self.levels[0].residual(b, x, r)
        bnorm = np.sqrt(kern.dot(b, b))
        if bnorm == 0.0:
            return np.zeros_like(b), 0
        z = np.zeros_like(b)
        q = np.zeros_like(b)
        self.vcycle(r, z)
        p = z.copy()
        rz = kern.dot(r, z)
        for it in range(1, max_iter + 1):
            self.apply(p, q)
            alpha = rz / kern.dot(p, q)
            rr = kern.cg_step(x, r, p, q, alpha)
            if np.sqrt(rr) <= rtol * bnorm:
                return x, it
            self.vcycle(r, z)
            rz_new = kern.dot(r, z)
            kern.cg_direction(p, z, rz_new / rz)
            rz = rz_new
        raise RuntimeError(f"multigrid-CG did not reach a residual of {rtol:g} in {max_iter} iterations")

    # --- memory traffic ---------------------------------------------------------------------

    def traffic(self) -> dict[str, float]:
        """Bytes that the kernels must move between memory and the cores: the floor of the time.

        Model: each kernel call reads every array it needs once and writes every array it
        changes once (8 bytes a double, 1 a flag; caches hold a few rows, not a level). Per
        level of n nodes and S operator bytes a node (a 9-point stencil: 72; 5-point links: 16,
        and 1 of fixed flags where a kernel needs them): a pair of zebra line sweeps (rows or
        columns) S + 32 (operator, the line factor, b, x read and written), the residual S + 24
        and restriction 8 n + 8 n_c (on a 5-point level one pass of S + 17 + 8 n_c), prolongation 17 n + 8 n_c, clearing x 8 n; the coarsest
        grid's LU solve 12 bytes per factor entry. Conjugate gradients: A p S + 16 (+ 1), a dot
        product 16, the step 48, the new direction 24. Setup: the fine operator (the 9-point
        stencil from the links 89; the padded links 32), each level's line factors (S + 16 + 1),
        each Galerkin product (its input and flags, the 9 x n_c row-coarse stencil written and
        read, the output and its flags).

        Returns bytes of ``setup``, ``start`` (before the first iteration), ``iteration``
        (operator, step and dot products) and ``cycle`` (one V-cycle, its dot product and the
        new direction): a solve of ``it`` iterations moves start + it iteration + (it - 1) cycle.
        """
        lu = self._coarsest
        cycle = 12.0 * (lu.L.nnz + lu.U.nnz)
        f = self.levels[0]
        setup = f.nodes * (89 if f.operator_bytes == 72 else 32)
        for k, lv in enumerate(self.levels):
            n, S = lv.nodes, lv.operator_bytes
            flag = 0 if S == 72 else 1
            setup += n * (S + 16 + 1)
            if k == len(self.levels) - 1:
                break
            nc = self.levels[k + 1].nodes
            rows_c = lv.fixed.shape[0] * self.levels[k + 1].fixed.shape[1]  # the row-coarse stencil
            setup += n * (73 if flag == 0 else 17) + rows_c * 2 * 72 + nc * 73
            # residual and restriction: S + 24 + 8 per fine node; S + 17 in one pass on a 5-point level
            cycle += n * (8 + 4 * (S + 32) + (S + 32 if flag == 0 else S + 17) + 17) + nc * 16
        n, S = f.nodes, f.operator_bytes
        flag = 0 if S == 72 else 1
        iteration = n * ((S + 16 + flag) + 16 + 48)
        start = n * ((S + 24 + flag) + 16 + 16 + 16) + cycle
        return {"setup": setup, "start": start, "iteration": iteration, "cycle": cycle + n * (16 + 24)}
