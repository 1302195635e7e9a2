"""The solve processes: every solve or goal seek runs in a process of its own, off the server's
threads, so that a preview never waits for a solve, and a solve can be stopped at once.

* At most ``workers`` jobs run at a time; the others wait in a queue of at most ``queue`` jobs
  (beyond it a new job is refused with a clear message: the server is busy).
* A job that runs longer than ``time_limit`` seconds is stopped, and says so.
* A new job of a page (its ``client`` id) supersedes that page's earlier job of the same kind,
  which is stopped (or dropped from the queue); a page can also cancel its job.
* The processes are forked from a fork server that loaded the solver's kernels once
  (:mod:`._forkserver`), so each starts warm; the server's own threads are never forked.

Each job's messages (progress, then its result or one line of error) come back through a pipe;
one background thread starts, watches and stops the processes. Finished jobs are kept for
downloads, the newest ``keep`` of them.
"""

from __future__ import annotations

import multiprocessing
import secrets
import sys
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.connection import wait
from typing import Any

from ..errors import InputError
from . import work

ACTIVE = ("queued", "running")


@dataclass
class Job:
    id: str
    client: str
    kind: str
    spec: Any  # a work.SolveJob or work.SeekJob
    state: str = "queued"  # queued | running | done | failed | cancelled | timeout
    progress: dict = field(default_factory=dict)
    result: dict | None = None
    error: str | None = None
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    process: Any = None
    conn: Any = None
    starting: bool = False  # its process is being started

    def public(self) -> dict[str, Any]:
        """What the page is told (no file contents: those are downloaded one by one)."""
        now = time.monotonic()
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "state": self.state, "progress": self.progress}
        out["seconds"] = (self.finished or now) - (self.started or now)
        if self.error is not None:
            out["error"] = self.error
        if self.result is not None:
            out["result"] = {k: v for k, v in self.result.items() if k != "files"}
            if "files" in self.result:
                out["files"] = sorted(self.result["files"])
        return out


