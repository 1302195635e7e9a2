"""Non-uniform rectilinear grid: lines through every edge, graded toward edges, stretched outward.

Spacing model (per axis). Every finite edge coordinate of every shape is a *key*; grid lines pass
through each key exactly. The target spacing at a point ``x`` is

    s(x) = min( min_k [h_k + (g - 1) |x - k|],  cap(x) )

where ``h_k`` is the spacing wanted at key ``k`` (a fraction of the local feature size: the
distance to the nearest other key, and for conductor keys also the shape's size in the other
axis, so that cells at a conductor corner, where the field is singular, are square), ``g`` is the
largest ratio of neighbouring cells, and ``cap`` limits the spacing between two keys to
``interval / cells_per_feature`` (and over a curved shape's extent, to its finest feature, but
not below a fraction of the shape's own size: see ``CURVED_FLOOR``). Lines are placed so that
``integral dx / s(x)`` is the same between consecutive lines.

The keys are those of :mod:`.keys`: near-coincident edges of one shape (an undercut of 0.1 um,
polygon vertices a rounding apart) merge into one line, a polygon's smooth vertices get none, and
a narrow gap between two conductors stays a feature. Where a circle or ring faces another
conductor across a gap ``g``, the other axis is also refined to ``sqrt(2 r g) / cells_per_feature``
at the circle's centre, the width over which the gap's field is concentrated. So the node count
grows with the logarithm of a gap, not with its inverse; ``Grid.finest`` names the feature that
sets the finest cells, for the message when a grid is over its budget.

The domain is the user's box, or for an ``open`` boundary the structure's extent padded by
``open_factor`` times its size on every side, except where an infinite ground plane or an
enclosing grounded ring already bounds the field: the domain stops there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..geometry.model import CrossSection, InputError, Rect, Ring
from .keys import AxisKeys, axis_keys, check_resolution, finest_feature, own_mask, own_spacing, shape_keys

# the cap over a curved or slanted shape (module doc) is not below CURVED_FLOOR of the shape's own
# feature size (its smallest gap between keys), nor below EXTENT_FLOOR of its extent: the small
# features of other shapes inside it, or a tiny gap of its own (a 1 um undercut), are resolved by
# grading toward their keys, not by fine cells all across the shape. The shipped geometries and
# templates sit at or above 0.15 and 0.0208 of these, so neither floor changes their grids.
CURVED_FLOOR = 0.1
EXTENT_FLOOR = 0.02


@dataclass(frozen=True)
class MeshOptions:
    """Resolution controls. ``density`` scales every spacing (2.0 halves all cells)."""

    density: float = 1.0
    cells_per_feature: float = 10.0
    # spacing at a conductor corner = smallest feature / (cells_per_feature * refinement): strong
    # at the edge of a zero-thickness strip (field ~ r^-1/2), milder at a corner of a conductor
    # with thickness (field ~ r^-1/3 at a right angle)
    edge_refinement: float = 50.0
    corner_refinement: float = 5.0
    growth: float = 1.1  # ratio of neighbouring cells' sizes away from an edge (the grading)
    open_factor: float = 60.0  # open sides: the grounded outer boundary this many structure sizes away

    def __post_init__(self) -> None:
        limits = {
            "density": (0.0, math.inf),
            "cells_per_feature": (0.0, math.inf),
            "edge_refinement": (0.0, math.inf),
            "corner_refinement": (0.0, math.inf),
            "growth": (1.0, 2.0),
            "open_factor": (0.0, 1e4),
        }
        for name, (lo, hi) in limits.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not (lo < v <= hi):
                raise InputError(f"mesh option {name} must be a number above {lo:g} and at most {hi:g}, got {v!r}")


@dataclass(frozen=True)
class Grid:
    x: np.ndarray
    y: np.ndarray
    # which sides of the domain are the outer (grounded) boundary placed by the solver, for the
    # report: a side bounded by a ground plane or shield is not "open"
    domain: tuple[float, float, float, float]
    open_sides: tuple[bool, bool, bool, bool]

    # what sets the finest cells (a gap, a small feature), for a message when the grid is too big
    finest: str = ""

    @property
    def finest_note(self) -> str:
        """What the finest cells resolve, for a message: " (its finest cells resolve ...)"."""
        return f" (its finest cells resolve {self.finest})" if self.finest else ""

    @property
    def nx(self) -> int:
        return self.x.size

    @property
    def ny(self) -> int:
        return self.y.size

    @property
    def nodes(self) -> int:
        return self.nx * self.ny


def _full_span_planes(section: CrossSection, axis: int) -> list[Rect]:
    """Ground rectangles infinite in both directions along ``axis`` (0: spans all x)."""
    out = []
    for c in section.grounds:
        s = c.shape
        if isinstance(s, Rect):
            lo, hi = (s.x0, s.x1) if axis == 0 else (s.y0, s.y1)
            if lo == -math.inf and hi == math.inf:
                out.append(s)
    return out


def domain_of(section: CrossSection, open_factor: float):
    """Domain bounds and which of its sides are open: (x0, x1, y0, y1), (x0, x1, y0, y1 open?)."""
    b = section.boundary
    if b.kind == "box":
        assert b.box is not None
        return b.box, (False, False, False, False)
    sig = [c.shape.bbox() for c in section.signals]
    sx0, sx1 = min(s[0] for s in sig), max(s[1] for s in sig)
    sy0, sy1 = min(s[2] for s in sig), max(s[3] for s in sig)
    lim = [-math.inf, math.inf, -math.inf, math.inf]
    # a grounded ring around every signal bounds the field
    for c in section.grounds:
        s = c.shape
        if isinstance(s, Ring):
            corners = [(x, y) for x in (sx0, sx1) for y in (sy0, sy1)]
            if all(np.hypot(x - s.cx, y - s.cy) < s.r_in for x, y in corners):
                r = s.r_in  # the box around the inner surface; its corners lie inside the ring
                return (s.cx - r, s.cx + r, s.cy - r, s.cy + r), (False, False, False, False)
    # infinite ground planes below/above (left/right of) every signal bound the field
    for p in _full_span_planes(section, 0):
        if p.y1 <= sy0:
            lim[2] = max(lim[2], p.y1)
        elif p.y0 >= sy1:
            lim[3] = min(lim[3], p.y0)
    for p in _full_span_planes(section, 1):
        if p.x1 <= sx0:
            lim[0] = max(lim[0], p.x1)
        elif p.x0 >= sx1:
            lim[1] = min(lim[1], p.x0)
    # extent of the structure inside those limits
    xs = [sx0, sx1] + [v for c in section.conductors for v in c.shape.key_x()]
    ys = [sy0, sy1] + [v for c in section.conductors for v in c.shape.key_y()]
    xs += [v for d in section.dielectrics for v in d.shape.key_x()]
    ys += [v for d in section.dielectrics for v in d.shape.key_y()]
    xs = [v for v in xs if lim[0] <= v <= lim[1]]
    ys = [v for v in ys if lim[2] <= v <= lim[3]]
    ex = (min(xs), max(xs), min(ys), max(ys))
    size = max(ex[1] - ex[0], ex[3] - ex[2])
    pad = open_factor * size
    dom = (
        lim[0] if math.isfinite(lim[0]) else ex[0] - pad,
        lim[1] if math.isfinite(lim[1]) else ex[1] + pad,
        lim[2] if math.isfinite(lim[2]) else ex[2] - pad,
        lim[3] if math.isfinite(lim[3]) else ex[3] + pad,
    )
    return dom, tuple(not math.isfinite(v) for v in lim)


def _keys(shapes, axis: int, lo: float, hi: float, tol: float) -> np.ndarray:
    """Sorted keys of ``shapes`` on one axis inside [lo, hi], closer ones than ``tol`` merged."""
    raw = sorted(k for s in shapes for k in shape_keys(s, axis) if lo - tol <= k <= hi + tol)
    keys: list[float] = []
    for k in raw:
        if not keys or k - keys[-1] > tol:
            keys.append(min(max(k, lo), hi))
    return np.asarray(keys)


def _feature_sizes(keys: np.ndarray, walls: list[float], fallback: float) -> np.ndarray:
    """Per key: distance to the nearest other key or wall."""
    feat = np.unique(np.concatenate([keys, walls]))
    if feat.size < 2:
        return np.full(keys.shape, fallback)
    gaps = np.diff(feat)
    lfs = np.minimum(np.concatenate([[np.inf], gaps]), np.concatenate([gaps, [np.inf]]))
    return np.interp(keys, feat, lfs)


def _curved_caps(section: CrossSection, axis: int, keys: np.ndarray, lfs: np.ndarray, cpf: float):
    """Per curved shape, its extent and the spacing cap over it: the smallest feature of the keys
    in its extent, but not below ``CURVED_FLOOR`` times the shape's own feature size."""
    caps = []
    for shape in [c.shape for c in section.conductors] + [d.shape for d in section.dielectrics]:
        if not shape.curved:
            continue
        b = shape.bbox()
        a0, a1 = (b[0], b[1]) if axis == 0 else (b[2], b[3])
        sel = (keys >= a0 - 1e-12 * (a1 - a0)) & (keys <= a1 + 1e-12 * (a1 - a0))
        if np.any(sel):
            floor = max(CURVED_FLOOR * own_spacing(shape_keys(shape, axis)), EXTENT_FLOOR * (a1 - a0))
            caps.append((a0, a1, max(float(np.min(lfs[sel])), floor) / cpf))
    return caps


