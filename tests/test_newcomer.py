"""A newcomer's path: the templates listed with their parameters, one option style across verbs,
--json on the design tools, clean numbers, sensitivity only where a parameter acts, units: m."""

import csv
import json

import pytest

from fieldsolver.cli import main
from fieldsolver.cli.study import _num
from fieldsolver.geometry import templates
from fieldsolver.physics import formulas as F

STRIP = ["h1=0.5", "h2=0.5", "er=1", "--workers", "0", "--quiet"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_templates_lists_every_template_and_what_it_needs(capsys):
    code, out, _ = run(capsys, "templates")
    assert code == 0
    for name in templates.TEMPLATES:
        assert f"  {name} " in out
    assert "needs d, D, er" in out  # coax


def test_one_templates_parameters_with_units_and_defaults(capsys):
    code, out, _ = run(capsys, "templates", "coupled_microstrip", "--json", "--units", "mil")
    assert code == 0
    params = {p["name"]: p for p in json.loads(out)["coupled_microstrip"]["parameters"]}
    assert list(params) == list(templates.TEMPLATES["coupled_microstrip"][1])  # every one, in order
    assert params["w"]["default"] == "required" and params["w"]["unit"] == "length, mil"
    assert params["w_top"]["default"] == "= w" and params["c3"]["default"] == "= c1"
    assert params["t"]["default"] == "0" and params["mask_er"]["default"] == "3.5"
    assert params["er"]["unit"] == "relative permittivity"
    code, _, err = run(capsys, "templates", "nosuch")
    assert code == 2 and "unknown template 'nosuch'; choose from microstrip" in err


def test_calc_template_help_shows_its_parameters(capsys):
    code, out, _ = run(capsys, "calc", "coax", "--help")
    assert code == 0
    assert "--tol" in out  # calc's own options
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and line.split()}
    assert "required" in rows["d"] and "required" in rows["D"] and "length, mm" in rows["d"]


def test_plot_takes_plot_and_the_design_tools_take_csv(capsys, tmp_path):
    png = tmp_path / "m.png"
    code, _, err = run(capsys, "plot", "microstrip", "w=0.3", "h=0.2", "er=4", "--tol", "none", "--plot", str(png))
    assert code == 0 and png.stat().st_size > 1000, err
    table = tmp_path / "s.csv"
    code, _, err = run(capsys, "sweep", "stripline", "w=0.1:0.5:5", *STRIP, "--tol", "none", "--csv", str(table))
    assert code == 0, err
    rows = list(csv.DictReader(table.read_text().splitlines()))
    # clean numbers: the decimals typed, not linspace's binary residue (0.30000000000000004)
    assert [r["w"] for r in rows] == ["0.1", "0.2", "0.3", "0.4", "0.5"]


def test_sweep_json_against_cohn(capsys):
    code, out, _ = run(capsys, "sweep", "stripline", "w=0.2,0.4", *STRIP, "--json")
    d = json.loads(out)
    assert code == 0 and d["verb"] == "sweep" and d["parameters"] == ["w"] and d["points"] == d["solved"] == 2
    for row in d["rows"]:  # zero-thickness stripline in air, b = 1 mm: Cohn's exact Z0, within 0.1 %
        assert row["status"] == "ok" and abs(row["z0"] / F.stripline_z0(row["w"], 1.0) - 1) < 1e-3


def test_sensitivity_varies_only_what_changes_the_structure(capsys):
    # a zero-thickness trace, no mask: w_top and mask_er have nothing to act on
    argv = ["sensitivity", "microstrip", "w=0.3", "h=0.2", "er=4.3", "--workers", "0", "--quiet", "--tol", "none"]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "not varied (no effect on this structure, or not alone): w_top, mask_er" in out
    code, out, _ = run(capsys, *argv, "--json")
    d = json.loads(out)
    assert code == 0 and {s["parameter"] for s in d["sensitivities"]} == {"w", "h", "er"}
    assert d["points"] == 7 and d["failed"] == 0
    assert all(s["change"]["z0"] > 0.005 for s in d["sensitivities"])  # each moves Z0 by over 0.5 %


def test_tolerance_and_synth_json(capsys):
    base = ["stripline", "w=0.3", *STRIP, "--tol", "none"]
    code, out, _ = run(capsys, "tolerance", *base, "--spread", "w=+-0.01", "--n", "4", "--json", "--spec", "z0=90+-50%")
    d = json.loads(out)
    assert code == 0 and d["samples"] == 4 and d["solved"] == 4
    st = {s["quantity"]: s for s in d["statistics"]}["z0"]
    assert st["spec"].startswith("z0") and st["yield"] == 1.0  # every sample within 45 to 135 ohm
    assert min(r["z0"] for r in d["rows"]) <= st["mean"] <= max(r["z0"] for r in d["rows"])
    code, out, _ = run(capsys, "synth", *base, "target=z0:70", "vary=w", "--json")
    d = json.loads(out)
    assert d["reached"] is True and code == 0
    # Cohn's exact Z0 at the width found (b = 1 mm, in air), within the coarse grid's 1 %
    assert abs(F.stripline_z0(d["parameters"]["w"], 1.0) / 70 - 1) < 0.01


@pytest.mark.parametrize(
    ("v", "text"), [(50.123456, "50.1235"), (0.0041231234, "0.0041231"), (3.2e-7, "3.2e-07"), (0.0, "0.0000")]
)
def test_tiny_values_stay_readable(v, text):
    assert _num(v) == text


def test_units_m_is_the_same_line_as_mm(capsys):
    mm = json.loads(run(capsys, "calc", "microstrip", "w=0.3", "h=0.2", "er=4.3", "--tol", "none", "--json")[1])
    m = json.loads(
        run(capsys, "calc", "microstrip", "w=0.0003", "h=0.0002", "er=4.3", "--units", "m", "--tol", "none", "--json")[
            1
        ]
    )
    assert m["z0"] == pytest.approx(mm["z0"], rel=1e-9)  # the same structure: scaling leaves Z unchanged
