"""Numerical kernels: the only package that imports numba.

Plain arrays and scalars in, arrays out. Each public function checks its inputs in Python and then
calls a compiled ``_*`` kernel (compiled lazily on first call, cached on disk). Pure-numpy twins
live in :mod:`fieldsolver.numerics.reference` and are used by the tests on small grids.

Discretisation (finite volume, 5-point, with each cell's two diagonal links where a dielectric
interface cuts it: see :mod:`fieldsolver.numerics.cutcell`): the one operator of every solve (with
dielectrics, in vacuum, multigrid or direct). Nodes sit at grid-line crossings; cell (j, i) spans
``x[i]..x[i+1]`` by ``y[j]..y[j+1]``. The conductance of the link between node (j, i) and
(j, i+1) is the flux through the dual-cell face that it crosses,

    gh[j, i] = face_h[j, i] * (dy[j-1] + dy[j]) / 2 / (dx[i] frac_h[j, i]),

with ``face_h`` the effective relative permittivity of the link's flux region (see
:mod:`fieldsolver.numerics.raster`; in vacuum, 1) and ``dy`` outside the domain zero; likewise
``gv`` for vertical links.
"""

from __future__ import annotations

import os
import threading
from types import SimpleNamespace

# GNU OpenMP's threads spin at every barrier by default (and for a while after each parallel region):
# on a busy machine a spinning thread holds a core another process (or the other solver thread)
# needs. Passive waiting costs nothing idle. Read by libgomp when numba first starts its threads
# (numba's threading layer on Linux is ``omp``), so it must be set before that; a user's own
# setting wins, an empty one counts as unset (libgomp ignores it too). Measured: 100 threaded
# kernel calls with 5 ms of sleep between them cost 1.3 s of CPU with ACTIVE, 0.9 s unset, 0.03 s
# PASSIVE (tests/test_threads.py checks it in a fresh process).
if not os.environ.get("OMP_WAIT_POLICY"):
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

import numba
import numpy as np
from numba import njit

from ._multigrid import _multigrid_kernels
from ._multigrid import galerkin as galerkin  # the one Galerkin product (two compiled passes)

# Callers of the threaded kernels hold PARALLEL: numba's fallback threading layer (its work queue,
# used where there is no OpenMP or TBB) must not be entered by two Python threads at once.
PARALLEL = threading.Lock()


@njit(cache=True)
def _link_conductances(x, y, face_h, face_v, frac_h, frac_v, gh, gv):  # pragma: no cover - compiled
    ny, nx = y.size, x.size
    for j in range(ny):
        lo = y[j] - y[j - 1] if j > 0 else 0.0
        hi = y[j + 1] - y[j] if j < ny - 1 else 0.0
        hy = 0.5 * (lo + hi)
        for i in range(nx - 1):
            gh[j, i] = face_h[j, i] * hy / ((x[i + 1] - x[i]) * frac_h[j, i])
    for i in range(nx):
        lo = x[i] - x[i - 1] if i > 0 else 0.0
        hi = x[i + 1] - x[i] if i < nx - 1 else 0.0
        hx = 0.5 * (lo + hi)
        for j in range(ny - 1):
            gv[j, i] = face_v[j, i] * hx / ((y[j + 1] - y[j]) * frac_v[j, i])


@njit(cache=True)
def _apply(gh, gv, phi, out):  # pragma: no cover - compiled
    ny, nx = phi.shape
    for j in range(ny):
        for i in range(nx):
            p = phi[j, i]
            s = 0.0
            if i > 0:
                s += gh[j, i - 1] * (p - phi[j, i - 1])
            if i < nx - 1:
                s += gh[j, i] * (p - phi[j, i + 1])
            if j > 0:
                s += gv[j - 1, i] * (p - phi[j - 1, i])
            if j < ny - 1:
                s += gv[j, i] * (p - phi[j + 1, i])
            out[j, i] = s


@njit(cache=True)
def _apply_cross(gd, phi, out):  # pragma: no cover - compiled
    ny, nx = phi.shape
    for j in range(ny - 1):
        for i in range(nx - 1):
            g = gd[0, j, i]
            if g != 0.0:  # the cell's diagonal link (j, i)-(j + 1, i + 1)
                t = g * (phi[j, i] - phi[j + 1, i + 1])
                out[j, i] += t
                out[j + 1, i + 1] -= t
            g = gd[1, j, i]
            if g != 0.0:  # and its anti-diagonal one (j, i + 1)-(j + 1, i)
                t = g * (phi[j, i + 1] - phi[j + 1, i])
                out[j, i + 1] += t
                out[j + 1, i] -= t


