"""Running many solves: in this process or on Dask (dask.distributed).

* :class:`Runner` evaluates a function on many inputs: in this process (``workers=0``), on a
  local cluster of worker processes (``LocalCluster``), or on an existing cluster
  (``scheduler="tcp://host:port"``). Results come back as they finish.
* The results of a batch go to a :class:`.journal.Journal` as they finish.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, optional
from ..post.output import atomic_path
from .journal import ERROR, ID, STATUS, Journal, OutputExistsError  # noqa: F401  (the row keys of every batch)


class SchedulerUnreachableError(InputError):
    """No Dask scheduler answers at ``address``."""

    def __init__(self, address: str, reason: object):
        super().__init__(f"scheduler {address}: cannot connect: {reason}")
        self.address, self.reason = address, reason


# ------------------------------------------------------------------------------------------ runner
# Dask settings of the local cluster's workers that would otherwise slow every solve:
# * the nanny's MALLOC_TRIM_THRESHOLD_ turns off glibc's adaptive mmap threshold, so every large
#   temporary array is mapped fresh and zeroed by the kernel (measured: +45 % CPU per point before
#   the multigrid's work arrays were made once per hierarchy); glibc's default adapts instead;
# * the statistical profiler samples every thread's stack each 10 ms (0.15-0.3 s per point).
# * OpenMP threads that wait passively (as the kernels set it in this process; a user's own wins).
# * the periodic work of every server (scheduler, nannies, workers) while the solves run: each
#   event loop's health check every 20 ms, the system monitor's sample every 500 ms, the nanny's
#   memory check every 100 ms; with 1 s, 2 s and 500 ms (a loop blocked past the 3 s limit is
#   still reported, a worker past its memory limit still stopped), measured on 2 workers over 5 s
#   of no work: the cluster's CPU from 0.10 to 0.02 of a core, a share of the cores the workers
#   sharing them get back.
# For a cluster started elsewhere (``scheduler=``), the same keys go in its dask config.
WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.nanny.pre-spawn-environ.OMP_WAIT_POLICY": "PASSIVE",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "500ms",
}


class Runner:
    """Where the solves run. Use as a context manager; ``workers=0``: in this process."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        if workers is not None and workers < 0:
            raise InputError(f"workers must be >= 0, got {workers}")
        self.scheduler = scheduler
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.client = None
        self.cluster = None

    @property
    def local(self) -> bool:
        return self.scheduler is None and self.workers == 0

    @property
    def threads(self) -> int:
        """Solver threads for each task: one on a worker (the workers share the cores; threads pay
        only on grids far larger than a design point's, see ``kernels.THREADED_MIN_NODES``)."""
        if self.local:
            return 0  # leave the solver's own setting alone
        return 1

    def __enter__(self) -> Runner:
        if self.local:
            return self
        import logging

        distributed = optional("distributed", "studies", "running on Dask")
        Client, LocalCluster = distributed.Client, distributed.LocalCluster
        if self.scheduler is not None:
            _reachable(self.scheduler)
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except OSError as e:
                raise SchedulerUnreachableError(self.scheduler, e) from None
        else:
            import dask

            with dask.config.set(WORKER_CONFIG):
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: never clashes with another cluster
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def map(self, fn: Callable[[Any], dict], items: list[Any]) -> Iterator[tuple[Any, dict | BaseException]]:
        """(item, result or the exception it raised) for every item, as each finishes."""
        if self.local:
            for it in items:
                try:
                    yield it, fn(it)
                except Exception as e:  # a failed point is reported, not fatal
                    yield it, e
            return
        from distributed import as_completed

        futures = {self.client.submit(fn, it, pure=False): it for it in items}
        try:
            for fut in as_completed(list(futures)):
                try:
                    yield futures[fut], fut.result()
                except Exception as e:  # raised in the task, or its worker died (KilledWorker)
                    yield futures[fut], e
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def one(self, fn: Callable[[Any], dict], item: Any) -> dict:
        ((_, out),) = list(self.map(fn, [item]))
        if isinstance(out, BaseException):
            raise out
        return out


def _reachable(address: str) -> None:
    """Fail at once, in one line, when nothing listens at a tcp:// address (rather than after
    the client's retries)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or not parts.hostname or not parts.port:
        return  # another protocol: let dask try it
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=5).close()
    except OSError as e:
        raise SchedulerUnreachableError(address, e.strerror or e) from None


def parquet_library():
    """pyarrow, or a one-line error naming the extra that brings it."""
    return optional("pyarrow", "studies", "a Parquet table")


def write_table(rows: list[dict], columns: list[str], path: Path) -> None:
    """The final table: CSV, or Parquet (pyarrow) by extension; written atomically."""
    if path.suffix.lower() == ".parquet":
        pa = parquet_library()
        import pyarrow.parquet as pq

        data = {c: [r.get(c) for r in rows] for c in columns}
        table = pa.table(
            {c: pa.array(v, type=pa.string() if c in (ID, STATUS, ERROR) else None) for c, v in data.items()}
        )
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp)
        return
    Journal(path, columns)._rewrite(rows)


# ---------------------------------------------------------------------------------------- progress
class Progress:
    """done/total and time left on one line of stderr (redrawn in place on a terminal)."""

    def __init__(self, total: int, done: int = 0, stream=None, label: str = "points"):
        self.total, self.done, self.failed = total, done, 0
        self.start_done, self.t0, self.label = done, time.perf_counter(), label
        self.stream = sys.stderr if stream is None else stream
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self._last = 0.0

    def step(self, ok: bool) -> None:
        self.done += 1
        self.failed += not ok
        now = time.perf_counter()
        if self.tty or now - self._last > 5.0 or self.done == self.total:
            self._last = now
            self.draw()

    def draw(self) -> None:
        run = self.done - self.start_done
        elapsed = time.perf_counter() - self.t0
        left = elapsed / run * (self.total - self.done) if run else math.nan
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "." * (width - filled)
        eta = (
            "?"
            if math.isnan(left)
            else time.strftime("%M:%S", time.gmtime(left))
            if left < 3600
            else f"{left / 3600:.1f} h"
        )
        failed = f", {self.failed} failed" if self.failed else ""
        line = f"[{bar}] {self.done}/{self.total} {self.label}{failed}, {eta} left"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()
