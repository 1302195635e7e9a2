"""The page and its JSON routes (Starlette).

``GET /``: the page. ``POST /api/preview``: the section as SVG (no solve), or the mistake.
``POST /api/solve``, ``/api/seek`` and ``/api/check``: queue a solve, a goal seek or the check of
a calculator's numbers (see :mod:`.jobs`);
``GET /api/jobs/ID``: its progress and result; ``POST /api/jobs/ID/cancel``;
``GET /api/jobs/ID/files/NAME``: a download. ``POST /api/yaml``: what was typed as a YAML file.
``GET /api/examples`` and ``/api/examples/NAME``: the shipped example files (only those).

A mistake is ``400 {"error": LINE, "line": N}`` (``line``: the line of the paste it names);
nothing sends a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import re
import secrets
import sys
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..cli.arguments import frequencies, line_length
from ..errors import InputError
from ..geometry import templates
from ..physics.lines import value_keys
from . import inputs, preview, work
from .catalogue import catalogue
from .jobs import Jobs

STATIC = Path(__file__).parent / "static"
EXAMPLES = Path(__file__).resolve().parents[2] / "geometries"  # a source checkout's examples
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_FREQUENCIES = 201
DRAIN = 32_000_000  # bytes of an oversized request read (and dropped) before it is refused
_LINE = re.compile(rf"^{re.escape(inputs.PASTE)}:(\d+)")
_CLIENT = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".csv": "text/csv",
    ".yaml": "application/yaml",
}


@dataclass(frozen=True)
class Settings:
    workers: int = 1
    time_limit: float = 600.0  # s, each solve, goal seek or check (a loss sweep takes minutes)
    max_nodes: int = 400_000  # the node budget of a page's solve (it may ask for less)
    threads: int = 1  # solver threads in each solve process
    examples: Path | None = EXAMPLES
    # the Host names a request may carry (DNS rebinding: another site's page reaching a local
    # server through a name of its own); None: any (a server bound beyond loopback)
    hosts: tuple[str, ...] | None = LOOPBACK


# ----------------------------------------------------------------------------------- helpers
def _error(e: Exception, status: int = 400) -> JSONResponse:
    text = str(e)
    found = _LINE.match(text)
    return JSONResponse({"error": text, "line": int(found.group(1)) if found else None}, status_code=status)


def _internal() -> JSONResponse:
    traceback.print_exc(file=sys.stderr)
    return JSONResponse({"error": "internal error; the server's log has the details"}, status_code=500)


def _guarded(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """``route`` with a user's mistake answered as :func:`_error` and anything else as
    :func:`_internal` (logged, never sent)."""

    @functools.wraps(route)
    async def answer(request: Request) -> Response:
        try:
            return await route(request)
        except InputError as e:
            return _error(e)
        except Exception:
            return _internal()

    return answer


def _budget(data: dict[str, Any], settings: Settings) -> int:
    """The request's node budget, at most the server's."""
    return int(inputs.finite(data, "max_nodes", settings.max_nodes, 20_000, settings.max_nodes, "node budget"))


def _queue(request: Request, data: dict[str, Any], kind: str, spec: Any) -> JSONResponse:
    job = request.app.state.jobs.submit(_client(data), kind, spec)
    return JSONResponse(job.public(), status_code=202)


async def _json(request: Request) -> dict[str, Any]:
    """The request's JSON object: at most :data:`inputs.MAX_BODY` bytes are kept. A larger body
    is read to its end and dropped (up to :data:`DRAIN` bytes, so that the browser receives the
    message instead of a broken connection), then refused."""
    raw = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= inputs.MAX_BODY:
            raw += chunk
        elif size > DRAIN:
            break
    if size > inputs.MAX_BODY:
        more = " or more" if size > DRAIN else ""
        raise InputError(f"request of {size:,} bytes{more}; the page sends at most {inputs.MAX_BODY:,}")
    return inputs.body(bytes(raw))


def _client(data: dict[str, Any]) -> str:
    c = data.get("client")
    return c if isinstance(c, str) and _CLIENT.match(c) else secrets.token_urlsafe(8)


def _tol(data: dict[str, Any]) -> float:
    return inputs.finite(data, "tol", 1e-3, 1e-4, 0.05, "tolerance")


def _freq(data: dict[str, Any]) -> tuple[float, ...] | None:
    text = inputs.text(data, "freq", "--freq")
    if text is None:
        return None
    try:
        return tuple(float(x) for x in frequencies(text, MAX_FREQUENCIES))
    except argparse.ArgumentTypeError as e:
        raise InputError(f"--freq: {e}") from None


def _length(data: dict[str, Any]) -> float | None:
    text = inputs.text(data, "length", "--length")
    if text is None:
        return None
    try:
        return line_length(text)
    except argparse.ArgumentTypeError as e:
        raise InputError(f"--length: {e}") from None


def _examples(settings: Settings) -> dict[str, Path]:
    """The shipped example files by name: the only files the server reads besides its own."""
    folder = settings.examples
    if folder is None or not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.is_file()}


# ------------------------------------------------------------------------------------ the page
def page(request: Request) -> HTMLResponse:
    cat = catalogue()
    options = "\n".join(
        f'<option value="{escape(t["name"])}">{escape(t["name"].replace("_", " "))}</option>' for t in cat["templates"]
    )
    examples = "\n".join(
        f'<option value="{escape(n)}">{escape(n)}</option>' for n in _examples(request.app.state.settings)
    )
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    html = html.replace("{{templates}}", options).replace("{{examples}}", examples)
    html = html.replace("{{catalogue}}", json.dumps(cat).replace("</", "<\\/"))
    html = html.replace("{{max_nodes}}", str(request.app.state.settings.max_nodes))
    html = html.replace("{{time_limit}}", f"{request.app.state.settings.time_limit:g}")
    return HTMLResponse(html)


@_guarded
async def preview_route(request: Request) -> JSONResponse:
    data = await _json(request)

    def draw() -> dict[str, Any]:
        src = inputs.source(data)
        sec = src.section()
        svg, legend = preview.svg(sec)
        return {
            "svg": svg,
            "legend": legend,
            "signals": [c.name for c in sec.signals],
            "values": list(value_keys(sec)),
            "vary": _variables(src),
        }

    return JSONResponse(await run_in_threadpool(draw))


def _variables(src: inputs.Source) -> list[str]:
    """What a goal seek may vary: a template's lengths and permittivities that are > 0 (given or
    by default), a paste's ``parameters:``."""
    if src.text is not None:
        return list(inputs.yaml_parameters(src.text))
    _, spec, _, _ = templates.TEMPLATES[src.template]
    vals = templates.values(src.template, dict(src.params), where="calc")
    kinds = (*templates.LENGTHS, "er")
    return [
        k
        for k, p in spec.items()
        if p.kind in kinds and isinstance(vals.get(k), float) and math.isfinite(vals[k]) and vals[k] > 0
    ]


