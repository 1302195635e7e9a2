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


def stencil(gh, gv, fixed, gd=None):
    """The 9-point stencil of the free nodes, from the dense matrix of every node."""
    ny, nx = fixed.shape
    A = dense_matrix(gh, gv, gd)
    free = ~fixed.ravel()
    st = np.zeros((ny, nx, 9))
    for j in range(ny):
        for i in range(nx):
            if fixed[j, i]:
                st[j, i, 4] = 1.0
                continue
            for s in range(9):
                jj, ii = j + s // 3 - 1, i + s % 3 - 1
                if 0 <= jj < ny and 0 <= ii < nx and (s == 4 or free[jj * nx + ii]):
                    st[j, i, s] = A[j * nx + i, jj * nx + ii]
    return st


def dense_matrix(gh, gv, gd=None):
    """Dense matrix of every node: the Hessian of the energy, built link by link."""
    ny, nx = gv.shape[0] + 1, gh.shape[1] + 1
    A = np.zeros((nx * ny, nx * ny))

    def link(a, b, g):
        A[a, a] += g
        A[b, b] += g
        A[a, b] -= g
        A[b, a] -= g

    for j in range(ny):
        for i in range(nx):
            n = j * nx + i
            if i < nx - 1:
                link(n, n + 1, gh[j, i])
            if j < ny - 1:
                link(n, n + nx, gv[j, i])
            if gd is not None and i < nx - 1 and j < ny - 1:
                link(n, n + nx + 1, gd[0, j, i])
                link(n + 1, n + nx, gd[1, j, i])
    return A


def apply_operator(gh, gv, phi, gd=None):
    if gd is not None:
        return (dense_matrix(gh, gv, gd) @ phi.ravel()).reshape(phi.shape)
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
