"""The local Dask cluster's workers are set up not to slow the solver: glibc's adaptive malloc (no
MALLOC_TRIM_THRESHOLD_ from the nanny), no statistical profiler, passive OpenMP threads, the
servers' periodic checks slowed (event loop every 1 s instead of 20 ms, system monitor every 2 s
instead of 500 ms), and one solver thread per task."""

import pytest

from fieldsolver.studies import batch


def _worker_settings(_):
    import os

    import dask
    from distributed import get_worker

    env = {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OMP_WAIT_POLICY")}
    ms = {k: get_worker().periodic_callbacks[k].callback_time for k in ("tick", "monitor")}
    return {**env, "profile": dask.config.get("distributed.worker.profile.enabled"), **ms}


@pytest.mark.slow
def test_local_workers_run_without_malloc_trimming_or_profiler():
    pytest.importorskip("distributed")
    with batch.Runner(workers=1) as runner:
        assert runner.threads == 1
        got = runner.one(_worker_settings, 0)
        # the scheduler runs in this process: its own event loop's checks are slowed as well
        scheduler = {k: runner.cluster.scheduler.periodic_callbacks[k].callback_time for k in ("tick", "monitor")}
    # the periodic callbacks' times in ms: what the servers run, not only what the config says
    assert got == {
        "MALLOC_TRIM_THRESHOLD_": None,
        "OMP_WAIT_POLICY": "PASSIVE",
        "profile": False,
        "tick": 1000,
        "monitor": 2000,
    }
    assert scheduler == {"tick": 1000, "monitor": 2000}


def test_workers_solve_on_one_thread():
    assert batch.Runner(workers=2).threads == 1
    assert batch.Runner(scheduler="tcp://127.0.0.1:1").threads == 1
    assert batch.Runner(workers=0).threads == 0  # in-process: the solver's own setting
