"""Floating conductors: isolated, zero net charge, their potential set by the field."""

import math

import pytest

import fieldsolver as fs
from fieldsolver.constants import ETA0
from fieldsolver.geometry.loader import parse
from fieldsolver.geometry.model import Circle, Conductor, CrossSection, InputError, Rect, Ring
from fieldsolver.numerics.grid import MeshOptions, make_grid
from fieldsolver.numerics.raster import rasterize
from fieldsolver.numerics.solver import solve_medium
from fieldsolver.physics.lines import line_parameters


def _coax(extra=()):
    conductors = (Conductor("inner", Circle(0, 0, 0.5e-3), "signal"), Conductor("shield", Ring(0, 0, 2e-3, 2.4e-3)))
    return CrossSection(conductors=conductors + tuple(extra), background_er=2.0)


def test_floating_shell_in_a_coax_is_exact():
    # a floating metal shell r1..r2 carries +Q and -Q on its faces: the line is two coaxes in
    # series, Z = eta0 / (2 pi sqrt(er)) (ln(r1/a) + ln(b/r2))
    r = fs.solve(_coax([Conductor("shell", Ring(0, 0, 0.9e-3, 1.0e-3), "floating")]))
    exact = ETA0 / (2 * math.pi * math.sqrt(2.0)) * (math.log(0.9 / 0.5) + math.log(2.0 / 1.0))
    assert r.z0 == pytest.approx(exact, rel=1e-4)
    assert abs(r.z0 - exact) <= r.uncertainty["z0"] * r.z0 + 1e-9


def test_floating_conductor_far_away_changes_nothing():
    base = fs.template("microstrip", w=0.3, h=0.2, t=0.035, er=4.3)
    far = Conductor("pour", Rect(8e-3, 10e-3, 0.2e-3, 0.235e-3), "floating")
    with_far = CrossSection((*base.conductors, far), base.dielectrics, background_er=base.background_er)
    a, b = fs.solve(base, tol=None), fs.solve(with_far.validate(), tol=None)
    assert b.z0 == pytest.approx(a.z0, rel=2e-4)


def test_floating_sheet_on_a_pair_symmetry_plane_leaves_the_odd_mode_alone():
    # the odd mode's symmetry plane is at 0 V: a zero-thickness floating sheet lying in it sits at
    # 0 V and carries no charge, so Zodd is unchanged; the even mode sees metal and changes. Both
    # sections on one (mirror-symmetric) grid, the fenced one's: there this holds to rounding
    # (measured 4e-15), where on their own grids it would hold only to their error bars
    pair = fs.template("coupled_stripline", w=0.2, s=0.3, h1=0.2, h2=0.2, t=0.0, er=3.0)
    sheet = Conductor("fence", Rect(0.0, 0.0, 0.05e-3, 0.35e-3), "floating")
    fenced = CrossSection((*pair.conductors, sheet), pair.dielectrics, background_er=pair.background_er).validate()
    grid = make_grid(fenced, MeshOptions(density=0.5))
    a, b = (_lines(section, grid) for section in (pair, fenced))
    assert b["z_odd"] == pytest.approx(a["z_odd"], rel=1e-9)
    assert b["z_even"] < a["z_even"] * 0.99  # the sheet couples the even mode toward the planes (-1.3 %)


def _lines(section, grid):
    """Line parameters of a homogeneous section (background er only) solved on ``grid``."""
    assert not section.dielectrics
    c = solve_medium(grid, rasterize(section, grid)).capacitance
    return line_parameters(section, c, c / section.background_er).values


def test_lifting_a_ground_raises_the_impedance():
    # grounded: all its charge returns there; floating: it only redistributes the field
    def section(role):
        return CrossSection(
            conductors=(
                Conductor("gnd", Rect(-math.inf, math.inf, 0, 0)),
                Conductor("sig", Rect(-0.1e-3, 0.1e-3, 0.2e-3, 0.2e-3), "signal"),
                Conductor("guard", Rect(0.2e-3, 0.5e-3, 0.2e-3, 0.2e-3), role),
            ),
        ).validate()

    # measured 114.3 < 123.2 < 126.2 ohm on the base grid (tol 1e-3: 114.4, 123.3, 126.4)
    grounded, floating = (fs.solve(section(role), tol=None).z0 for role in ("ground", "floating"))
    without = fs.solve(CrossSection(conductors=section("ground").conductors[:2]).validate(), tol=None).z0
    assert grounded < floating < without


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (Conductor("g", Rect(0.5e-3, 0.6e-3, 0.0, 0.1e-3)), "is grounded: make it role: ground"),
        (Conductor("s", Rect(0.5e-3, 0.6e-3, 0.0, 0.1e-3), "signal"), "touch are one"),
    ],
)
def test_floating_conductor_touching_another_is_an_error(other, message):
    fl = Conductor("f", Rect(0.4e-3, 0.5e-3, 0.0, 0.1e-3), "floating")
    sig = Conductor("sig", Circle(0, 1e-3, 0.1e-3), "signal")
    gnd = Conductor("gnd", Rect(-math.inf, math.inf, -1e-3, -1e-3))
    with pytest.raises(InputError, match=message):
        CrossSection(conductors=(sig, gnd, other, fl)).validate()


def test_yaml_role_floating():
    data = {
        "conductors": [
            {"name": "sig", "role": "signal", "circle": {"center": [0, 1], "radius": 0.1}},
            {"name": "gnd", "rect": {"x": [-math.inf, math.inf], "y": [0, 0]}},
            {"name": "drain", "role": "floating", "circle": {"center": [1, 1], "radius": 0.1}},
        ]
    }
    section = parse(data).validate()
    assert [c.name for c in section.floating] == ["drain"]
    with pytest.raises(InputError, match="'lifted' is not one of signal, ground, floating"):
        parse({"conductors": [{"role": "lifted", "circle": {"center": [0, 1], "radius": 0.1}}]})
