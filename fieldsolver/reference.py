"""Slow, obvious pure-numpy twins of the kernels, for tests on small grids."""

from __future__ import annotations

import numpy as np


def link_conductances(x, y, eps, frac_h, frac_v):
    dx, dy = np.diff(x), np.diff(y)
    ny, nx = y.size, x.size
    # eps * cell height, padded with zero-permittivity cells outside the domain
    ey = np.zeros((ny + 1, nx - 1))
    ey[1:-1] = eps * dy[:, None]
    gh = 0.5 * (ey[:-1] + ey[1:]) / dx[None, :] / frac_h
    ex = np.zeros((ny - 1, nx + 1))
    ex[:, 1:-1] = eps * dx[None, :]
    gv = 0.5 * (ex[:, :-1] + ex[:, 1:]) / dy[:, None] / frac_v
    return gh, gv


def apply_operator(gh, gv, phi):
    out = np.zeros_like(phi)
    d = gh * (phi[:, :-1] - phi[:, 1:])
    out[:, :-1] += d
    out[:, 1:] -= d
    d = gv * (phi[:-1, :] - phi[1:, :])
    out[:-1, :] += d
    out[1:, :] -= d
    return out
