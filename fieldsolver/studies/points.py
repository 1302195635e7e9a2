"""Solving a design's points: one (:func:`solve_point`, what a worker runs), one at a time on a
runner (:class:`PointSolver`, what synthesis calls), or a whole batch (:func:`run_points`, with a
resumable journal). Every point gives a row: its id, parameters, values, their uncertainty and
its status; a failed point is a row too, and the batch goes on."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api
from ..errors import InputError
from ..numerics.grid import MeshOptions
from . import batch
from .design import Design
from .journal import DESIGN, Journal


@dataclass(frozen=True)
class Task:
    """One point of a batch (what a worker receives)."""

    design: Design
    id: str
    changes: dict[str, float]
    tol: float | None
    max_nodes: int
    threads: int = 0
    options: MeshOptions | None = None  # the grid's (None: the defaults)


def _converged(result) -> bool | None:
    """Whether the solve met its tolerance; None for one grid without an error estimate."""
    return None if result.accuracy is None else result.accuracy.converged


def solve_point(task: Task) -> dict:
    """The row of one point: its id and parameters, each value and its relative uncertainty
    (``u_<key>``), and ``status`` ok; or ``failed`` with the ``error`` (the batch goes on)."""
    row: dict[str, Any] = {batch.ID: task.id, **task.changes}
    t = time.perf_counter()
    try:
        if task.threads:
            from ..numerics import kernels

            kernels.set_thread_count(task.threads)
        r = api.solve(task.design.section(task.changes), tol=task.tol, max_nodes=task.max_nodes, options=task.options)
        for k, v in r.values.items():
            row[k] = v
            row[f"u_{k}"] = (r.uncertainty or {}).get(k)
        converged = _converged(r)
        row["converged"] = None if converged is None else int(converged)
        row[batch.STATUS] = "ok"
    except Exception as e:  # any failure is this point's, reported with its parameters
        row[batch.STATUS] = "failed"
        row[batch.ERROR] = str(e) if isinstance(e, InputError) else f"{type(e).__name__}: {e}"
    row["seconds"] = time.perf_counter() - t
    return row


@dataclass
class PointSolver:
    """Solves one point at a time on ``runner``, numbering them: ``evaluate(changes) -> row``
    for :func:`fieldsolver.studies.synthesis.synthesize`."""

    design: Design
    runner: batch.Runner
    tol: float | None = api.TOL
    max_nodes: int = api.MAX_NODES
    options: MeshOptions | None = None
    count: int = 0

    def __call__(self, changes: dict[str, float]) -> dict:
        task = Task(
            self.design, str(self.count), dict(changes), self.tol, self.max_nodes, self.runner.threads, self.options
        )
        self.count += 1
        return self.runner.one(solve_point, task)


def columns(design: Design, params: Sequence[str], points: Sequence[tuple[str, dict]] = ()) -> list[str]:
    """The table's columns: the values of the first point that builds (a failing point must not
    stop the batch), else of the design itself; when none builds, the first point's mistake."""
    keys = None
    first: InputError | None = None
    for _, ch in points:
        try:
            keys = design.value_keys(ch)
            break
        except InputError as e:
            first = first or e
    if keys is None:
        if first is not None:
            raise first
        keys = design.value_keys()
    return [
        batch.ID,
        *params,
        *keys,
        *(f"u_{k}" for k in keys),
        "converged",
        batch.STATUS,
        batch.ERROR,
        "seconds",
        DESIGN,
    ]


def fingerprint(
    design: Design, *, tol: float | None = api.TOL, max_nodes: int = api.MAX_NODES, options: MeshOptions | None = None
) -> str:
    """What makes two batches' rows interchangeable, as 16 hex digits: the template (or a hash of
    the file's content), the fixed parameters, the units, the tolerance, the node budget and the
    grid options. The varied parameters are each row's own (checked row by row on resume)."""

    def plain(v: Any) -> Any:
        return repr(float(v)) if isinstance(v, int | float) and not isinstance(v, bool) else str(v)

    what = {
        "template": design.name if design.is_template else None,
        "file": None if design.is_template else hashlib.sha256((design.text or "").encode()).hexdigest(),
        "params": {k: plain(v) for k, v in sorted(design.params.items())},
        "units": design.units,
        "tol": plain(tol),
        "max_nodes": int(max_nodes),
        "options": {k: plain(v) for k, v in dataclasses.asdict(options or MeshOptions()).items()},
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Batch:
    """The rows of a batch (in the order of its points) and how it went."""

    rows: list[dict]
    columns: list[str]
    params: list[str]  # the varied parameters' columns
    resumed: int = 0  # points read back from the journal, not solved again
    seconds: float = 0.0

    @property
    def ok(self) -> list[dict]:
        return [r for r in self.rows if r.get(batch.STATUS) == "ok"]

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r.get(batch.STATUS) != "ok"]


def run_points(
    design: Design,
    points: list[tuple[str, dict[str, float]]],
    runner: batch.Runner,
    *,
    tol: float | None = api.TOL,
    max_nodes: int = api.MAX_NODES,
    options: MeshOptions | None = None,
    out: Path | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Batch:
    """Solve every (id, changes) point; with ``out``, append each finished row to it (CSV) as it
    comes, and with ``resume`` read back the finished ones instead of solving them again. An
    existing ``out`` without ``resume`` raises :class:`.journal.OutputExistsError`."""
    params = list(dict.fromkeys(k for _, ch in points for k in ch))
    cols = columns(design, params, points)
    t0 = time.perf_counter()
    stamp = fingerprint(design, tol=tol, max_nodes=max_nodes, options=options)
    journal = None
    done: dict[str, dict] = {}
    if out is not None:
        if out.suffix.lower() == ".parquet":
            batch.parquet_library()  # before the batch, not after it
        journal = Journal(_journal_path(out), cols, stamp)
        done = journal.open(resume)
        stale = [i for i, ch in points if i in done and not _same(done[i], ch)]
        if stale:
            raise InputError(f"{journal.path}: point {stale[0]} has other parameters there: it is from a different run")
        journal.begin(done.values())
    todo = [Task(design, i, ch, tol, max_nodes, runner.threads, options) for i, ch in points if i not in done]
    bar = batch.Progress(len(points), len(points) - len(todo)) if progress and todo else None
    got: dict[str, dict] = dict(done)
    for task, res in runner.map(solve_point, todo):
        if isinstance(res, BaseException):  # the worker died, or the task could not run
            res = {
                batch.ID: task.id,
                **task.changes,
                batch.STATUS: "failed",
                batch.ERROR: f"{type(res).__name__}: {res}",
            }
        res[DESIGN] = stamp
        got[task.id] = res
        if journal is not None:
            journal.append(res)
        if bar is not None:
            bar.step(res.get(batch.STATUS) == "ok")
    rows = [got[i] for i, _ in points]
    if journal is not None:  # complete: the table in the points' order (the journal has them as they came)
        batch.write_table(rows, cols, out)
        if journal.path != out:
            journal.path.unlink()
    return Batch(rows, cols, params, resumed=len(done), seconds=time.perf_counter() - t0)


def _journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".part.csv") if out.suffix.lower() == ".parquet" else out


def _same(row: dict, changes: dict[str, float]) -> bool:
    return all(
        isinstance(row.get(k), float) and math.isclose(row[k], v, rel_tol=1e-12, abs_tol=1e-15)
        for k, v in changes.items()
    )
