"""Compile every numerical kernel into numba's on-disk cache, e.g. right after installing:

    python -m fieldsolver.numerics.warm

The kernels are compiled on their first call and cached beside :mod:`fieldsolver.numerics.kernels`
(or in ``NUMBA_CACHE_DIR``): without this, the first solve after an install compiles the kernels
it runs (about 10 s of CPU for a small structure, measured on 2 cores) and the first large solve
compiles the threaded builds. Afterwards every command loads the compiled kernels from the cache.

It solves one small structure whose dielectric interface is curved (so the cut cells' diagonal
links run too) on one grid, then compiles each threaded multigrid kernel for the argument types
its serial twin was called with. Prints what it compiled; exits 1 if a kernel that a solve calls
from Python was left uncompiled.
"""

from __future__ import annotations

import sys
import time

from . import kernels


def _dispatchers() -> dict[str, object]:
    """Every compiled kernel of :mod:`.kernels` by name (``SERIAL.relax_rows``, ...), without
    those always inlined into their callers (they have no compiled code of their own)."""
    found = {n: d for n, d in vars(kernels).items() if hasattr(d, "signatures")}
    for build in ("SERIAL", "THREADED"):
        found.update({f"{build}.{n}": d for n, d in vars(getattr(kernels, build)).items()})
    return {n: d for n, d in found.items() if d.targetoptions.get("inline", "never") == "never"}


def _cache_dir() -> str:
    return kernels.SERIAL.dot.stats.cache_path


def warm() -> dict[str, tuple[int, int]]:
    """Compile (or load from the cache) every kernel a solve calls: name -> (builds, of them
    compiled now rather than loaded from the cache)."""
    from ..geometry.templates import build
    from .solver import field_solve

    # insulated round wires: a curved dielectric interface, so the cut cells' kernels run too
    field_solve(build("twisted_pair", {"d": 0.5, "d_ins": 1.0, "er": 3.0}).validate())
    for name, serial in vars(kernels.SERIAL).items():
        threaded = getattr(kernels.THREADED, name)
        for sig in serial.signatures:
            threaded.compile(sig)
    return {n: (len(d.signatures), sum(d.stats.cache_misses.values())) for n, d in _dispatchers().items()}


def uncompiled(builds: dict[str, tuple[int, int]]) -> list[str]:
    """The kernels called from Python that have no compiled build (the helpers only other
    kernels call, like ``_weight``, are compiled into their callers)."""
    helpers = {"_weight"}
    return [n for n, (count, _) in builds.items() if count == 0 and n not in helpers]


def main() -> int:
    t = time.perf_counter()
    builds = warm()
    total, new = (sum(b[i] for b in builds.values()) for i in (0, 1))
    print(
        f"fieldsolver: {total} compiled kernels ready in {time.perf_counter() - t:.1f} s: "
        f"{new} compiled now, {total - new} loaded from the cache (in {_cache_dir()})"
    )
    missing = uncompiled(builds)
    if missing:
        print(f"fieldsolver: not compiled: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
