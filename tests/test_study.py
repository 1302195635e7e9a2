"""Design studies: YAML parameters; synthesis on a stub evaluator that answers with Cohn's exact
formulas, judged against inverses found independently (and once end to end through the command
line and the solver); sweeps through real Dask clusters (local, and a scheduler and worker started
as separate processes), interrupted runs resumed, failed points, sensitivity and Monte Carlo
against exact scaling laws; library errors in the model's words, the command line's in its own."""

import csv
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, fsolve

import fieldsolver as fs
from fieldsolver import studies
from fieldsolver.cli import main
from fieldsolver.cli import study as cli_study
from fieldsolver.geometry.loader import load
from fieldsolver.physics import formulas as F
from fieldsolver.studies import batch, journal, synthesis

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
    a = fs.solve(GEOMETRIES / "usb2_stackup.yaml", tol=None)  # the same grid for the same board
    b = fs.solve(GEOMETRIES / "usb2_diff_microstrip.yaml", tol=None)
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
# The search is tested on a stub evaluator that answers with Cohn's exact formulas for the
# zero-thickness stripline and coupled stripline (b = 1, in air): no field solve, milliseconds.
# Its answers are judged against inverses of the same formulas found independently by scipy.
B = 1.0


class CohnStub:
    """``evaluate(changes) -> row`` as the solver's rows: a single strip (``z0``) or a coupled
    pair (``z_odd``, ``z_even``, ``z_diff`` = 2 Zodd, ``z_common`` = Zeven / 2), from Cohn's exact
    formulas; a point where ``infeasible(changes)`` fails, as a solve whose traces overlap."""

    def __init__(self, base: dict, infeasible=lambda ch: False):
        self.base, self.infeasible, self.calls = base, infeasible, []

    def __call__(self, changes: dict) -> dict:
        self.calls.append(dict(changes))
        p = {**self.base, **changes}
        if self.infeasible(p):
            return {"status": "failed", "error": "the traces overlap"}
        if "s" not in p:
            return {"status": "ok", "z0": F.stripline_z0(p["w"], B), "u_z0": 0.0}
        z_odd, z_even = F.coupled_stripline_z(p["w"], p["s"], B)
        return {"status": "ok", "z_odd": z_odd, "z_even": z_even, "z_diff": 2 * z_odd, "z_common": z_even / 2}

    def assert_each_point_once(self, s: studies.Synthesis | None = None) -> None:
        keys = [tuple(sorted(c.items())) for c in self.calls]
        assert len(set(keys)) == len(keys), "a point was evaluated twice"
        if s is not None:
            assert s.evaluations == len(self.calls) == len(s.history)


def _design(name: str, **params) -> studies.Design:
    return studies.Design.of(name, {**params, **STRIP})


@pytest.mark.parametrize("z0", [30.0, 50.0, 75.0, 120.0])
def test_one_target_lands_on_the_exact_inverse(z0):
    rel = 1e-3
    stub = CohnStub({"w": 0.3})
    s = studies.synthesize(
        _design("stripline", w=0.3), [studies.Target("z0", z0)], [studies.Vary("w", 0.05, 5.0)], stub, rel=rel
    )
    stub.assert_each_point_once(s)
    assert s.reached and s.message.startswith(f"reached: z0 = {s.row['z0']:.4g} (target {z0:g}, within 0.1 %)")
    w = s.params["w"]
    assert abs(F.stripline_z0(w, B) / z0 - 1) <= rel
    # the same width as the formula's own root, within what rel allows: |dw| <= rel z0 / |dZ/dw|
    w_exact = brentq(lambda x: F.stripline_z0(x, B) - z0, 1e-3, 50.0, xtol=1e-14)
    slope = abs(F.stripline_z0(w_exact * 1.0001, B) - F.stripline_z0(w_exact * 0.9999, B)) / (2e-4 * w_exact)
    assert abs(w - w_exact) <= 1.01 * rel * z0 / slope
    assert s.evaluations <= 12


