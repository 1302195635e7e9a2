"""CLI: JSON keys, the human table, the field map, and one clear line for every bad input."""

import json
from pathlib import Path

import numpy as np
import pytest

from fieldsolver.cli import main
from fieldsolver.physics import formulas as F

GEOMETRIES = Path(__file__).resolve().parent.parent / "geometries"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_single_line_json_keys(capsys):
    code, out, _ = run(capsys, "calc", "coax", "d=1", "D=2.3", "er=2.2", "--json")
    d = json.loads(out)
    assert code == 0
    assert d["signals"] == ["inner"]
    for key in ("capacitance", "capacitance_vacuum", "inductance"):
        assert np.asarray(d[key]).shape == (1, 1)
    # the default tol's 0.1 % (measured 0.027 %; this coax's bar, 0.006 %, does not cover that:
    # see test_exact.test_coax)
    assert d["accuracy"]["converged"] and abs(d["z0"] / F.coax_z0(1, 2.3, 2.2) - 1) < 1e-3
    assert d["delay"] == pytest.approx(np.sqrt(2.2) / 299792458.0, rel=1e-9)  # SI: s/m
    assert d["grid"]["nodes"] == d["grid"]["nx"] * d["grid"]["ny"] > 0


def test_pair_json_keys_and_definitions(capsys):
    code, out, _ = run(capsys, "calc", "coupled_stripline", "w=0.5", "s=0.3", "h1=0.5", "h2=0.5", "er=3", "--json")
    d = json.loads(out)
    assert code == 0
    for key in ("z_odd", "z_even", "z_diff", "z_common", "eps_eff_odd", "eps_eff_even", "z0_lines"):
        assert d[key] is not None
    # Cohn's exact odd and even modes, each within its bar (measured 0.014 % and 0.007 %, bars
    # 0.074 % and 0.041 %)
    for key, exact in zip(("z_odd", "z_even"), F.coupled_stripline_z(0.5, 0.3, 1.0, 3.0), strict=True):
        assert abs(d[key] / exact - 1) <= d["uncertainty"][key] <= 1e-3, key


def test_twin_wire_json_gives_null_common_mode(capsys):
    _, out, _ = run(capsys, "solve", str(GEOMETRIES / "twin_wire.yaml"), "--json")
    d = json.loads(out)
    assert d["z_common"] is None and d["z_even"] is None
    assert any("no ground" in n for n in d["notes"])
    # exact, within its bar (measured 0.011 %, bar 0.033 %)
    assert abs(d["z_diff"] / F.twin_wire_z_diff(1.0, 2.0) - 1) <= d["uncertainty"]["z_diff"] <= 1e-3


def test_table_states_definitions(capsys):
    code, out, _ = run(capsys, "solve", str(GEOMETRIES / "usb2_diff_microstrip.yaml"), "--tol", "none")
    assert code == 0
    for text in ("Zdiff", "Zcommon", "Zodd", "Zeven", "ohm", "pF/m", "nH/m", "Z11 + Z22 - 2*Z12"):
        assert text in out


def test_plot_writes_a_field_map(capsys, tmp_path):
    png = tmp_path / "pair.png"
    code, _, _ = run(
        capsys, "calc", "coupled_microstrip", "w=0.2", "s=0.15", "h=0.1", "er=4", "--tol", "none", "--plot", str(png)
    )
    assert code == 0
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img[..., :3].std() > 0.05  # not blank
    assert [p.name for p in tmp_path.iterdir()] == ["pair.png"]  # no temp file left behind


def test_json_carries_an_uncertainty_per_value_and_the_grids(capsys):
    code, out, _ = run(capsys, "calc", "microstrip", "w=0.3", "h=0.2", "er=4.3", "--json", "--tol", "2e-3")
    d = json.loads(out)
    assert code == 0 and set(d["uncertainty"]) == {"z0", "eps_eff", "delay"}
    assert 0 < d["uncertainty"]["z0"] <= 2e-3 and d["accuracy"]["converged"] is True
    assert d["accuracy"]["tol"] == 2e-3 and len(d["accuracy"]["levels"]) >= 3
    nodes = [lv["nodes"] for lv in d["accuracy"]["levels"]]
    assert nodes == sorted(nodes) and d["grid"]["nodes"] == nodes[-1]


def test_table_shows_plus_minus_and_not_converged(capsys):
    code, out, _ = run(
        capsys, "calc", "microstrip", "w=0.3", "h=0.2", "er=4.3", "--tol", "1e-5", "--max-nodes", "40000"
    )
    assert code == 0
    assert "NOT converged" in out and "+-" in out and "NOT CONVERGED" in out
    code, out, _ = run(capsys, "calc", "microstrip", "w=0.3", "h=0.2", "er=4.3", "--tol", "none")
    assert code == 0 and "+-" not in out and "no error estimate" in out


def assert_one_line_error(code, out, err, *fragments):
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("fieldsolver: error: ")
    for f in fragments:
        assert f in err