class Jobs:
    def __init__(self, *, workers: int = 1, time_limit: float = 120.0, queue: int = 16, keep: int = 64):
        self.workers, self.time_limit, self.queue_size, self.keep = workers, time_limit, queue, keep
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        self.thread: threading.Thread | None = None
        self.ctx = multiprocessing.get_context("forkserver")
        self.reaping: list[tuple[Any, float]] = []  # ended (or ending) processes not yet joined

    # ------------------------------------------------------------------ the server's side
    def start(self) -> None:
        self.ctx.set_forkserver_preload(["fieldsolver.web._forkserver"])
        # the fork server loads the kernels now, not when the first solve asks for a process
        threading.Thread(target=forkserver.ensure_running, name="fieldsolver-warm", daemon=True).start()
        self.thread = threading.Thread(target=self._loop, name="fieldsolver-jobs", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stopping = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        with self.lock:
            for job in self.jobs.values():
                if job.state in ACTIVE:
                    self._stop(job, "cancelled", "the server stopped")
        for process, _ in self.reaping:
            process.join(timeout=2)
            if process.exitcode is None:
                process.kill()
                process.join(timeout=2)
        self.reaping.clear()

    def submit(self, client: str, kind: str, spec: Any) -> Job:
        """Queue a job; the same page's earlier job of this kind is stopped (superseded)."""
        with self.lock:
            for old in self.jobs.values():
                if old.client == client and old.kind == kind and old.state in ACTIVE:
                    self._stop(old, "cancelled", "superseded by a newer request from the same page")
            waiting = sum(1 for j in self.jobs.values() if j.state == "queued")
            if waiting >= self.queue_size:
                raise InputError(f"the server is busy ({waiting} jobs waiting); try again in a moment")
            job = Job(secrets.token_urlsafe(12), client, kind, spec)
            self.jobs[job.id] = job
            self._forget()
        self.wake.set()
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is not None and job.state in ACTIVE:
                self._stop(job, "cancelled", "cancelled")
            return job

    # ------------------------------------------------------------------ the watcher thread
    # The lock is held only to read and change the jobs, never while a process starts or ends
    # (starting one waits for the fork server): a request never waits behind a process.
    def _loop(self) -> None:
        while not self.stopping:
            try:
                self._step()
            except Exception:  # the watcher must not die: say what happened and go on
                traceback.print_exc(file=sys.stderr)
                time.sleep(0.5)

    def _step(self) -> None:
        with self.lock:
            starting = self._claim_queued()
        for job in starting:
            try:
                self._launch(job)
            except Exception as e:
                traceback.print_exc(file=sys.stderr)
                with self.lock:
                    job.starting = False
                    if job.state == "queued":
                        job.error = f"could not start a solve process ({type(e).__name__}); see the server's log"
                        self._finish(job, "failed")
        with self.lock:
            self._enforce_time_limit()
            conns = {j.conn: j for j in self.jobs.values() if j.state == "running" and j.conn is not None}
        self._reap()
        ready = wait(list(conns), timeout=0.1) if conns else []
        if not conns:
            self.wake.wait(0.1)
            self.wake.clear()
        for conn in ready:
            self._receive(conns[conn], conn)

    def _claim_queued(self) -> list[Job]:
        """The queued jobs that may start now (marked as starting)."""
        busy = sum(1 for j in self.jobs.values() if j.state == "running" or j.starting)
        out = []
        for job in self.jobs.values():
            if busy >= self.workers:
                break
            if job.state == "queued" and not job.starting:
                job.starting = True
                out.append(job)
                busy += 1
        return out

    def _launch(self, job: Job) -> None:
        recv, send = self.ctx.Pipe(duplex=False)
        process = self.ctx.Process(target=work.main, args=(job.spec, send), daemon=True)
        process.start()
        send.close()
        with self.lock:
            job.starting = False
            if job.state == "queued":  # not cancelled while it started
                job.process, job.conn, job.state, job.started = process, recv, "running", time.monotonic()
                return
        recv.close()
        process.terminate()
        self.reaping.append((process, time.monotonic()))

    def _reap(self) -> None:
        """Collect the ended processes; kill one that ignored its SIGTERM for 2 s."""
        keep = []
        for process, since in self.reaping:
            process.join(timeout=0)
            if process.exitcode is None:
                if time.monotonic() - since > 2:
                    process.kill()
                keep.append((process, since))
        self.reaping[:] = keep

    def _enforce_time_limit(self) -> None:
        now = time.monotonic()
        for job in self.jobs.values():
            if job.state == "running" and job.started is not None and now - job.started > self.time_limit:
                what = {"seek": "goal seek", "check": "check"}.get(job.kind, "solve")
                self._stop(
                    job,
                    "timeout",
                    f"the {what} was stopped at the time limit of {self.time_limit:g} s (fieldsolver serve "
                    "--time-limit); a looser tolerance or a smaller node budget finishes sooner",
                )

    def _receive(self, job: Job, conn) -> None:
        """A message of ``job`` on ``conn`` (closed meanwhile if the job was stopped: then nothing)."""
        try:
            kind, data = conn.recv()
        except (EOFError, OSError):
            with self.lock:
                if job.state == "running":  # the process died without a word
                    self._stop(job, "failed", "the solve process ended unexpectedly")
            return
        with self.lock:
            if job.state != "running":
                return
            if kind == "progress":
                job.progress = data
            elif kind == "partial":
                job.result = data
            elif kind == "done":
                job.result = data
                self._finish(job, "done")
            else:
                job.error = data
                self._finish(job, "failed")

    def _finish(self, job: Job, state: str) -> None:
        job.state, job.finished = state, time.monotonic()
        if job.conn is not None:
            job.conn.close()
        if job.process is not None:
            self.reaping.append((job.process, time.monotonic()))
        job.conn = job.process = None

    def _stop(self, job: Job, state: str, why: str) -> None:
        """Stop a queued or running job now (its process is sent SIGTERM, and reaped later)."""
        if job.process is not None and job.process.is_alive():
            job.process.terminate()
        job.error = why
        self._finish(job, state)

    def _forget(self) -> None:
        """Drop the oldest finished jobs beyond ``keep``."""
        done = [k for k, j in self.jobs.items() if j.state not in ACTIVE]
        for k in done[: max(0, len(done) - self.keep)]:
            del self.jobs[k]
