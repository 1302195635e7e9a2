"""The multigrid kernels of :mod:`fieldsolver.numerics.kernels` (its stencil and transfer
conventions are stated there), in a threaded and a serial build."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _weight(par, w, k, K):  # pragma: no cover - compiled
    """Weight of coarse line K in the interpolation to fine line k."""
    if par[k] == K:
        return w[k]
    if par[k] + 1 == K:
        return 1.0 - w[k]
    return 0.0


@njit(cache=True, inline="always")
def _row(st, x, j, i):  # pragma: no cover - compiled
    """Row (j, i) of A times x (x halo-padded)."""
    s = st[j, i]
    jp, ip = j + 1, i + 1
    return (
        s[0] * x[jp - 1, ip - 1]
        + s[1] * x[jp - 1, ip]
        + s[2] * x[jp - 1, ip + 1]
        + s[3] * x[jp, ip - 1]
        + s[4] * x[jp, ip]
        + s[5] * x[jp, ip + 1]
        + s[6] * x[jp + 1, ip - 1]
        + s[7] * x[jp + 1, ip]
        + s[8] * x[jp + 1, ip + 1]
    )


@njit(cache=True, inline="always")
def _row5(h, v, fixed, x, j, i):  # pragma: no cover - compiled
    """Row (j, i) of A times x (x halo-padded) on a 5-point level (see ``relax_rows5``)."""
    jp, ip = j + 1, i + 1
    p = x[jp, ip]
    if fixed[j, i]:
        return p
    return (
        h[j, i] * (p - x[jp, ip - 1])
        + h[j, i + 1] * (p - x[jp, ip + 1])
        + v[j, i] * (p - x[jp - 1, ip])
        + v[j + 1, i] * (p - x[jp + 1, ip])
    )


@njit(cache=True)
def _parents(par, w):  # pragma: no cover - compiled
    """Per fine line k, the parents of its neighbour line k + d - 1 (d = 0, 1, 2): coarse index
    and weight (n, 3, 2). A parent of weight zero (or past the grid) is given as k's own first
    parent, so that its offset from any parent of k stays in -1..1."""
    n = par.size
    P = np.empty((n, 3, 2), np.int64)
    W = np.zeros((n, 3, 2))
    for k in range(n):
        for d in range(3):
            kg = k + d - 1
            for c in range(2):
                P[k, d, c] = par[k]
                if 0 <= kg < n:
                    wt = w[kg] if c == 0 else 1.0 - w[kg]
                    if wt != 0.0:
                        P[k, d, c] = par[kg] + c
                        W[k, d, c] = wt
    return P, W


@njit(cache=True, inline="always")
def _row_term(B, j, Ic, s, v, XP, XW, i):  # pragma: no cover - compiled
    """Add stencil entry s of fine node (j, i), times its coarse parent Ic's weight (v), to B."""
    dj, di = s // 3, s % 3
    for c in range(2):
        B[j, Ic, dj * 3 + XP[i, di, c] - Ic + 1] += v * XW[i, di, c]


@njit(cache=True)
def _side_weights(par, w, c2f):  # pragma: no cover - compiled
    """Per coarse line, the weights of the fine lines just before and after its own in its
    restriction (zero where that line is coarse too or past the grid)."""
    nc, n = c2f.size, par.size
    wl, wr = np.zeros(nc), np.zeros(nc)
    for c in range(nc):
        k = c2f[c] - 1
        if k >= 0 and par[k] + 1 == c:
            wl[c] = 1.0 - w[k]
        k = c2f[c] + 1
        if k < n and par[k] == c and w[k] < 1.0:
            wr[c] = w[k]
    return wl, wr