def _check(name: str, a: np.ndarray, shape: tuple[int, ...]) -> None:
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        raise ValueError(f"{name} must be a float64 array")
    if a.shape != shape:
        raise ValueError(f"{name} has shape {a.shape}, expected {shape}")
    if not a.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")


def link_conductances(x, y, face_h, face_v, frac_h, frac_v) -> tuple[np.ndarray, np.ndarray]:
    """Link conductances (per unit eps0) of horizontal and vertical links, from each link's
    effective permittivity ``face_h`` (ny, nx - 1), ``face_v`` (ny - 1, nx) and free fraction."""
    nx, ny = np.size(x), np.size(y)
    if nx < 2 or ny < 2:
        raise ValueError("a grid needs at least 2 lines per axis")
    _check("x", x, (nx,))
    _check("y", y, (ny,))
    _check("face_h", face_h, (ny, nx - 1))
    _check("face_v", face_v, (ny - 1, nx))
    _check("frac_h", frac_h, (ny, nx - 1))
    _check("frac_v", frac_v, (ny - 1, nx))
    if np.any(np.diff(x) <= 0) or np.any(np.diff(y) <= 0):
        raise ValueError("grid lines must be strictly increasing")
    gh = np.empty((ny, nx - 1))
    gv = np.empty((ny - 1, nx))
    _link_conductances(x, y, face_h, face_v, frac_h, frac_v, gh, gv)
    return gh, gv


def apply_operator(gh: np.ndarray, gv: np.ndarray, phi: np.ndarray, gd: np.ndarray | None = None) -> np.ndarray:
    """``A @ phi`` on the grid: at each node, the net flux out of its dual cell (per unit eps0).
    ``gd`` (2, ny - 1, nx - 1): each cell's diagonal links, (j, i)-(j+1, i+1) and
    (j, i+1)-(j+1, i), if any (the immersed cells of :mod:`fieldsolver.numerics.cutcell`).

    At a conductor node this is the node's share of the conductor's charge.
    """
    if phi.ndim != 2:
        raise ValueError("phi must be 2-D (ny, nx)")
    ny, nx = phi.shape
    _check("phi", phi, (ny, nx))
    _check("gh", gh, (ny, nx - 1))
    _check("gv", gv, (ny - 1, nx))
    out = np.empty_like(phi)
    _apply(gh, gv, phi, out)
    if gd is not None:
        _check("gd", gd, (2, ny - 1, nx - 1))
        _apply_cross(gd, phi, out)
    return out


# --------------------------------------------------------------------------------------------
# Multigrid kernels (see fieldsolver.numerics.multigrid for the method).
#
# A level's operator is a symmetric 9-point stencil ``st[j, i, s]`` with s = (dj + 1) * 3 + (di + 1)
# the matrix entry coupling node (j, i) to (j + dj, i + di); entries that would leave the grid
# are zero. Vectors are stored with a one-node halo of zeros, ``(ny + 2, nx + 2)``, so that the
# kernels need no bounds checks: node (j, i) is ``v[j + 1, i + 1]``. Fixed (conductor) nodes are
# identity rows with no couplings, and every vector is zero there (correction form). The finest
# level, where it has no diagonal links, keeps its links instead (the ``*5`` kernels: 2 doubles a
# node instead of 9, see ``relax_rows5``).
#
# Per-axis transfer between a fine and a coarse set of grid lines: fine line k lies between
# coarse lines ``par[k]`` and ``par[k] + 1`` with weights ``w[k]`` and ``1 - w[k]`` (linear
# interpolation in the coordinate; w = 1 on a line that is also coarse).
# --------------------------------------------------------------------------------------------