def _spacing(x: np.ndarray, keys: np.ndarray, h_key: np.ndarray, caps, growth: float) -> np.ndarray:
    """The target spacing of the module doc at points ``x``."""
    s = np.min(h_key[None, :] + (growth - 1.0) * np.abs(x[:, None] - keys[None, :]), axis=1)
    for a, b, h in caps:
        s = np.where((x >= a) & (x <= b), np.minimum(s, h), s)
    return s


def _with_interfaces(section, axis, keys, h_key, caps, growth, lo, hi, tol):
    """Add the dielectric interfaces to the conductor keys.

    Conductor edges and walls set the spacing (the field is singular at conductor corners);
    dielectric interfaces only get grid lines through them, with the spacing already there, so
    that their cells are exact. An interface closer than a quarter cell to a line already there
    is not given its own: the cells it cuts take the area-weighted permittivity (see raster).
    """
    extra = _keys([d.shape for d in section.dielectrics], axis, lo, hi, tol)
    if not extra.size:
        return keys, h_key
    s = _spacing(extra, keys, h_key, caps, growth) if keys.size else np.full(extra.shape, (hi - lo) / 10)
    ks, hs = list(keys), list(h_key)
    for k, h in zip(extra, s, strict=True):
        if not ks or np.min(np.abs(np.asarray(ks) - k)) > 0.25 * h:
            ks.append(k)
            hs.append(h)
    order = np.argsort(ks)
    return np.asarray(ks)[order], np.asarray(hs)[order]


