"""What a worker process runs: a solve (:func:`solve`) or a goal seek (:func:`seek`), each
returning plain data (numbers, text, file bytes) for the page, and telling its progress through
``report(dict)``. :func:`main` is the process's entry point (see :mod:`.jobs`).

Everything is computed by the library: :func:`fieldsolver.api.solve`, the report's table and
definitions (:mod:`fieldsolver.post.report`), the plots (:mod:`fieldsolver.post.plot`), the
Touchstone text (:mod:`fieldsolver.physics.network`), the CSV rows
(:func:`fieldsolver.post.export.results_rows`) and the synthesis
(:func:`fieldsolver.studies.synthesis.synthesize`, as ``fieldsolver synth`` runs it).
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api
from ..errors import InputError
from ..physics.lines import LABELS, headline_keys
from ..post.export import results_rows
from ..post.report import DEFINITIONS, format_result
from .inputs import Source, yaml_text

Report = Callable[[dict], None]
UNIT = {"z": ("ohm", 1.0, 3), "eps": ("", 1.0, 4), "delay": ("ps/mm", 1e9, 4)}  # as the CLI table shows them


@dataclass(frozen=True)
class SolveJob:
    source: Source
    tol: float | None
    max_nodes: int
    freq: tuple[float, ...] | None = None
    length: float | None = None  # m: S-parameters and a Touchstone file of this length
    z_ref: float = 50.0
    svg: bool = False  # the plots in SVG too
    threads: int = 1


@dataclass(frozen=True)
class SeekJob:
    source: Source
    targets: tuple[tuple[str, float], ...]  # (quantity, value), one or two
    varies: tuple[str, ...]  # NAME or NAME:LOW:HIGH, matched in order with the targets
    tol: float | None
    max_nodes: int
    match: float
    threads: int = 1


# --------------------------------------------------------------------------------------- solve
def _value_rows(r) -> list[dict[str, Any]]:
    u = r.uncertainty or {}
    rows = []
    for key, v in r.values.items():
        unit, scale, digits = next((x for p, x in UNIT.items() if key.startswith(p)), ("", 1.0, 4))
        label = LABELS.get(key, key.replace("_", " "))
        rows.append(
            {
                "key": key,
                "label": label,
                "value": None if v is None else v * scale,
                "unit": unit,
                "rel": u.get(key),
                "digits": digits,
                "headline": key in headline_keys(tuple(r.values)),
            }
        )
    if r.z0_lines is not None:
        for name, z in zip(r.signals, r.z0_lines, strict=True):
            rows.append({"key": f"z0_{name}", "label": f"Z0 ({name})", "value": float(z), "unit": "ohm", "rel": None})
    return rows


def _csv(r) -> str:
    """The results table as ``--csv`` writes it (quantity, value, unit, relative uncertainty)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["quantity", "value", "unit", "uncertainty"])
    for key, v, unit, rel in results_rows(r):
        w.writerow([key, "" if v is None else repr(float(v)), unit, "" if rel is None else repr(float(rel))])
    return buf.getvalue()


def _plots(r, job: SolveJob, title: str, stem: str) -> dict[str, bytes]:
    from ..post import plot

    figures = {"field": lambda: plot.field_map(r, title=title)}
    if r.rlgc is not None:
        figures["loss"] = lambda: plot.loss_plot(r, title=title)
        if job.length is not None:
            figures["sparams"] = lambda: plot.sparams_plot(r, job.length, z_ref=job.z_ref, title=title)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make in figures.items():
            for ext in (".png", ".svg") if job.svg else (".png",):
                path = Path(tmp) / f"{stem}-{kind}{ext}"
                plot.save(make(), path, dpi=90)
                out[path.name] = path.read_bytes()
    return out


def solve(job: SolveJob, report: Report, partial: Report | None = None) -> dict[str, Any]:
    """Solve the page's line: its values with error bars, the CLI's table, and the files;
    ``partial`` receives all but the plots as soon as they are known."""
    partial = partial or (lambda _: None)
    section = job.source.section()
    freq = None if job.freq is None else list(job.freq)
    with api.reporting(report):
        r = api.solve(section, tol=job.tol, max_nodes=job.max_nodes, freq=freq)
    stem = job.source.template or Path(job.source.title).stem
    length = job.length if r.rlgc is not None else None
    files: dict[str, bytes] = {
        f"{stem}.yaml": yaml_text(job.source).encode(),
        f"{stem}.json": r.to_json(indent=1, length=length, z_ref=job.z_ref).encode(),
        f"{stem}.csv": _csv(r).encode(),
    }
    if length is not None:
        from ..physics.network import touchstone

        net = r.network(length, z_ref=job.z_ref, name=stem)
        files[f"{stem}.s{2 * len(r.signals)}p"] = touchstone(net).encode()
    n = len(r.signals)
    a = r.accuracy
    out: dict[str, Any] = {
        "title": job.source.title,
        "rows": _value_rows(r),
        "signals": list(r.signals),
        "definitions": DEFINITIONS["single" if n == 1 else "pair"] if n <= 2 else [],
        "report": format_result(r, title=job.source.title, length=length, z_ref=job.z_ref),
        "notes": list(r.notes),
        "accuracy": None
        if a is None
        else {"tol": a.tol, "converged": a.converged, "nodes": [lv.nodes for lv in a.levels]},
        "seconds": r.timings.get("total"),
        "files": files,
    }
    partial(dict(out))  # the numbers now; the plots take longer
    report({"stage": "plots"})
    out["files"] = {**files, **_plots(r, job, job.source.title, stem)}
    return out


