"""The first run after an install, measured in new processes on an empty compiled-kernel cache
(``NUMBA_CACHE_DIR`` pointing at a new temporary directory, so the package's own cache is left
alone):

* ``fieldsolver calc`` of the bench's microstrip on the empty cache: what a user's first command
  costs when nothing was compiled at install time (it compiles the kernels it calls);
* ``python -m fieldsolver.numerics.warm`` on another empty cache (it compiles every kernel into
  it: the step an install can run), then the same ``fieldsolver calc`` with that cache;
* whether the README names the warm step.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WARM = "fieldsolver.numerics.warm"


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """Wall and CPU seconds of one new process (every thread)."""
    t, c = time.perf_counter(), _child_cpu()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t, _child_cpu() - c


def first_run(root: Path, calc_argv: list[str], say) -> dict:
    """Wall and CPU of the first command on an empty cache, of the warm step, and of the command
    after it (see the module's docstring)."""
    calc = [sys.executable, "-m", "fieldsolver.cli", "calc", *calc_argv]
    base = dict(os.environ, PYTHONPATH=str(root))
    out = {}
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as warmed:
        say("  first command on an empty kernel cache")
        out["empty_wall"], out["empty_cpu"] = _timed(calc, root, dict(base, NUMBA_CACHE_DIR=empty))
        say(f"  {WARM} into an empty kernel cache")
        env = dict(base, NUMBA_CACHE_DIR=warmed)
        out["warm_wall"], out["warm_cpu"] = _timed([sys.executable, "-m", WARM], root, env)
        out["calc_wall"], out["calc_cpu"] = _timed(calc, root, env)
    readme = root / "README.md"
    out["readme_names_warm"] = readme.is_file() and f"python -m {WARM}" in readme.read_text(encoding="utf-8")
    say(
        f"  first command {out['empty_wall']:.1f} s; warm step {out['warm_wall']:.1f} s, "
        f"then {out['calc_cpu']:.2f} s CPU"
    )
    return out