@pytest.mark.parametrize(
    "targets",
    [
        (studies.Target("z_odd", 70.0), studies.Target("z_even", 100.0)),
        (studies.Target("z_diff", 90.0), studies.Target("z_common", 40.0)),
    ],
)
def test_two_targets_land_on_the_exact_inverse(targets):
    rel = 1e-4
    stub = CohnStub({"w": 0.3, "s": 0.2})
    s = studies.synthesize(
        _design("coupled_stripline", w=0.3, s=0.2),
        list(targets),
        [studies.Vary("s", 0.01, 2.0), studies.Vary("w", 0.05, 3.0)],
        stub,
        rel=rel,
    )
    stub.assert_each_point_once(s)
    assert s.reached, s.message
    assert set(s.params) == {"s", "w"} and s.message.startswith(f"reached: {targets[0].quantity} = ")

    def values(p):  # (w, s) -> the two targeted values, by Cohn's formula
        row = CohnStub({})({"w": p[0], "s": p[1]})
        return np.array([row[t.quantity] for t in targets])

    goal = np.array([t.value for t in targets])
    found = np.array([s.params["w"], s.params["s"]])
    assert np.all(np.abs(values(found) / goal - 1) <= rel)
    exact = fsolve(lambda p: values(p) - goal, [0.5, 0.3], xtol=1e-13)
    assert np.allclose(values(exact), goal, rtol=1e-10)  # fsolve converged
    # the same (w, s) within what rel allows: |dp| <= |J^-1| rel |goal|, J by central differences
    h = 1e-6
    jac = np.column_stack([(values(exact + e) - values(exact - e)) / (2 * h) for e in np.eye(2) * h])
    bound = np.abs(np.linalg.inv(jac)) @ (rel * goal)
    assert np.all(np.abs(found - exact) <= 1.05 * bound), (found, exact, bound)


@pytest.mark.parametrize(("z0", "bound"), [(500.0, 0.1), (5.0, 3.0)])
def test_unreachable_target_reports_the_closest_point_at_a_bound(z0, bound):
    stub = CohnStub({"w": 0.3})
    s = studies.synthesize(_design("stripline", w=0.3), [studies.Target("z0", z0)], [studies.Vary("w", 0.1, 3.0)], stub)
    stub.assert_each_point_once(s)
    assert not s.reached
    assert s.params["w"] == bound and s.row["z0"] == pytest.approx(F.stripline_z0(bound, B), rel=1e-12)
    # Z0 falls with w: the bound is the closest any width in [0.1, 3] comes
    assert s.message == (
        f"NOT reachable within the bounds (w in [0.1, 3]); closest: z0 = {F.stripline_z0(bound, B):.4g} "
        f"(target {z0:g}) at w = {bound:g}"
    )


@pytest.mark.parametrize("start", [1.5, 0.05])
def test_infeasible_points_are_walked_around(start):
    # gaps under 0.12 fail (as overlapping traces would); the target's gap, 0.16, is just above
    edge, s_goal = 0.12, 0.16
    z_goal = F.coupled_stripline_z(0.3, s_goal, B)[0]
    stub = CohnStub({"w": 0.3}, infeasible=lambda p: p["s"] < edge)
    d = _design("coupled_stripline", w=0.3, s=start)
    s = studies.synthesize(d, [studies.Target("z_odd", z_goal)], [studies.Vary("s", 0.01, 2.0)], stub, rel=1e-4)
    stub.assert_each_point_once(s)
    assert any(c["s"] < edge for c in stub.calls), "the walk never met the infeasible region"
    assert s.reached and s.params["s"] == pytest.approx(s_goal, rel=2e-3)


