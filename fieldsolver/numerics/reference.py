"""Slow, obvious pure-numpy twins of the kernels, for tests on small grids."""

from __future__ import annotations

import numpy as np


def link_conductances(x, y, face_h, face_v, frac_h, frac_v):
    dx, dy = np.diff(x), np.diff(y)
    hy = 0.5 * (np.concatenate([[0.0], dy]) + np.concatenate([dy, [0.0]]))  # dual-cell heights
    hx = 0.5 * (np.concatenate([[0.0], dx]) + np.concatenate([dx, [0.0]]))
    gh = face_h * hy[:, None] / (dx[None, :] * frac_h)
    gv = face_v * hx[None, :] / (dy[:, None] * frac_v)
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


def interpolation(par, w, n_coarse):
    """Dense 1-D interpolation matrix (fine x coarse) of the multigrid transfer data."""
    P = np.zeros((par.size, n_coarse))
    for k in range(par.size):
        P[k, par[k]] += w[k]
        if w[k] < 1.0:
            P[k, par[k] + 1] += 1.0 - w[k]
    return P


def stencil_matrix(st):
    """Dense matrix of a 9-point stencil array (ny, nx, 9)."""
    ny, nx = st.shape[:2]
    n = nx * ny
    A = np.zeros((n, n))
    for j in range(ny):
        for i in range(nx):
            for s in range(9):
                jj, ii = j + s // 3 - 1, i + s % 3 - 1
                if 0 <= jj < ny and 0 <= ii < nx:
                    A[j * nx + i, jj * nx + ii] += st[j, i, s]
    return A