def axis_lines(
    keys: np.ndarray,
    h_key: np.ndarray,
    lo: float,
    hi: float,
    caps: list[tuple[float, float, float]],
    growth: float,
    open_ends: tuple[bool, bool] = (False, False),
) -> np.ndarray:
    """Grid lines on [lo, hi] through every key, following the spacing model in the module doc.

    Toward an open end the lines march outward from the outermost key, each cell the model's
    spacing at its inner line, so the grid near the structure does not depend on how far away
    the open boundary is (only cells are added or removed at the far end).
    """

    def spacing(x: np.ndarray) -> np.ndarray:
        return _spacing(x, keys, h_key, caps, growth)

    def march(start: float, end: float) -> np.ndarray:
        step = 1.0 if end > start else -1.0
        if all(step * (b - start if step > 0 else a - start) <= 0 for a, b, _ in caps):
            return _march_geometric(start, end, step, float(spacing(np.array([start]))[0]))
        pts = [start]  # a curved shape's cap reaches past the outermost key: line by line
        while True:
            h = float(spacing(np.array([pts[-1]]))[0])
            nxt = pts[-1] + step * h
            if step * (end - nxt) < 0.5 * h:
                pts.append(end)
                return np.asarray(pts)
            pts.append(nxt)

    def _march_geometric(start: float, end: float, step: float, h0: float) -> np.ndarray:
        """The lines of ``march`` in closed form. Beyond the outermost key every key's term of the
        spacing grows by (growth - 1) per unit of distance, so the spacing at distance d past
        ``start`` is H0 + (growth - 1) d (H0: the uncapped spacing at start; the first cell is
        ``h0``, the spacing at start), and the distances follow d[n+1] = growth d[n] + H0: a
        geometric series, d[n] + c = (h0 + c) growth^(n-1) with c = H0 / (growth - 1)."""
        H0 = float(np.min(h_key + (growth - 1.0) * np.abs(start - keys)))
        D = step * (end - start)
        if growth > 1.0:
            c = H0 / (growth - 1.0)
            n = math.ceil(math.log(max((D + c) / (h0 + c), 1.0)) / math.log(growth)) + 2
            d = np.concatenate([[0.0], (h0 + c) * growth ** np.arange(n) - c])
        else:
            n = math.ceil(max(D - h0, 0.0) / H0) + 2
            d = np.concatenate([[0.0], h0 + H0 * np.arange(n)])
        h = np.diff(d)  # the spacing at each line, the step to the next
        # the last line kept: the first from which the next step would land within half a cell of end
        last = int(np.argmax(D - d[1:] < 0.5 * h))
        return np.concatenate([start + step * d[: last + 1], [end]])

    ends = np.unique(np.concatenate([[lo, hi], keys]))
    pieces: list[np.ndarray | None] = [None] * (len(ends) - 1)
    inner = []  # the intervals between keys (or a key and a wall): placed together below
    for i, (a, b) in enumerate(pairwise(ends)):
        if keys.size and i == 0 and open_ends[0] and a < keys[0]:
            pieces[i] = march(b, a)[::-1][1:]
        elif keys.size and i == len(ends) - 2 and open_ends[1] and b > keys[-1]:
            pieces[i] = march(a, b)[1:]
        else:
            inner.append(i)
    if inner:
        for i, pts in zip(
            inner, _between(ends[inner], ends[np.asarray(inner) + 1], float(np.min(h_key)), spacing), strict=True
        ):
            pieces[i] = pts[1:]
    return np.concatenate([ends[:1], *pieces])