def test_a_target_inside_the_infeasible_region_is_not_reachable():
    edge = 0.12
    z_goal = F.coupled_stripline_z(0.3, 0.06, B)[0]  # needs s = 0.06, where points fail
    stub = CohnStub({"w": 0.3}, infeasible=lambda p: p["s"] < edge)
    d = _design("coupled_stripline", w=0.3, s=1.5)
    s = studies.synthesize(d, [studies.Target("z_odd", z_goal)], [studies.Vary("s", 0.01, 2.0)], stub)
    stub.assert_each_point_once(s)
    assert not s.reached and "NOT reachable within the bounds (s in [0.01, 2])" in s.message
    # the closest is feasible, the best of every feasible point tried, and near the edge
    feasible = [c["s"] for c in stub.calls if c["s"] >= edge]
    assert s.params["s"] == min(feasible)
    assert edge <= s.params["s"] < edge + 0.1 * (2.0 - 0.01)


def test_every_point_failing_is_one_error():
    stub = CohnStub({"w": 0.3}, infeasible=lambda p: True)
    with pytest.raises(fs.InputError, match="the base point failed: the traces overlap"):
        studies.synthesize(
            _design("stripline", w=0.3), [studies.Target("z0", 50.0)], [studies.Vary("w", 0.1, 3.0)], stub
        )
    stub.assert_each_point_once()
    assert len(stub.calls) == 10  # the start and the nine of the scan across the range


def test_brent_finds_the_dottie_number():
    # cos x = x at 0.7390851332151607 (the Dottie number); counted, each x once
    seen = []

    def f(x):
        seen.append(x)
        return math.cos(x) - x

    x = synthesis.brent(f, 0.0, 1.0, xtol=1e-12)
    assert x == pytest.approx(0.7390851332151607, abs=1e-11)
    assert len(seen) == len(set(seen)) and len(seen) <= 12
    # and where a point inside the bracket is infeasible, it says so (None), not a wrong root
    assert synthesis.brent(lambda x: None if 0.4 < x < 0.6 else x - 0.5, 0.0, 1.0, xtol=1e-9) is None


