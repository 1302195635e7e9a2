"""The command line with --freq: the JSON keys of R, L, G, C and the line, the table, bad input."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from fieldsolver.cli import main
from fieldsolver.constants import C0

GEOMETRIES = Path(__file__).resolve().parent.parent / "geometries"
STRIPLINE = ("calc", "stripline", "w=0.2", "h1=0.2", "h2=0.2", "t=0.035", "er=4", "--tol", "none")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_pair_json_has_rlgc_per_frequency_and_the_modes(capsys):
    code, out, _ = run(
        capsys, "solve", str(GEOMETRIES / "usb2_diff_microstrip.yaml"), "--freq", "1MHz:10GHz:5", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert d["frequency"] == pytest.approx(np.geomspace(1e6, 1e10, 5).tolist(), rel=1e-12)
    x = d["rlgc"]
    for key in ("R", "L", "G", "C"):
        assert np.asarray(x[key]).shape == (5, 2, 2)
    assert np.asarray(x["r_dc"]).shape == (2, 2)
    assert len(x["modes"]) == 2
    for m in x["modes"]:
        assert np.asarray(m["z_c"]).shape == (5, 2) and np.asarray(m["gamma"]).shape == (5, 2)
        assert set(m["attenuation_db_per_m"]) == {"conductor", "dielectric", "total"}
        assert len(m["eps_eff"]) == 5
    assert np.asarray(x["z_diff"]).shape == (5, 2) and np.asarray(x["z_common"]).shape == (5, 2)
    # the static Zdiff is the high-frequency limit: at 10 GHz |Zdiff| is within 1 % of it
    assert np.hypot(*x["z_diff"][-1]) == pytest.approx(d["z_diff"], rel=0.01)
    # resistance grows and dielectric loss is w C tand-like: G(10 GHz) = 10^4 G(1 MHz)
    R = np.asarray(x["R"])
    assert np.all(np.diff(R[:, 0, 0]) > 0)
    G = np.asarray(x["G"])
    assert G[-1, 0, 0] == pytest.approx(1e4 * G[0, 0, 0], rel=1e-9)
    # the error estimates: of R, L, G, C (absolute, per frequency), and of the modes and the
    # pair's values under the same keys as the values
    u = x["uncertainty"]
    for key in ("R", "L", "G", "C"):
        assert np.asarray(u[key]).shape == (5, 2, 2) and np.all(np.asarray(u[key]) >= 0)
    assert len(u["modes"]) == 2
    for m, v in zip(u["modes"], x["modes"], strict=True):
        assert set(m) == set(v)
        assert np.asarray(m["z_c"]).shape == (5, 2) and np.asarray(m["gamma"]).shape == (5, 2)
        assert set(m["attenuation_db_per_m"]) == {"conductor", "dielectric", "total"}
    for key in ("z_diff", "z_common"):
        bar = np.hypot(*np.asarray(u[key]).T)
        # a bar, not a blanket: above 0 and well below 1 % of |Zdiff| (the static tol is 0.1 %)
        assert np.all(bar > 0) and np.all(bar < 0.01 * np.hypot(*np.asarray(x[key]).T))
    for key in ("attenuation_diff_db_per_m", "attenuation_common_db_per_m"):
        assert set(u[key]) == {"conductor", "dielectric", "total"} and len(u[key]["total"]) == 5


def test_homogeneous_stripline_dielectric_loss_is_exact(capsys, tmp_path):
    # a homogeneous line with perfect conductors: gamma = j k sqrt(1 - j tand), k = w sqrt(er) / c,
    # so alpha_d = k sqrt((sqrt(1 + tand^2) - 1) / 2) exactly (to first order the textbook
    # pi f sqrt(er) tand / c, Pozar, Microwave Engineering, 4th ed., eq. 3.30)
    er, tand = 3.6, 0.02
    path = tmp_path / "stripline.yaml"
    path.write_text(
        "units: mm\n"
        f"background: {{er: {er}, tand: {tand}}}\n"
        "conductors:\n"
        "  - {name: sig, role: signal, sigma: .inf, rect: {x: [-0.1, 0.1], y: [0.2, 0.235]}}\n"
        "  - {name: top, sigma: .inf, rect: {x: [-.inf, .inf], y: [0.435, 0.47]}}\n"
        "  - {name: bottom, sigma: .inf, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}\n"
    )
    code, out, _ = run(capsys, "solve", str(path), "--freq", "1GHz,10GHz", "--tol", "none", "--json")
    assert code == 0
    d = json.loads(out)
    f = np.asarray(d["frequency"])
    alpha = np.asarray(d["rlgc"]["modes"][0]["attenuation_db_per_m"]["dielectric"]) / (20 / np.log(10))
    k = 2 * np.pi * f * np.sqrt(er) / C0
    assert alpha == pytest.approx(k * np.sqrt((np.sqrt(1 + tand**2) - 1) / 2), rel=1e-9)


def test_the_table_shows_the_loss_in_db_per_inch(capsys):
    code, out, _ = run(capsys, *STRIPLINE, "--freq", "1GHz")
    assert code == 0
    assert "dB/in" in out and "1 GHz" in out and "R sig" in out


def test_without_freq_nothing_changes(capsys):
    code, out, _ = run(capsys, *STRIPLINE, "--json")
    assert code == 0 and "rlgc" not in json.loads(out) and "frequency" not in json.loads(out)


@pytest.mark.parametrize(
    "freq, words",
    [
        ("0Hz", "> 0 Hz"),
        ("1 furlong", "unknown frequency unit"),
        ("1GHz:1MHz:5", "STOP > START"),
        ("1MHz:1GHz:1", "COUNT >= 2"),
        ("1MHz:1GHz", "START:STOP:COUNT"),
        ("GHz", "not a frequency"),
    ],
)
def test_bad_frequencies_are_one_line_and_exit_2(capsys, freq, words):
    code, out, err = run(capsys, *STRIPLINE, "--freq", freq)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--freq" in err and words in err


def test_the_readme_loss_plots_are_drawn_by_make_docs():
    # the command the README shows for its loss plot is the one `make docs` runs, and every loss
    # plot the README shows is drawn there
    root = Path(__file__).resolve().parents[1]
    readme, makefile = (root / "README.md").read_text(), (root / "Makefile").read_text()
    shown = re.findall(r"^fieldsolver (calc .*--plot-loss \S+)$", readme, re.M)
    assert shown and all(f"$(BIN)/fieldsolver {cmd} > /dev/null" in makefile for cmd in shown)
    for image in re.findall(r"\((docs/loss_\w+\.png)\)", readme):
        assert f"--plot-loss {image} " in makefile


def test_the_table_gives_the_estimates_of_g_c_zc_and_the_loss(capsys, tmp_path):
    path = tmp_path / "coax.yaml"
    path.write_text(
        "units: mm\n"
        "background: {er: 2.25, tand: 0.01}\n"
        "conductors:\n"
        "  - {name: inner, role: signal, circle: {center: [0, 0], radius: 0.405}}\n"
        "  - {name: braid, role: ground, ring: {center: [0, 0], inner_radius: 1.475, outer_radius: 1.75}}\n"
    )
    code, out, _ = run(capsys, "solve", str(path), "--freq", "1GHz,10GHz")
    assert code == 0
    found = dict(re.findall(r"(\|Zc\||loss|[RLGC]) within ([0-9.e+-]+) %", out))
    assert set(found) == {"R", "L", "G", "C", "|Zc|", "loss"}
    # G = w C tan(delta) of a homogeneous line: its estimate is the static C's (tol 0.1 %)
    assert 0 < float(found["G"]) < 0.2