def _between(a: np.ndarray, b: np.ndarray, hmin: float, spacing) -> list[np.ndarray]:
    """The lines of each interval [a_i, b_i] (ends included): ``integral dx / s(x)`` over the
    interval, by the trapezoid rule on samples graded toward both ends (300 geometric from each,
    300 uniform), split into the fewest whole cells of equal integral. All intervals at once."""
    length = b - a
    eps = np.minimum(hmin, length) / 50.0
    geo = np.geomspace(eps, length, 300, axis=1)  # (intervals, 300)
    uni = np.linspace(a, b, 300, axis=1)
    xs = np.concatenate([a[:, None] + geo, b[:, None] - geo, uni, a[:, None], b[:, None]], axis=1)
    xs = np.sort(xs, axis=1)
    inside = (xs >= a[:, None]) & (xs <= b[:, None])
    keep = inside & np.concatenate([np.ones((len(a), 1), bool), np.diff(xs, axis=1) != 0], axis=1)
    rows, _ = np.nonzero(keep)
    flat = xs[keep]
    inv = 1.0 / spacing(flat)
    step = 0.5 * (inv[1:] + inv[:-1]) * np.diff(flat)
    step[rows[1:] != rows[:-1]] = 0.0  # no integral across two intervals
    starts = np.searchsorted(rows, np.arange(len(a)))
    stops = np.append(starts[1:], rows.size)
    out = []
    for k, (i0, i1) in enumerate(zip(starts, stops, strict=True)):
        cum = np.concatenate([[0.0], np.cumsum(step[i0 : i1 - 1])])
        n = max(1, math.ceil(cum[-1] - 1e-6))
        pts = np.interp(np.linspace(0.0, cum[-1], n + 1), cum, flat[i0:i1])
        pts[0], pts[-1] = a[k], b[k]
        out.append(pts)
    return out


