"""Design studies: YAML parameters, synthesis against exact inverses, sweeps through real Dask
clusters (local, and a scheduler and worker started as separate processes), interrupted runs
resumed, failed points, sensitivity and Monte Carlo against exact scaling laws."""

import csv
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scipy.optimize import brentq

import fieldsolver as fs
from fieldsolver import studies
from fieldsolver.cli.main import main
from fieldsolver.geometry.loader import load
from fieldsolver.physics import formulas as F
from fieldsolver.studies import batch

GEOMETRIES = Path(__file__).resolve().parent.parent / "geometries"
STRIP = {"h1": 0.5, "h2": 0.5, "er": 1.0}  # zero-thickness stripline, b = 1: Cohn's exact Z0

PARAMETRIC = """units: mm
parameters: {w: 0.27, s: 0.15, h: 0.2, er: 4.4}
conductors:
  - {name: "D+", role: signal, rect: {x: [-s/2 - w, -s/2], y: [h, h + 0.035]}}
  - {name: "D-", role: signal, rect: {x: [s/2, s/2 + w], y: [h, h + 0.035]}}
  - {name: gnd, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}
dielectrics:
  - {name: prepreg, er: er, layer: {y: [0, h]}}
"""


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# -------------------------------------------------------------------------------- YAML parameters
def test_parameters_and_expressions(tmp_path):
    f = tmp_path / "pair.yaml"
    f.write_text(PARAMETRIC)
    sec = load(f)
    p, n = (c.shape for c in sec.conductors[:2])
    assert (p.x0, p.x1, n.x0, n.x1) == pytest.approx((-0.345e-3, -0.075e-3, 0.075e-3, 0.345e-3))
    assert sec.dielectrics[0].er == 4.4
    wider = load(f, {"s": 0.3, "er": 3.0})
    assert wider.conductors[1].shape.x0 == pytest.approx(0.15e-3) and wider.dielectrics[0].er == 3.0


def test_stackup_with_parameters_is_the_drawn_board():
    # the shipped stackup, now written with parameters, still gives the drawn file's values
    a = fs.solve(GEOMETRIES / "usb2_stackup.yaml", tol=3e-3)
    b = fs.solve(GEOMETRIES / "usb2_diff_microstrip.yaml", tol=3e-3)
    assert a.z_diff == pytest.approx(b.z_diff, rel=1e-9) and a.z_common == pytest.approx(b.z_common, rel=1e-9)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("x: [-s/2 - q, -s/2]", "unknown parameter 'q'; parameters: w, s, h, er"),
        ("x: [__import__('os'), 1]", "only numbers, parameter names"),
        ("x: [w(), 1]", "only numbers, parameter names"),
        ("x: [s/(w-w), 1]", "division by zero"),
        ("x: [s +, 1]", "expected a number or an expression"),
    ],
)
def test_bad_expressions_name_file_and_line(tmp_path, text, what):
    f = tmp_path / "pair.yaml"
    f.write_text(PARAMETRIC.replace("x: [-s/2 - w, -s/2]", text))
    with pytest.raises(fs.InputError) as e:
        load(f)
    assert what in str(e.value) and f"{f}:4:" in str(e.value)


def test_a_template_files_params_are_its_parameters():
    params = {"w": 0.175, "w_top": 0.155, "g": 0.2, "h": 0.1, "t": 0.035, "er": 4.0, "backed": True}
    varied = load(GEOMETRIES / "gcpw_50ohm.yaml", {"g": 0.25, "er": 3.5})
    expected = fs.template("cpw", **{**params, "g": 0.25, "er": 3.5})
    assert [c.shape for c in varied.conductors] == [c.shape for c in expected.conductors]
    assert [d.er for d in varied.dielectrics] == [3.5]
    assert set(studies.Design.of(str(GEOMETRIES / "gcpw_50ohm.yaml")).numeric()) == {"w", "w_top", "g", "h", "t", "er"}


def test_unknown_override(tmp_path):
    f = tmp_path / "pair.yaml"
    f.write_text(PARAMETRIC)
    with pytest.raises(fs.InputError, match="'gap' is not a parameter of this file; its parameters: w, s, h, er"):
        studies.Design.of(str(f), {"gap": 0.2})


