"""The calculator page's server (fieldsolver.web) without a browser: the form's catalogue, the
preview, the wording of mistakes (the command line's), hostile input, and the solve processes
(time limit, cancel, supersede). The page in a real browser: tests/test_web_browser.py."""

from __future__ import annotations

import io
import json
import math
import re
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, redirect_stderr
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra (starlette, uvicorn) is not installed")
pytest.importorskip("uvicorn", reason="the web extra (starlette, uvicorn) is not installed")

import uvicorn

from fieldsolver.cli import main
from fieldsolver.constants import ETA0
from fieldsolver.geometry import loader, templates
from fieldsolver.web import catalogue, inputs, jobs, work
from fieldsolver.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parents[1]
MICROSTRIP = {"template": "microstrip", "units": "mm", "params": {"w": "0.3", "h": "0.17", "t": "0.035", "er": "4.3"}}


class Reply:
    def __init__(self, status: int, headers, content: bytes):
        self.status_code, self.headers, self.content = status, {k.lower(): v for k, v in headers.items()}, content

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self):
        return json.loads(self.content)


class Client:
    """A plain HTTP client of the page's server (urllib: no test dependency)."""

    def __init__(self, base: str):
        self.base = base

    def _send(self, req: urllib.request.Request) -> Reply:
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return Reply(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, dict(e.headers), e.read())

    def get(self, path: str) -> Reply:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, json: dict | None = None, content: bytes | None = None) -> Reply:
        data = content if content is not None else globals()["json"].dumps(json or {}).encode()
        return self._send(
            urllib.request.Request(self.base + path, data=data, headers={"Content-Type": "application/json"})
        )


