"""Near-coincident features (numerics/keys.py, numerics/grid.py): an undercut of 0.1 um, polygon
vertices a rounding apart, a wire a hair above a plane. Each either solves on a grid of ordinary
size to the exact answer, or is one line that names the feature; never a grid of millions of
nodes planned for a change that is physically nothing."""

import math

import pytest

import fieldsolver as fs
from fieldsolver.cli import main
from fieldsolver.numerics.grid import make_grid
from fieldsolver.physics import formulas as F

TOL = 1e-3  # the default tolerance: every exact case within 0.1 %


def check(r, key, exact):
    """Converged, within 0.1 % of the exact value, and the error bar covers the true error."""
    err = abs(r.values[key] / exact - 1.0)
    assert r.accuracy.converged
    assert err < TOL, f"{key}: error {100 * err:.4f} %"
    assert err <= r.uncertainty[key] + 1e-6, f"{key}: error {err:.2e} outside +-{r.uncertainty[key]:.2e}"


@pytest.mark.parametrize("h", [0.506, 0.501, 0.5001])
def test_a_wire_a_hair_above_a_plane_solves_to_the_exact_value(h):
    # gaps of 1.2e-2, 2e-3 and 2e-4 of the radius. Before, 1.2M and 12M nodes were planned for the
    # two narrower (the whole circle at the gap's spacing), and on one grid the gap's field,
    # sqrt(2 r g) wide, was not resolved across (-3.7 % and -44 %); at the widest, the solve
    # converged 0.089 % off with a bar of 0.069 % (the bar missed the error; 0.021 % against
    # 0.0075 % at h = 0.5051). Exact: Z0 = eta0 / (2 pi) acosh(2h/d) (image method)
    r = fs.solve(fs.template("wire_over_ground", d=1.0, h=h, er=1.0))
    check(r, "z0", F.wire_over_ground_z0(1.0, h))
    assert r.grid.nodes < 400_000  # measured: 180k and 222k on the finest level


def test_an_inner_conductor_a_hair_from_the_braid_solves_to_the_exact_value(tmp_path):
    # the eccentric coax 1e-3 mm from touching: bipolar coordinates give the exact Z0
    off = 0.5 - 1e-3
    path = tmp_path / "eccentric.yaml"
    path.write_text(
        "units: mm\nconductors:\n"
        f"  - {{name: inner, role: signal, circle: {{center: [{off!r}, 0], radius: 0.5}}}}\n"
        "  - {name: braid, role: ground, ring: {center: [0, 0], inner_radius: 1.0, outer_radius: 1.2}}\n",
        encoding="utf-8",
    )
    check(fs.solve(fs.load(path)), "z0", F.coax_eccentric_z0(1.0, 2.0, off))


def test_a_thin_wire_in_thick_insulation_is_not_meshed_at_the_wire_scale_throughout():
    # twisted_pair d=0.02 d_ins=1: the insulation's cap took the wire's spacing all across it
    # (2.6M nodes planned, refused at the default budget). With er = 1 the insulation is air and
    # the pair is a twin wire in air: Zdiff = eta0 / pi acosh(D/d), exact
    section = fs.template("twisted_pair", d=0.02, d_ins=1.0, er=1.0)
    assert make_grid(section).nodes < 300_000  # measured: 253k
    r = fs.solve(section)
    assert r.accuracy.converged
    assert abs(r.z_diff / F.twin_wire_z_diff(0.02, 1.0) - 1) < TOL


@pytest.mark.xfail(
    strict=True,
    reason="the wire is 1/50 of its insulation: the four starting levels are not yet in the "
    "asymptotic range (Zdiff steps 1.10, 0.39, 0.28 ohm, then 0.11), so the least-squares bar "
    "(0.032 %) is short of the true error (-0.042 %)",
)
def test_the_bar_of_a_thin_wire_in_thick_insulation_covers_its_error():
    section = fs.template("twisted_pair", d=0.02, d_ins=1.0, er=1.0)
    check(fs.solve(section), "z_diff", F.twin_wire_z_diff(0.02, 1.0))