# -------------------------------------------------------------------------------------- synthesis
def test_synthesis_hits_cohn_exact_inverse():
    d = studies.Design.of("stripline", {"w": 0.3, **STRIP})
    with batch.Runner(workers=0) as r:
        s = studies.synthesize(
            d, [studies.Target("z0", 50.0)], [studies.Vary("w", 0.1, 3.0)], studies.PointSolver(d, r), rel=0.002
        )
    w_exact = brentq(lambda w: F.stripline_z0(w, 1.0) - 50.0, 0.01, 10.0)
    assert s.reached and "reached" in s.message
    # judged by the exact formula, not by the solver: within the 0.2 % asked plus the solver's 0.1 %
    assert F.stripline_z0(s.params["w"], 1.0) == pytest.approx(50.0, rel=0.003)
    assert s.params["w"] == pytest.approx(w_exact, rel=0.01)
    assert s.evaluations < 15


def test_two_targets_hit_cohn_coupled_stripline():
    # Zodd 70, Zeven 100 ohm (in air, b = 1) by gap and width; checked with Cohn's exact formulas
    d = studies.Design.of("coupled_stripline", {"w": 0.3, "s": 0.2, **STRIP})
    with batch.Runner(workers=0) as r:
        s = studies.synthesize(
            d,
            [studies.Target("z_odd", 70.0), studies.Target("z_even", 100.0)],
            [studies.Vary("s", 0.01, 2.0), studies.Vary("w", 0.05, 3.0)],
            studies.PointSolver(d, r, tol=3e-3),
        )
    assert s.reached, s.message
    # the 0.5 % asked plus the solver's 0.3 %
    z_odd, z_even = F.coupled_stripline_z(s.params["w"], s.params["s"], 1.0)
    assert z_odd == pytest.approx(70.0, rel=0.008) and z_even == pytest.approx(100.0, rel=0.008)


