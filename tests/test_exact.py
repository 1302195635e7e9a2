"""Default-settings accuracy against exact 2D solutions (sources in fieldsolver.formulas)."""

import math

import pytest

import fieldsolver as fs
from fieldsolver import formulas as F
from fieldsolver.model import Conductor, CrossSection, Dielectric, Rect

TOL = 0.5e-2  # issue target at default settings; measured worst case here is about 0.16 %


def rel(a, b):
    return abs(a / b - 1.0)


@pytest.mark.parametrize("D", [1.2, 2.3, 10.0])
def test_coax(D):
    r = fs.solve(fs.template("coax", d=1.0, D=D, er=2.2))
    assert rel(r.z0, F.coax_z0(1.0, D, 2.2)) < TOL
    assert r.eps_eff == pytest.approx(2.2, rel=1e-9)


@pytest.mark.parametrize("two_h_over_d", [1.1, 2.0, 10.0])
def test_wire_over_ground(two_h_over_d):
    h = two_h_over_d / 2
    r = fs.solve(fs.template("wire_over_ground", d=1.0, h=h, er=1.0))
    assert rel(r.z0, F.wire_over_ground_z0(1.0, h)) < TOL


@pytest.mark.parametrize("D", [1.1, 2.0, 10.0])
def test_twin_wire_z_diff(D):
    r = fs.solve(fs.template("twin_wire", d=1.0, D=D, er=2.0))
    assert rel(r.z_diff, F.twin_wire_z_diff(1.0, D, 2.0)) < TOL
    assert r.z_common is None and r.notes  # no ground: undefined, and said why


@pytest.mark.parametrize("w", [0.1, 1.0, 4.0])
def test_zero_thickness_stripline(w):
    r = fs.solve(fs.template("stripline", w=w, h1=0.5, h2=0.5, er=3.0))
    assert rel(r.z0, F.stripline_z0(w, 1.0, 3.0)) < TOL


@pytest.mark.parametrize("s", [0.05, 0.3, 2.0])
def test_coupled_stripline_cohn(s):
    r = fs.solve(fs.template("coupled_stripline", w=0.5, s=s, h1=0.5, h2=0.5, er=3.0))
    z_odd, z_even = F.coupled_stripline_z(0.5, s, 1.0, 3.0)
    assert rel(r.z_odd, z_odd) < TOL
    assert rel(r.z_even, z_even) < TOL
    assert r.z_diff == pytest.approx(2 * r.z_odd) and r.z_common == pytest.approx(r.z_even / 2)


def test_cpw_on_thick_substrate():
    w, g, er = 0.5, 0.25, 10.0
    section = CrossSection(
        conductors=(
            Conductor("s", Rect(-w / 2, w / 2, 0, 0), "signal"),
            Conductor("gl", Rect(-math.inf, -w / 2 - g, 0, 0)),
            Conductor("gr", Rect(w / 2 + g, math.inf, 0, 0)),
        ),
        dielectrics=(Dielectric(Rect(-math.inf, math.inf, -math.inf, 0), er),),
        units="m",
    )
    r = fs.solve(section)
    z, eps_eff = F.cpw_thick_z0(w, g, er)
    assert rel(r.z0, z) < TOL
    assert rel(r.eps_eff, eps_eff) < TOL


@pytest.mark.parametrize("u", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("er", [1.0, 4.3, 10.0])
def test_microstrip_vs_hammerstad_jensen(u, er):
    # HJ is a reference with a stated accuracy (0.2 % on eps_eff), not an exact solution
    r = fs.solve(fs.template("microstrip", w=u, h=1.0, er=er))
    z, eps_eff = F.microstrip_hammerstad_jensen(u, 1.0, er)
    assert rel(r.z0, z) < 1e-2
    assert rel(r.eps_eff, eps_eff) < 1e-2
