"""Convergence of the discretisation and behaviour of the refinement loop."""

import numpy as np
import pytest

import fieldsolver as fs
from fieldsolver.geometry.model import Conductor, CrossSection, Rect
from fieldsolver.numerics.grid import MeshOptions
from fieldsolver.numerics.refine import richardson
from fieldsolver.physics import formulas as F


def observed_order(section, key, exact, densities):
    errs = [abs(fs.solve(section, options=MeshOptions(density=d), tol=None).values[key] / exact - 1) for d in densities]
    slope = np.polyfit(np.log(densities), np.log(errs), 1)[0]
    return -slope


def test_thin_strip_converges_at_the_measured_order():
    # the r^-1/2 edge singularity on the graded grid: measured p = 1.5-1.9 over w/b 0.05-5 and for
    # coupled strips (first order would mean the edge grading is lost; second, that it is smooth)
    p = observed_order(
        fs.template("stripline", w=1.0, h1=0.5, h2=0.5, er=1.0), "z0", F.stripline_z0(1, 1), [0.5, 0.71, 1, 1.41]
    )
    assert 1.3 < p < 2.1


def test_round_wire_converges_at_the_measured_order():
    # cut links place the circle exactly: measured p = 1.4-2.2 (smooth boundary, some noise from
    # the integer cell counts)
    p = observed_order(
        fs.template("twin_wire", d=1.0, D=20.0, er=1.0), "z_diff", F.twin_wire_z_diff(1, 20), [0.5, 0.71, 1, 1.41, 2]
    )
    assert 1.4 < p < 2.3


def test_richardson_recovers_a_power_law_and_flags_noise():
    h = np.array([1.0, 2**-0.5, 0.5])
    f = 3.0 + 0.2 * h**1.7
    ext, mono = richardson(*f)
    assert mono and ext == pytest.approx(3.0, rel=1e-12)
    ext, mono = richardson(1.0, 1.001, 0.9995)  # not monotone: keep the finest value
    assert not mono and ext == 0.9995


def test_tighter_tol_refines_further_and_shrinks_the_bar():
    s = fs.template("stripline", w=0.3, h1=0.5, h2=0.5, er=4.0)
    loose = fs.solve(s, tol=3e-3)
    tight = fs.solve(s, tol=5e-4)
    assert len(tight.accuracy.levels) > len(loose.accuracy.levels)
    assert tight.uncertainty["z0"] < loose.uncertainty["z0"]
    exact = F.stripline_z0(0.3, 1.0, 4.0)
    assert tight.accuracy.converged
    assert abs(tight.z0 / exact - 1) <= tight.uncertainty["z0"] <= 5e-4


def test_node_budget_stops_and_says_not_converged():
    r = fs.solve(fs.template("microstrip", w=0.2, h=0.15, er=4.3), tol=1e-5, max_nodes=60_000)
    assert r.accuracy.converged is False
    assert r.grid.nodes <= 60_000
    assert any("NOT CONVERGED" in n for n in r.notes)
    assert max(r.uncertainty.values()) > 1e-5


def test_open_boundary_estimate_is_small_for_a_dipole_and_large_for_a_net_charge():
    ms = fs.solve(fs.template("microstrip", w=1.0, h=1.0, er=4.3))
    assert len(ms.accuracy.boundary_levels) == 3
    # unbacked CPW with narrow finite grounds: the field reaches far; the bar must show it
    cpw = fs.solve(fs.template("cpw", w=0.5, g=0.25, h=0.5, er=10.0, gw=0.5), tol=1e-3, max_nodes=200_000)
    assert cpw.uncertainty["z0"] > 5 * ms.uncertainty["z0"]


def test_closed_structure_skips_the_boundary_solves():
    r = fs.solve(fs.template("coax", d=1.0, D=3.0, er=1.0))
    assert r.accuracy.boundary_levels == ()


@pytest.mark.parametrize("bad", [0.0, -1e-3, float("nan"), "0.1"])
def test_bad_tol_is_an_input_error(bad):
    with pytest.raises(fs.InputError, match="tol"):
        fs.solve(fs.template("coax", d=1.0, D=3.0, er=1.0), tol=bad)


def test_every_value_of_an_n_line_result_has_an_uncertainty():
    pair = fs.template("coupled_stripline", w=0.2, s=0.2, h1=0.3, h2=0.3, er=3.0, units="m")
    third = Conductor("c", Rect(0.5, 0.7, 0.3, 0.3), "signal")
    r = fs.solve(CrossSection(conductors=(*pair.conductors, third), background_er=3.0, units="m").validate(), tol=2e-3)
    assert set(r.values) == set(r.uncertainty) == {f"{q}_mode_{i}" for q in ("z", "eps_eff") for i in (1, 2, 3)}
    assert all(0 <= u <= 2e-3 for u in r.uncertainty.values())
    assert [r.values[f"z_mode_{i}"] for i in (1, 2, 3)] == [m.z for m in r.modes]
