"""R(f), L(f) of slanted and polygon conductor faces above the frequency the magnetic grid resolves
their skin: the flat-face surface impedance times Wheeler's ``(1 / mu0) dL/dn``
(:func:`fieldsolver.physics.surface.face_matrices`), blended with the grid below."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import fieldsolver
from fieldsolver.constants import MU0
from fieldsolver.geometry.model import Conductor, CrossSection, Polygon, Rect, Ring
from fieldsolver.geometry.roughness import FaceRoughness, HammerstadJensen
from fieldsolver.physics import loss, surface

CU = 5.8e7
SIDE, SHIELD = 0.2e-3, 2e-3  # a square conductor in a round shield ten times its side


def _rs(f):
    return np.sqrt(np.pi * np.asarray(f) * MU0 / CU)


def _square(angle: float | None) -> CrossSection:
    """A copper square of side SIDE (a Rect when ``angle`` is None, else a polygon rotated by
    ``angle``) in a perfect round shield."""
    if angle is None:
        shape = Rect(-SIDE / 2, SIDE / 2, -SIDE / 2, SIDE / 2)
    else:
        c, s = math.cos(angle), math.sin(angle)
        corners = ((-1, -1), (1, -1), (1, 1), (-1, 1))
        shape = Polygon(tuple((SIDE / 2 * (x * c - y * s), SIDE / 2 * (x * s + y * c)) for x, y in corners))
    inner = Conductor("in", shape, "signal", sigma=CU)
    return CrossSection(
        conductors=(inner, Conductor("sh", Ring(0, 0, SHIELD, 1.1 * SHIELD), sigma=math.inf))
    ).validate()


def _series(sec, f):
    r = fieldsolver.solve(sec)
    return loss.series_impedance(sec, np.asarray(f, float), r.inductance, vacuum=(r.solution, r.capacitance_vacuum))


F_SQUARE = np.array([1e10, 1e11])


@pytest.fixture(scope="module")
def diamond():
    """R (2,) of the square rotated by 45 degrees at F_SQUARE, and the notes."""
    R, _, notes, _, _ = _series(_square(math.pi / 4), F_SQUARE)
    return R[:, 0, 0], notes


@pytest.mark.parametrize("angle", [0.0, pytest.param(math.pi / 6, marks=pytest.mark.slow), math.pi / 4])
def test_a_square_in_a_coax_has_wheelers_exact_skin_limit_resistance_at_any_rotation(angle, diamond):
    # Wheeler's rule R = (Rs / mu0) dL/dn is exact for a smooth surface impedance. A square of side
    # s far inside a round shield (radius b = 10 s) has L = (mu0 / 2 pi) ln(b / 0.5902 s) up to
    # terms of order (s / b)^4; receding its faces by n keeps it a square of side s - 2n, so
    # dL/dn = mu0 / (pi s) and R = Rs / (pi s), whatever the square's rotation on the grid.
    # Measured at 1e10 and 1e11 Hz: -0.04 % (axis-aligned), +0.12 % (30 deg), -0.04 % (45 deg)
    if angle == math.pi / 4:
        R, notes = diamond
    else:
        R, _, notes, _, _ = _series(_square(angle), F_SQUARE)
        R = R[:, 0, 0]
    assert np.allclose(R, _rs(F_SQUARE) / (np.pi * SIDE), rtol=0.005)
    assert any("flat-face surface impedance" in n for n in notes)
    assert not any("treat them as estimates" in n for n in notes)


def test_a_diamond_matches_the_axis_aligned_square_on_the_grid(diamond):
    # the square as a Rect is resolved on the magnetic grid at every frequency, the diamond is a
    # surface above the crossover: rotating an isolated conductor leaves its R unchanged, so they
    # differ by the methods' errors. Measured: the grid's square is 2.5 % (10 GHz) and 1.6 %
    # (100 GHz) below Rs / (pi s), the flat-face impedance's overestimate at sharp corners
    # (Wheeler's rule holds for smooth surfaces) plus the grid's error at its default density
    square = _series(_square(None), F_SQUARE).R[:, 0, 0]
    assert np.all(np.abs(diamond[0] / square - 1) < 0.03)


def _etched(w_top: float, **kw) -> CrossSection:
    return fieldsolver.template("microstrip", w=0.3, w_top=w_top, h=0.2, t=0.035, tg=0.035, er=1.0, **kw)


F_GHZ = np.array([1e9, 1e10, 1e11])


@pytest.fixture(scope="module")
def tiny_slant():
    """R, L (3,) at 1, 10, 100 GHz of the microstrip with 1 um of slant over 35 um, and of the
    rectangle (resolved on the grid at every frequency); then R's error bar of each."""
    slant = fieldsolver.solve(_etched(0.298), freq=F_GHZ).rlgc
    rect = fieldsolver.solve(_etched(0.3), freq=F_GHZ).rlgc
    bars = (slant.uncertainty["R"][:, 0, 0], rect.uncertainty["R"][:, 0, 0])
    return slant.R[:, 0, 0], slant.L[:, 0, 0], rect.R[:, 0, 0], rect.L[:, 0, 0], *bars