@_guarded
async def yaml_route(request: Request) -> Response:
    data = await _json(request)
    src = inputs.source(data)
    await run_in_threadpool(src.section)  # only what is valid is offered as a file
    name = f"{src.template}.yaml" if src.template else inputs.PASTE
    return JSONResponse({"text": inputs.yaml_text(src), "name": name})


@_guarded
async def solve_route(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    data = await _json(request)
    src = inputs.source(data)
    await run_in_threadpool(src.section)  # a mistake is told now, not after a queue
    budget = _budget(data, settings)
    freq = _freq(data)
    length = _length(data)
    if length is not None and freq is None:
        raise InputError("--length is used with --freq (S-parameters): give a frequency range")
    z_ref = inputs.finite(data, "z_ref", 50.0, 1e-3, 1e6, "--z-ref")
    spec = work.SolveJob(src, _tol(data), budget, freq, length, z_ref, bool(data.get("svg")), threads=settings.threads)
    return _queue(request, data, "solve", spec)


@_guarded
async def seek_route(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    data = await _json(request)
    src = inputs.source(data)
    targets, varies = [], []
    for i in (1, 2):
        q = inputs.text(data, f"target{i}", "target")
        if q is None:
            continue
        value = inputs.finite(data, f"value{i}", float("nan"), 1e-3, 1e6, f"target={q}")
        vary = inputs.text(data, f"vary{i}", "vary")
        if vary is None:
            raise InputError(f"target={q}:{value:g}: choose the parameter to vary for it")
        targets.append((q, value))
        varies.append(vary)
    if not targets:
        raise InputError("goal seek: give a target, e.g. z0 50 by varying w")
    budget = _budget(data, settings)
    match = inputs.finite(data, "match", 5e-3, 1e-4, 0.2, "--match")
    spec = work.SeekJob(src, tuple(targets), tuple(varies), _tol(data), budget, match, threads=settings.threads)
    await run_in_threadpool(work.seek_plan, spec)  # a mistake is told now
    return _queue(request, data, "seek", spec)


@_guarded
async def check_route(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    data = await _json(request)
    src = inputs.source(data)
    claims = []
    for i in (1, 2):
        q, v = inputs.text(data, f"claim{i}", "claim"), inputs.text(data, f"claimed{i}", "claim")
        if q is not None and v is not None:
            claims.append((q, v))
    if not claims:
        raise InputError("check: enter the number a calculator gave, e.g. Zdiff 90")
    budget = _budget(data, settings)
    spec = work.CheckJob(src, tuple(claims), _tol(data), budget, threads=settings.threads)

    def plan() -> None:
        sec = src.section()
        keys = value_keys(sec)
        for c in work.claims_of(spec):
            if c.quantity not in keys:
                raise InputError(f"claim {c.quantity}: not a value of this line; choose from {', '.join(keys)}")

    await run_in_threadpool(plan)  # a mistake is told now
    return _queue(request, data, "check", spec)


def job_route(request: Request) -> JSONResponse:
    job = request.app.state.jobs.get(request.path_params["id"])
    if job is None:
        return JSONResponse({"error": "no such job (finished long ago, or the server restarted)"}, status_code=404)
    return JSONResponse(job.public())


def cancel_route(request: Request) -> JSONResponse:
    job = request.app.state.jobs.cancel(request.path_params["id"])
    if job is None:
        return JSONResponse({"error": "no such job"}, status_code=404)
    return JSONResponse(job.public())


def file_route(request: Request) -> Response:
    job = request.app.state.jobs.get(request.path_params["id"])
    name = request.path_params["name"]
    files = (job.result or {}).get("files", {}) if job is not None else {}
    if name not in files:
        return JSONResponse({"error": "no such file"}, status_code=404)
    ext = Path(name).suffix.lower()
    media = TYPES.get(ext, "application/octet-stream")
    inline = request.query_params.get("inline") == "1" and ext in (".png", ".svg")
    disposition = "inline" if inline else f'attachment; filename="{name}"'
    return Response(files[name], media_type=media, headers={"Content-Disposition": disposition})


def examples_route(request: Request) -> JSONResponse:
    return JSONResponse(list(_examples(request.app.state.settings)))


def example_route(request: Request) -> Response:
    found = _examples(request.app.state.settings).get(request.path_params["name"])
    if found is None:
        return JSONResponse({"error": "no such example; GET /api/examples lists them"}, status_code=404)
    return PlainTextResponse(found.read_text(encoding="utf-8"), media_type="application/yaml")


def create_app(settings: Settings | None = None) -> Starlette:
    """The page's application; its solve processes start with it and stop with it."""
    settings = settings or Settings()
    jobs = Jobs(workers=settings.workers, time_limit=settings.time_limit)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        jobs.start()
        try:
            yield
        finally:
            jobs.close()

    middleware = []
    if settings.hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.hosts)))
    app = Starlette(
        middleware=middleware,
        routes=[
            Route("/", page),
            Route("/api/preview", preview_route, methods=["POST"]),
            Route("/api/yaml", yaml_route, methods=["POST"]),
            Route("/api/solve", solve_route, methods=["POST"]),
            Route("/api/seek", seek_route, methods=["POST"]),
            Route("/api/check", check_route, methods=["POST"]),
            Route("/api/jobs/{id}", job_route),
            Route("/api/jobs/{id}/cancel", cancel_route, methods=["POST"]),
            Route("/api/jobs/{id}/files/{name}", file_route),
            Route("/api/examples", examples_route),
            Route("/api/examples/{name}", example_route),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    return app
