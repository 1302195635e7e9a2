"""Where a link leaves a round conductor: in closed form for circles and rings, checked against
exact crossings and against bisection on the shape's own ``contains``."""

import math

import numpy as np

from fieldsolver.geometry.model import Circle, Ring
from fieldsolver.numerics import raster


def _bisect(shape, ax, ay, bx, by, steps=60):
    lo, hi = np.zeros(ax.shape), np.ones(ax.shape)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        inside = shape.contains(ax + mid * (bx - ax), ay + mid * (by - ay))
        lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
    return 0.5 * (lo + hi)


def test_exact_crossings():
    c = Circle(1.0, 2.0, 0.5)
    a = np.array
    # from the centre along +x, -y and a diagonal: the boundary at t = r / length
    got = raster._exit_fraction(c, a([1.0, 1.0, 1.0]), a([2.0, 2.0, 2.0]), a([2.0, 1.0, 1.3]), a([2.0, 1.2, 2.4]))
    assert np.allclose(got, [0.5, 0.5 / 0.8, 0.5 / 0.5], rtol=1e-14)
    ring = Ring(0.0, 0.0, 1.0, 2.0)
    # from x = 1.5 inward (into the hole at x = 1) and outward (past x = 2)
    got = raster._exit_fraction(ring, a([1.5, 1.5]), a([0.0, 0.0]), a([0.5, 3.5]), a([0.0, 0.0]))
    assert np.allclose(got, [0.5, 0.25], rtol=1e-14)
    # a chord of the hole is not a way out: across the ring past the hole, it leaves at the hole
    got = raster._exit_fraction(ring, a([-1.5]), a([math.sqrt(0.75)]), a([1.5]), a([math.sqrt(0.75)]))
    assert np.allclose(got, [1.0 / 3.0], rtol=1e-12)


def test_closed_form_matches_bisection():
    rng = np.random.default_rng(7)
    for shape in (Circle(0.1, -0.2, 0.5), Ring(0.0, 0.05, 0.4, 0.9)):
        n = 50_000
        ax, ay = rng.uniform(-1.2, 1.2, n), rng.uniform(-1.2, 1.2, n)
        h = rng.uniform(1e-4, 0.05, n) * np.where(rng.random(n) < 0.5, -1.0, 1.0)
        horizontal = rng.random(n) < 0.5
        bx, by = ax + np.where(horizontal, h, 0.0), ay + np.where(horizontal, 0.0, h)
        sel = shape.contains(ax, ay) & ~shape.contains(bx, by)
        assert sel.sum() > 100
        args = (ax[sel], ay[sel], bx[sel], by[sel])
        assert np.max(np.abs(raster._exit_fraction(shape, *args) - _bisect(shape, *args))) < 1e-12
