"""Where segments cross shape boundaries, in closed form (numerics.crossing): against crossings
worked out by hand and against bisection on the shapes' own ``contains``."""

import math

import numpy as np

from fieldsolver.geometry.model import Polygon, Rect, Ring, Trapezoid
from fieldsolver.numerics import raster
from fieldsolver.numerics.crossing import boundary_params, first_change


def _bisect(value, p, q, start, steps=60):
    lo, hi = np.zeros(p.shape[0]), np.ones(p.shape[0])
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        pt = p + mid[:, None] * (q - p)
        same = value(pt[:, 0], pt[:, 1]) == start
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def test_slanted_side_crossed_where_worked_out_by_hand():
    # a trapezoid 0..4 at y = 0, 1..3 at y = 2: its left side is x = y / 2
    trap = Trapezoid(0.0, 4.0, 1.0, 3.0, 0.0, 2.0)
    a = np.array
    # from (1, 1) leftward to (0, 1): leaves at x = 0.5, t = 0.5; upward from (0.8, 1) to
    # (0.8, 3): the side at y = 1.6, t = 0.3
    got = raster._exit_fraction(trap, a([1.0, 0.8]), a([1.0, 1.0]), a([0.0, 0.8]), a([1.0, 3.0]))
    assert np.allclose(got, [0.5, 0.3], rtol=1e-14)


def test_polygon_and_circle_parameters():
    tri = Polygon(((0.0, 0.0), (2.0, 0.0), (0.0, 2.0)))
    p, q = np.array([[0.5, 0.5], [-1.0, 1.0]]), np.array([[2.0, 2.0], [3.0, 1.0]])
    t = np.sort(boundary_params(tri, p, q), axis=1)
    # the first leaves through the hypotenuse x + y = 2 at (1, 1): t = 1/3; the second enters at
    # x = 0 (t = 1/4) and leaves at x = 1 (t = 1/2)
    assert math.isclose(t[0, 0], 1.0 / 3.0, rel_tol=1e-14) and np.isnan(t[0, 1:]).all()
    assert np.allclose(t[1, :2], [0.25, 0.5], rtol=1e-14)
    ring = Ring(0.0, 0.0, 1.0, 2.0)
    t = np.sort(boundary_params(ring, np.array([[-3.0, 0.0]]), np.array([[3.0, 0.0]])), axis=1)
    assert np.allclose(t[0], [1 / 6, 2 / 6, 4 / 6, 5 / 6], rtol=1e-14)


def test_first_change_in_a_stack_of_dielectrics_matches_bisection():
    # later dielectrics painted over earlier ones, as the raster does
    shapes = [
        Rect(-math.inf, math.inf, -1.0, 0.0),
        Trapezoid(-0.6, 0.6, -0.3, 0.3, 0.0, 0.4),
        Ring(0.2, 0.1, 0.3, 0.5),
        Polygon(((-0.9, -0.5), (-0.2, -0.8), (-0.4, 0.5))),
    ]
    ers = [4.0, 3.0, 2.5, 6.0]

    def perm(x, y):
        e = np.ones(np.broadcast(x, y).shape)
        for s, er in zip(shapes, ers, strict=True):
            e = np.where(s.contains(x, y), er, e)
        return e

    rng = np.random.default_rng(3)
    n = 20_000
    p = rng.uniform(-1.2, 1.2, (n, 2))
    q = p + rng.uniform(-0.1, 0.1, (n, 2))
    start = perm(p[:, 0], p[:, 1])
    # segments whose value changes once (where the bisection has one answer)
    ts = np.linspace(0.0, 1.0, 65)
    along = perm(p[:, 0, None] + ts * (q - p)[:, 0, None], p[:, 1, None] + ts * (q - p)[:, 1, None])
    once = (np.count_nonzero(np.diff(along, axis=1) != 0, axis=1) == 1) & (along[:, -1] != start)
    assert once.sum() > 500
    got = first_change(perm, shapes, p[once], q[once], start[once])
    ref = _bisect(perm, p[once], q[once], start[once])
    # the bisection's answer to its own resolution; a segment that grazes a circle has its
    # crossing ill-conditioned (a double root: sqrt of the rounding, about 1e-8)
    assert np.quantile(np.abs(got - ref), 0.99) < 1e-12
    assert np.max(np.abs(got - ref)) < 1e-7
