"""The command line's length of line: --length, --touchstone, --z-ref, --mixed-mode, --crosstalk and
--rise. Touchstone files read back by scikit-rf against closed forms and scikit-rf's own line
model, the JSON keys network and crosstalk against exact coupled-line results, the table's
definitions, and every bad input as one line and exit code 2 before any solve.

The structures have perfect conductors (sigma: .inf), so that --freq adds no magnetic solve and
each run takes about a second; the loss itself is tested in tests/test_loss*.py and the network
maths on lossy lines in tests/test_network.py.
"""

import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from fieldsolver.cli import main
from fieldsolver.constants import C0

skrf = pytest.importorskip("skrf")

ROOT = Path(__file__).parents[1]
ER, TAND = 3.6, 0.01

# a homogeneous stripline pair (every field line in one dielectric) and a microstrip pair
STRIPLINE_PAIR = f"""
units: mm
background: {{er: {ER}, tand: {TAND}}}
conductors:
  - {{name: a, role: signal, sigma: .inf, rect: {{x: [-0.3, -0.1], y: [0.2, 0.218]}}}}
  - {{name: b, role: signal, sigma: .inf, rect: {{x: [0.1, 0.3], y: [0.2, 0.218]}}}}
  - {{name: top, sigma: .inf, rect: {{x: [-.inf, .inf], y: [0.418, 0.45]}}}}
  - {{name: bottom, sigma: .inf, rect: {{x: [-.inf, .inf], y: [-0.035, 0]}}}}
"""
MICROSTRIP_PAIR = """
units: mm
conductors:
  - {name: a, role: signal, sigma: .inf, rect: {x: [-0.45, -0.15], y: [0.17, 0.205]}}
  - {name: b, role: signal, sigma: .inf, rect: {x: [0.15, 0.45], y: [0.17, 0.205]}}
  - {name: gnd, sigma: .inf, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}
dielectrics:
  - {name: substrate, er: 4.3, layer: {y: [0, 0.17]}}
"""
STRIPLINE = f"""
units: mm
background: {{er: {ER}}}
conductors:
  - {{name: sig, role: signal, sigma: .inf, rect: {{x: [-0.1, 0.1], y: [0.2, 0.235]}}}}
  - {{name: top, sigma: .inf, rect: {{x: [-.inf, .inf], y: [0.435, 0.47]}}}}
  - {{name: bottom, sigma: .inf, rect: {{x: [-.inf, .inf], y: [-0.035, 0]}}}}
"""
FREQ = np.array([1e7, 1e9, 5e9])


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("lines")
    out = {}
    for name, text in (("pair", STRIPLINE_PAIR), ("microstrip", MICROSTRIP_PAIR), ("single", STRIPLINE)):
        out[name] = d / f"{name}.yaml"
        out[name].write_text(text)
    return out


def _freq_args():
    return ("--freq", ",".join(f"{f:g}" for f in FREQ), "--tol", "none")