BAD_YAML = {
    "unknown_key": (
        "conductors:\n  - {name: a, role: signal, rect: {x: [0, 1], y: [1, 1]}, colour: red}\n",
        ":2:",
        "colour",
    ),
    "missing_field": ("conductors:\n  - {name: a, role: signal, circle: {center: [0, 1]}}\n", ":2:", "radius"),
    "negative_size": (
        "conductors:\n  - {name: a, role: signal, circle: {center: [0, 1], radius: -0.1}}\n",
        ":2:",
        "> 0",
    ),
    "reversed_range": (
        "conductors:\n  - {name: a, role: signal, rect: {x: [1, 0], y: [1, 1]}}\n",
        ":2:",
        "[low, high]",
    ),
    "overlap": (
        "conductors:\n  - {name: a, role: signal, rect: {x: [0, 1], y: [1, 1.1]}}\n"
        "  - {name: b, role: signal, rect: {x: [0.5, 2], y: [1, 1.1]}}\n  - {name: g, rect: {x: [-.inf, .inf], y: [0, 0]}}\n",
        ":3:",
        "overlaps",
    ),
    "signal_touches_ground": (
        "conductors:\n  - {name: a, role: signal, rect: {x: [0, 1], y: [0, 0.1]}}\n  - {name: g, rect: {x: [-.inf, .inf], y: [0, 0]}}\n",
        ":3:",
        "touching a ground",
    ),
    "no_signal": ("conductors:\n  - {name: g, rect: {x: [-.inf, .inf], y: [0, 0]}}\n", "", "role: signal"),
    "er_below_one": (
        "conductors:\n  - {name: a, role: signal, circle: {center: [0, 1], radius: 0.1}}\n  - {name: g, rect: {x: [-.inf, .inf], y: [0, 0]}}\n"
        "dielectrics:\n  - {er: 0.5, layer: {y: [0, 1]}}\n",
        ":5:",
        "er must be >= 1",
    ),
    "non_finite": (
        "conductors:\n  - {name: a, role: signal, circle: {center: [.nan, 1], radius: 0.1}}\n",
        ":2:",
        "finite",
    ),
    "unreadable_yaml": ("conductors: [\n  - {name: a\n", ":", "invalid YAML"),
    "wrong_type": ("conductors: 3\n", ":1:", "expected a list"),
    "bad_role": ("conductors:\n  - {name: a, role: power, circle: {center: [0, 1], radius: 0.1}}\n", ":2:", "role"),
    "two_shapes": (
        "conductors:\n  - {name: a, role: signal, circle: {center: [0, 1], radius: 0.1}, rect: {x: [0, 1], y: [0, 0]}}\n",
        ":2:",
        "exactly one shape",
    ),
    "unknown_template": ("template: microstripp\nparams: {w: 1}\n", ":1:", "unknown template"),
    "template_negative": ("template: microstrip\nparams:\n  w: 0.3\n  h: -1\n  er: 4\n", ":4:", "must be > 0"),
    "template_unknown_param": (
        "template: microstrip\nparams:\n  w: 0.3\n  h: 1\n  er: 4\n  W: 2\n",
        ":6:",
        "unknown parameter",
    ),
    "duplicate_key": ("units: mm\nunits: mil\nconductors: []\n", ":2:", "duplicate key"),
    "lonely_signal": (
        "conductors:\n  - {name: a, role: signal, circle: {center: [0, 1], radius: 0.1}}\n",
        "",
        "ground",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
def test_bad_yaml_gives_one_line_exit_2(case, capsys, tmp_path):
    text, where, what = BAD_YAML[case]
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    assert_one_line_error(*run(capsys, "solve", str(f)), str(f), where, what)


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["solve", "does/not/exist.yaml"], "no such file"),
        (["calc", "coax", "d=1", "D=0.5", "er=1"], "less than D"),
        (["calc", "microstrip", "w=abc", "h=1", "er=4"], "w: must be a number"),
        (["calc", "microstrip", "w=1", "h=1"], "needs parameter 'er'"),
        (["calc", "microstrip", "w1", "h=1"], "key=value"),
        (["calc", "microstrip", "w=1", "h=1", "er=4", "--units", "cm"], "unknown units"),
        (["calc", "microstrip", "w=1", "h=1", "er=4", "--plot", "x.jpg"], ".png"),
        (["frobnicate"], "invalid choice"),
        (["calc", "microstrip", "w=1", "h=1", "er=4", "--tol", "0"], "--tol"),
        (["calc", "microstrip", "w=1", "h=1", "er=4", "--tol", "abc"], "--tol"),
        (["calc", "microstrip", "w=1", "h=1", "er=4", "--max-nodes", "-5"], "--max-nodes"),
        (["calc", "microstrip", "w=1", "h=1", "er=4", "--max-nodes", "1000"], "starting grid"),
    ],
)
def test_bad_command_line_gives_one_line_exit_2(argv, what, capsys):
    assert_one_line_error(*run(capsys, *argv), what)


def test_tiny_values_keep_their_significant_digits_in_the_table():
    from fieldsolver.post.report import _row

    assert "0.004123 +- 0.000004  ohm" in _row("Z0", 0.0041234, "ohm", rel=1e-3)
    assert "56.837 +- 0.057  ohm" in _row("Z0", 56.837, "ohm", rel=1e-3)  # ordinary values as before
