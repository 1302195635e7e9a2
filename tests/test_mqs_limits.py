"""The magnetoquasistatic problem's DC and perfect-conductor limits without a complex solve
(fieldsolver.numerics.mqs_limits) against the full sparse solves they replace, and exact sums."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fieldsolver.geometry.loader import load
from fieldsolver.geometry.model import Conductor, CrossSection, Rect
from fieldsolver.numerics.grid import MeshOptions
from fieldsolver.numerics.magnetic import MagneticProblem, make_magnetic_grid
from fieldsolver.numerics.mqs_limits import dc_face_resistance, perfect_inductance
from fieldsolver.physics import loss

CU = 5.8e7


def _microstrip(sigma_g=CU) -> CrossSection:
    return CrossSection(
        conductors=(
            Conductor("g", Rect(-1e-3, 1e-3, 0.0, 35e-6), "ground", sigma=sigma_g),
            Conductor("s", Rect(-0.15e-3, 0.15e-3, 0.235e-3, 0.27e-3), "signal"),
        ),
        background_er=4.0,
    ).validate()


def _usb() -> CrossSection:
    return load("geometries/usb2_diff_microstrip.yaml")


def _grid(section: CrossSection, density: float = 0.25):
    sigma = [c.sigma for c in section.conductors]
    return sigma, make_magnetic_grid(section, sigma, 1e11, MeshOptions(density=density))


@pytest.mark.parametrize("make", [_microstrip, _usb], ids=["microstrip", "usb_pair"])
def test_dc_face_resistance_equals_the_full_solve_toward_dc(make):
    # full solves approach the limit as f^2: at loss._dc_frequency (skin depth 100 times the
    # largest finite conductor) the traces' faces are within 1e-10 of it, but the USB pair's
    # planes, cut to the open domain (190 mm wide), only within 5e-5; 1e4 times lower in
    # frequency every face is within 1e-12 (measured: 5e-13 on the planes)
    section = make()
    sigma, mg = _grid(section)
    problem = MagneticProblem(mg)
    labels, r = dc_face_resistance(problem)
    for f, tol in ((loss._dc_frequency(section, sigma), 1e-4), (loss._dc_frequency(section, sigma) / 1e4, 1e-11)):
        full = problem.impedance(f, reduced=False, faces=True)
        np.testing.assert_array_equal(labels, full.face_labels)
        for k in range(labels.size):  # each face against its own size
            scale = np.abs(full.face_resistance[0, k]).max()
            np.testing.assert_allclose(r[k], full.face_resistance[0, k], rtol=0, atol=tol * scale)


def test_dc_face_resistances_add_up_to_the_exact_dc_resistance():
    # R_dc = 1 / (sigma A) of the trace plus the ground's: the faces share it out exactly
    section = _microstrip()
    _, mg = _grid(section)
    _, r = dc_face_resistance(MagneticProblem(mg))
    r_dc = 1 / (CU * 0.3e-3 * 35e-6) + 1 / (CU * 2e-3 * 35e-6)
    assert r.sum(axis=0)[0, 0] == pytest.approx(r_dc, rel=1e-12)
    assert np.all(r[:, 0, 0] > 0)


def test_a_perfect_conductor_leaves_the_dc_faces_to_the_solve():
    _, mg = _grid(_microstrip(sigma_g=math.inf))
    assert dc_face_resistance(MagneticProblem(mg)) is None


@pytest.mark.parametrize("make", [_microstrip, _usb], ids=["microstrip", "usb_pair"])
def test_perfect_inductance_by_multigrid_equals_the_sparse_lu(make):
    # the same grid and operator with every conductor's nodes fixed, solved by SuperLU (the
    # MagneticProblem path at any frequency: its answer is j w L exactly)
    _, mg = _grid(make(), density=0.5)
    f = 1e9
    lu = MagneticProblem(mg.perfect()).impedance(np.array([f]), reduced=False).z[0].imag / (2 * np.pi * f)
    np.testing.assert_allclose(perfect_inductance(mg), lu, rtol=0, atol=1e-10 * np.abs(lu).max())


def test_perfect_inductance_of_a_grid_with_a_perfect_conductor():
    # a lossless ground (fixed nodes already in the lossy problem): the same answer as the LU path
    section = _microstrip(sigma_g=math.inf)
    _, mg = _grid(section)
    lu = MagneticProblem(mg.perfect()).impedance(np.array([1e9]), reduced=False).z[0].imag / (2 * np.pi * 1e9)
    np.testing.assert_allclose(perfect_inductance(mg), lu, rtol=1e-10)


def test_perfect_inductance_falls_back_to_the_lu_when_multigrid_stops(monkeypatch):
    from fieldsolver.numerics import mqs_limits

    _, mg = _grid(_microstrip())
    expected = perfect_inductance(mg)

    def stuck(self, *args, **kwargs):
        raise RuntimeError("multigrid-CG did not reach a residual of 1e-08 in 200 iterations")

    monkeypatch.setattr(mqs_limits.Hierarchy, "solve", stuck)
    with pytest.warns(RuntimeWarning, match="solving this grid directly"):
        fallback = perfect_inductance(mg)
    np.testing.assert_allclose(fallback, expected, rtol=1e-10)