# ------------------------------------------------------------------------------------ one line
def test_single_line_s2p_against_the_line_section(files, capsys, tmp_path):
    # a lossless homogeneous line: beta = w sqrt(er) / c exactly, Zc the solver's Z0; between
    # 40 ohm ports S11 and S21 are the line section's (Pozar, Microwave Engineering, 4th ed.,
    # Tables 4.1 and 4.2: A = D = cos(bl), B = j Z0 sin(bl), C = j sin(bl) / Z0)
    path = tmp_path / "line.s2p"
    code, out, _ = run(
        capsys,
        "solve",
        files["single"],
        *_freq_args(),
        "--length",
        "4in",
        "--touchstone",
        path,
        "--z-ref",
        "40",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    net = skrf.Network(path)
    np.testing.assert_allclose(net.f, FREQ, rtol=1e-12)
    np.testing.assert_allclose(net.z0, 40.0)
    z0, zr, bl = d["z0"], 40.0, 2 * np.pi * FREQ * np.sqrt(ER) / C0 * 0.1016
    a, b, c = np.cos(bl), 1j * z0 * np.sin(bl), 1j * np.sin(bl) / z0
    den = 2 * a + b / zr + c * zr
    np.testing.assert_allclose(net.s[:, 0, 0], (b / zr - c * zr) / den, atol=1e-9)
    np.testing.assert_allclose(net.s[:, 1, 0], 2 / den, atol=1e-9)
    # the JSON's figures are the file's, in dB
    x = d["network"]
    assert x["length"] == pytest.approx(0.1016, rel=1e-15) and x["z_ref"] == [40.0, 40.0]
    np.testing.assert_allclose(np.asarray(x["transmission_db"])[:, 0], 20 * np.log10(np.abs(net.s[:, 1, 0])))
    np.testing.assert_allclose(np.asarray(x["reflection_db"])[:, 0], 20 * np.log10(np.abs(net.s[:, 0, 0])))
    assert "next_db" not in x and "crosstalk" not in d
    assert path.read_text().count("[Version]") == 0  # Touchstone 1.0


# ------------------------------------------------------------------------------------- a pair
def _quiet(argv) -> str:
    """main(argv)'s output (a module fixture has no capsys)."""
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main([str(a) for a in argv]) == 0
    return buf.getvalue()


@pytest.fixture(scope="module")
def pair_run(files, tmp_path_factory):
    # one solve for the JSON and the .s4p, one for the mixed-mode .ts
    d = tmp_path_factory.mktemp("pair")
    args = ["solve", files["pair"], *_freq_args(), "--length", "100mm"]
    out = _quiet([*args, "--rise", "35ps", "--touchstone", d / "pair.s4p", "--json"])
    _quiet([*args, "--touchstone", d / "pair.ts", "--mixed-mode"])
    return json.loads(out), d


def test_pair_s4p_mixed_mode_is_the_differential_line(pair_run):
    # a symmetric pair: SDD21 and SDD11 (scikit-rf's se2gmm of the file's 4-port) equal the
    # single line of the differential mode's gamma and Zdiff, built by scikit-rf's own
    # DefinedGammaZ0 between 100 ohm ports (exact for a symmetric pair)
    d, folder = pair_run
    net = skrf.Network(folder / "pair.s4p")
    assert net.nports == 4 and np.allclose(net.z0, 50.0)
    net.se2gmm(p=2)
    z_diff = np.asarray(d["rlgc"]["z_diff"]) @ [1, 1j]
    # the odd mode: the one whose impedance is Zdiff / 2
    zs = [np.asarray(m["z_c"]) @ [1, 1j] for m in d["rlgc"]["modes"]]
    odd = int(np.argmin([abs(z[0] - z_diff[0] / 2) for z in zs]))
    gamma = np.asarray(d["rlgc"]["modes"][odd]["gamma"]) @ [1, 1j]
    media = skrf.media.DefinedGammaZ0(frequency=net.frequency, z0_port=100.0, z0=z_diff, gamma=gamma)
    line = media.line(0.1, unit="m")
    np.testing.assert_allclose(net.s[:, 1, 0], line.s[:, 1, 0], atol=1e-9)
    np.testing.assert_allclose(net.s[:, 0, 0], line.s[:, 0, 0], atol=1e-9)
    # the JSON's SDD21 and SDD11 are the same numbers in dB
    x = d["network"]
    np.testing.assert_allclose(x["sdd21_db"], 20 * np.log10(np.abs(line.s[:, 1, 0])), atol=1e-7)
    np.testing.assert_allclose(x["sdd11_db"], 20 * np.log10(np.abs(line.s[:, 0, 0])), atol=1e-6)
    assert x["z_ref_mixed"] == [100.0, 100.0, 25.0, 25.0]


def test_mixed_mode_ts_file_is_se2gmm_of_the_s4p(pair_run):
    # --mixed-mode writes scikit-rf's se2gmm(p=2) of the single-ended network, with its per-port
    # references (100, 100, 25, 25 ohm) in Touchstone 2.0
    _, folder = pair_run
    single = skrf.Network(folder / "pair.s4p")
    single.se2gmm(p=2)
    mixed = skrf.Network(folder / "pair.ts")
    np.testing.assert_allclose(mixed.z0[0], [100, 100, 25, 25])
    np.testing.assert_allclose(mixed.s, single.s, atol=1e-12)
    text = (folder / "pair.ts").read_text()
    assert "[Version] 2.0" in text and "differential near end" in text


def test_homogeneous_pair_crosstalk_is_exact(pair_run):
    # homogeneous: Kf = 0 and Kb = (Zeven - Zodd) / (2 (Zeven + Zodd)) exactly (Pozar, 4th ed.,
    # sec. 7.6: the coupling c = 2 Kb); the delay sqrt(er) / c; a 100 mm line is longer than
    # tr v / 2, so NEXT is saturated at Kb, and FEXT is 0
    d, _ = pair_run
    x = d["crosstalk"]
    kb = np.asarray(x["k_backward"])
    assert kb[0, 1] == pytest.approx((d["z_even"] - d["z_odd"]) / (2 * (d["z_even"] + d["z_odd"])), rel=1e-9)
    assert kb[0, 1] > 0.01 and kb[0, 0] == 0
    np.testing.assert_allclose(x["k_forward"], 0.0, atol=1e-12)
    np.testing.assert_allclose(x["delay"], np.sqrt(ER) / C0, rtol=1e-9)
    assert x["length"] == 0.1 and x["rise"] == pytest.approx(35e-12)
    np.testing.assert_allclose(x["near_end"], kb, rtol=1e-12)
    np.testing.assert_allclose(x["far_end"], 0.0, atol=1e-12)
    assert x["saturation_length"][0][1] == pytest.approx(35e-12 * C0 / np.sqrt(ER) / 2, rel=1e-9)
    # the network's NEXT at low frequency: S(near) = Kb (1 - exp(-2 j beta l)) (Hall, Hall and
    # McCall 2000, ch. 3, and tests/test_network.py), with ports at the lines' own impedance
    # (here 50 ohm, not matched: the figure holds to the mismatch's second order, checked loosely)
    near = 10 ** (np.asarray(d["network"]["next_db"])[0, 0, 1] / 20)
    bl = 2 * np.pi * FREQ[0] * np.sqrt(ER) / C0 * 0.1
    assert near == pytest.approx(kb[0, 1] * abs(1 - np.exp(-2j * bl)), rel=0.1)


def test_microstrip_forward_crosstalk_against_the_coupled_line_form(files, capsys):
    # inhomogeneous: Kf < 0 (inductive coupling larger); FEXT = Kf TD / tr with TD = length x
    # delay; in the frequency domain, with ports matched to each line's own impedance
    # sqrt(L11 (C^-1)11), |S(far)| = w TD |Kf| at low frequency (the classical weak-coupling
    # result, Hall, Hall and McCall 2000, ch. 3), |S(near)| = Kb |1 - exp(-2 j beta l)|
    code, out, _ = run(capsys, "solve", files["microstrip"], "--tol", "none", "--json", "--crosstalk")
    assert code == 0
    d = json.loads(out)
    L, C = np.asarray(d["inductance"]), np.asarray(d["capacitance"])
    z_line = np.sqrt(L[0, 0] * np.linalg.inv(C)[0, 0])
    x = d["crosstalk"]
    kf, kb, delay = x["k_forward"][0][1], x["k_backward"][0][1], x["delay"][0]
    assert kf < -0.005 and kb > 0.01 and "near_end" not in x
    assert kf == pytest.approx((-C[0, 1] / C[0, 0] - L[0, 1] / L[0, 0]) / 2, rel=1e-9)  # symmetric pair
    code, out, _ = run(
        capsys, "solve", files["microstrip"], "--tol", "none", "--json", "--freq", "10MHz", "--length", "0.1m",
        "--z-ref", f"{z_line:.12g}", "--rise", "50ps",
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    td = 0.1 * delay
    fext = 10 ** (np.asarray(d["network"]["fext_db"])[0, 1, 0] / 20)
    assert fext == pytest.approx(2 * np.pi * 1e7 * td * abs(kf), rel=0.02)
    near = 10 ** (np.asarray(d["network"]["next_db"])[0, 1, 0] / 20)
    assert near == pytest.approx(kb * abs(1 - np.exp(-2j * np.pi * 1e7 * 2 * td)), rel=0.02)
    assert d["crosstalk"]["far_end"][0][1] == pytest.approx(kf * td / 50e-12, rel=1e-12)


def test_the_table_prints_the_figures_and_their_definitions(files, capsys):
    code, out, _ = run(capsys, "solve", files["pair"], *_freq_args(), "--length", "4in", "--rise", "35ps")
    assert code == 0
    for text in (
        "network: 101.6 mm (4 in) of line between 50 ohm ports",
        "SDD21 diff. through",
        "SDD11 diff. reflection",
        "NEXT a,b: S(a,b)",
        "FEXT a>b: S(b',a)",
        "scikit-rf's se2gmm convention: Vd = V1 - V2, Id = (I1 - I2)/2",
        "insertion loss = -(through in dB)",
        "Kb = (kL + kC)/4 > 0; Kf = (kC - kL)/2",
        "NEXT = Kb min(1, 2 TD/tr)",
        "b <- a",
    ):
        assert text in out, text
    # the table's SDD21 at 10 MHz is the JSON's, to the digits shown
    _, js, _ = run(capsys, "solve", files["pair"], *_freq_args(), "--length", "4in", "--json")
    sdd21 = json.loads(js)["network"]["sdd21_db"][0]
    row = next(line for line in out.splitlines() if "SDD21 diff. through" in line)
    assert float(row.split()[3]) == pytest.approx(sdd21, rel=1e-3)


def test_crosstalk_without_frequencies(files, capsys):
    code, out, _ = run(
        capsys, "solve", files["microstrip"], "--tol", "none", "--crosstalk", "--length", "1in", "--rise", "20ps"
    )
    assert code == 0
    assert "crosstalk, from the static L and C" in out and "network:" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("b <- a"))
    # 2 TD (0.3 ns) > tr: NEXT is saturated, = Kb (in percent)
    _, _, _, kb, _, next_percent, unit, *_ = row.split()
    assert unit == "%" and float(next_percent) == pytest.approx(100 * float(kb), abs=5e-3)


def test_new_keys_only_with_the_new_options(files, capsys):
    code, out, _ = run(capsys, "solve", files["pair"], *_freq_args(), "--json")
    d = json.loads(out)
    assert code == 0 and "network" not in d and "crosstalk" not in d


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("extra", "what"),
    [
        (["--length", "0mm", "--freq", "1GHz"], "--length: expected a length > 0"),
        (["--length=-5mm", "--freq", "1GHz"], "--length: expected a length > 0"),
        (["--length", "100", "--freq", "1GHz"], "with its unit"),
        (["--length", "3 furlong", "--freq", "1GHz"], "unknown length unit"),
        (["--length", "1in"], "--length is used with --freq"),
        (["--touchstone", "x.s4p", "--length", "1in"], "--touchstone needs --freq"),
        (["--touchstone", "x.s4p", "--freq", "1GHz"], "--touchstone needs --length"),
        (["--touchstone", "x.s2p", "--freq", "1GHz", "--length", "1in"], "2 lines make a 4-port, name it .s4p"),
        (["--touchstone", "x.txt", "--freq", "1GHz", "--length", "1in"], ".sNp (version 1.0, N ports) or .ts"),
        (["--touchstone", "no/such/x.s4p", "--freq", "1GHz", "--length", "1in"], "does not exist"),
        (["--touchstone", "x.s4p", "--freq", "1GHz", "--length", "1in", "--mixed-mode"], "write a .ts file"),
        (["--mixed-mode", "--freq", "1GHz", "--length", "1in"], "--mixed-mode needs --touchstone"),
        (["--z-ref", "50,50,50", "--freq", "1GHz", "--length", "1in"], "3 values for a 4-port (2 lines)"),
        (["--z-ref", "50,45,50,50", "--freq", "1GHz", "--length", "1in", "--touchstone", "x.s4p"], "needs a .ts"),
        (["--z-ref", "-50", "--freq", "1GHz", "--length", "1in"], "--z-ref: expected ohms > 0"),
        (["--z-ref", "50"], "--z-ref needs --freq and --length"),
        (["--rise", "35ps"], "--rise needs --length"),
        (["--rise", "35", "--length", "1in"], "--rise: expected a time > 0 with its unit"),
        (["--plot-loss", "l.png"], "--plot-loss needs --freq"),
        (["--plot-sparams", "s.png", "--freq", "1GHz"], "--plot-sparams needs --length"),
        (["--plot-sparams", "s.txt", "--freq", "1GHz", "--length", "1in"], "use a .png, .svg or .pdf"),
    ],
)
def test_bad_network_options_are_one_line_exit_2_before_solving(files, extra, what, capsys, tmp_path, monkeypatch):
    # a solve that would take minutes: every mistake is found before it
    monkeypatch.chdir(tmp_path)
    slow = ["--tol", "1e-7", "--max-nodes", "100000000"]
    code, out, err = run(capsys, "solve", files["pair"], *slow, *extra)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and what in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        (["--crosstalk"], "crosstalk needs two or more signals, this has 1"),
        (["--rise", "35ps", "--length", "1in"], "crosstalk needs two or more signals"),
        (["--mixed-mode", "--touchstone", "x.ts", "--freq", "1GHz", "--length", "1in"], "is for a pair (two signals)"),
    ],
)
def test_crosstalk_and_mixed_mode_need_lines(files, extra, what, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "solve", files["single"], "--tol", "1e-7", "--max-nodes", "100000000", *extra)
    assert code == 2 and err.count("\n") == 1 and what in err, err


def test_a_missing_scikit_rf_is_named_before_the_solve(files, tmp_path):
    code = (
        "import sys\nsys.modules['skrf'] = None\nfrom fieldsolver.cli import main\n"
        f"sys.exit(main(['solve', r'{files['pair']}', '--tol', '1e-7', '--max-nodes', '100000000', '--freq', '1GHz',"
        f" '--length', '1in', '--touchstone', r'{tmp_path / 'x.s4p'}']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "fieldsolver: error: S-parameter networks needs skrf, which is not installed: pip install 'fieldsolver[networks]'"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file(files, capsys, tmp_path, monkeypatch):
    # written to a temporary file beside the target and renamed: a failure leaves the old file
    from fieldsolver.post import output

    path = tmp_path / "pair.s4p"
    path.write_text("old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(output.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        main(["solve", str(files["pair"]), *_freq_args(), "--length", "1in", "--touchstone", str(path)])
    capsys.readouterr()
    assert [p.name for p in tmp_path.iterdir()] == ["pair.s4p"] and path.read_text() == "old"
