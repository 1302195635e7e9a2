"""R, L, G, C of f against exact references (each test cites its formula)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import fieldsolver
from fieldsolver.constants import MU0
from fieldsolver.geometry.loader import load
from fieldsolver.geometry.model import Boundary, Conductor, CrossSection, Rect
from fieldsolver.numerics.grid import MeshOptions
from fieldsolver.numerics.magnetic import MagneticProblem, make_magnetic_grid
from fieldsolver.physics import loss
from validation.loss import coax_exact  # Schelkunoff's exact coax, with its citation

CU = 5.8e7


def _plates(t=35e-6, d=100e-6, w=1e-3):
    """Two plates of width w (the box's), thickness t, gap d: with flux-parallel side walls and
    bottom the field is 1-D."""
    return CrossSection(
        conductors=(
            Conductor("g", Rect(0, w, 0, t), "ground"),
            Conductor("s", Rect(0, w, t + d, 2 * t + d), "signal"),
        ),
        boundary=Boundary("box", (0, w, -1e-3, 1.2e-3)),
    )


def test_parallel_plates_match_the_exact_slab_impedance_from_dc_to_100ghz():
    # A plate of thickness t with the field on one side has the internal impedance per unit
    # width (gamma / sigma) coth(gamma t), gamma = sqrt(j w mu0 sigma) (Ramo, Whinnery and Van
    # Duzer, Fields and Waves in Communication Electronics, 3rd ed., sec. 5.4): the line's
    # Z = 2 (gamma / (sigma w)) coth(gamma t) + j w mu0 d / w, exactly, at every frequency.
    t, d, w = 35e-6, 100e-6, 1e-3
    f = np.logspace(3, 11, 9)
    mg = make_magnetic_grid(_plates(t, d, w), [CU, CU], f.max(), MeshOptions())
    z = MagneticProblem(mg, magnetic_walls=("left", "right", "bottom")).impedance(f).z[:, 0, 0]
    g = np.sqrt(1j * 2 * np.pi * f * MU0 * CU)
    exact = 2 * g / (CU * w) / np.tanh(g * t) + 1j * 2 * np.pi * f * MU0 * d / w
    # measured: R within 0.34 %, L within 0.03 % over the band (the target: 1 %)
    assert np.max(np.abs(z.real / exact.real - 1)) < 5e-3
    assert np.max(np.abs(z.imag / exact.imag - 1)) < 1e-3


def test_the_reduced_sweep_equals_full_solves():
    f = np.geomspace(1e3, 1e11, 25)
    pr = MagneticProblem(make_magnetic_grid(_microstrip(), [CU] * 2, f.max(), MeshOptions(density=0.25)))
    swept = pr.impedance(f).z
    for k in (3, 13, 22):
        full = pr.impedance(f[k : k + 1], reduced=False).z[0]
        # the reduced model's own error is kept far below the solver's (1 %)
        assert np.allclose(swept[k].real, full.real, rtol=1e-4, atol=0)
        assert np.allclose(swept[k].imag, full.imag, rtol=1e-4, atol=0)


def test_the_reduced_sweep_equals_full_solves_between_shifts_in_the_skin_limit():
    # The 61-point band: R is a small part of |Z| at high frequency (0.2 % at 40 GHz), so
    # a model that matched |Z| to 1e-5 had R 0.25 % off between its shifts on the USB pair. With
    # two moments per shift, R and w L (relative to R) stay within 1e-4 of full solves there.
    # (On this small grid the one-moment model met this too; the USB pair's grid, where it did
    # not, takes too long for the fast suite.)
    f = np.geomspace(1e6, 1e11, 61)
    pr = MagneticProblem(make_magnetic_grid(_microstrip(), [CU] * 2, f.max(), MeshOptions(density=0.25)))
    swept = pr.impedance(f).z[:, 0, 0]
    for k in (38, 43, 47, 52, 57):
        full = pr.impedance(f[k : k + 1], reduced=False).z[0, 0, 0]
        assert abs(swept[k].real - full.real) < 1e-4 * full.real
        assert abs(swept[k].imag - full.imag) < 1e-4 * full.real


def test_the_reduced_face_losses_equal_the_field_sums():
    # the sweep's resistance per face comes from the basis's Gram matrices; summed node by node
    # from the reduced solution's field (MagneticProblem.face_losses) it must be the same
    from fieldsolver.numerics.magnetic import ReducedModel, reduce_fields

    f = np.geomspace(1e6, 1e11, 21)
    mg = make_magnetic_grid(_microstrip(), [CU] * 2, f.max(), MeshOptions(density=0.25))
    pr = MagneticProblem(mg)
    imp = pr.impedance(f, faces=True)
    model = ReducedModel(pr, f)
    for k in (0, 10, 20):
        w = 2 * np.pi * f[k]
        a = model.solution(w)
        _, fields = reduce_fields(pr._y(w, a), mg.n_signals, mg.has_ground)
        labels, r = pr.face_losses(w, a, fields)
        assert np.array_equal(labels, imp.face_labels)
        assert np.allclose(imp.face_resistance[k], r, rtol=0, atol=1e-6 * np.abs(r).max())
        # and the faces add up to R
        assert np.sum(r) == pytest.approx(imp.z[k].real.sum(), rel=1e-6)


def _microstrip(sigma_g=CU, sigma_s=CU):
    return CrossSection(
        conductors=(
            Conductor("g", Rect(-1e-3, 1e-3, 0.0, 35e-6), "ground", sigma=sigma_g),
            Conductor("s", Rect(-0.15e-3, 0.15e-3, 0.235e-3, 0.27e-3), "signal", sigma=sigma_s),
        ),
        background_er=4.0,
    ).validate()


def test_low_frequency_resistance_is_the_dc_resistance():
    # R_dc = 1 / (sigma A) of the trace plus the ground's, exact
    sec = _microstrip()
    r_dc = 1 / (CU * 0.3e-3 * 35e-6) + 1 / (CU * 2e-3 * 35e-6)
    assert loss.dc_resistance(sec)[0, 0] == pytest.approx(r_dc, rel=1e-12)
    R, _, _, _, _ = loss.series_impedance(sec, np.array([10.0, 1e3]), np.eye(1))
    assert R[0, 0, 0] == pytest.approx(r_dc, rel=1e-6)
    assert R[1, 0, 0] == pytest.approx(r_dc, rel=1e-3)


def test_perfect_conductors_give_no_resistance_and_the_static_inductance():
    sec = _microstrip(math.inf, math.inf)
    r = fieldsolver.solve(sec, tol=None)
    x = loss.rlgc(sec, r.solution, r.capacitance, r.capacitance_vacuum, [1e6, 1e9])
    assert np.all(x.R == 0)
    assert np.allclose(x.L, r.inductance[None], rtol=1e-12)


@pytest.mark.slow
def test_inductance_falls_from_dc_to_the_external_value():
    sec = _microstrip()
    r = fieldsolver.solve(sec, tol=None)
    f = np.geomspace(1e3, 1e11, 9)
    R, L, _, _, _ = loss.series_impedance(sec, f, r.inductance)
    assert np.all(np.diff(L[:, 0, 0]) < 0)
    assert np.all(np.diff(R[:, 0, 0]) > 0)
    # at 100 GHz only the internal inductance of a skin 0.2 um deep is left above the external
    # (static) value: of the order of R / w (equal for a flat surface; corners differ)
    internal = L[-1, 0, 0] - r.inductance[0, 0]
    assert 0.5 < internal * 2 * np.pi * f[-1] / R[-1, 0, 0] < 1.5


def test_coax_matches_the_bessel_solution_from_dc_to_100ghz():
    sec = load("geometries/coax_rg58.yaml").validate()
    r = fieldsolver.solve(sec)
    f = np.logspace(3, 11, 17)
    R, L, notes, _, _ = loss.series_impedance(sec, f, r.inductance, vacuum=(r.solution, r.capacitance_vacuum))
    z = coax_exact(f, 0.405e-3, 1.475e-3, 1.75e-3, CU)
    # the target is 1 %; measured: R within 0.3 %, L within 0.1 %
    assert np.max(np.abs(R[:, 0, 0] / z.real - 1)) < 0.005
    assert np.max(np.abs(L[:, 0, 0] / (z.imag / (2 * np.pi * f)) - 1)) < 0.002
    assert not notes


def test_twin_lead_loop_resistance_has_the_exact_proximity_factor_in_the_skin_limit():
    # R = (Rs / (pi a)) (D / 2a) / sqrt((D / 2a)^2 - 1) for the loop, Rs = sqrt(pi f mu0 / sigma)
    # (e.g. Ramo, Whinnery and Van Duzer, Fields and Waves in Communication Electronics, 3rd ed.,
    # problem 5.15; the proximity factor of two parallel round wires)
    sec = load("geometries/twin_wire.yaml").validate()
    a, D = sec.conductors[0].shape.r, sec.conductors[1].shape.cx - sec.conductors[0].shape.cx
    r = fieldsolver.solve(sec)
    f = np.array([1e11])  # delta = 0.2 um: the curvature term delta / (4 a) is 1e-4
    R, _, _, _, _ = loss.series_impedance(sec, f, r.inductance, vacuum=(r.solution, r.capacitance_vacuum))
    loop = R[:, 0, 0] + R[:, 1, 1] - 2 * R[:, 0, 1]
    rs = np.sqrt(np.pi * f * MU0 / CU)
    p = D / (2 * a)
    assert np.allclose(loop, rs / (np.pi * a) * p / np.sqrt(p * p - 1), rtol=2e-3)


def test_round_conductors_are_continuous_through_the_hand_over():
    sec = load("geometries/twin_wire.yaml").validate()
    r = fieldsolver.solve(sec)
    f = np.geomspace(1e3, 1e9, 49)
    R, L, _, _, _ = loss.series_impedance(sec, f, r.inductance, vacuum=(r.solution, r.capacitance_vacuum))
    loop_r = R[:, 0, 0] + R[:, 1, 1] - 2 * R[:, 0, 1]
    loop_l = L[:, 0, 0] + L[:, 1, 1] - 2 * L[:, 0, 1]
    assert np.all(np.diff(loop_r) > 0) and np.all(np.diff(loop_l) < 0)
    # no step larger than the smooth neighbours' (log-log slopes change slowly)
    slope = np.diff(np.log(loop_r)) / np.diff(np.log(f))
    assert np.max(np.abs(np.diff(slope))) < 0.1


def test_a_homogeneous_lossy_dielectric_gives_g_equal_w_c_tand():
    # G = w C tan(delta) exactly for a homogeneous line (the field energy is all in the one loss)
    sec = replace(load("geometries/coax_rg58.yaml"), background_tand=0.01).validate()
    r = fieldsolver.solve(sec, tol=None)
    f = np.array([1e6, 1e9])
    G, C = loss.shunt_admittance(r.solution, r.capacitance, f)
    assert np.allclose(G[:, 0, 0], 2 * np.pi * f * r.capacitance[0, 0] * 0.01, rtol=1e-9)
    assert np.allclose(C, r.capacitance[None], rtol=1e-12)


def test_a_dispersive_homogeneous_dielectric_scales_c_with_its_permittivity():
    sec = replace(load("geometries/coax_rg58.yaml"), background_tand=0.02, background_dispersion="djordjevic-sarkar")
    sec = sec.validate()
    r = fieldsolver.solve(sec, tol=None)
    f = np.array([1e6, 1e9, 1e11])
    G, C = loss.shunt_admittance(r.solution, r.capacitance, f)
    eps = sec.background_permittivity(f)
    # homogeneous: C is linear in the permittivity, so C(f) = C eps'(f) / er and G = w C eps''/er
    assert np.allclose(C[:, 0, 0], r.capacitance[0, 0] * eps.real / 2.25, rtol=1e-9)
    assert np.allclose(G[:, 0, 0], 2 * np.pi * f * r.capacitance[0, 0] * -eps.imag / 2.25, rtol=1e-9)


def test_roughness_on_every_face_multiplies_the_resistance_by_its_factor():
    # every face with the same K(f): the whole loss is multiplied by K (each face's share is)
    from fieldsolver.geometry.roughness import FaceRoughness, HammerstadJensen

    hj = FaceRoughness.uniform(HammerstadJensen(1e-6))
    sec = _microstrip()
    rough = replace(sec, conductors=tuple(replace(c, roughness=hj) for c in sec.conductors))
    f = np.geomspace(1e6, 1e10, 5)
    R, _, _, smooth, _ = loss.series_impedance(rough, f, np.eye(1))
    K = HammerstadJensen(1e-6).factor(f, CU)
    assert np.allclose(R[:, 0, 0], K * smooth[:, 0, 0], rtol=1e-5)
    assert K[0] < 1.001 and K[-1] > 1.8  # from smooth at 1 MHz toward twice (HJ) at 10 GHz


def test_roughness_of_one_face_adds_that_faces_share():
    from fieldsolver.geometry.roughness import FaceRoughness, Huray

    sec = _microstrip()
    bottom = FaceRoughness(bottom=Huray(0.5e-6, 2.9))
    s = replace(sec, conductors=(sec.conductors[0], replace(sec.conductors[1], roughness=bottom)))
    f = np.geomspace(1e8, 1e10, 3)
    R, _, _, smooth, _ = loss.series_impedance(s, f, np.eye(1))
    K = Huray(0.5e-6, 2.9).factor(f, CU)
    extra = (R - smooth)[:, 0, 0]
    # the trace's bottom face faces the ground and carries a large share, but not all
    assert np.all(extra > 0.2 * (K - 1) * smooth[:, 0, 0])
    assert np.all(extra < 0.8 * (K - 1) * smooth[:, 0, 0])


def test_the_error_estimate_covers_the_coax_from_dc_to_100ghz():
    f = np.logspace(3, 11, 17)
    r = fieldsolver.solve("geometries/coax_rg58.yaml", freq=f)
    x = r.rlgc
    z = coax_exact(f, 0.405e-3, 1.475e-3, 1.75e-3, CU)
    assert np.all(np.abs(x.R[:, 0, 0] - z.real) <= x.uncertainty["R"][:, 0, 0])
    assert np.all(np.abs(x.L[:, 0, 0] - z.imag / (2 * np.pi * f)) <= x.uncertainty["L"][:, 0, 0])
    # and it is an estimate, not a blanket: within 1 % everywhere
    assert np.all(x.uncertainty["R"][:, 0, 0] < 0.01 * x.R[:, 0, 0])