def test_an_undercut_of_a_tenth_of_a_micron_changes_nothing_but_z():
    # w_top 0.2999 against a rectangular trace: 24M nodes were planned for the 0.05 um step of
    # each side. Its keys merge into the rectangle's lines; the trapezoid itself is still what the
    # raster sees, so Z moves by the undercut's effect alone, far inside the error bars
    # (d Z / d w_top is about 0.03 ohm per um here, from w_top = 0.29)
    params = {"w": 0.3, "h": 0.2, "t": 0.035, "er": 4.0}
    rect = fs.solve(fs.template("microstrip", **params))
    cut = fs.solve(fs.template("microstrip", w_top=0.2999, **params))
    assert cut.grid.nodes == rect.grid.nodes
    bars = rect.uncertainty["z0"] * rect.values["z0"] + cut.uncertainty["z0"] * cut.values["z0"]
    assert abs(cut.values["z0"] - rect.values["z0"]) <= bars
    assert cut.accuracy.converged and rect.accuracy.converged


def _circle_polygon(path, n: int, r: float, cy: float, digits: int = 6):
    pts = ", ".join(
        f"[{r * math.cos(2 * math.pi * i / n):.{digits}f}, {cy + r * math.sin(2 * math.pi * i / n):.{digits}f}]"
        for i in range(n)
    )
    path.write_text(
        f"conductors:\n  - {{name: s, role: signal, polygon: {{points: [{pts}]}}}}\n"
        "  - {name: g, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("n", [100, 1000])
def test_a_polygon_drawn_as_a_circle_is_meshed_like_a_circle(tmp_path, n):
    # 100 and 1000 points on a circle of radius 0.1 mm, centre 0.3 mm above a plane: a line through
    # every vertex planned 126 million nodes (100 points) to 1e12 (1000). Its smooth vertices (a
    # 3.6 or 0.36 degree turn) are no corners, so it is resolved like a circle, and its Z0 is that
    # of the circle (the inscribed 100-gon's differs by about 1e-4 relative, inside 0.1 %)
    path = _circle_polygon(tmp_path / "poly.yaml", n, 0.1, 0.3)
    r = fs.solve(fs.load(path))
    assert r.grid.nodes < 100_000  # measured: 18k
    check(r, "z0", F.wire_over_ground_z0(0.2, 0.3))


def test_a_gap_the_grid_cannot_hold_is_one_line(capsys):
    # a braid 1e-7 mm from the inner conductor: under 1e-9 of the domain, the two would share a
    # grid line and be solved as touching (a wrong answer), so it is refused
    assert main(["calc", "coax", "d=1", "D=1.0000002", "er=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "conductors 'shield' and 'inner' are 1e-07 mm apart at x = -0.5 mm: too close" in err[0]


def test_a_gap_finer_than_the_grid_can_hold_beside_a_rectangle_is_one_line(capsys):
    # a wire 1e-6 mm above a plane: its gap needs cells of 1e-7 mm beside the plane's surface, but
    # the raster takes a rectangle's nodes to 1e-9 of the 121 mm domain (1.2e-7 mm), so the next
    # line would join the plane. Solved anyway, it was 26 % low (with a 149 % error bar)
    assert main(["calc", "wire_over_ground", "d=1", "h=0.500001", "er=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "the 1e-06 mm gap between conductors 'gnd' and 'wire' at y = 0 mm needs cells of 1e-07 mm" in err[0]
    assert "smaller open_factor" in err[0]


@pytest.mark.parametrize("tol", [[], ["--tol", "none"]])
def test_a_grid_over_budget_names_the_feature_that_drives_it(capsys, tol):
    argv = ["calc", "wire_over_ground", "d=1", "h=0.5001", "er=1", "--max-nodes", "20000", *tol]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "max_nodes 20,000" in err[0], err
    assert "the 0.0001 mm gap between conductors 'gnd' and 'wire' at y = 0 mm" in err[0]