def stencil(gh: np.ndarray, gv: np.ndarray, fixed: np.ndarray, gd: np.ndarray | None = None) -> np.ndarray:
    """The 9-point stencil (ny, nx, 9) of the free nodes (conductor nodes: identity rows; links to
    them dropped, their share goes to the right-hand side) from the links and the cells' diagonal
    links ``gd`` (see :func:`apply_operator`)."""
    ny, nx = fixed.shape
    _check("gh", gh, (ny, nx - 1))
    _check("gv", gv, (ny - 1, nx))
    if fixed.dtype != np.bool_ or not fixed.flags.c_contiguous:
        raise ValueError("fixed must be a C-contiguous bool array")
    st = np.empty((ny, nx, 9))
    _stencil_from_links(gh, gv, fixed, st)
    if gd is not None:
        _check("gd", gd, (2, ny - 1, nx - 1))
        _stencil_add_cross(gd, fixed, st)
    return st


@njit(cache=True, inline="always")
def _stencil_link(fixed, st, j, i, jn, inb, s, g):  # pragma: no cover - compiled
    """Add a link of conductance g from free node (j, i) to node (jn, inb), stencil entry s."""
    if fixed[j, i]:
        return
    st[j, i, 4] += g
    if not fixed[jn, inb]:
        st[j, i, s] -= g


@njit(cache=True)
def _stencil_add_cross(gd, fixed, st):  # pragma: no cover - compiled
    ny, nx = fixed.shape
    for j in range(ny - 1):
        for i in range(nx - 1):
            # the diagonal link (j, i)-(j + 1, i + 1), the anti-diagonal one (j, i + 1)-(j + 1, i);
            # stencil entry s = 3 (dj + 1) + (di + 1)
            g = gd[0, j, i]
            if g != 0.0:
                _stencil_link(fixed, st, j, i, j + 1, i + 1, 8, g)
                _stencil_link(fixed, st, j + 1, i + 1, j, i, 0, g)
            g = gd[1, j, i]
            if g != 0.0:
                _stencil_link(fixed, st, j, i + 1, j + 1, i, 6, g)
                _stencil_link(fixed, st, j + 1, i, j, i + 1, 2, g)


@njit(cache=True)
def _stencil_from_links(gh, gv, fixed, st):  # pragma: no cover - compiled
    ny, nx = fixed.shape
    st[:] = 0.0
    for j in range(ny):
        for i in range(nx):
            if fixed[j, i]:
                st[j, i, 4] = 1.0
                continue
            d = 0.0
            if i > 0:
                d += gh[j, i - 1]
                if not fixed[j, i - 1]:
                    st[j, i, 3] = -gh[j, i - 1]
            if i < nx - 1:
                d += gh[j, i]
                if not fixed[j, i + 1]:
                    st[j, i, 5] = -gh[j, i]
            if j > 0:
                d += gv[j - 1, i]
                if not fixed[j - 1, i]:
                    st[j, i, 1] = -gv[j - 1, i]
            if j < ny - 1:
                d += gv[j, i]
                if not fixed[j + 1, i]:
                    st[j, i, 7] = -gv[j, i]
            st[j, i, 4] = d


THREADED = _multigrid_kernels(True)
SERIAL = _multigrid_kernels(False)
# Levels with fewer nodes run on one thread: below this the second thread saves less than the
# threaded builds cost (a fork-join at every kernel, 8 relaxation sweeps per level and V-cycle,
# and a core taken from whatever else runs). Measured on 2 shared cores (the same solve with
# every level serial, then with every level from 5,000 nodes threaded, best of 5): 0.8-0.98x
# from 7k to 341k nodes, 1.07-1.26x at 0.76M and 1.6M; `make bench` repeats it per size
# (bench/RESULTS.md, the 1 thread / 2 threads columns).
THREADED_MIN_NODES = 250_000

# A process forked from this one runs the serial builds: GNU OpenMP, numba's usual threading
# layer on Linux, cannot start threads in a child forked after it ran in the parent.
_process = {"forked": False}
os.register_at_fork(after_in_child=lambda: _process.update(forked=True))


def multigrid_kernels(nodes: int) -> SimpleNamespace:
    """The multigrid kernels for a grid of ``nodes`` nodes: threaded where that pays and can run.

    Only the builds that run are loaded (each kernel is read from numba's cache on its first
    call), and the thread pool is not started for a problem that runs serially throughout.
    """
    if nodes < THREADED_MIN_NODES or _process["forked"] or thread_count() == 1:
        return SERIAL
    return THREADED


def thread_count() -> int:
    """Threads the parallel kernels use."""
    return numba.get_num_threads()


def set_thread_count(n: int) -> None:
    """Use ``n`` threads in the parallel kernels (e.g. 1 per process when processes share the cores)."""
    numba.set_num_threads(n)
