"""Numerical kernels: the only module that imports numba.

Plain arrays and scalars in, arrays out. Each public function checks its inputs in Python and then
calls a compiled ``_*`` kernel (compiled lazily on first call, cached on disk). Pure-numpy twins
live in :mod:`fieldsolver.reference` and are used by the tests on small grids.

Discretisation (finite volume, 5-point). Nodes sit at grid-line crossings; cell (j, i) spans
``x[i]..x[i+1]`` by ``y[j]..y[j+1]`` and has one relative permittivity. The conductance of the
link between node (j, i) and (j, i+1) is the flux through the dual-cell face that it crosses,

    gh[j, i] = (eps[j-1, i] dy[j-1] + eps[j, i] dy[j]) / (2 dx[i] frac_h[j, i]),

and likewise ``gv`` for vertical links; cells outside the domain contribute nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _link_conductances(x, y, eps, frac_h, frac_v, gh, gv):  # pragma: no cover - compiled
    ny, nx = y.size, x.size
    for j in range(ny):
        for i in range(nx - 1):
            dx = x[i + 1] - x[i]
            face = 0.0
            if j > 0:
                face += eps[j - 1, i] * (y[j] - y[j - 1])
            if j < ny - 1:
                face += eps[j, i] * (y[j + 1] - y[j])
            gh[j, i] = 0.5 * face / (dx * frac_h[j, i])
    for j in range(ny - 1):
        dy = y[j + 1] - y[j]
        for i in range(nx):
            face = 0.0
            if i > 0:
                face += eps[j, i - 1] * (x[i] - x[i - 1])
            if i < nx - 1:
                face += eps[j, i] * (x[i + 1] - x[i])
            gv[j, i] = 0.5 * face / (dy * frac_v[j, i])


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


def _check(name: str, a: np.ndarray, shape: tuple[int, ...]) -> None:
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        raise ValueError(f"{name} must be a float64 array")
    if a.shape != shape:
        raise ValueError(f"{name} has shape {a.shape}, expected {shape}")
    if not a.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")


def link_conductances(x, y, eps, frac_h, frac_v) -> tuple[np.ndarray, np.ndarray]:
    """Link conductances (per unit eps0) of horizontal and vertical links."""
    nx, ny = np.size(x), np.size(y)
    if nx < 2 or ny < 2:
        raise ValueError("a grid needs at least 2 lines per axis")
    _check("x", x, (nx,))
    _check("y", y, (ny,))
    _check("eps", eps, (ny - 1, nx - 1))
    _check("frac_h", frac_h, (ny, nx - 1))
    _check("frac_v", frac_v, (ny - 1, nx))
    if np.any(np.diff(x) <= 0) or np.any(np.diff(y) <= 0):
        raise ValueError("grid lines must be strictly increasing")
    gh = np.empty((ny, nx - 1))
    gv = np.empty((ny - 1, nx))
    _link_conductances(x, y, eps, frac_h, frac_v, gh, gv)
    return gh, gv


def apply_operator(gh: np.ndarray, gv: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """``A @ phi`` on the grid: at each node, the net flux out of its dual cell (per unit eps0).

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
    return out