def make_grid(section: CrossSection, options: MeshOptions | None = None) -> Grid:
    o = options or MeshOptions()
    cpf = o.cells_per_feature * o.density
    growth = 1.0 + (o.growth - 1.0) / o.density
    dom, open_sides = domain_of(section, o.open_factor)
    bounds = ((dom[0], dom[1]), (dom[2], dom[3]))
    tols = [1e-9 * (hi - lo) for lo, hi in bounds]
    merged: list[AxisKeys] = []
    keys, lfs, walls = [], [], []
    for axis, (lo, hi) in enumerate(bounds):
        # a domain end is a feature only where it is a physical wall, not an open side
        w = [v for v, is_open in zip((lo, hi), open_sides[2 * axis : 2 * axis + 2], strict=True) if not is_open]
        merged.append(axis_keys(section, axis, lo, hi, tols[axis]))
        keys.append(merged[-1].values)
        walls.append(w)
        lfs.append(_feature_sizes(keys[-1], w, (hi - lo) / o.open_factor))
    # at a conductor with corners, the spacing in both axes follows its smallest feature in
    # either axis, so that cells at the (singular) corner are square and fine
    h_key = [f / cpf for f in lfs]
    for i, c in enumerate(section.conductors):
        s = c.shape
        if not s.cornered:
            continue
        own = [own_mask(merged[a], i, shape_keys(s, a)) for a in (0, 1)]
        if not (own[0].any() and own[1].any()):
            continue
        smallest = min(float(np.min(lfs[0][own[0]])), float(np.min(lfs[1][own[1]])))
        b = s.bbox()
        thin = b[0] == b[1] or b[2] == b[3]
        corner = smallest / (cpf * (o.edge_refinement if thin else o.corner_refinement))
        for axis in (0, 1):
            h_key[axis] = np.where(own[axis], np.minimum(h_key[axis], corner), h_key[axis])
    for axis in (0, 1):  # a round conductor near another: resolve the width of the gap's field
        for i, centre, width in merged[axis].contacts:
            j = merged[1 - axis].raw_cluster.get((i, centre))
            if j is not None:
                h_key[1 - axis][j] = min(h_key[1 - axis][j], width / cpf)
    lines = []
    for axis, (lo, hi) in enumerate(bounds):
        feat = np.unique(np.concatenate([keys[axis], walls[axis]]))
        caps = [(a, b, (b - a) / cpf) for a, b in pairwise(feat)]
        caps += _curved_caps(section, axis, keys[axis], lfs[axis], cpf)
        k, h = _with_interfaces(section, axis, keys[axis], h_key[axis], caps, growth, lo, hi, tols[axis])
        ends_open = (open_sides[2 * axis], open_sides[2 * axis + 1])
        lines.append(axis_lines(k, h, lo, hi, caps, growth, ends_open))
    finest = finest_feature(section, merged, lfs)
    check_resolution(section, merged, lines, finest, 1e-9 * max(dom[1] - dom[0], dom[3] - dom[2]), any(open_sides))
    return Grid(x=lines[0], y=lines[1], domain=dom, open_sides=open_sides, finest=finest)


def resample(values: np.ndarray, src: Grid, dst: Grid) -> np.ndarray:
    """Node values ``(..., src.ny, src.nx)`` interpolated bilinearly onto the nodes of ``dst``
    (constant beyond the edges of ``src``)."""

    def axis(old: np.ndarray, new: np.ndarray):
        k = np.clip(np.searchsorted(old, new, side="right") - 1, 0, old.size - 2)
        t = np.clip((new - old[k]) / (old[k + 1] - old[k]), 0.0, 1.0)
        return k, t

    kx, tx = axis(src.x, dst.x)
    ky, ty = axis(src.y, dst.y)
    rows = values[..., ky, :] * (1.0 - ty)[:, None] + values[..., ky + 1, :] * ty[:, None]
    return rows[..., kx] * (1.0 - tx) + rows[..., kx + 1] * tx
