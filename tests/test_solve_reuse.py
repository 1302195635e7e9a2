"""What the levels' solves reuse: the second line of a mirror-symmetric pair starts from the
first line's potential mirrored, and the refinement levels stop at a looser residual. Both are
checked against the direct (SuperLU) solve of the same system."""

import numpy as np
import pytest

import fieldsolver as fs
from fieldsolver.numerics.grid import MeshOptions, make_grid
from fieldsolver.numerics.raster import rasterize
from fieldsolver.numerics.refine import CURVED_RTOL, LEVEL_RTOL
from fieldsolver.numerics.solver import solve_medium


def _system(section, density=0.6):
    section = section.validate()
    grid = make_grid(section, MeshOptions(density=density))
    return grid, rasterize(section, grid)


@pytest.mark.parametrize(
    "section",
    [
        fs.template("coupled_microstrip", w=0.2, s=0.2, h=0.2, t=0.035, er=4.3),
        fs.template("coupled_cpw", w=0.2, s=0.2, g=0.2, h=0.2, t=0.035, er=4.3, backed=True),
    ],
    ids=["coupled microstrip", "coupled cpw"],
)
def test_mirrored_second_line_is_the_direct_solution(section):
    grid, raster = _system(section)
    for medium in ("dielectric", "vacuum"):
        mg = solve_medium(grid, raster, medium)
        ref = solve_medium(grid, raster, medium, method="direct")
        # the grid of a symmetric pair is symmetric to rounding: the mirrored potential meets the
        # stopping residual as it is
        assert mg.iterations[0] > 0 and mg.iterations[1] == 0
        assert np.allclose(mg.capacitance, ref.capacitance, rtol=1e-9, atol=0)
        assert np.abs(mg.potentials - ref.potentials).max() < 1e-5


def test_an_asymmetric_pair_iterates_both_lines():
    section = fs.template("coupled_microstrip", w=0.2, s=0.2, h=0.2, t=0.035, er=4.3).validate()
    c = section.conductors
    wide = [x for x in c if x.role == "signal"][1]
    shape = wide.shape
    from dataclasses import replace

    wider = replace(wide, shape=replace(shape, x1=shape.x1 + 0.05e-3))
    section = replace(section, conductors=tuple(wider if x is wide else x for x in c)).validate()
    grid, raster = _system(section)
    mg = solve_medium(grid, raster)
    ref = solve_medium(grid, raster, method="direct")
    assert all(it > 0 for it in mg.iterations)
    assert np.allclose(mg.capacitance, ref.capacitance, rtol=1e-9, atol=0)


@pytest.mark.parametrize(
    ("section", "rtol"),
    [
        (fs.template("cpw", w=0.3, g=0.15, h=0.5, t=0.035, er=4.3), LEVEL_RTOL),
        (fs.template("twin_wire", d=0.5, D=1.0, er=1.0), CURVED_RTOL),
    ],
    ids=["cpw", "twin wire"],
)
def test_level_residual_leaves_capacitance_far_inside_the_error_bars(section, rtol):
    # the levels' looser stopping residual: C is an energy (its error quadratic in the iteration
    # error), so it stays within 1e-6 of the direct solution, against error bars of 1e-4 and more
    grid, raster = _system(section)
    mg = solve_medium(grid, raster, rtol=rtol)
    ref = solve_medium(grid, raster, method="direct")
    assert np.allclose(mg.capacitance, ref.capacitance, rtol=1e-6, atol=0)