def _multigrid_kernels(parallel: bool) -> SimpleNamespace:
    """The multigrid kernels, built with threads (``prange`` over rows or columns) or serial.

    Serial builds serve small grids, where starting threads costs more than they save, and a
    process forked from one that ran the threaded builds (GNU OpenMP cannot run there).
    """

    @njit(cache=True, parallel=parallel)
    def line_factors(st, ivx, ivy):  # pragma: no cover - compiled
        """Thomas-algorithm pivots' inverses of every x-line (row) and y-line (column) block; the
        upper factor of a node is its right (lower) coupling times this, made where it is used.
        The columns are factored together row by row, so memory is read along rows."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = st.shape[0], st.shape[1]
        for j in prange(ny):
            c = 0.0
            for i in range(nx):
                iv = 1.0 / (st[j, i, 4] - st[j, i, 3] * c)
                c = st[j, i, 5] * iv
                ivx[j, i] = iv
        for i in prange(nx):
            ivy[0, i] = 1.0 / st[0, i, 4]
        for j in range(1, ny):
            for i in prange(nx):
                ivy[j, i] = 1.0 / (st[j, i, 4] - st[j, i, 1] * st[j - 1, i, 7] * ivy[j - 1, i])

    @njit(cache=True, parallel=parallel)
    def line_factors5(h, v, fixed, ivx, ivy):  # pragma: no cover - compiled
        """``line_factors`` of a 5-point level (see ``relax_rows5``): zero at the fixed nodes."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = fixed.shape
        for j in prange(ny):
            c = 0.0
            for i in range(nx):
                if fixed[j, i]:
                    ivx[j, i] = c = 0.0
                    continue
                d = h[j, i] + h[j, i + 1] + v[j, i] + v[j + 1, i]
                iv = 1.0 / (d + h[j, i] * c)
                c = -h[j, i + 1] * iv
                ivx[j, i] = iv
        for j in range(ny):
            for i in prange(nx):
                if fixed[j, i]:
                    ivy[j, i] = 0.0
                    continue
                d = h[j, i] + h[j, i + 1] + v[j, i] + v[j + 1, i]
                c = -v[j, i] * ivy[j - 1, i] if j > 0 else 0.0  # the upper factor of (j - 1, i)
                ivy[j, i] = 1.0 / (d + v[j, i] * c)

    @njit(cache=True, parallel=parallel)
    def relax_rows(st, iv, b, x, color):  # pragma: no cover - compiled
        """Exact solve of every row of one parity (zebra x-line Gauss-Seidel), in place."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = st.shape[0], st.shape[1]
        nrows = (ny - color + 1) // 2
        for r in prange(nrows):
            j = color + 2 * r
            jp = j + 1
            d = 0.0
            for i in range(nx):
                ip = i + 1
                s = st[j, i]
                f = b[jp, ip] - (
                    s[0] * x[jp - 1, ip - 1]
                    + s[1] * x[jp - 1, ip]
                    + s[2] * x[jp - 1, ip + 1]
                    + s[6] * x[jp + 1, ip - 1]
                    + s[7] * x[jp + 1, ip]
                    + s[8] * x[jp + 1, ip + 1]
                )
                d = (f - s[3] * d) * iv[j, i]
                x[jp, ip] = d
            for i in range(nx - 2, -1, -1):
                x[jp, i + 1] -= st[j, i, 5] * iv[j, i] * x[jp, i + 2]

    @njit(cache=True, parallel=parallel)
    def relax_columns(st, iv, b, x, color, nchunks):  # pragma: no cover - compiled
        """Exact solve of every column of one parity (zebra y-line Gauss-Seidel), in place.

        The columns of a chunk are swept together row by row, so memory is read along rows.
        """
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = st.shape[0], st.shape[1]
        ncols = (nx - color + 1) // 2
        per = (ncols + nchunks - 1) // nchunks
        for c in prange(nchunks):
            k0 = c * per
            k1 = min(ncols, k0 + per)
            for j in range(ny):
                jp = j + 1
                for k in range(k0, k1):
                    i = color + 2 * k
                    ip = i + 1
                    s = st[j, i]
                    f = b[jp, ip] - (
                        s[0] * x[jp - 1, ip - 1]
                        + s[2] * x[jp - 1, ip + 1]
                        + s[3] * x[jp, ip - 1]
                        + s[5] * x[jp, ip + 1]
                        + s[6] * x[jp + 1, ip - 1]
                        + s[8] * x[jp + 1, ip + 1]
                    )
                    x[jp, ip] = (f - s[1] * x[jp - 1, ip]) * iv[j, i]
            for j in range(ny - 2, -1, -1):
                for k in range(k0, k1):
                    i = color + 2 * k
                    x[j + 1, i + 1] -= st[j, i, 7] * iv[j, i] * x[j + 2, i + 1]

    @njit(cache=True, parallel=parallel)
    def relax_rows5(h, v, iv, b, x, color):  # pragma: no cover - compiled
        """``relax_rows`` on a 5-point level: links ``h`` (ny, nx + 1), node (j, i)'s left link
        ``h[j, i]`` and right ``h[j, i + 1]``, and ``v`` (ny + 1, nx), its links up ``v[j, i]``
        and down ``v[j + 1, i]`` (zero past the grid). Links to fixed nodes stay: every vector is
        zero there, and ``iv`` is zero there, which keeps it so."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = iv.shape
        nrows = (ny - color + 1) // 2
        for r in prange(nrows):
            j = color + 2 * r
            jp = j + 1
            d = 0.0
            for i in range(nx):
                ip = i + 1
                f = b[jp, ip] + v[j, i] * x[jp - 1, ip] + v[j + 1, i] * x[jp + 1, ip]
                d = (f + h[j, i] * d) * iv[j, i]
                x[jp, ip] = d
            for i in range(nx - 2, -1, -1):
                x[jp, i + 1] += h[j, i + 1] * iv[j, i] * x[jp, i + 2]

    @njit(cache=True, parallel=parallel)
    def relax_columns5(h, v, iv, b, x, color, nchunks):  # pragma: no cover - compiled
        """``relax_columns`` on a 5-point level (see ``relax_rows5``)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = iv.shape
        ncols = (nx - color + 1) // 2
        per = (ncols + nchunks - 1) // nchunks
        for c in prange(nchunks):
            k0 = c * per
            k1 = min(ncols, k0 + per)
            for j in range(ny):
                jp = j + 1
                for k in range(k0, k1):
                    i = color + 2 * k
                    ip = i + 1
                    f = b[jp, ip] + h[j, i] * x[jp, ip - 1] + h[j, i + 1] * x[jp, ip + 1]
                    x[jp, ip] = (f + v[j, i] * x[jp - 1, ip]) * iv[j, i]
            for j in range(ny - 2, -1, -1):
                for k in range(k0, k1):
                    i = color + 2 * k
                    x[j + 1, i + 1] += v[j + 1, i] * iv[j, i] * x[j + 2, i + 1]

    @njit(cache=True, parallel=parallel)
    def residual5(h, v, fixed, b, x, r):  # pragma: no cover - compiled
        """r = b - A x on a 5-point level (see ``relax_rows5``; fixed nodes: identity rows)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = fixed.shape
        for j in prange(ny):
            for i in range(nx):
                r[j + 1, i + 1] = b[j + 1, i + 1] - _row5(h, v, fixed, x, j, i)

    @njit(cache=True, parallel=parallel)
    def apply5(h, v, fixed, x, y):  # pragma: no cover - compiled
        """y = A x on a 5-point level."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = fixed.shape
        for j in prange(ny):
            for i in range(nx):
                y[j + 1, i + 1] = _row5(h, v, fixed, x, j, i)

    @njit(cache=True, parallel=parallel)
    def residual(st, b, x, r):  # pragma: no cover - compiled
        """r = b - A x (halo stays zero)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = st.shape[0], st.shape[1]
        for j in prange(ny):
            for i in range(nx):
                r[j + 1, i + 1] = b[j + 1, i + 1] - _row(st, x, j, i)

    @njit(cache=True, parallel=parallel)
    def apply_stencil(st, x, y):  # pragma: no cover - compiled
        """y = A x (halo stays zero)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = st.shape[0], st.shape[1]
        for j in prange(ny):
            for i in range(nx):
                y[j + 1, i + 1] = _row(st, x, j, i)

    @njit(cache=True, parallel=parallel)
    def restrict(r, rc, ypar, yw, yc2f, xpar, xw, xc2f, fixed_c):  # pragma: no cover - compiled
        """rc = P^T r: each coarse row gathers its fine rows, each coarse node its own fine
        line and the two beside it."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        nyc, nxc = fixed_c.shape
        nyf = ypar.size
        wl, wr = _side_weights(xpar, xw, xc2f)
        for Jc in prange(nyc):
            j0 = yc2f[Jc - 1] + 1 if Jc > 0 else 0
            j1 = yc2f[Jc + 1] - 1 if Jc < nyc - 1 else nyf - 1
            acc = np.zeros(nxc)
            for j in range(j0, j1 + 1):
                wy = _weight(ypar, yw, j, Jc)
                if wy == 0.0:
                    continue
                for Ic in range(nxc):
                    k = xc2f[Ic] + 1  # r's halo gives the zero beside the first and last lines
                    acc[Ic] += wy * (wl[Ic] * r[j + 1, k - 1] + r[j + 1, k] + wr[Ic] * r[j + 1, k + 1])
            for Ic in range(nxc):
                rc[Jc + 1, Ic + 1] = 0.0 if fixed_c[Jc, Ic] else acc[Ic]

    @njit(cache=True, parallel=parallel)
    def residual_restrict5(
        h, v, fixed, b, x, rc, ypar, yw, yc2f, xpar, xw, xc2f, fixed_c
    ):  # pragma: no cover - compiled
        """rc = P^T (b - A x) on a 5-point level, the residual made row by row as the coarse rows
        gather it (never stored: a fine row between two coarse rows is made for each)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        nyc, nxc = fixed_c.shape
        nyf, nxf = fixed.shape
        wl, wr = _side_weights(xpar, xw, xc2f)
        for Jc in prange(nyc):
            j0 = yc2f[Jc - 1] + 1 if Jc > 0 else 0
            j1 = yc2f[Jc + 1] - 1 if Jc < nyc - 1 else nyf - 1
            acc = np.zeros(nxc)
            rr = np.zeros(nxf + 2)  # one fine row's residual, with a zero either side
            for j in range(j0, j1 + 1):
                wy = _weight(ypar, yw, j, Jc)
                if wy == 0.0:
                    continue
                for i in range(nxf):
                    rr[i + 1] = b[j + 1, i + 1] - _row5(h, v, fixed, x, j, i)
                for Ic in range(nxc):
                    k = xc2f[Ic] + 1
                    acc[Ic] += wy * (wl[Ic] * rr[k - 1] + rr[k] + wr[Ic] * rr[k + 1])
            for Ic in range(nxc):
                rc[Jc + 1, Ic + 1] = 0.0 if fixed_c[Jc, Ic] else acc[Ic]

    @njit(cache=True, parallel=parallel)
    def prolong_add(xc, x, ypar, yw, xpar, xw, fixed):  # pragma: no cover - compiled
        """x += P xc on the free fine nodes."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        nyf, nxf = fixed.shape
        for j in prange(nyf):
            J0 = ypar[j]
            wy0 = yw[j]
            for i in range(nxf):
                if fixed[j, i]:
                    continue
                I0 = xpar[i]
                wx0 = xw[i]
                # coarse node (a, b) is xc[a + 1, b + 1] (halo); the second parent of the last line is
                # the far halo, with weight zero
                v = wy0 * (wx0 * xc[J0 + 1, I0 + 1] + (1.0 - wx0) * xc[J0 + 1, I0 + 2])
                v += (1.0 - wy0) * (wx0 * xc[J0 + 2, I0 + 1] + (1.0 - wx0) * xc[J0 + 2, I0 + 2])
                x[j + 1, i + 1] += v

    @njit(cache=True, parallel=parallel)
    def galerkin_rows(st, fixed, xpar, xw, nxc, B):  # pragma: no cover - compiled
        """The first half of ``galerkin``: ``B = (I (x) Px)^T A' (I (x) Px)``, A' = A without its
        fixed rows, on the fine rows and coarse columns, B[j, I, (dj + 1) * 3 + (dI + 1)]."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        nyf, nxf = fixed.shape
        XP, XW = _parents(xpar, xw)
        for j in prange(nyf):
            B[j] = 0.0
            for i in range(nxf):
                if fixed[j, i]:
                    continue  # a zero row of P
                for a in range(2):
                    wa = xw[i] if a == 0 else 1.0 - xw[i]
                    if wa == 0.0:
                        continue
                    Ic = xpar[i] + a
                    for s in range(9):
                        _row_term(B, j, Ic, s, wa * st[j, i, s], XP, XW, i)

    @njit(cache=True, parallel=parallel)
    def galerkin_rows5(h, v, fixed, xpar, xw, nxc, B):  # pragma: no cover - compiled
        """``galerkin_rows`` of a 5-point level (see ``relax_rows5``)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        nyf, nxf = fixed.shape
        XP, XW = _parents(xpar, xw)
        for j in prange(nyf):
            B[j] = 0.0
            for i in range(nxf):
                if fixed[j, i]:
                    continue
                # the stencil of node (j, i): links to fixed nodes leave the diagonal only
                w_ = -h[j, i] if i > 0 and not fixed[j, i - 1] else 0.0
                e_ = -h[j, i + 1] if i < nxf - 1 and not fixed[j, i + 1] else 0.0
                n_ = -v[j, i] if j > 0 and not fixed[j - 1, i] else 0.0
                s_ = -v[j + 1, i] if j < nyf - 1 and not fixed[j + 1, i] else 0.0
                d = h[j, i] + h[j, i + 1] + v[j, i] + v[j + 1, i]
                for a in range(2):
                    wa = xw[i] if a == 0 else 1.0 - xw[i]
                    if wa == 0.0:
                        continue
                    Ic = xpar[i] + a
                    _row_term(B, j, Ic, 1, wa * n_, XP, XW, i)
                    _row_term(B, j, Ic, 3, wa * w_, XP, XW, i)
                    _row_term(B, j, Ic, 4, wa * d, XP, XW, i)
                    _row_term(B, j, Ic, 5, wa * e_, XP, XW, i)
                    _row_term(B, j, Ic, 7, wa * s_, XP, XW, i)

    @njit(cache=True, parallel=parallel)
    def galerkin_columns(B, ypar, yw, yc2f, fixed_c, stc):  # pragma: no cover - compiled
        """The second half of ``galerkin``: ``Py^T B Py`` without the coarse fixed nodes' columns,
        their rows the identity; each coarse row gathers its fine rows (one thread writes it)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        nyc, nxc = fixed_c.shape
        nyf = ypar.size
        YP, YW = _parents(ypar, yw)
        free = np.zeros((nyc + 2, nxc + 2))  # 1 on the free coarse nodes, 0 on fixed ones and the halo
        for Jc in range(nyc):
            for Ic in range(nxc):
                free[Jc + 1, Ic + 1] = 0.0 if fixed_c[Jc, Ic] else 1.0
        for Jc in prange(nyc):
            stc[Jc] = 0.0
            j0 = yc2f[Jc - 1] + 1 if Jc > 0 else 0
            j1 = yc2f[Jc + 1] - 1 if Jc < nyc - 1 else nyf - 1
            for j in range(j0, j1 + 1):
                wy = _weight(ypar, yw, j, Jc)
                if wy == 0.0:
                    continue
                for dj in range(3):
                    for b in range(2):
                        wgt = wy * YW[j, dj, b]
                        if wgt == 0.0:
                            continue
                        Jg = YP[j, dj, b]
                        t = (Jg - Jc + 1) * 3
                        for Ic in range(nxc):
                            for di in range(3):
                                stc[Jc, Ic, t + di] += wgt * B[j, Ic, dj * 3 + di] * free[Jg + 1, Ic + di]
            for Ic in range(nxc):
                if fixed_c[Jc, Ic]:
                    stc[Jc, Ic] = 0.0
                    stc[Jc, Ic, 4] = 1.0

    @njit(cache=True, parallel=parallel)
    def dot(a, b):  # pragma: no cover - compiled
        """Inner product of two equally shaped 2-D arrays (without BLAS, whose spinning threads would
        compete with these kernels' own)."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = a.shape
        s = 0.0
        for j in prange(ny):
            t = 0.0
            for i in range(nx):
                t += a[j, i] * b[j, i]
            s += t
        return s

    @njit(cache=True, parallel=parallel)
    def cg_step(x, r, p, q, alpha):  # pragma: no cover - compiled
        """x += alpha p; r -= alpha q; returns |r|^2."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = x.shape
        s = 0.0
        for j in prange(ny):
            t = 0.0
            for i in range(nx):
                x[j, i] += alpha * p[j, i]
                v = r[j, i] - alpha * q[j, i]
                r[j, i] = v
                t += v * v
            s += t
        return s

    @njit(cache=True, parallel=parallel)
    def cg_direction(p, z, beta):  # pragma: no cover - compiled
        """p = z + beta p."""
        _ = parallel  # a closure cell: the serial and parallel builds are cached apart
        ny, nx = p.shape
        for j in prange(ny):
            for i in range(nx):
                p[j, i] = z[j, i] + beta * p[j, i]

    return SimpleNamespace(
        line_factors=line_factors,
        line_factors5=line_factors5,
        relax_rows=relax_rows,
        relax_columns=relax_columns,
        relax_rows5=relax_rows5,
        relax_columns5=relax_columns5,
        residual5=residual5,
        residual_restrict5=residual_restrict5,
        apply5=apply5,
        residual=residual,
        apply_stencil=apply_stencil,
        restrict=restrict,
        prolong_add=prolong_add,
        galerkin_rows=galerkin_rows,
        galerkin_rows5=galerkin_rows5,
        galerkin_columns=galerkin_columns,
        dot=dot,
        cg_step=cg_step,
        cg_direction=cg_direction,
    )


def galerkin(build, st, fixed, ypar, yw, yc2f, xpar, xw, fixed_c, stc, links=None) -> None:
    """Coarse operator P^T A P, one axis at a time (P = Py (x) Px restricted to free nodes).

    First along x, ``B = (I (x) Px)^T A' (I (x) Px)`` on the fine rows and coarse columns (A':
    A without its fixed rows), a 3 x 3 stencil per node; then along y, ``Py^T B Py``, without
    the coarse fixed nodes' columns, their rows the identity. Two passes of 2 x 9 x 2 terms
    per node instead of one of 2 x 9 x 2 x 2 per node and coarse row; each pass writes its
    rows from one thread (no write conflicts). ``links``: the padded links ``(h, v)`` of a
    5-point level, in place of ``st`` (then None). ``build``: ``THREADED`` or ``SERIAL``.
    """
    B = np.empty((fixed.shape[0], fixed_c.shape[1], 9))
    if links is None:
        build.galerkin_rows(st, fixed, xpar, xw, fixed_c.shape[1], B)
    else:
        build.galerkin_rows5(links[0], links[1], fixed, xpar, xw, fixed_c.shape[1], B)
    build.galerkin_columns(B, ypar, yw, yc2f, fixed_c, stc)
