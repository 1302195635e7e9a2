"""The grid's options reach every verb: --density, --growth and --open-factor on solve/calc/plot
and on the design studies, each checked where it acts (the grid the JSON reports, the rows a
sweep writes); a bad value is one line naming the option."""

import csv
import json

import pytest

from fieldsolver.cli import main

CALC = ["calc", "microstrip", "w=0.3", "h=0.2", "t=0.035", "er=4.3", "--tol", "none", "--json"]


def _grid(capsys, *options):
    assert main([*CALC, *options]) == 0
    return json.loads(capsys.readouterr().out)["grid"]


def test_open_factor_moves_the_outer_boundary(capsys):
    near, far = _grid(capsys, "--open-factor", "15")["domain"], _grid(capsys)["domain"]
    # the boundary sits open_factor structure sizes out: the default (60) is 4x as far
    assert (far[1] - far[0]) / (near[1] - near[0]) == pytest.approx(4.0, rel=0.05)
    assert (far[3] - far[2]) / (near[3] - near[2]) == pytest.approx(4.0, rel=0.05)


def test_density_and_growth_refine_the_grid(capsys):
    base = _grid(capsys)["nodes"]
    # density scales every spacing: twice the density, about twice the lines per axis
    assert _grid(capsys, "--density", "2")["nodes"] == pytest.approx(4 * base, rel=0.15)
    # a gentler grading needs more lines to reach the same far spacing: ln(1.1)/ln(1.05) = 1.95x
    # per graded axis, up to 3.8x the nodes (measured: 2.85x)
    assert _grid(capsys, "--growth", "1.05")["nodes"] > 1.5 * base


@pytest.mark.parametrize(
    ("option", "value"), [("--growth", "1"), ("--growth", "3"), ("--density", "0"), ("--open-factor", "-1")]
)
def test_bad_mesh_option_is_one_line(capsys, option, value):
    assert main([*CALC, option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0]


def test_sweep_solves_on_the_grid_it_is_given(tmp_path):
    rows = {}
    for name, options in (("default", []), ("coarse", ["--density", "0.5"])):
        out = tmp_path / f"{name}.csv"
        argv = ["sweep", "microstrip", "w=0.3", "h=0.2", "er=4.3", "t=0.03,0.035", "--tol", "none", "--workers", "0"]
        assert main([*argv, "-o", str(out), "--quiet", *options]) == 0
        with out.open() as f:
            rows[name] = next(csv.DictReader(f))
    # one grid each: the coarser grid gives a different (close) answer
    z, zc = float(rows["default"]["z0"]), float(rows["coarse"]["z0"])
    assert z != zc and zc == pytest.approx(z, rel=0.01)


def test_the_table_names_the_option_the_library_note_names_as_a_setting(capsys):
    argv = ["calc", "microstrip", "w=0.3", "h=0.2", "er=4.3", "--tol", "1e-5", "--max-nodes", "40000"]
    assert main([*argv, "--json"]) == 0
    (note,) = [n for n in json.loads(capsys.readouterr().out)["notes"] if "NOT CONVERGED" in n]
    assert "raise max_nodes" in note  # the library speaks of its settings
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "raise --max-nodes" in table and "raise max_nodes" not in table
