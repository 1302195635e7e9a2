"""CrossSection + Grid -> what the discrete problem needs.

* ``net`` per node: -1 free, 0 ground (every ground conductor and the outer boundary), k >= 1 the
  k-th signal, then the floating conductors (``n_signals + 1`` ...). ``owner`` per node: index of the conductor that claimed it (-1 free, -2 boundary).
* ``eps`` per cell (relative permittivity). A cell that a dielectric boundary cuts gets the
  area-weighted mean over an 8 x 8 sub-sample; cells whose edges are grid lines are exact.
* ``frac_h`` / ``frac_v`` per link: the fraction of the link that lies outside conductors. Where
  a curved or slanted conductor boundary crosses a link between two nodes, the link's conductance
  is divided by this fraction: the conductor's potential is applied at the true boundary rather
  than at the nearest node (a Shortley-Weller-type boundary; it keeps the matrix symmetric and
  removes the first-order staircase error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import Grid
from .model import CrossSection, InputError, Rect, Shape

BOUNDARY = -2
MIN_FRACTION = 1e-3


@dataclass(frozen=True)
class Raster:
    net: np.ndarray  # (ny, nx) int32
    owner: np.ndarray  # (ny, nx) int32
    eps: np.ndarray  # (ny - 1, nx - 1) float64
    frac_h: np.ndarray  # (ny, nx - 1)
    frac_v: np.ndarray  # (ny - 1, nx)
    n_floating: int = 0

    @property
    def n_excitations(self) -> int:
        """Signals and floating conductors: one solve each."""
        return int(self.net.max())

    @property
    def n_signals(self) -> int:
        return self.n_excitations - self.n_floating


def _node_mask(shape: Shape, grid: Grid, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    if isinstance(shape, Rect):
        # index ranges with a tolerance: a zero-thickness strip must land on its grid line even if
        # its coordinate differs from the line's in the last bit
        tol = 1e-9 * max(grid.domain[1] - grid.domain[0], grid.domain[3] - grid.domain[2])
        ix = (grid.x >= shape.x0 - tol) & (grid.x <= shape.x1 + tol)
        iy = (grid.y >= shape.y0 - tol) & (grid.y <= shape.y1 + tol)
        return iy[:, None] & ix[None, :]
    return shape.contains(X, Y)


def _exit_fraction(shape: Shape, ax, ay, bx, by, iterations: int = 40) -> np.ndarray:
    """For segments a->b with a inside and b outside ``shape``: where along a->b it is left."""
    if isinstance(shape, Rect):
        return np.zeros(ax.shape)  # rectangle edges are grid lines
    lo = np.zeros(ax.shape)
    hi = np.ones(ax.shape)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        inside = shape.contains(ax + mid * (bx - ax), ay + mid * (by - ay))
        lo = np.where(inside, mid, lo)
        hi = np.where(inside, hi, mid)
    return 0.5 * (lo + hi)


def _link_fractions(section, owner, net, xa, ya, xb, yb, ia, ib):
    """Free fraction of each link between node sets ``ia`` and ``ib`` (flat indices)."""
    frac = np.ones(ia.shape)
    oa, ob = owner.ravel()[ia], owner.ravel()[ib]
    na, nb = net.ravel()[ia], net.ravel()[ib]
    relevant = (na != nb) & ((oa >= 0) | (ob >= 0))
    for ci, c in enumerate(section.conductors):
        if isinstance(c.shape, Rect):
            continue
        for own, sx, sy, ex, ey in ((oa, xa, ya, xb, yb), (ob, xb, yb, xa, ya)):
            sel = relevant & (own == ci)
            if np.any(sel):
                frac[sel] -= _exit_fraction(c.shape, sx[sel], sy[sel], ex[sel], ey[sel])
    return np.maximum(frac, MIN_FRACTION)


def _permittivity(section: CrossSection, xc: np.ndarray, yc: np.ndarray) -> np.ndarray:
    eps = np.full(np.broadcast(xc, yc).shape, float(section.background_er))
    for d in section.dielectrics:
        eps = np.where(d.shape.contains(xc, yc), d.er, eps)
    return eps


def _cell_eps(section: CrossSection, grid: Grid) -> np.ndarray:
    x, y = grid.x, grid.y
    dx, dy = np.diff(x), np.diff(y)

    def at(fx: float, fy: float) -> np.ndarray:
        return _permittivity(section, (x[:-1] + fx * dx)[None, :], (y[:-1] + fy * dy)[:, None])

    eps = at(0.5, 0.5)
    if not section.dielectrics:
        return eps
    mixed = np.zeros(eps.shape, bool)
    for fx in (1 / 6, 5 / 6):
        for fy in (1 / 6, 5 / 6):
            mixed |= at(fx, fy) != eps
    jj, ii = np.nonzero(mixed)
    if jj.size:
        f = (np.arange(8) + 0.5) / 8
        sx = x[ii][:, None, None] + f[None, None, :] * dx[ii][:, None, None]
        sy = y[jj][:, None, None] + f[None, :, None] * dy[jj][:, None, None]
        eps[jj, ii] = _permittivity(section, sx, sy).mean(axis=(1, 2))
    return eps


def rasterize(section: CrossSection, grid: Grid) -> Raster:
    nx, ny = grid.nx, grid.ny
    X, Y = np.meshgrid(grid.x, grid.y)
    owner = np.full((ny, nx), -1, np.int32)
    net = np.full((ny, nx), -1, np.int32)
    signal_index = {c.name: k + 1 for k, c in enumerate(section.signals + section.floating)}
    for ci, c in enumerate(section.conductors):
        m = _node_mask(c.shape, grid, X, Y) & (owner == -1)
        owner[m] = ci
        net[m] = signal_index.get(c.name, 0)
        if c.role != "ground" and not m.any():
            raise InputError(f"{c.where}: {c.role} {c.name!r} covers no grid node")
    edge = np.zeros((ny, nx), bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    edge &= owner == -1
    owner[edge] = BOUNDARY
    net[edge] = 0

    flat = np.arange(nx * ny).reshape(ny, nx)
    ia, ib = flat[:, :-1].ravel(), flat[:, 1:].ravel()
    Xf, Yf = X.ravel(), Y.ravel()
    frac_h = _link_fractions(section, owner, net, Xf[ia], Yf[ia], Xf[ib], Yf[ib], ia, ib)
    ia, ib = flat[:-1, :].ravel(), flat[1:, :].ravel()
    frac_v = _link_fractions(section, owner, net, Xf[ia], Yf[ia], Xf[ib], Yf[ib], ia, ib)
    return Raster(
        net=net,
        owner=owner,
        eps=np.ascontiguousarray(_cell_eps(section, grid)),
        frac_h=frac_h.reshape(ny, nx - 1),
        frac_v=frac_v.reshape(ny - 1, nx),
        n_floating=len(section.floating),
    )
