"""Exactly representable cases and invariants of the discrete system."""

import math
from pathlib import Path

import numpy as np
import pytest

import fieldsolver as fs
from fieldsolver.constants import EPS0
from fieldsolver.geometry.model import Circle, Conductor, CrossSection, Dielectric, Rect
from fieldsolver.numerics import kernels, reference
from fieldsolver.numerics.grid import Grid, make_grid
from fieldsolver.numerics.raster import Raster, face_means, rasterize
from fieldsolver.numerics.solver import field_solve, solve_medium
from fieldsolver.physics.lines import line_parameters


def test_layered_parallel_plate_is_exact():
    # top row of nodes at 1 V, bottom row at 0 V, free (zero-flux) sides: a 1-D field, which the
    # finite-volume scheme reproduces exactly on any grid: C = eps0 W / sum(d_i / er_i)
    x = np.array([0.0, 0.1, 0.35, 0.4, 1.0])
    y = np.array([0.0, 0.05, 0.2, 0.3, 0.32, 0.5])
    er_layers = np.array([2.0, 2.0, 4.5, 1.0, 3.0])  # one er per row of cells
    eps = np.ascontiguousarray(np.repeat(er_layers[:, None], x.size - 1, axis=1))
    net = -np.ones((y.size, x.size), np.int32)
    net[-1], net[0] = 1, 0
    grid = Grid(x, y, (0.0, 1.0, 0.0, 0.5), (False,) * 4)
    raster = Raster(
        net, net.copy(), eps, np.ones((y.size, x.size - 1)), np.ones((y.size - 1, x.size)), *face_means(grid, eps)
    )
    c = solve_medium(grid, raster).capacitance[0, 0]
    exact = EPS0 * (x[-1] - x[0]) / np.sum(np.diff(y) / er_layers)
    assert c == pytest.approx(exact, rel=1e-12)


def test_homogeneous_medium_gives_eps_eff_er():
    # a uniform er painted twice (background and a round sleeve on one trace, whose outline cuts
    # cells at every angle): every link permittivity must be er, so the dielectric solve is er
    # times the vacuum solve. field_solve skips the vacuum solve when every cell has one er, so
    # both media are solved here
    pair = fs.template("coupled_stripline", w=0.2, s=0.15, h1=0.3, h2=0.2, t=0.03, er=3.4)
    sleeve = Dielectric(Circle(-0.175e-3, 0.315e-3, 0.13e-3), 3.4, name="sleeve")
    section = CrossSection(pair.conductors, (sleeve,), background_er=3.4).validate()
    grid = make_grid(section)
    raster = rasterize(section, grid)
    diel, vac = (solve_medium(grid, raster, m).capacitance for m in ("dielectric", "vacuum"))
    assert np.allclose(diel, 3.4 * vac, rtol=1e-9, atol=0)
    lines = line_parameters(section, diel, vac).values
    assert lines["eps_eff_odd"] == pytest.approx(3.4, rel=1e-9)
    assert lines["eps_eff_even"] == pytest.approx(3.4, rel=1e-9)


def _asymmetric_pair():
    return CrossSection(
        conductors=(
            Conductor("gnd", Rect(-math.inf, math.inf, 0, 0)),
            Conductor("a", Rect(-0.5e-3, -0.1e-3, 0.2e-3, 0.235e-3), "signal"),
            Conductor("b", Rect(0.05e-3, 0.2e-3, 0.2e-3, 0.235e-3), "signal"),
            Conductor("c", Circle(0.6e-3, 0.4e-3, 0.1e-3), "signal"),
        ),
        dielectrics=(fs.template("microstrip", w=1, h=0.2, er=4.0).dielectrics[0],),
    )


def test_maxwell_matrix_symmetric_negative_offdiagonal_positive_rowsums():
    sol = field_solve(_asymmetric_pair().validate())
    for c in (sol.dielectric.capacitance, sol.vacuum.capacitance):
        assert np.allclose(c, c.T, rtol=1e-9, atol=0)  # raw matrix, before symmetrising
        off = c[~np.eye(3, dtype=bool)]
        assert np.all(off < 0)
        assert np.all(c.sum(axis=1) > 0)  # every signal has capacitance to ground


