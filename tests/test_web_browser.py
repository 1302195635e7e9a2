"""The calculator page in a real browser: Playwright driving Debian's headless chromium
(/usr/bin/chromium, installed by .ci/run; Playwright's own browser download is never used).
Skipped, saying why, only where no chromium or no playwright is installed.

A microstrip calculation against a closed form, unit switching, a pair's goal seek against the
exact twin-wire impedance, a YAML paste with a mistake at its line, a calculator's claim checked,
and downloads (the CSV's numbers are the table's; the YAML solves to the same line). Then a load
test: 8 pages at once on loopback, asserting no error response and the p95 latencies stated in
the README."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import statistics
import threading
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("starlette", reason="the web extra (starlette, uvicorn) is not installed")
pytest.importorskip("uvicorn", reason="the web extra (starlette, uvicorn) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")

from test_web import serving  # noqa: E402

from fieldsolver.constants import ETA0  # noqa: E402
from fieldsolver.geometry import loader  # noqa: E402
from fieldsolver.physics.formulas import microstrip_hammerstad_jensen  # noqa: E402
from fieldsolver.web.app import Settings  # noqa: E402

CHROMIUM = os.environ.get("FIELDSOLVER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
needs_browser = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="no chromium installed (apt-get install chromium; .ci/run does it): the page's browser tests skipped",
)
# the flags of a headless chromium on a closed network (no background connections, no sandbox as root)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SOLVE = 120_000  # ms a solve may take in the browser tests (a loaded CI machine)


@pytest.fixture(scope="module")
def base():
    with serving(Settings(time_limit=90, workers=2)) as url:
        _warm(url)
        yield url


def _warm(url: str) -> None:
    """One solve, so that the solve processes' fork server has loaded (or, after a change to the
    kernels, compiled) the solver before anything is timed."""
    status, job = _post(
        url + "/api/solve", {"template": "coax", "params": {"d": "1", "D": "2.3", "er": "1"}, "tol": "0.01"}
    )
    t = time.monotonic()
    while status in (200, 202) and job.get("state") in ("queued", "running") and time.monotonic() - t < 300:
        time.sleep(0.2)
        status, job = _get(f"{url}/api/jobs/{job['id']}")
    assert job.get("state") == "done", job


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.goto(base + "/")
    pg.wait_for_selector("#preview svg")
    yield pg
    context.close()


def _fill(page, values: dict[str, str]) -> None:
    for k, v in values.items():
        page.fill(f"#p-{k}", v)


def _headline(page, key: str) -> tuple[float, float]:
    """The value and the error bar of a row of the results table."""
    row = page.locator(f'#values tr[data-key="{key}"]')
    value = float(row.locator("td").nth(1).inner_text())
    bar = row.locator("td").nth(2).inner_text()  # "± 0.025 (0.051 %)"
    return value, float(bar.split()[1])


@needs_browser
def test_a_microstrip_calculation(page, tmp_path):
    w, h, er = 0.3, 0.17, 4.3
    _fill(page, {"w": str(w), "h": str(h), "t": "", "er": str(er)})
    page.wait_for_function("document.querySelector('#preview svg path[fill=\"#c87533\"]') !== null")
    # units: the lengths typed are converted, the drawing does not change
    page.select_option("#units", "mil")
    assert float(page.input_value("#p-w")) == pytest.approx(w / 0.0254, rel=1e-5)
    page.select_option("#units", "mm")
    assert float(page.input_value("#p-w")) == pytest.approx(w, rel=1e-5)
    page.select_option("#tol", "0.003")
    page.click("#solve")
    page.wait_for_selector('#values tr[data-key="z0"]', timeout=SOLVE)
    z0, bar = _headline(page, "z0")
    # Hammerstad-Jensen for a zero-thickness strip: within 0.2 % for w/h in 0.01..100 (their paper's claim)
    hj, _ = microstrip_hammerstad_jensen(w, h, er)
    assert z0 == pytest.approx(hj, rel=0.002 + 0.005)  # the formula's error and the solve's tolerance
    assert 0 < bar < 0.003 * z0
    assert "Z0 = 1/(c*sqrt(C*C0))" in page.inner_text("#definitions")
    assert page.locator("#plots img").first.evaluate("img => img.complete && img.naturalWidth > 100")
    # downloads: the CSV carries the table's Z0, the YAML solves to the same line
    with page.expect_download() as d:
        page.click("#downloads a:text('microstrip.csv')")
    rows = dict(line.split(",")[:2] for line in d.value.path().read_text().splitlines())
    assert float(rows["z0"]) == pytest.approx(z0, abs=0.0005)
    with page.expect_download() as d:
        page.click("#download-yaml")
    saved = tmp_path / d.value.suggested_filename
    d.value.save_as(saved)
    sec = loader.load(saved)
    bbox = sec.signals[0].shape.bbox()
    assert (bbox[1] - bbox[0], bbox[2]) == pytest.approx((w * 1e-3, h * 1e-3))
    # typing after a solve: the results say they are of the line before
    assert page.locator("#stale-note").is_hidden()
    page.fill("#p-w", "0.31")
    page.wait_for_selector("#stale-note", state="visible")


@needs_browser
def test_a_pair_with_goal_seek(page):
    d, target = 1.0, 300.0
    page.select_option("#template", "twin_wire")
    _fill(page, {"d": str(d), "D": "3", "er": "1"})
    page.wait_for_function("document.querySelector('#target1').value === 'z_diff'")
    page.select_option("#tol", "0.003")
    page.fill("#value1", str(target))
    page.select_option("#vary1", "D")
    page.click("#seek-run")
    page.wait_for_selector("#seek-result p", timeout=SOLVE)
    assert page.inner_text("#seek-result p").startswith("reached")
    # twin wire: Zdiff = (eta0/pi) acosh(D/d) exactly; the seek stops within 0.5 % of the target
    # (synth's default match) on solves to 0.3 %: the exact Zdiff of the D found is within both
    found = float(page.input_value("#p-D"))
    assert ETA0 / math.pi * math.acosh(found / d) == pytest.approx(target, rel=0.005 + 0.003)


@needs_browser
def test_a_yaml_paste_with_a_mistake(page):
    page.click("#tab-yaml")
    page.wait_for_function("document.querySelector('#yaml').value.includes('template: microstrip')")
    text = "units: mm\nconductors:\n  - {name: gnd, rect: {x: [-5, 5], y: [-0.035, 0]}}\n" + (
        "  - {name: sig, role: signal, rect: {x: [-0.15, 0.15], y: [0.17, 0.2o5]}}\n"
    )
    page.fill("#yaml", text)
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error").startswith("page.yaml:4: conductors[1].rect.y[1]: expected a number")
    assert page.inner_text("#gutter .bad") == "4"
    page.fill("#yaml", text.replace("0.2o5", "0.205") + "dielectrics:\n  - {er: 4.3, layer: {y: [0, 0.17]}}\n")
    page.wait_for_selector("#error", state="hidden")
    assert page.locator("#gutter .bad").count() == 0
    assert page.locator('#preview svg path[fill="#c87533"]').count() == 1


@needs_browser
def test_a_calculators_claim_is_checked(page):
    page.select_option("#template", "coax")
    _fill(page, {"d": "1", "D": "2.3", "er": "1"})
    page.wait_for_function("document.querySelector('#claim1').value === 'z0'")
    page.select_option("#tol", "0.003")
    page.fill("#claimed1", "55")
    page.click("#check-run")
    page.wait_for_selector("#check-result p", timeout=SOLVE)
    text = page.inner_text("#check-result")
    exact = ETA0 / (2 * math.pi) * math.log(2.3)  # 49.94 ohm: 55 is 10 % off
    assert "disagrees" in page.locator("#check-result p").first.get_attribute("class")
    deviation = float(text.split(" is ")[1].split(" %")[0])
    assert deviation == pytest.approx(100 * (55 / exact - 1), abs=0.1)


# ------------------------------------------------------------------------------ load
def _post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {}


def _user(base: str, n: int, until: float, out: dict) -> None:
    """A page that presses Solve once (a coax to 1 %) and keeps typing (a preview per keystroke)
    until ``until``, watching its solve as the page does; then waits for the solve (at most 60 s)."""
    rnd = random.Random(n)
    t0 = time.perf_counter()
    solve = {"template": "coax", "params": {"d": "1", "D": f"{2 + n / 10:g}", "er": "2.1"}}
    status, job = _post(base + "/api/solve", solve | {"tol": "0.01", "client": f"load-user-{n}"})
    out["status"].append(status)
    polled = time.monotonic()
    numbers = False
    while time.monotonic() < until or job.get("state") in ("queued", "running"):
        if time.monotonic() > until + 60:
            break
        if job.get("state") in ("queued", "running") and time.monotonic() - polled > 0.3:
            code, job = _get(f"{base}/api/jobs/{job['id']}")
            out["status"].append(code)
            polled = time.monotonic()
            if "result" in job and not numbers:  # the table is shown (the plots may be coming)
                numbers = True
                out["solve"].append(time.perf_counter() - t0)
            if job.get("state") not in ("queued", "running"):
                out["done"].append(time.perf_counter() - t0)
                out["states"].append(job.get("state"))
        if time.monotonic() < until:
            body = {"template": "microstrip", "params": {"w": f"{rnd.uniform(0.1, 0.5):.3f}", "h": "0.17", "er": "4.3"}}
            t = time.perf_counter()
            status, _ = _post(base + "/api/preview", body)
            out["preview"].append(time.perf_counter() - t)
            out["status"].append(status)
        time.sleep(rnd.uniform(0.05, 0.2))  # typing


def load(base: str, users: int, seconds: float) -> dict:
    out: dict = {"preview": [], "solve": [], "done": [], "status": [], "states": []}
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_user, args=(base, n, until, out)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 2 else xs[0]


# s, on 2 cores with 2 solve processes: the README states these. A solve's time counts from
# Solve to its numbers (the table) and to its plots, waiting in the queue included (8 solves at
# once on 2 processes; measured 15-22 s and 20-30 s here with the cores shared by other work)
PREVIEW_P95 = 0.5
SOLVE_P95 = 30.0
DONE_P95 = 45.0


def _check_load(out: dict) -> None:
    assert out["preview"] and out["solve"]
    assert set(out["status"]) <= {200, 202}, sorted(set(out["status"]))
    assert out["states"] == ["done"] * len(out["states"]) and len(out["states"]) == 8, out["states"]
    p95 = _p95(out["preview"]), _p95(out["solve"]), _p95(out["done"])
    print(
        f"\nload: {len(out['preview'])} previews, p95 {p95[0]:.3f} s; {len(out['solve'])} solves, "
        f"p95 {p95[1]:.1f} s to the numbers, {p95[2]:.1f} s to the plots"
    )
    assert p95[0] < PREVIEW_P95 and p95[1] < SOLVE_P95 and p95[2] < DONE_P95, p95


def test_eight_pages_at_once_for_ten_seconds(base):
    _check_load(load(base, 8, 10.0))


@pytest.mark.slow
def test_eight_pages_at_once_for_thirty_seconds(base):
    _check_load(load(base, 8, 30.0))