def test_unreachable_target_is_reported(capsys):
    code = main(
        ["synth", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "target=z0:500", "vary=w", "--workers", "0"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "NOT reachable within the bounds (w in [0.1, 0.9])" in out and "closest: z0 = " in out


# ----------------------------------------------------------------------------------------- sweeps
SWEEP = ["coupled_stripline", "w=0.2:0.4:3", "s=0.1,0.3", "h1=0.5", "h2=0.5", "er=2.2", "--tol", "3e-3", "--quiet"]


def test_sweep_on_a_local_cluster_equals_in_process(tmp_path, capsys):
    assert main(["sweep", *SWEEP, "--workers", "2", "-o", str(tmp_path / "dask.csv")]) == 0
    assert main(["sweep", *SWEEP, "--workers", "0", "-o", str(tmp_path / "here.parquet")]) == 0
    capsys.readouterr()
    import pyarrow.parquet as pq

    on_dask = rows_of(tmp_path / "dask.csv")
    here = pq.read_table(tmp_path / "here.parquet").to_pylist()
    assert [r["id"] for r in on_dask] == [r["id"] for r in here] == [str(i) for i in range(6)]
    for a, b in zip(on_dask, here, strict=True):
        assert (float(a["w"]), float(a["s"])) == (b["w"], b["s"])
        assert float(a["z_diff"]) == pytest.approx(b["z_diff"], rel=1e-9)
        assert float(a["z_common"]) == pytest.approx(b["z_common"], rel=1e-9)
    # and both are the solver's own answer
    direct = fs.solve(fs.template("coupled_stripline", w=0.3, s=0.3, h1=0.5, h2=0.5, er=2.2), tol=3e-3)
    assert here[3]["z_diff"] == pytest.approx(direct.z_diff, rel=1e-9)
    assert not (tmp_path / "here.parquet.part.csv").exists()


def test_a_failed_point_does_not_sink_the_batch(tmp_path, capsys):
    out = tmp_path / "t.csv"
    code = main(
        [
            "sweep",
            "coupled_stripline",
            "w=0.3",
            "s=-0.1,0.2",
            "h1=0.5",
            "h2=0.5",
            "er=1",
            "--workers",
            "0",
            "-o",
            str(out),
            "--quiet",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    rows = rows_of(out)
    assert [r["status"] for r in rows] == ["failed", "ok"]
    assert "must be > 0" in rows[0]["error"] and float(rows[1]["z_diff"]) > 0
    assert "FAILED point 0 (s = -0.1)" in text


def test_existing_output_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "t.csv"
    out.write_text("precious\n")
    assert main(["sweep", *SWEEP, "--workers", "0", "-o", str(out)]) == 2
    assert "exists: add --resume" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    assert main(["sweep", *SWEEP, "--workers", "0", "-o", str(out), "--resume"]) == 2
    assert "written by a different command" in capsys.readouterr().err


def test_resume_refuses_another_runs_file(tmp_path, capsys):
    out = tmp_path / "t.csv"
    base = ["sweep", "stripline", "h1=0.5", "h2=0.5", "er=1", "--workers", "0", "--quiet", "-o", str(out)]
    assert main([*base, "w=0.2,0.3"]) == 0
    before = out.read_text()
    assert main([*base, "w=0.25,0.3", "--resume"]) == 2
    assert "point 0 has other parameters there" in capsys.readouterr().err
    assert out.read_text() == before  # left as it was


def test_killed_run_resumes_every_point_exactly_once(tmp_path):
    out = tmp_path / "sweep.csv"
    argv = ["sweep", "coupled_microstrip", "w=0.1:0.3:10", "s=0.15", "h=0.1", "t=0.035", "er=4", "--tol", "2e-3"]
    cmd = [sys.executable, "-m", "fieldsolver.cli", *argv, "--workers", "1", "-o", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 4):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the client and its workers, mid-run
    proc.wait()
    before = rows_of(out)
    assert 3 <= len(before) < 10, "the kill came too late to test resuming"
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, check=True).stdout
    assert f"resumed: {len(before)} of 10 points" in resumed
    after = rows_of(out)
    assert sorted(int(r["id"]) for r in after) == list(range(10))  # each point exactly once
    assert all(r["status"] == "ok" for r in after)
    finished = {r["id"]: r["z_diff"] for r in before}
    assert all(r["z_diff"] == finished[r["id"]] for r in after if r["id"] in finished)  # not redone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sweep_on_a_separately_started_scheduler(tmp_path, capsys):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **quiet,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "dask", "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
        **quiet,
    )
    try:
        from distributed import Client

        deadline = time.time() + 60
        while True:
            try:
                with Client(address, timeout="5s") as c:
                    c.wait_for_workers(1, timeout=60)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        out = tmp_path / "remote.csv"
        argv = ["sweep", "stripline", "w=0.2,0.5,1.0", "h1=0.5", "h2=0.5", "er=1", "--quiet"]
        assert main([*argv, "--scheduler", address, "-o", str(out)]) == 0
        capsys.readouterr()
        for r in rows_of(out):
            assert float(r["z0"]) == pytest.approx(F.stripline_z0(float(r["w"]), 1.0), rel=1e-3)
    finally:
        for p in (worker, scheduler):
            p.terminate()
            p.wait(timeout=30)


# ------------------------------------------------------------------------- sensitivity, Monte Carlo
def test_sensitivity_to_er_is_the_exact_scaling(capsys):
    # a homogeneous stripline: Z0 = k / sqrt(er) exactly, so the central difference is known
    d = studies.Design.of("stripline", {"w": 0.3, "h1": 0.5, "h2": 0.5, "t": 0.035, "er": 4.0})
    spreads = [studies.Spread("er", 0.2), studies.Spread("w", 0.025), studies.Spread("h1", 0.1, relative=True)]
    with batch.Runner(workers=0) as r:
        res = studies.run_points(d, studies.sensitivity_points(d, spreads), r, progress=False)
    rows = {row["id"]: row for row in res.rows}
    sens = {s.param: s for s in studies.sensitivities(d, spreads, rows, ("z0", "eps_eff"))}
    z = rows["base"]["z0"]
    exact = (z * math.sqrt(4.0 / 4.2) - z * math.sqrt(4.0 / 3.8)) / 0.4
    assert sens["er"].derivative["z0"] == pytest.approx(exact, rel=1e-6)
    assert sens["w"].derivative["z0"] < 0 < sens["h1"].derivative["z0"]
    ranked = studies.sensitivities(d, spreads, rows, ("z0", "eps_eff"))
    assert [s.change["z0"] for s in ranked] == sorted((s.change["z0"] for s in ranked), reverse=True)


def test_sensitivity_cli_defaults_to_typical_fab_tolerances(capsys):
    code = main(
        [
            "sensitivity",
            "microstrip",
            "w=0.3",
            "h=0.17",
            "t=0.035",
            "er=4.3",
            "--workers",
            "0",
            "--quiet",
            "--tol",
            "3e-3",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for line in ("w        0.3       +-0.0254", "h       0.17         +-10 %", "er        4.3          +-0.2"):
        assert line in out, out


def test_monte_carlo_matches_the_exact_scaling_and_counts_the_yield(tmp_path, capsys):
    out = tmp_path / "mc.csv"
    plot = tmp_path / "mc.png"
    z_ref = fs.solve(fs.template("stripline", w=0.3, h1=0.5, h2=0.5, er=4.0)).z0
    target = round(z_ref, 2)
    argv = ["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=4", "--spread", "er=+-10%", "--n", "24"]
    argv += ["--dist", "uniform", "--spec", f"z0={target}+-2%", "--workers", "0", "--quiet"]
    assert main([*argv, "-o", str(out), "--plot", str(plot)]) == 0
    text = capsys.readouterr().out
    rows = rows_of(out)
    assert len(rows) == 24
    ers = [float(r["er"]) for r in rows]
    assert all(3.6 <= e <= 4.4 for e in ers) and max(ers) - min(ers) > 0.4
    zs = [float(r["z0"]) for r in rows]
    for e, z in zip(ers, zs, strict=True):  # homogeneous: Z0 scales as 1/sqrt(er) exactly
        assert z == pytest.approx(z_ref * math.sqrt(4.0 / e), rel=1e-6)
    inside = sum(target * 0.98 <= z <= target * 1.02 for z in zs)
    assert 0 < inside < 24
    assert f"yield {100 * inside / 24:.2f} % within z0 in [{target * 0.98:.4g}, {target * 1.02:.4g}]" in text
    assert plot.stat().st_size > 0
    # the same seed draws the same samples
    again = studies.sample_points(
        studies.Design.of("stripline", {"w": 0.3, **STRIP, "er": 4.0}), [studies.Spread("er", 0.1, True)], 24, "uniform"
    )
    assert [p["er"] for _, p in again] == pytest.approx(ers, rel=1e-15)


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (
            ["synth", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "target=z9:50", "vary=w"],
            "target z9: not a value",
        ),
        (
            ["synth", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "target=z0:50", "vary=q"],
            "'q' is not a numeric parameter",
        ),
        (["synth", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "target=z0:50"], "give target"),
        (["sweep", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1"], "at least one NAME=START:STOP:COUNT"),
        (["sweep", "stripline", "w=a:b:3", "h1=0.5", "h2=0.5", "er=1"], "expected start:stop:count"),
        (["sweep", "stripline", "w=0.1,0.2", "h1=0.5", "h2=0.5", "er=1", "-o", "x.txt"], ".csv or .parquet"),
        (["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "--spread", "w=abc"], "NAME=+-AMOUNT"),
        (
            ["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "--spread", "w=+-0.01", "--spec", "z0=50"],
            "TARGET+-TOL",
        ),
        (
            ["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "--spread", "q=+-1"],
            "--spread q: not a numeric",
        ),
        (["sweep", "geometries/usb2_stackup.yaml", "gap=0.1,0.2"], "'gap' is not a parameter; choose from w, s, h, er"),
        (
            ["sweep", "stripline", "w=0.1,0.2", "h1=0.5", "h2=0.5", "er=1", "--scheduler", "tcp://127.0.0.1:1"],
            "cannot connect",
        ),
    ],
)
def test_bad_study_input_gives_one_line_exit_2(argv, what, capsys, monkeypatch):
    monkeypatch.chdir(GEOMETRIES.parent)
    code = main([*argv, "--workers", "0", "--quiet"]) if "--scheduler" not in argv else main([*argv, "--quiet"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and what in err, err
