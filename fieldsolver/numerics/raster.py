"""CrossSection + Grid -> what the discrete problem needs.

* ``net`` per node: -1 free, 0 ground (every ground conductor and the outer boundary), k >= 1 the
  k-th signal, then the floating conductors (``n_signals + 1`` ...). ``owner`` per node: index of the conductor that claimed it (-1 free, -2 boundary).
* ``eps`` per cell (relative permittivity; where a dielectric interface cuts a cell, its mean),
  and ``face_h``/``face_v`` per link: the effective permittivity of the region the link's flux
  crosses, smoothed where an interface cuts it (see ``_link_eps``); where interfaces are grid
  lines, both are exact.
* ``cut``: where an interface separates the corners of a cell (a curved or slanted interface),
  the cell is an immersed element instead (:mod:`fieldsolver.numerics.cutcell`): its six link
  conductances, edges and diagonals, from the exact energy of a potential that is piecewise
  linear across the interface. The links it borders keep only their other cell's share in
  ``face_h``/``face_v``.
* ``frac_h`` / ``frac_v`` per link: the fraction of the link that lies outside conductors. Where
  a curved or slanted conductor boundary crosses a link between two nodes, the link's conductance
  is divided by this fraction: the conductor's potential is applied at the true boundary rather
  than at the nearest node (a Shortley-Weller-type boundary; it keeps the matrix symmetric and
  removes the first-order staircase error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..geometry.model import Circle, CrossSection, InputError, Rect, Ring, Shape
from .crossing import circle_roots, first_change
from .cutcell import cut_cells
from .grid import Grid

BOUNDARY = -2
MIN_FRACTION = 1e-3
SUB = 8  # samples per cell side where a dielectric interface cuts the cell


@dataclass(frozen=True)
class Raster:
    net: np.ndarray  # (ny, nx) int32
    owner: np.ndarray  # (ny, nx) int32
    eps: np.ndarray  # (ny - 1, nx - 1) float64
    frac_h: np.ndarray  # (ny, nx - 1)
    frac_v: np.ndarray  # (ny - 1, nx)
    # effective relative permittivity of each link's flux region (see _link_eps)
    face_h: np.ndarray  # (ny, nx - 1)
    face_v: np.ndarray  # (ny - 1, nx)
    n_floating: int = 0
    # the immersed cells' link conductances per unit eps0 (6, ny - 1, nx - 1): bottom, top, left,
    # right, diagonal, anti-diagonal (see cutcell.cut_cells); None: no such cell. The links of
    # these cells are not in face_h / face_v, which then hold the other cell's share only
    cut: np.ndarray | None = None

    def faces(self, medium: str = "dielectric") -> tuple[np.ndarray, np.ndarray]:
        """The link permittivities of a medium: ``"dielectric"`` (the section's) or ``"vacuum"``."""
        if medium == "vacuum":
            return np.ones_like(self.face_h), np.ones_like(self.face_v)
        if medium != "dielectric":
            raise ValueError(f"unknown medium {medium!r}")
        return self.face_h, self.face_v

    def cells(self, medium: str = "dielectric") -> np.ndarray | None:
        """The immersed cells' link conductances of a medium (None where there are none)."""
        self.faces(medium)  # checks the name
        return self.cut if medium == "dielectric" else None

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


def _exit_fraction(shape: Shape, ax, ay, bx, by) -> np.ndarray:
    """For segments a->b with a inside and b outside ``shape``: where along a->b it is left, in
    closed form (:mod:`fieldsolver.numerics.crossing`)."""
    if isinstance(shape, Rect):
        return np.zeros(ax.shape)  # rectangle edges are grid lines
    if isinstance(shape, Circle | Ring):
        dx, dy = bx - ax, by - ay
        outer = shape.r if isinstance(shape, Circle) else shape.r_out
        t = circle_roots(shape.cx, shape.cy, outer, ax, ay, dx, dy)[1]  # a is inside: leaves at the larger
        if isinstance(shape, Ring):  # or into the hole, at the smaller root (a is outside the hole)
            t_in = circle_roots(shape.cx, shape.cy, shape.r_in, ax, ay, dx, dy)[0]
            t = np.where((t_in >= 0.0) & (t_in < np.nan_to_num(t, nan=np.inf)), t_in, t)
        return np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    p, q = np.stack([ax, ay], axis=1), np.stack([bx, by], axis=1)
    return first_change(shape.contains, [shape], p, q, np.ones(ax.shape, bool))


def _link_fractions(section: CrossSection, owner: np.ndarray, net: np.ndarray, x: np.ndarray, y: np.ndarray):
    """Free fraction of each link: ``frac_h`` (ny, nx - 1) and ``frac_v`` (ny - 1, nx). Only a
    link between two nets with an end on a curved or slanted conductor can be less than 1."""
    out = [np.ones((y.size, x.size - 1)), np.ones((y.size - 1, x.size))]
    if all(isinstance(c.shape, Rect) for c in section.conductors):
        return out  # rectangle edges are grid lines
    for axis, frac in enumerate(out):
        ends = (np.s_[:, :-1], np.s_[:, 1:]) if axis == 0 else (np.s_[:-1, :], np.s_[1:, :])
        oa, ob = owner[ends[0]], owner[ends[1]]
        jj, ii = np.nonzero((net[ends[0]] != net[ends[1]]) & ((oa >= 0) | (ob >= 0)))
        oa, ob = oa[jj, ii], ob[jj, ii]
        xa, ya = x[ii], y[jj]
        xb, yb = (x[ii + 1], ya) if axis == 0 else (xa, y[jj + 1])
        f = np.ones(jj.size)
        for ci, c in enumerate(section.conductors):
            if isinstance(c.shape, Rect):
                continue
            for own, sx, sy, ex, ey in ((oa, xa, ya, xb, yb), (ob, xb, yb, xa, ya)):
                sel = own == ci
                if np.any(sel):
                    f[sel] -= _exit_fraction(c.shape, sx[sel], sy[sel], ex[sel], ey[sel])
        frac[jj, ii] = np.maximum(f, MIN_FRACTION)
    return out


def _permittivity(section: CrossSection, xc: np.ndarray, yc: np.ndarray) -> np.ndarray:
    eps = np.full(np.broadcast(xc, yc).shape, float(section.background_er))
    for d in section.dielectrics:
        eps = np.where(d.shape.contains(xc, yc), d.er, eps)
    return eps


def _cell_eps(section: CrossSection, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: the permittivity at its centre, and whether a dielectric interface cuts it."""
    x, y = grid.x, grid.y
    dx, dy = np.diff(x), np.diff(y)

    eps = _permittivity(section, (x[:-1] + 0.5 * dx)[None, :], (y[:-1] + 0.5 * dy)[:, None])
    mixed = np.zeros(eps.shape, bool)
    for d in section.dielectrics:
        mixed |= _cut_cells(d.shape, x, y)
    return eps, mixed


def _cut_cells(shape: Shape, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cells (ny - 1, nx - 1) whose interior the boundary of ``shape`` passes through."""
    out = np.zeros((y.size - 1, x.size - 1), bool)

    def strictly_inside(lines: np.ndarray, v: float) -> np.ndarray:  # cells with lines[k] < v < lines[k+1]
        return (lines[:-1] < v) & (v < lines[1:])

    def overlapping(lines: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return (lines[1:] > lo) & (lines[:-1] < hi)

    if isinstance(shape, Rect):
        for v in (shape.x0, shape.x1):
            if math.isfinite(v):
                out |= overlapping(y, shape.y0, shape.y1)[:, None] & strictly_inside(x, v)[None, :]
        for v in (shape.y0, shape.y1):
            if math.isfinite(v):
                out |= strictly_inside(y, v)[:, None] & overlapping(x, shape.x0, shape.x1)[None, :]
        return out
    if isinstance(shape, Circle | Ring):
        radii = (shape.r,) if isinstance(shape, Circle) else (shape.r_in, shape.r_out)
        # nearest and farthest point of each cell from the centre
        ax0, ax1 = x[:-1] - shape.cx, x[1:] - shape.cx
        ay0, ay1 = y[:-1] - shape.cy, y[1:] - shape.cy
        nx_ = np.where(ax0 > 0, ax0, np.where(ax1 < 0, -ax1, 0.0))
        ny_ = np.where(ay0 > 0, ay0, np.where(ay1 < 0, -ay1, 0.0))
        fx, fy = np.maximum(np.abs(ax0), np.abs(ax1)), np.maximum(np.abs(ay0), np.abs(ay1))
        near = np.hypot(ny_[:, None], nx_[None, :])
        far = np.hypot(fy[:, None], fx[None, :])
        for r in radii:
            out |= (near < r) & (r < far)
        return out
    # polygons and trapezoids: cells in the bounding box that the outline crosses
    import shapely

    bx0, bx1, by0, by1 = shape.bbox()
    ci = np.nonzero(overlapping(x, bx0, bx1))[0]
    cj = np.nonzero(overlapping(y, by0, by1))[0]
    if not (ci.size and cj.size):
        return out
    jj, ii = np.meshgrid(cj, ci, indexing="ij")
    boxes = shapely.box(x[ii], y[jj], x[ii + 1], y[jj + 1])
    outline = shape.outline((bx0, bx1, by0, by1))[0]
    crossed = shapely.intersects(boxes, shapely.LineString(outline))
    out[jj[crossed], ii[crossed]] = True
    return out


def _smoothed(section: CrossSection, x0, x1, y0, y1, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and effective permittivity of boxes ``[x0, x1] x [y0, y1]`` for a field along ``axis``.

    The boxes are sampled SUB x SUB. The effective value is the diagonal of the subpixel-smoothing
    tensor of Kottke, Farjadpour and Johnson (Phys. Rev. E 77, 036611, 2008),
    ``P <1/eps>^-1 + (1 - P) <eps>`` with P the projection on the interface normal (a field normal
    to an interface sees the materials in series, a field along it in parallel); the normal is
    the direction of the least-squares gradient of the samples. Used where a cut cell is not an
    immersed element (see :mod:`fieldsolver.numerics.cutcell`).

    Samples inside a conductor (where there is no field) do not count, unless a box has no other:
    a dielectric painted up to a conductor's surface (a ring of insulation whose hole is the wire)
    then has no interface there. Counting the conductor's inside as the background left a
    first-order error in C and in the regions' energy split (measured on a coax whose inner
    insulation is a ring on the wire: -3.6e-3 in C at the default density).
    """
    f = (np.arange(SUB) + 0.5) / SUB
    w, h = (x1 - x0)[:, None, None], (y1 - y0)[:, None, None]
    sx = x0[:, None, None] + f[None, None, :] * w
    sy = y0[:, None, None] + f[None, :, None] * h
    e = _permittivity(section, sx, sy)
    field = np.ones(e.shape, bool)
    for c in section.conductors:
        field &= ~c.shape.contains(sx, sy)
    field[~field.any(axis=(1, 2))] = True  # a box inside conductors: every sample counts
    wt = field / field.sum(axis=(1, 2), keepdims=True)
    mean = (wt * e).sum(axis=(1, 2))
    series = 1.0 / (wt / e).sum(axis=(1, 2))
    dev = (e - mean[:, None, None]) * field
    c = f - 0.5
    gx = (dev * c[None, None, :]).sum(axis=(1, 2)) / w[:, 0, 0]
    gy = (dev * c[None, :, None]).sum(axis=(1, 2)) / h[:, 0, 0]
    norm2 = gx**2 + gy**2
    g = gx if axis == 0 else gy
    with np.errstate(invalid="ignore", divide="ignore"):
        n2 = np.where(norm2 > 0, g**2 / norm2, 0.0)
    return mean, n2 * series + (1.0 - n2) * mean


def face_means(grid: Grid, eps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each link's flux-region permittivity where no interface cuts it: the exact mean of the
    two cells it borders, weighted by the half-cell heights (widths) on either side. ``face_h``
    (ny, nx - 1) for x-directed links, ``face_v`` (ny - 1, nx) for y-directed."""
    dx, dy = np.diff(grid.x), np.diff(grid.y)
    ny, nx = grid.y.size, grid.x.size
    below = np.concatenate([[0.0], 0.5 * dy])  # half-cell heights below/above each node row
    above = np.concatenate([0.5 * dy, [0.0]])
    e_lo = np.vstack([np.zeros((1, nx - 1)), eps])  # cell below node row j
    e_hi = np.vstack([eps, np.zeros((1, nx - 1))])  # cell above node row j
    face_h = (e_lo * below[:, None] + e_hi * above[:, None]) / (below + above)[:, None]
    left = np.concatenate([[0.0], 0.5 * dx])
    right = np.concatenate([0.5 * dx, [0.0]])
    e_l = np.hstack([np.zeros((ny - 1, 1)), eps])
    e_r = np.hstack([eps, np.zeros((ny - 1, 1))])
    face_v = (e_l * left[None, :] + e_r * right[None, :]) / (left + right)[None, :]
    return face_h, face_v


def _link_eps(section: CrossSection, grid: Grid, eps: np.ndarray, mixed: np.ndarray, cells: np.ndarray | None = None):
    """Effective permittivity of each link's flux region (the part of the dual cell that the link
    crosses): ``face_h`` (ny, nx - 1) for x-directed links, ``face_v`` (ny - 1, nx) for y-directed.

    Where no interface cuts the region, it is the exact height-weighted mean of the two cells
    (:func:`face_means`); where one does, the region itself is sampled and smoothed (see
    :func:`_smoothed`). On its own this converges at first order at curved and slanted
    interfaces (measured on the two-layer coax); the cells whose corners the interface separates
    are immersed elements instead (:func:`_without_cells`): the links that border one of
    ``cells`` are left as :func:`face_means` has them, for that function to set.
    """
    x, y = grid.x, grid.y
    dx, dy = np.diff(x), np.diff(y)
    ny, nx = y.size, x.size
    face_h, face_v = face_means(grid, eps)
    below = np.concatenate([[0.0], 0.5 * dy])
    above = np.concatenate([0.5 * dy, [0.0]])
    left = np.concatenate([[0.0], 0.5 * dx])
    right = np.concatenate([0.5 * dx, [0.0]])
    if not mixed.any():
        return face_h, face_v
    taken = np.zeros(mixed.shape, bool) if cells is None else cells
    m_lo = np.vstack([np.zeros((1, nx - 1), bool), mixed])
    m_hi = np.vstack([mixed, np.zeros((1, nx - 1), bool)])
    t_lo = np.vstack([np.zeros((1, nx - 1), bool), taken])
    t_hi = np.vstack([taken, np.zeros((1, nx - 1), bool)])
    jj, ii = np.nonzero((m_lo | m_hi) & ~(t_lo | t_hi))
    _, face_h[jj, ii] = _smoothed(section, x[ii], x[ii + 1], y[jj] - below[jj], y[jj] + above[jj], 0)
    m_l = np.hstack([np.zeros((ny - 1, 1), bool), mixed])
    m_r = np.hstack([mixed, np.zeros((ny - 1, 1), bool)])
    t_l = np.hstack([np.zeros((ny - 1, 1), bool), taken])
    t_r = np.hstack([taken, np.zeros((ny - 1, 1), bool)])
    jj, ii = np.nonzero((m_l | m_r) & ~(t_l | t_r))
    _, face_v[jj, ii] = _smoothed(section, x[ii] - left[ii], x[ii] + right[ii], y[jj], y[jj + 1], 1)
    return face_h, face_v


def _without_cells(section, grid, eps, mixed, cells, face_h, face_v) -> None:
    """Take the immersed ``cells``' shares out of the links they border (in place): such a link
    keeps its other cell's half, the permittivity of that half (smoothed, if an interface cuts it)
    times its share of the link's flux width; the immersed cell adds its own."""
    x, y = grid.x, grid.y
    dx, dy = np.diff(x), np.diff(y)
    ny, nx = y.size, x.size
    # x-directed links (j, i): cell (j - 1, i) below, (j, i) above
    c_lo = np.vstack([np.zeros((1, nx - 1), bool), cells])
    c_hi = np.vstack([cells, np.zeros((1, nx - 1), bool)])
    jj, ii = np.nonzero(c_lo | c_hi)
    w = np.zeros(jj.size)
    for below, taken in ((True, c_lo[jj, ii]), (False, c_hi[jj, ii])):
        cj = jj - 1 if below else jj
        ok = ~taken & (cj >= 0) & (cj < ny - 1)
        j, i, cjk = jj[ok], ii[ok], cj[ok]
        y0 = np.where(below, y[cjk] + 0.5 * dy[cjk], y[cjk])
        w[ok] += _half(section, eps, mixed, cjk, i, x[i], x[i + 1], y0, y0 + 0.5 * dy[cjk], 0) * 0.5 * dy[cjk]
        _ = j
    hy = 0.5 * (np.concatenate([[0.0], dy]) + np.concatenate([dy, [0.0]]))
    face_h[jj, ii] = w / hy[jj]
    # y-directed links (j, i): cell (j, i - 1) left, (j, i) right
    c_l = np.hstack([np.zeros((ny - 1, 1), bool), cells])
    c_r = np.hstack([cells, np.zeros((ny - 1, 1), bool)])
    jj, ii = np.nonzero(c_l | c_r)
    w = np.zeros(jj.size)
    for left, taken in ((True, c_l[jj, ii]), (False, c_r[jj, ii])):
        ci = ii - 1 if left else ii
        ok = ~taken & (ci >= 0) & (ci < nx - 1)
        j, cik = jj[ok], ci[ok]
        x0 = np.where(left, x[cik] + 0.5 * dx[cik], x[cik])
        w[ok] += _half(section, eps, mixed, j, cik, x0, x0 + 0.5 * dx[cik], y[j], y[j + 1], 1) * 0.5 * dx[cik]
    hx = 0.5 * (np.concatenate([[0.0], dx]) + np.concatenate([dx, [0.0]]))
    face_v[jj, ii] = w / hx[ii]


def _half(section, eps, mixed, cj, ci, x0, x1, y0, y1, axis) -> np.ndarray:
    """Permittivity of half-cells (boxes inside cells (cj, ci)) for a field along ``axis``."""
    out = eps[cj, ci].copy()
    m = mixed[cj, ci]
    if np.any(m):
        _, out[m] = _smoothed(section, x0[m], x1[m], y0[m], y1[m], axis)
    return out


def rasterize(section: CrossSection, grid: Grid) -> Raster:
    nx, ny = grid.nx, grid.ny
    X, Y = (
        np.meshgrid(grid.x, grid.y) if not all(isinstance(c.shape, Rect) for c in section.conductors) else (None, None)
    )
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

    frac_h, frac_v = _link_fractions(section, owner, net, grid.x, grid.y)
    eps, mixed = _cell_eps(section, grid)
    cut, cells = None, None
    if mixed.any():  # the mean over each cut cell (for display and totals)
        jj, ii = np.nonzero(mixed)
        eps[jj, ii], _ = _smoothed(section, grid.x[ii], grid.x[ii + 1], grid.y[jj], grid.y[jj + 1], 0)
        cells, links = cut_cells(section, grid, mixed, net < 0)
        if cells.any():
            cut = links
        else:
            cells = None
    # the links an immersed cell borders are set by _without_cells: not smoothed first
    face_h, face_v = _link_eps(section, grid, eps, mixed, cells)
    if cells is not None:
        _without_cells(section, grid, eps, mixed, cells, face_h, face_v)
    return Raster(
        net=net,
        owner=owner,
        eps=np.ascontiguousarray(eps),
        face_h=face_h,
        face_v=face_v,
        frac_h=frac_h.reshape(ny, nx - 1),
        frac_v=frac_v.reshape(ny - 1, nx),
        n_floating=len(section.floating),
        cut=cut,
    )