@contextmanager
def serving(settings: Settings):
    """The page's server on a free loopback port, in a thread: its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    t = time.monotonic()
    while not server.started:
        if time.monotonic() - t > 30 or not thread.is_alive():
            raise RuntimeError("the page's server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def client():
    with serving(Settings(time_limit=60, workers=2)) as base:
        yield Client(base)


def _cli_error(argv: list[str]) -> str:
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(argv) == 2
    return err.getvalue().strip().removeprefix("fieldsolver: error: ")


# ------------------------------------------------------------------------------ the form
def test_every_template_is_offered_with_its_parameters_and_starts_valid():
    cat = catalogue.catalogue()
    assert [t["name"] for t in cat["templates"]] == list(templates.TEMPLATES)
    for t in cat["templates"]:
        _, spec, _, _ = templates.TEMPLATES[t["name"]]
        assert [p["name"] for p in t["params"]] == list(spec)
        start = {p["name"]: p["start"] for p in t["params"] if p["start"] is not None}
        sec = templates.build(t["name"], start, "mm").validate()  # the page opens on a line that solves
        assert t["signals"] == len(sec.signals)
    assert "fr4" in [d["name"] for d in cat["dielectrics"]] and "copper" in [m["name"] for m in cat["metals"]]


def test_the_page_lists_every_template_and_example(client):
    html = client.get("/").text
    for name in templates.TEMPLATES:
        assert f'<option value="{name}">' in html
    shipped = sorted(p.stem for p in (ROOT / "geometries").glob("*.yaml"))
    assert client.get("/api/examples").json() == shipped
    assert client.get(f"/api/examples/{shipped[0]}").text == (ROOT / "geometries" / f"{shipped[0]}.yaml").read_text()
    assert client.get("/static/app.js").status_code == 200


# ------------------------------------------------------------------------------ preview
def test_preview_draws_the_trace_where_the_template_puts_it(client):
    r = client.post("/api/preview", json=MICROSTRIP)
    assert r.status_code == 200
    d = r.json()
    assert d["signals"] == ["sig"] and d["values"] == ["z0", "eps_eff", "delay"]
    # the copper trace: a 0.3 mm wide rectangle from y = 0.17 to 0.205 mm (y drawn downwards)
    copper = [m for m in re.findall(r'<path d="([^"]+)" fill="#c87533"', d["svg"])]
    assert len(copper) == 1
    xy = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", copper[0])]
    xs, ys = sorted({x for x, _ in xy}), sorted({-y for _, y in xy})
    assert xs == pytest.approx([-0.15, 0.15]) and ys == pytest.approx([0.17, 0.205])
    assert "w" in d["vary"] and "h" in d["vary"] and "c1" not in d["vary"]  # c1 is 0: nothing to scale


def test_preview_in_mil_scales_the_drawing():
    mm = inputs.source(MICROSTRIP).section()
    mil = inputs.source({**MICROSTRIP, "units": "mil", "params": {"w": "12", "h": "6.8", "er": "4.3"}}).section()
    assert mil.signals[0].shape.bbox()[1] - mil.signals[0].shape.bbox()[0] == pytest.approx(12 * 25.4e-6)
    assert mm.units == "mm" and mil.units == "mil"


def test_a_mistake_is_worded_as_the_command_line_words_it(client):
    page = client.post("/api/preview", json={**MICROSTRIP, "params": {"w": "-0.3", "h": "0.17", "er": "4.3"}})
    assert page.status_code == 400
    assert page.json()["error"] == _cli_error(["calc", "microstrip", "w=-0.3", "h=0.17", "er=4.3"])
    page = client.post("/api/preview", json={**MICROSTRIP, "params": {"w": "0.3", "h": "0.17", "er": "4.3", "q": "1"}})
    assert page.json()["error"] == _cli_error(["calc", "microstrip", "w=0.3", "h=0.17", "er=4.3", "q=1"])


def test_a_pasted_mistake_names_its_line(client, tmp_path):
    text = "units: mm\nconductors:\n  - name: sig\n    role: signal\n    rect: {x: [-0.1, 0.1], y: [0.2, zero]}\n"
    r = client.post("/api/preview", json={"yaml": text})
    assert r.status_code == 400
    assert r.json()["line"] == 5
    path = tmp_path / inputs.PASTE
    path.write_text(text)
    assert r.json()["error"] == _cli_error(["solve", str(path)]).replace(str(path), inputs.PASTE)


def test_the_yaml_of_a_template_solves_to_the_same_section(client, tmp_path):
    form = {**MICROSTRIP, "params": {**MICROSTRIP["params"], "material": "fr4", "backed": "", "c1": "0.02"}}
    r = client.post("/api/yaml", json=form)
    assert r.status_code == 200 and r.json()["name"] == "microstrip.yaml"
    path = tmp_path / "microstrip.yaml"
    path.write_text(r.json()["text"])
    from_file = loader.load(path)
    typed = inputs.source(form).section()
    assert [c.shape for c in from_file.conductors] == [c.shape for c in typed.conductors]
    assert [(d.shape, d.er, d.tand) for d in from_file.dielectrics] == [
        (d.shape, d.er, d.tand) for d in typed.dielectrics
    ]


# ------------------------------------------------------------------------------ hostile input
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"yaml": "x" * 10_000_000}, "bytes; the page sends at most"),
        ({"yaml": "a: 1\n" * 30_000}, "characters; the page takes at most"),
        ({"yaml": "[" * 3000}, "nested"),
        ({"yaml": "a: &a [*a]\n"}, "refers to itself"),
        ({"template": "../../../etc/passwd", "params": {}}, "unknown template"),
        ({"template": "microstrip", "params": {"w": "1e400", "h": "1", "er": "4"}}, "w: must be a finite number"),
        ({"template": "microstrip", "params": {"w": "nan", "h": "1", "er": "4"}}, "w: must be a finite number"),
        ({"template": "microstrip", "params": {"w": "1" * 100, "h": "1", "er": "4"}}, "a value is at most"),
        ({"template": "microstrip", "units": "furlong", "params": {}}, "--units"),
        ({"template": "microstrip", "params": {"w": "/etc/passwd", "h": "1", "er": "4"}}, "w: must be a number"),
        ({"yaml": "template: /etc/passwd\n"}, "unknown template"),
    ],
)
def test_hostile_input_gets_one_clear_line(client, body, words):
    r = client.post("/api/preview", content=json.dumps(body).encode())
    assert r.status_code == 400, r.text
    assert words in r.json()["error"]
    assert "Traceback" not in r.text and "root:" not in r.text


def test_a_yaml_bomb_is_refused_before_it_is_walked(client):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    t = time.perf_counter()
    r = client.post("/api/preview", json={"yaml": bomb})
    assert r.status_code == 400 and "aliases expand to more than" in r.json()["error"]
    assert time.perf_counter() - t < 2.0


def test_a_request_for_another_host_name_is_refused(client):
    # DNS rebinding: a page of another site reaching the local server under its own name
    req = urllib.request.Request(client.base + "/api/examples", headers={"Host": "attacker.example"})
    assert client._send(req).status_code == 400
    req = urllib.request.Request(client.base + "/api/examples", headers={"Host": "localhost"})
    assert client._send(req).status_code == 200


def test_no_file_outside_the_examples_is_served(client):
    for name in ("../pyproject", "..%2Fpyproject", "%2Fetc%2Fpasswd", "usb2_stackup.yaml"):
        r = client.get(f"/api/examples/{name}")
        assert r.status_code == 404, name
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/api/jobs/nope/files/..%2F..%2Fpyproject.toml").status_code == 404


def test_solve_requests_are_checked_before_they_queue(client):
    bad = [
        ({"freq": "20GHz:1MHz:5"}, "--freq"),
        ({"freq": "1MHz:1GHz:1000"}, "at most 201"),
        ({"freq": "1MHz:1GHz:999999999999"}, "at most 201"),
        ({"length": "100mm"}, "--length is used with --freq"),
        ({"tol": "0"}, "tolerance"),
        ({"max_nodes": "1e12"}, "node budget"),
    ]
    for extra, words in bad:
        r = client.post("/api/solve", json={**MICROSTRIP, **extra})
        assert r.status_code == 400 and words in r.json()["error"], (extra, r.text)
    r = client.post("/api/seek", json={**MICROSTRIP, "target1": "z_diff", "value1": "90", "vary1": "w"})
    assert r.status_code == 400 and "target z_diff: not a value of this line" in r.json()["error"]


# ------------------------------------------------------------------------------ solves
def _wait(client, job_id: str, limit: float = 120.0) -> dict:
    t = time.monotonic()
    while time.monotonic() - t < limit:
        d = client.get(f"/api/jobs/{job_id}").json()
        if d["state"] not in jobs.ACTIVE:
            return d
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {d['state']} after {limit} s")


def test_a_coax_solve_matches_the_exact_impedance_with_its_files(client):
    d, D = 1.0, 2.3
    r = client.post(
        "/api/solve",
        json={"template": "coax", "params": {"d": str(d), "D": str(D), "er": "1"}, "tol": "0.003", "freq": "1GHz,2GHz"}
        | {"length": "0.1m", "svg": True},
    )
    assert r.status_code == 202
    done = _wait(client, r.json()["id"])
    assert done["state"] == "done", done
    rows = {row["key"]: row for row in done["result"]["rows"]}
    exact = ETA0 / (2 * math.pi) * math.log(D / d)  # coax: Z0 = eta0/(2 pi) ln(D/d)
    assert rows["z0"]["value"] == pytest.approx(exact, rel=3e-3)
    assert set(done["files"]) >= {"coax.json", "coax.csv", "coax.yaml", "coax-field.png", "coax.s2p"}
    got = client.get(f"/api/jobs/{done['id']}/files/coax.json")
    assert got.headers["content-disposition"] == 'attachment; filename="coax.json"'
    assert got.json()["z0"] == pytest.approx(rows["z0"]["value"])
    csv_rows = dict(
        line.split(",")[:2] for line in client.get(f"/api/jobs/{done['id']}/files/coax.csv").text.splitlines()
    )
    assert float(csv_rows["z0"]) == pytest.approx(rows["z0"]["value"])
    png = client.get(f"/api/jobs/{done['id']}/files/coax-field.png?inline=1")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and png.headers["content-disposition"] == "inline"
    assert client.get(f"/api/jobs/{done['id']}/files/coax.s2p").text.count("\n") >= 4
    for plot in ("field", "loss", "sparams"):
        svg = client.get(f"/api/jobs/{done['id']}/files/coax-{plot}.svg")
        assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content[:2000], plot


def test_goal_seek_finds_the_coax_diameter_for_50_ohm(client):
    D, target = 2.3, 50.0
    body = {"template": "coax", "params": {"d": "1", "D": str(D), "er": "1"}, "tol": "0.003"}
    r = client.post("/api/seek", json=body | {"target1": "z0", "value1": str(target), "vary1": "d"})
    assert r.status_code == 202, r.text
    done = _wait(client, r.json()["id"])
    assert done["state"] == "done" and done["result"]["reached"], done
    exact = D / math.exp(2 * math.pi * target / ETA0)  # ln(D/d) = 2 pi Z0 / eta0
    assert done["result"]["params"]["d"] == pytest.approx(exact, rel=1e-2)


# ------------------------------------------------------------------------------ the processes
HEAVY = work.SolveJob(
    inputs.source({"template": "coupled_microstrip", "params": {"w": "0.2", "s": "0.2", "h": "0.17", "er": "4.3"}}),
    tol=1e-4,
    max_nodes=4_000_000,
)


def _settle(pool: jobs.Jobs, job: jobs.Job, limit: float = 30.0) -> None:
    t = time.monotonic()
    while job.state in jobs.ACTIVE and time.monotonic() - t < limit:
        time.sleep(0.05)


def test_time_limit_cancel_and_supersede_stop_the_process():
    pool = jobs.Jobs(workers=2, time_limit=3.0)
    pool.start()
    try:
        slow = pool.submit("page-a", "solve", HEAVY)
        _settle(pool, slow, 60)
        assert slow.state == "timeout" and "time limit of 3 s" in slow.error
        first = pool.submit("page-b", "solve", HEAVY)
        while first.state == "queued":
            time.sleep(0.05)
        process = first.process
        second = pool.submit("page-b", "solve", HEAVY)  # the same page asks again: the first stops
        assert first.state == "cancelled" and "superseded" in first.error
        process.join(timeout=5)
        assert not process.is_alive()
        other = pool.submit("page-c", "solve", HEAVY)  # another page's job is left alone
        assert second.state in jobs.ACTIVE and other.state in jobs.ACTIVE
        pool.cancel(second.id)
        pool.cancel(other.id)
        assert second.state == other.state == "cancelled"
    finally:
        pool.close()


def test_a_long_solve_does_not_block_a_preview(client):
    r = client.post("/api/solve", json={**MICROSTRIP, "tol": "0.0001", "client": "long-solver"})
    job_id = r.json()["id"]
    try:
        while client.get(f"/api/jobs/{job_id}").json()["state"] == "queued":
            time.sleep(0.05)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            assert client.post("/api/preview", json=MICROSTRIP).status_code == 200
            times.append(time.perf_counter() - t)
        assert client.get(f"/api/jobs/{job_id}").json()["state"] == "running"
        assert sorted(times)[2] < 1.0, times
    finally:
        assert client.post(f"/api/jobs/{job_id}/cancel").json()["state"] == "cancelled"


def test_serve_checks_its_options():
    assert "--port 0" in _cli_error(["serve", "--port", "0"]) or "--port" in _cli_error(["serve", "--port", "0"])
    assert "--host nowhere" in _cli_error(["serve", "--host", "nowhere"])
    assert "--max-nodes" in _cli_error(["serve", "--max-nodes", "100"])


def test_the_serve_command_serves_the_page_and_stops_on_ctrl_c():
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "fieldsolver.cli", "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        t = time.monotonic()
        while True:
            try:
                page = Client(f"http://127.0.0.1:{port}").get("/")
                break
            except urllib.error.URLError:
                assert proc.poll() is None and time.monotonic() - t < 30, proc.stderr.read()
                time.sleep(0.2)
        assert page.status_code == 200 and "<title>fieldsolver" in page.text
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == f"fieldsolver: serving the calculator page at http://127.0.0.1:{port}/ (Ctrl-C stops it)"
    assert "Traceback" not in err


COAX_FILE = "parameters: {d: 1.0}\nunits: mm\ntemplate: coax\nparams: {d: d, D: 2.3, er: 1}\n"


def test_goal_seek_varies_a_pasted_files_parameter(client):
    preview = client.post("/api/preview", json={"yaml": COAX_FILE}).json()
    assert preview["vary"] == ["d"] and preview["values"] == ["z0", "eps_eff", "delay"]
    body = {"yaml": COAX_FILE, "tol": "0.003", "target1": "z0", "value1": "50", "vary1": "d"}
    r = client.post("/api/seek", json=body)
    assert r.status_code == 202, r.text
    done = _wait(client, r.json()["id"])
    assert done["state"] == "done" and done["result"]["reached"], done
    assert done["result"]["params"]["d"] == pytest.approx(2.3 / math.exp(2 * math.pi * 50 / ETA0), rel=1e-2)


def test_a_claim_on_a_pasted_file_is_checked(client):
    r = client.post("/api/check", json={"yaml": COAX_FILE, "tol": "0.003", "claim1": "z0", "claimed1": "55"})
    assert r.status_code == 202, r.text
    done = _wait(client, r.json()["id"])
    assert done["state"] == "done", done
    (claim,) = done["result"]["claims"]
    exact = ETA0 / (2 * math.pi) * math.log(2.3)
    assert claim["deviation"] == pytest.approx(55 / exact - 1, abs=3e-3) and claim["verdict"] == "disagrees"
    assert done["result"]["structure"] == inputs.PASTE
    bad = client.post("/api/check", json={"yaml": COAX_FILE, "claim1": "z_diff", "claimed1": "90"})
    assert bad.status_code == 400 and "claim z_diff: not a value of this line" in bad.json()["error"]
