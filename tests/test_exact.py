"""Accuracy at the default tolerance (0.1 %) against exact 2D solutions (sources in
fieldsolver.formulas), and the error bar: the true error must lie inside it. The full sweeps
(125 structures, with the coverage statistics) are in ``make validate``; these are the ends of
each family's range."""

import math

import pytest

import fieldsolver as fs
from fieldsolver.geometry.model import Circle, Conductor, CrossSection, Dielectric, Ring
from fieldsolver.physics import formulas as F
from validation.cases import cpw_half_space

TOL = 1e-3  # issue target: every exact case within 0.1 % at the default tolerance


def check(r, key, exact):
    err = abs(r.values[key] / exact - 1.0)
    assert r.accuracy.converged
    assert err < TOL, f"{key}: error {100 * err:.4f} %"
    # the error bar covers the true error (with a small floor for the exact case's own rounding)
    assert err <= r.uncertainty[key] + 1e-6, f"{key}: error {err:.2e} outside +-{r.uncertainty[key]:.2e}"
    assert r.uncertainty[key] <= TOL


# D/d = 3 was a known miss of the three-level Richardson estimate: the levels gave 0.106 %,
# 0.028 %, 0.028 % above the exact value, a last step collapsed by chance, and a bar 40x
# shorter than the true error. The least-squares estimate over four or more levels covers it
@pytest.mark.parametrize("D", [1.1, 3.0, 20.0])
def test_coax(D):
    r = fs.solve(fs.template("coax", d=1.0, D=D, er=2.2))
    check(r, "z0", F.coax_z0(1.0, D, 2.2))


@pytest.mark.parametrize("offset", [0.3, 0.7])
def test_eccentric_coax(offset):
    # inner conductor (d = 1) moved off the axis of the shield (D = 2.5), up to 0.05 d from
    # touching it: exact Z0 in bipolar coordinates (formulas.coax_eccentric_z0)
    inner = Conductor("in", Circle(offset, 0.0, 0.5), "signal")
    s = CrossSection(conductors=(inner, Conductor("sh", Ring(0.0, 0.0, 1.25, 1.5))), background_er=4.3)
    check(fs.solve(s.validate()), "z0", F.coax_eccentric_z0(1.0, 2.5, offset, 4.3))


@pytest.mark.parametrize(("d_diel", "er"), [(2.0, 2.2), (2.5, 4.3)])
def test_two_layer_coax(d_diel, er):
    # a round dielectric interface cut by the grid: inner conductor d = 1 in a dielectric
    # cylinder d_diel, air out to the shield D = 3 (series capacitors: formulas.coax_layered_z0)
    inner = Conductor("in", Circle(0.0, 0.0, 0.5), "signal")
    s = CrossSection(
        conductors=(inner, Conductor("sh", Ring(0.0, 0.0, 1.5, 1.8))),
        dielectrics=(Dielectric(Circle(0.0, 0.0, d_diel / 2), er),),
    )
    r = fs.solve(s.validate())
    check(r, "z0", F.coax_layered_z0(1.0, d_diel, 3.0, er))
    eps_eff = math.log(3.0) / (math.log(d_diel) / er + math.log(3.0 / d_diel))
    check(r, "eps_eff", eps_eff)


@pytest.mark.parametrize("two_h_over_d", [1.05, 2.0, 20.0])
def test_wire_over_ground(two_h_over_d):
    h = two_h_over_d / 2
    r = fs.solve(fs.template("wire_over_ground", d=1.0, h=h, er=1.0))
    check(r, "z0", F.wire_over_ground_z0(1.0, h))


@pytest.mark.parametrize("D", [1.05, 20.0])
def test_twin_wire_z_diff(D):
    r = fs.solve(fs.template("twin_wire", d=1.0, D=D, er=2.0))
    check(r, "z_diff", F.twin_wire_z_diff(1.0, D, 2.0))
    assert r.z_common is None and r.notes  # no ground: undefined, and said why
    assert r.uncertainty["z_common"] is None


@pytest.mark.parametrize("w", [0.05, 5.0])
def test_zero_thickness_stripline(w):
    r = fs.solve(fs.template("stripline", w=w, h1=0.5, h2=0.5, er=12.0))
    check(r, "z0", F.stripline_z0(w, 1.0, 12.0))


@pytest.mark.parametrize(("w", "s"), [(0.15, 0.05), (5.0, 0.2), (0.9, 0.3)])
def test_broadside_stripline_cohn(w, s):
    h = (1.0 - s) / 2
    r = fs.solve(fs.template("broadside_stripline", w=w, h1=h, hs=s, h2=h, er=4.0))
    z_odd, z_even = F.broadside_stripline_z(w, s, 1.0, 4.0)
    check(r, "z_odd", z_odd)
    check(r, "z_even", z_even)


@pytest.mark.parametrize("s", [0.02, 3.0])
def test_coupled_stripline_cohn(s):
    r = fs.solve(fs.template("coupled_stripline", w=0.5, s=s, h1=0.5, h2=0.5, er=3.0))
    z_odd, z_even = F.coupled_stripline_z(0.5, s, 1.0, 3.0)
    check(r, "z_odd", z_odd)
    check(r, "z_even", z_even)


@pytest.mark.parametrize("k", [0.1, 0.9])
def test_cpw_on_thick_substrate(k):
    r = fs.solve(cpw_half_space({"k": k, "er": 10.0}))
    z, eps_eff = F.cpw_thick_z0(1.0, (1 / k - 1) / 2, 10.0)
    check(r, "z0", z)
    check(r, "eps_eff", eps_eff)


@pytest.mark.parametrize("u", [0.1, 10.0])
def test_microstrip_vs_hammerstad_jensen(u):
    # HJ is a reference with a stated accuracy (0.01-0.03 % on Z0 in air, 0.2 % on eps_eff), not
    # an exact solution: the target is 0.3 %
    r = fs.solve(fs.template("microstrip", w=u, h=1.0, er=4.3))
    z, eps_eff = F.microstrip_hammerstad_jensen(u, 1.0, 4.3)
    assert abs(r.z0 / z - 1) < 3e-3
    assert abs(r.eps_eff / eps_eff - 1) < 3e-3
