"""fieldsolver.api.reporting: every solve in the block tells how its refinement goes."""

import itertools

import fieldsolver as fs
from fieldsolver import api
from fieldsolver.numerics.refine import START


def test_a_solve_reports_each_grid_level_and_the_loss_sweep():
    seen = []
    section = fs.template("microstrip", w=0.3, h=0.2, t=0.035, er=4.0, tg=0.035)
    with api.reporting(seen.append):
        r = fs.solve(section, freq=[1e6, 1e9])
    grids = [m for m in seen if "levels" in m]
    # one report per refinement check, levels counted up, nodes growing, the last one within tol
    first = len(START)  # the levels refinement starts with
    assert [m["levels"] for m in grids] == list(range(first, first + len(grids)))
    assert all(a["nodes"] < b["nodes"] for a, b in itertools.pairwise(grids))
    assert r.accuracy.converged and grids[-1]["error"] <= grids[-1]["tol"] == r.accuracy.tol
    assert grids[-1]["nodes"] == r.accuracy.levels[-1].nodes
    assert seen[-1] == {"stage": "loss", "frequencies": 2}
    # outside the block nothing is told
    fs.solve(section)
    assert len(seen) == len(grids) + 1


def test_refinement_goes_on_until_the_total_error_is_within_tol():
    # this microstrip's grid part reached tol on the third grid while the open boundary's part
    # (0.03 %) put the total at 0.101 %: refinement stopped there, NOT converged, "at the node
    # budget" with 3 % of the budget used; the grid part now aims at what the boundary leaves
    r = fs.solve(fs.template("microstrip", w=0.3, h=0.2, t=0.035, er=4.0))
    assert r.accuracy.converged and r.grid.nodes < 0.1 * r.accuracy.max_nodes
    assert max(r.uncertainty.values()) <= r.accuracy.tol