def test_a_trapezoid_with_a_tiny_slant_is_within_3_percent_of_the_rectangle(tiny_slant):
    # measured +2.6, +2.6, +1.9 % at 1, 10, 100 GHz: the rectangle's grid is 0.8, 0.9, 0.5 % below
    # its own value at 8 times the density (it converges at about second order: steps 0.6, 0.2,
    # 0.05 %), and Wheeler's rule is 1.7, 1.7, 1.4 % above that (its sharp-corner excess); L
    # within 0.15 %
    R, L, R_rect, L_rect, _, _ = tiny_slant
    assert np.all(np.abs(R / R_rect - 1) < 0.03)
    assert np.allclose(L, L_rect, rtol=0.005)


@pytest.mark.xfail(strict=True, reason="Wheeler's rule overestimates sharp corners' loss: +1.9 to +2.8 % at 1-100 GHz")
def test_a_trapezoid_with_a_tiny_slant_meets_the_1_percent_target_against_the_rectangle(tiny_slant):
    R, _, R_rect, _, _, _ = tiny_slant
    assert np.all(np.abs(R / R_rect - 1) < 0.01)


def test_the_error_bars_of_a_trapezoid_and_the_rectangle_cover_their_difference(tiny_slant):
    # the two lines differ by 1 um of slant (their true R within about 0.3 %: the slant's share of
    # the perimeter), so their difference is their two errors: Wheeler's rule at the trapezoid's
    # corners and the rectangle's grid; the bars must hold it
    R, _, R_rect, _, bar, bar_rect = tiny_slant
    assert np.all(np.abs(R - R_rect) <= bar + bar_rect)


def _receded(n: float) -> dict:
    """The etched microstrip (w 0.3, w_top 0.27 mm) with every conductor surface receded by n mm:
    the sides (slope u / t) move n along their normal."""
    w, w_top, t, h = 0.3, 0.27, 0.035, 0.2
    u = (w - w_top) / 2
    s = math.hypot(t, u) / t
    return dict(w=w - 2 * n * (u / t + s), w_top=w_top + 2 * n * (u / t - s), t=t - 2 * n, h=h + 2 * n)


@pytest.mark.slow
def test_an_etched_microstrip_matches_wheelers_rule_from_separate_solves():
    # Wheeler's rule with dL/dn from separate static solves (each its own grid, tol 1e-6) of the
    # line with every surface receded by +-2 and +-4 um (Richardson-combined), as
    # validation.loss.wheeler does for rectangles. Measured +0.25 % (10 GHz), +0.35 % (100 GHz)
    def inductance(n):
        p = dict(tg=0.035, er=1.0, **_receded(n))
        return fieldsolver.solve(fieldsolver.template("microstrip", **p), tol=1e-6).inductance[0, 0]

    d1, d2 = ((inductance(n) - inductance(-n)) / (2 * n * 1e-3) for n in (2e-3, 4e-3))
    wheeler = _rs([1e10, 1e11]) / MU0 * (4 * d1 - d2) / 3
    R = fieldsolver.solve(_etched(0.27), freq=[1e10, 1e11]).rlgc.R[:, 0, 0]
    assert np.allclose(R, wheeler, rtol=0.01)