# ------------------------------------------------------------------------------------ goal seek
def design_of(src: Source):
    """The :class:`~fieldsolver.studies.design.Design` of the page's line (a paste with its
    ``parameters:``)."""
    from ..studies.design import Design
    from .inputs import PASTE, yaml_parameters

    if src.text is not None:
        return Design(PASTE, yaml_parameters(src.text), text=src.text)
    return Design(src.template or "", dict(src.params), src.units)


def seek_plan(job: SeekJob):
    """The design, targets and varies of a goal seek, checked as ``fieldsolver synth`` checks
    them (before the job is queued)."""
    from ..cli.arguments import parse_target, parse_vary

    design = design_of(job.source)
    design.section()
    targets = [parse_target(f"{q}:{v!r}") for q, v in job.targets]
    varies = [parse_vary(v, design) for v in job.varies]
    if not targets or len(targets) != len(varies) or len(targets) > 2:
        raise InputError("goal seek: give one target and one parameter to vary, or two of each (matched in order)")
    keys = design.value_keys()
    for t in targets:
        if t.quantity not in keys:
            raise InputError(f"target {t.quantity}: not a value of this line; choose from {', '.join(keys)}")
    return design, targets, varies


def seek(job: SeekJob, report: Report) -> dict[str, Any]:
    """Goal seek: the parameters that hit the targets, as ``fieldsolver synth`` finds them."""
    from ..studies.batch import Runner
    from ..studies.points import PointSolver
    from ..studies.synthesis import synthesize

    design, targets, varies = seek_plan(job)
    with Runner(workers=0) as runner:
        solver = PointSolver(design, runner, tol=job.tol, max_nodes=job.max_nodes)

        def evaluate(changes: dict[str, float]) -> dict:
            row = solver(changes)
            shown = {t.quantity: row.get(t.quantity) for t in targets}
            report({"evaluations": solver.count, "params": dict(changes), "values": shown})
            return row

        s = synthesize(design, targets, varies, evaluate, rel=job.match)
    keys = [k for k in design.value_keys() if k.startswith(("z", "eps")) and s.row.get(k) is not None]
    return {
        "reached": s.reached,
        "message": s.message,
        "evaluations": s.evaluations,
        "params": s.params,
        "values": [{"key": k, "label": LABELS.get(k, k), "value": s.row[k], "rel": s.row.get(f"u_{k}")} for k in keys],
        "history": [
            {**{v.param: h.get(v.param) for v in varies}, **{t.quantity: h.get(t.quantity) for t in targets}}
            for h in s.history
        ],
        "units": design.file_units,
    }


# ------------------------------------------------------------------------------- check a claim
@dataclass(frozen=True)
class CheckJob:
    source: Source
    claims: tuple[tuple[str, str], ...]  # (quantity, the number as the calculator gave it)
    tol: float | None
    max_nodes: int
    threads: int = 1


def claims_of(job: CheckJob) -> list:
    """The claims of a check, parsed as ``fieldsolver check`` parses them."""
    from ..studies.check import Claim

    return [Claim.of(q, v) for q, v in job.claims]


def check_claims(job: CheckJob, report: Report) -> dict[str, Any]:
    """A calculator's numbers beside the field solution and the closed forms
    (:func:`fieldsolver.studies.check.check`)."""
    with api.reporting(report):
        return _check_claims(job)


def _check_claims(job: CheckJob) -> dict[str, Any]:
    from ..studies.check import check
    from .inputs import PASTE

    src, claims = job.source, claims_of(job)
    if src.text is None:
        result = check(
            src.template or "", dict(src.params), claims, units=src.units, tol=job.tol, max_nodes=job.max_nodes
        )
        return result.to_dict()
    with tempfile.TemporaryDirectory() as tmp:  # the library checks a file: the paste, for the while
        path = Path(tmp) / PASTE
        path.write_text(src.text, encoding="utf-8")
        try:
            result = check(str(path), {}, claims, tol=job.tol, max_nodes=job.max_nodes)
        except InputError as e:
            raise InputError(str(e).replace(str(path), PASTE)) from None
    out = result.to_dict()
    out["structure"] = PASTE
    return out


# --------------------------------------------------------------------------------- the process
def main(job: SolveJob | SeekJob | CheckJob, conn) -> None:
    """A worker process: run ``job``, send ``("progress", dict)`` messages, then ``("done",
    data)`` or ``("error", message)`` on ``conn``. ``("partial", data)`` may come before: the
    result so far (a solve's numbers before its plots). A user's mistake is its one line; anything
    else is one line for the page and the traceback on the server's stderr."""
    from ..numerics import kernels

    kernels.set_thread_count(max(1, job.threads))

    def report(progress: dict) -> None:
        conn.send(("progress", progress))

    def partial(result: dict) -> None:
        conn.send(("partial", result))

    try:
        if isinstance(job, SolveJob):
            out = solve(job, report, partial)
        else:
            out = seek(job, report) if isinstance(job, SeekJob) else check_claims(job, report)
        conn.send(("done", out))
    except InputError as e:
        conn.send(("error", str(e)))
    except Exception as e:
        traceback.print_exc(file=sys.stderr)
        conn.send(("error", f"internal error ({type(e).__name__}); the server's log has the details"))
    finally:
        conn.close()


def warm() -> None:
    """Load (or compile) the solver's kernels by solving a tiny line, and import the plotting,
    so that processes forked after it start warm."""
    from ..geometry.templates import build
    from ..post import plot

    r = api.solve(build("microstrip", {"w": 1.0, "h": 1.0, "er": 2.0}, "mm"), tol=None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plot.save(plot.field_map(r), Path(tmp) / "warm.png", dpi=20)
    except InputError:  # no matplotlib: a solve says so when it plots
        pass
