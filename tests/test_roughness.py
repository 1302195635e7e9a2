"""Roughness in the loss solve: the internal reactance it adds next to the loss.

References: the rough surface impedance ``(K + j Kx) Rs`` of :mod:`fieldsolver.geometry.roughness`
(Bracken's causal Huray model, DesignCon 2012; the causal Hammerstad model of Dmitriev-Zdorov,
Simonovich and Kochikov, Signal Integrity Journal 2018) on the coax's exact internal impedance
(Schelkunoff, 1934), and the passivity of an RL line: its L(f) = X/w never rises with f.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import fieldsolver
from fieldsolver.constants import MU0
from fieldsolver.geometry.loader import load
from fieldsolver.geometry.model import Conductor, CrossSection, Rect
from fieldsolver.geometry.roughness import FaceRoughness, Groisse, HammerstadJensen, Huray
from fieldsolver.numerics.grid import MeshOptions
from fieldsolver.physics import loss
from validation.loss import coax_exact

CU = 5.8e7
MODELS = (Huray(0.5e-6, 2.9), HammerstadJensen(1e-6), Groisse(1e-6))


def _microstrip() -> CrossSection:
    return CrossSection(
        conductors=(
            Conductor("g", Rect(-1e-3, 1e-3, 0.0, 35e-6), "ground"),
            Conductor("s", Rect(-0.15e-3, 0.15e-3, 0.235e-3, 0.27e-3), "signal"),
        ),
        background_er=4.0,
    ).validate()


def _rough(sec: CrossSection, model) -> CrossSection:
    return replace(sec, conductors=tuple(replace(c, roughness=FaceRoughness.uniform(model)) for c in sec.conductors))


def test_rough_l_falls_with_frequency_and_stays_above_the_smooth_l():
    # an RL line's L(f) = X / w does not rise with f; roughness only adds internal reactance.
    # (external inductance 0 here: L is the internal part alone)
    sec, f = _microstrip(), np.geomspace(1e3, 1e11, 17)
    o = MeshOptions(density=0.5)
    _, L0, _, _, _ = loss.series_impedance(sec, f, np.zeros((1, 1)), o)
    for model in (*MODELS, Huray(0.5e-6, 2.9, 1.2)):
        _, L, _, _, _ = loss.series_impedance(_rough(sec, model), f, np.zeros((1, 1)), o)
        extra = (L - L0)[:, 0, 0]
        assert np.all(np.diff(L[:, 0, 0]) < 0), model
        assert np.all(extra >= 0)


@pytest.mark.parametrize("model", [*MODELS, Huray(0.5e-6, 2.9, 1.2)])
def test_toward_dc_a_rough_line_is_the_smooth_line(model):
    # at 1 kHz (skin depth 2 mm against 35 um of copper) the current is uniform: R is the DC
    # resistance 1 / (sigma A) of the strip plus the ground's, and the surface texture carries no
    # share of it, so R and the internal L are the smooth line's (a flat_ratio > 1 too)
    sec, f = _microstrip(), np.array([1e3, 1e4])
    R0, L0, _, _, _ = loss.series_impedance(sec, f, np.zeros((1, 1)))
    R, L, _, _, _ = loss.series_impedance(_rough(sec, model), f, np.zeros((1, 1)))
    r_dc = 1 / (CU * 0.3e-3 * 35e-6) + 1 / (CU * 2e-3 * 35e-6)
    assert L[0, 0, 0] == pytest.approx(L0[0, 0, 0], rel=1e-4)  # internal L alone: the strictest
    assert R[0, 0, 0] == pytest.approx(R0[0, 0, 0], rel=1e-4)
    assert R[0, 0, 0] == pytest.approx(r_dc, rel=1e-4)
    # and the added inductance dies away (measured as f^2: x100 per decade), not a constant
    extra = (L - L0)[:, 0, 0]
    assert extra[1] > 30 * extra[0] or extra[1] < 1e-8 * L0[1, 0, 0]


@pytest.mark.parametrize("model", MODELS[:2])
def test_in_the_skin_limit_the_added_reactance_over_the_added_loss_is_the_models(model):
    # every face rough alike: Z_rough - Z_smooth = ((K - 1) + j (Kx - 1)) Rs W in the skin limit
    sec, f = _microstrip(), np.geomspace(1e9, 3e10, 4)
    _, L0, _, _, _ = loss.series_impedance(sec, f, np.zeros((1, 1)))
    R, L, _, smooth, _ = loss.series_impedance(_rough(sec, model), f, np.zeros((1, 1)))
    w = 2 * np.pi * f
    ratio = w * (L - L0)[:, 0, 0] / (R - smooth)[:, 0, 0]
    want = (model.reactance_factor(f, CU) - 1) / (model.factor(f, CU) - 1)
    # measured within 0.3 % (the grid's internal reactance over resistance, sqrt of, is 0.997-1)
    assert ratio == pytest.approx(want, rel=1e-2)


def test_rough_coax_adds_the_models_reactance_to_the_exact_internal_impedance():
    # on its round surfaces (the exact cylindrical impedance, above 100 kHz for RG-58), the added
    # reactance is (Kx - 1) times Schelkunoff's internal reactance, the added loss (K - 1) times
    # his resistance
    sec, f = load("geometries/coax_rg58.yaml"), np.geomspace(1e6, 1e11, 6)
    smooth = fieldsolver.solve(sec, freq=f).rlgc
    internal = coax_exact(f, 0.405e-3, 1.475e-3, 1.75e-3, CU) - 1j * f * MU0 * np.log(1.475 / 0.405)
    for model in MODELS[:2]:
        r = fieldsolver.solve(_rough(sec, model), freq=f).rlgc
        dL = (r.L - smooth.L)[:, 0, 0]
        dR = (r.R - smooth.R)[:, 0, 0]
        w = 2 * np.pi * f
        # measured within 2e-4 of the exact (the surfaces' field integral, extrapolated)
        assert dL == pytest.approx((model.reactance_factor(f, CU) - 1) * internal.imag / w, rel=1e-3)
        assert dR == pytest.approx((model.factor(f, CU) - 1) * internal.real, rel=1e-3)
