"""Threads that yield: the solver's OpenMP threads wait passively (no spinning between kernels),
and the size below which a level runs on one thread."""

import json
import os
import subprocess
import sys

import pytest

from fieldsolver.numerics import kernels

# In a fresh process: one threaded kernel starts numba's thread pool, then the main thread sleeps
# 0.4 s between further calls. A thread that spins at the barrier burns CPU all that time; a
# passive one sleeps. Prints the threading layer and the process CPU time of the sleeping phase.
_PROBE = """
import json, resource, time
import numpy as np
from fieldsolver.numerics import kernels as k
import numba
k.set_thread_count(2)
a = np.ones((200, 200))
k.THREADED.dot(a, a)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c = cpu()
for _ in range(40):
    k.THREADED.dot(a, a)
    time.sleep(0.01)
print(json.dumps({"layer": numba.threading_layer(), "cpu": cpu() - c}))
"""


def _probe(policy: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if policy is not None:
        env["OMP_WAIT_POLICY"] = policy
    env["NUMBA_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_threads_do_not_spin_between_kernels():
    passive = _probe(None)  # the solver's default
    if passive["layer"] != "omp":
        pytest.skip(f"threading layer {passive['layer']}: no OpenMP wait policy to check")
    active = _probe("ACTIVE")  # the control: the same probe sees spinning threads
    # 0.4 s of sleeping: a spinning thread costs about that much CPU, a passive one almost none
    assert passive["cpu"] < 0.1, passive
    assert active["cpu"] > passive["cpu"] + 0.1, (active, passive)


def test_the_users_own_wait_policy_wins():
    env = dict(os.environ, OMP_WAIT_POLICY="ACTIVE")
    code = "import os, fieldsolver.numerics.kernels; print(os.environ['OMP_WAIT_POLICY'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ACTIVE"


def test_small_levels_run_serially():
    assert kernels.multigrid_kernels(kernels.THREADED_MIN_NODES - 1) is kernels.SERIAL
    expected = kernels.SERIAL if kernels.thread_count() == 1 else kernels.THREADED
    assert kernels.multigrid_kernels(kernels.THREADED_MIN_NODES) is expected