def test_an_etched_microstrip_is_continuous_through_the_hand_over():
    f = np.geomspace(1e6, 1e11, 41)
    x_sec = _etched(0.27)
    x = fieldsolver.solve(x_sec, freq=f).rlgc
    R, L = x.R[:, 0, 0], x.L[:, 0, 0]
    assert np.all(np.diff(R) > 0) and np.all(np.diff(L) < 0)
    # no step larger than the smooth neighbours' (log-log slopes change slowly) ...
    slope = np.diff(np.log(R)) / np.diff(np.log(f))
    assert np.max(np.abs(np.diff(slope))) < 0.1
    # ... and, in the band where grid and surfaces blend, no point off its neighbours' (log) mean by more than
    # the error bars there (measured: at most 3.2e-3 in R against bars up to 4.8e-3; 3.3e-4 in L
    # against 1.7e-3)
    lossy = [c.name == "sig" for c in x_sec.conductors]
    f_hi = loss.SURFACE_BLEND * surface.flat_from(x_sec, surface.polygon_surfaces(x_sec, lossy))
    band = (f[1:-1] >= f_hi / loss.SURFACE_BLEND) & (f[1:-1] <= f_hi)
    assert band.sum() >= 4
    assert x.uncertainty is not None
    for v, bar in ((R, x.uncertainty["R"][:, 0, 0]), (L, x.uncertainty["L"][:, 0, 0])):
        off = np.abs(np.log(v[1:-1]) - 0.5 * (np.log(v[:-2]) + np.log(v[2:])))
        assert np.max(off[band]) < np.max(bar[1:-1][band] / v[1:-1][band])


def test_the_faces_shares_add_up_and_carry_their_own_roughness():
    sec = _etched(0.27)
    i = [c.name for c in sec.conductors].index("sig")
    lossy = [c.name == "sig" for c in sec.conductors]
    r = fieldsolver.solve(sec)
    whole = surface.face_matrices(r.solution, surface.polygon_surfaces(sec, lossy))[0]
    sides_rough = FaceRoughness(sides=HammerstadJensen(1e-6))
    per_face = replace(
        sec, conductors=tuple(replace(c, roughness=sides_rough) if k == i else c for k, c in enumerate(sec.conductors))
    )
    parts = surface.polygon_surfaces(per_face, lossy)
    assert sorted(p.faces for p in parts) == [(0,), (1,), (2,)]
    G = surface.face_matrices(r.solution, parts)
    # the recession of all faces is the sum of each face's (to first order in n); measured
    # -0.06 %, while single recession steps on this grid scatter by about 1 %
    assert np.allclose(sum(G), whole, rtol=0.01)
    # the bottom (facing the ground) carries the largest share
    # (measured: bottom 53 %, the two sides with their crowded corners 36 %, top 12 %)
    share = {p.faces[0]: g[0, 0] / whole[0, 0] for p, g in zip(parts, G, strict=True)}
    assert share[1] == max(share.values()) and min(share.values()) > 0.05
    # only the sides are rough: R - R_smooth is (K - 1) Rs G_sides above the hand-over
    f = np.array([1e10])
    s = loss.series_impedance(per_face, f, r.inductance, vacuum=(r.solution, r.capacitance_vacuum))
    K = HammerstadJensen(1e-6).factor(f, CU)
    sides = next(g for p, g in zip(parts, G, strict=True) if p.faces == (2,))
    assert (s.R - s.R_smooth)[0, 0, 0] == pytest.approx((K[0] - 1) * _rs(f)[0] * sides[0, 0], rel=1e-9)