def test_mirror_symmetric_pair_identical_self_terms():
    # on any grid: the mesher's grid is mirror-symmetric too (measured equal to rounding)
    r = fs.solve(fs.template("coupled_microstrip", w=0.2, s=0.13, h=0.1, t=0.035, er=4.2), tol=None)
    c = r.capacitance
    assert c[0, 0] == pytest.approx(c[1, 1], rel=1e-9)
    assert r.z0_lines[0] == pytest.approx(r.z0_lines[1], rel=1e-9)


def test_scaling_all_lengths_leaves_impedance_unchanged():
    # on any grid: the mesher scales its grid with the structure (measured equal to 3e-16)
    a = fs.solve(fs.template("coupled_microstrip", w=0.2, s=0.13, h=0.1, t=0.035, er=4.2), tol=None)
    b = fs.solve(fs.template("coupled_microstrip", w=20, s=13, h=10, t=3.5, er=4.2, units="um"), tol=None)
    c = fs.solve(fs.template("coupled_microstrip", w=2, s=1.3, h=1, t=0.35, er=4.2), tol=None)
    assert b.z_diff == pytest.approx(a.z_diff, rel=1e-12)  # 10x smaller
    assert c.z_diff == pytest.approx(a.z_diff, rel=1e-12)  # 10x larger


def test_symmetric_dielectric_split_gives_mean_er():
    # interface on the symmetry plane lies along field lines: eps_eff = (er1 + er2) / 2 exactly,
    # on any grid symmetric about it (measured to 6e-14)
    r = fs.solve(fs.load(Path(__file__).parents[1] / "geometries" / "polygon_shielded_box.yaml"), tol=None)
    assert r.eps_eff == pytest.approx(2.0, rel=1e-9)


def test_kernels_match_numpy_twins():
    rng = np.random.default_rng(1)
    x = np.cumsum(rng.uniform(0.1, 1.0, 9))
    y = np.cumsum(rng.uniform(0.1, 1.0, 7))
    eh, ev = rng.uniform(1, 10, (7, 8)), rng.uniform(1, 10, (6, 9))
    fh, fv = rng.uniform(0.1, 1, (7, 8)), rng.uniform(0.1, 1, (6, 9))
    gh, gv = kernels.link_conductances(x, y, eh, ev, fh, fv)
    rh, rv = reference.link_conductances(x, y, eh, ev, fh, fv)
    assert np.allclose(gh, rh) and np.allclose(gv, rv)
    phi = rng.normal(size=(7, 9))
    assert np.allclose(kernels.apply_operator(gh, gv, phi), reference.apply_operator(gh, gv, phi))


def test_kernel_wrapper_rejects_bad_arrays():
    x, y = np.linspace(0, 1, 4), np.linspace(0, 1, 3)
    good = (np.ones((3, 3)), np.ones((2, 4)), np.ones((3, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="face_h has shape"):
        kernels.link_conductances(x, y, np.ones((2, 3)), *good[1:])
    with pytest.raises(ValueError, match="float64"):
        kernels.link_conductances(x, y, np.ones((3, 3), np.float32), *good[1:])


def test_mode_patterns_have_a_fixed_sign():
    """A mode's voltage pattern is an eigenvector, defined up to its sign: the first entry that is
    not negligible is made positive, so a pair's odd mode is (+, -) and a bus's modes read the
    same on every grid; the patterns are still the eigenvectors of C v = eps C0 v."""
    from fieldsolver.physics import extract

    c = np.array([[2.0, -0.5, -0.1], [-0.5, 2.1, -0.5], [-0.1, -0.5, 2.0]]) * 1e-10
    c0 = c / np.array([[3.0, 3.2, 3.1], [3.2, 3.3, 3.2], [3.1, 3.2, 3.0]])
    c0 = 0.5 * (c0 + c0.T)
    zc = extract.impedance_matrix(c, extract.inductance(c0))
    eps, vec, _ = extract.modes(c, c0, zc)
    for v in vec.T:
        first = next(x for x in v if abs(x) > 1e-6 * np.abs(v).max())
        assert first > 0
    # still the modes of the generalized eigenproblem C v = eps C0 v
    for e, v in zip(eps, vec.T, strict=True):
        np.testing.assert_allclose(c @ v, e * (c0 @ v), rtol=1e-9, atol=1e-9 * np.abs(c @ v).max())
    pair = fs.solve(fs.template("coupled_stripline", w=0.3, s=0.2, h1=0.5, h2=0.5, er=4.0), tol=None)
    odd = min(pair.modes, key=lambda m: m.voltages[0] * m.voltages[1])
    assert odd.voltages[0] > 0 > odd.voltages[1]