def test_synth_cli_reports_unreachable_with_exit_1(capsys, monkeypatch):
    # the command's output and exit code, with the stub in place of the solver
    monkeypatch.setattr(cli_study, "PointSolver", lambda design, runner, **kw: CohnStub(design.params))
    code = main(
        ["synth", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "target=z0:500", "vary=w", "--workers", "0"]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    z = F.stripline_z0(0.1, B)
    assert out[0] == f"NOT reachable within the bounds (w in [0.1, 0.9]); closest: z0 = {z:.4g} (target 500) at w = 0.1"
    assert out[2] == "parameters: w = 0.1"


def test_synth_through_the_solver_hits_cohn_coupled_stripline(capsys):
    # end to end: the command line, the runner and the field solver. Zodd 70, Zeven 100 ohm (in air,
    # b = 1) by gap and width, checked with Cohn's exact formulas: within the 0.5 % asked plus 0.3 %
    # for the one default grid of --tol none (its error here is about 0.12 % on Zodd)
    argv = ["synth", "coupled_stripline", "w=0.3", "s=0.2", "h1=0.5", "h2=0.5", "er=1"]
    argv += ["target=z_odd:70", "target=z_even:100", "vary=s:0.01:2", "vary=w:0.05:3", "--tol", "none"]
    assert main([*argv, "--workers", "0", "--match", "0.005"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("reached: z_odd = "), out
    got = dict(re.findall(r"(\w+) = ([\d.]+)", out.splitlines()[2]))
    z_odd, z_even = F.coupled_stripline_z(float(got["w"]), float(got["s"]), B)
    assert z_odd == pytest.approx(70.0, rel=0.008) and z_even == pytest.approx(100.0, rel=0.008)
    assert re.search(r"^\d+ solves$", out, re.M)


# ----------------------------------------------------------------------------------------- sweeps
SWEEP = ["coupled_stripline", "w=0.2:0.4:3", "s=0.1,0.3", "h1=0.5", "h2=0.5", "er=2.2", "--tol", "none", "--quiet"]


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
    direct = fs.solve(fs.template("coupled_stripline", w=0.3, s=0.3, h1=0.5, h2=0.5, er=2.2), tol=None)
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
    argv = ["sweep", "coupled_microstrip", "w=0.1:0.3:10", "s=0.15", "h=0.1", "t=0.035", "er=4", "--tol", "none"]
    cmd = [sys.executable, "-m", "fieldsolver.cli", *argv, "-o", str(out), "--quiet"]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 4):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the client and its workers, mid-run
    proc.wait()
    before = rows_of(out)
    assert 3 <= len(before) < 10, "the kill came too late to test resuming"
    # finished in this process: the journal, not the runner, decides what is left to do
    resumed = subprocess.run([*cmd, "--resume", "--workers", "0"], capture_output=True, text=True, check=True).stdout
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
        res = studies.run_points(d, studies.sensitivity_points(d, spreads), r, tol=None, progress=False)
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
            "none",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for line in ("w        0.3       +-0.0254", "h       0.17         +-10 %", "er        4.3          +-0.2"):
        assert line in out, out


def test_monte_carlo_matches_the_exact_scaling_and_counts_the_yield(tmp_path, capsys):
    out = tmp_path / "mc.csv"
    plot = tmp_path / "mc.png"
    z_ref = fs.solve(fs.template("stripline", w=0.3, h1=0.5, h2=0.5, er=4.0), tol=None).z0
    target = round(z_ref, 2)
    argv = ["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=4", "--spread", "er=+-10%", "--n", "24"]
    argv += ["--dist", "uniform", "--spec", f"z0={target}+-2%", "--workers", "0", "--quiet", "--tol", "none"]
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
            "--scheduler tcp://127.0.0.1:1: cannot connect",
        ),
        (
            ["sweep", "stripline", "w=0.1,0.2", "h1=0.5", "h2=0.5", "er=1", "--workers", "-1"],
            "argument --workers: must be >= 0, got -1",
        ),
        (
            ["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "--spread", "w=+-0.01", "--n", "0"],
            "argument --n: expected a positive whole number",
        ),
        (
            ["tolerance", "stripline", "w=0.3", "h1=0.5", "h2=0.5", "er=1", "--spread", "w=+-0.01", "--dist", "flat"],
            "argument --dist: invalid choice: 'flat'",
        ),
    ],
)
def test_bad_study_input_gives_one_line_exit_2(argv, what, capsys, monkeypatch):
    monkeypatch.chdir(GEOMETRIES.parent)
    local = [] if "--scheduler" in argv or "--workers" in argv else ["--workers", "0"]
    code = main([*argv, *local, "--quiet"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and what in err, err


def test_library_errors_speak_of_the_model_not_of_options(tmp_path):
    # the command line words them with its options (above); the library names what it knows
    taken = tmp_path / "t.csv"
    taken.write_text("a run\n")
    d = studies.Design.of("stripline", {"w": 0.3, **STRIP})
    with pytest.raises(studies.OutputExistsError) as e:
        journal.Journal(taken, ["id"]).open(resume=False)
    assert e.value.path == taken and str(e.value) == f"{taken} exists: resume that run or choose another file"
    cases = [
        (lambda: batch.Runner(workers=-1), "workers must be >= 0, got -1"),
        (lambda: studies.sensitivity_points(d, [studies.Spread("q", 1.0)]), "spread q: not a numeric parameter"),
        (lambda: studies.sample_points(d, [studies.Spread("w", 0.01)], 0), "the number of samples must be at least 1"),
        (lambda: studies.sample_points(d, [studies.Spread("w", 0.01)], 5, "flat"), "distribution 'flat'"),
    ]
    for call, what in cases:
        with pytest.raises(fs.InputError) as e:
            call()
        assert str(e.value).startswith(what) and "--" not in str(e.value), str(e.value)
    with pytest.raises(studies.SchedulerUnreachableError) as e, batch.Runner(scheduler="tcp://127.0.0.1:1"):
        pass
    assert str(e.value).startswith("scheduler tcp://127.0.0.1:1: cannot connect")
