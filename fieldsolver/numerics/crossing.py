"""Where segments cross the boundaries of shapes: in closed form, for the raster's cut links and
the immersed cells' chords.

Every shape's boundary is made of straight edges (rectangles, trapezoids, polygons) and circles
(circles, rings), so the parameters ``t`` at which a segment ``p + t (q - p)``, ``0 <= t <= 1``,
meets a boundary are roots of linear and quadratic equations. :func:`first_change` takes the
candidates of every shape that decides a value (the permittivity, or inside/outside a conductor),
sorts them, and returns the first at which the value, sampled between consecutive candidates,
stops being the one at ``p``: the point the former bisections converged to, without their 40 to
48 evaluations of every shape's ``contains`` per segment. A segment whose value changes before
its first candidate (which the shapes' own ``contains`` at a rounding edge could give) falls back
to bisection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..geometry.model import Circle, Rect, Ring, Shape

BISECTIONS = 48  # halvings of a segment where no candidate explains the change (the fallback)


def circle_roots(cx, cy, r, ax, ay, dx, dy):
    """Both roots t of |a + t d - c| = r (NaN where the line misses the circle), smaller first."""
    px, py = ax - cx, ay - cy
    A = dx * dx + dy * dy
    B = px * dx + py * dy
    C = px * px + py * py - r * r
    disc = B * B - A * C
    root = np.sqrt(np.where(disc >= 0.0, disc, np.nan))
    # the numerically stable pair: q = -(B + sign(B) root), roots q / A and C / q
    q = -(B + np.copysign(root, B))
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = q / A, np.where(q != 0.0, C / q, q / A)
    return np.minimum(t1, t2), np.maximum(t1, t2)


def _edges(shape: Shape) -> np.ndarray:
    """The straight edges (k, 2, 2) of a shape's outline (finite parts only)."""
    if isinstance(shape, Rect):
        x0, x1, y0, y1 = shape.bbox()
        xs = [v for v in (x0, x1) if math.isfinite(v)]
        ys = [v for v in (y0, y1) if math.isfinite(v)]
        big = 1e300  # an infinite side: a long edge (only where a segment meets it, t is finite)
        lo_x, hi_x = (x0 if math.isfinite(x0) else -big), (x1 if math.isfinite(x1) else big)
        lo_y, hi_y = (y0 if math.isfinite(y0) else -big), (y1 if math.isfinite(y1) else big)
        out = [((x, lo_y), (x, hi_y)) for x in xs] + [((lo_x, y), (hi_x, y)) for y in ys]
        return np.asarray(out, float).reshape(-1, 2, 2)
    (outline,) = shape.outline((-math.inf, math.inf, -math.inf, math.inf))
    return np.stack([outline[:-1], outline[1:]], axis=1)


def boundary_params(shape: Shape, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Parameters t in [0, 1] (n, k) where segments p -> q (n, 2) meet the boundary of
    ``shape`` (NaN: no meeting)."""
    d = q - p
    if isinstance(shape, Circle | Ring):
        radii = (shape.r,) if isinstance(shape, Circle) else (shape.r_in, shape.r_out)
        roots = [t for r in radii for t in circle_roots(shape.cx, shape.cy, r, p[:, 0], p[:, 1], d[:, 0], d[:, 1])]
        t = np.stack(roots, axis=1)
    else:
        e = _edges(shape)  # (k, 2, 2)
        e0, ev = e[None, :, 0, :], (e[:, 1, :] - e[:, 0, :])[None, :, :]
        w = e0 - p[:, None, :]  # (n, k, 2)
        dd = d[:, None, :]
        den = dd[..., 0] * ev[..., 1] - dd[..., 1] * ev[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (w[..., 0] * ev[..., 1] - w[..., 1] * ev[..., 0]) / den
            s = (w[..., 0] * dd[..., 1] - w[..., 1] * dd[..., 0]) / den
        t = np.where((den != 0.0) & (s >= -1e-12) & (s <= 1.0 + 1e-12), t, np.nan)
    return np.where((t >= 0.0) & (t <= 1.0), t, np.nan)


def first_change(
    value: Callable[[np.ndarray, np.ndarray], np.ndarray],
    shapes: Sequence[Shape],
    p: np.ndarray,
    q: np.ndarray,
    start: np.ndarray,
) -> np.ndarray:
    """Parameters t (n,) where ``value(x, y)`` along segments p -> q (n, 2) first stops being
    ``start`` (n,), the value on the segments' first stretch; ``shapes``: every shape whose
    boundary can change the value. A segment on which the value does not change gets 1; one
    whose change no candidate explains (e.g. no ``shapes`` given) is bisected."""
    n = p.shape[0]
    if n == 0:
        return np.zeros(0)
    cand = [boundary_params(s, p, q) for s in shapes]
    t = np.sort(np.concatenate([np.zeros((n, 1)), *cand, np.ones((n, 1))], axis=1), axis=1)  # NaN last
    t = np.where(np.isnan(t), 1.0, t)
    d = q - p
    out = np.full(n, np.nan)
    ok = np.ones(n, bool)  # every stretch so far had the start value
    for j in range(t.shape[1] - 1):
        todo = np.nonzero(np.isnan(out) & ok & (t[:, j + 1] > t[:, j]))[0]
        if todo.size == 0:
            continue
        mid = 0.5 * (t[todo, j] + t[todo, j + 1])
        same = value(p[todo, 0] + mid * d[todo, 0], p[todo, 1] + mid * d[todo, 1]) == start[todo]
        if j == 0:
            ok[todo[~same]] = False  # changes before any boundary: not explained, bisect below
        else:
            out[todo[~same]] = t[todo[~same], j]
    rest = np.nonzero(np.isnan(out) & ok)[0]  # no change found: none, or one no candidate explains
    ok[rest] = value(q[rest, 0], q[rest, 1]) == start[rest]
    bad = np.isnan(out) & ~ok
    out[np.isnan(out)] = 1.0
    if np.any(bad):
        out[bad] = _bisect(value, p[bad], q[bad], start[bad])
    return out


def _bisect(value, p: np.ndarray, q: np.ndarray, start: np.ndarray) -> np.ndarray:
    lo, hi = np.zeros(p.shape[0]), np.ones(p.shape[0])
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        pt = p + mid[:, None] * (q - p)
        same = value(pt[:, 0], pt[:, 1]) == start
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    return 0.5 * (lo + hi)
