"""One measurement in a fresh process, printed as one JSON line (so that peak memory is this
measurement's alone):

    python -m bench.point scaling DENSITY multigrid|spsolve
    python -m bench.point cold TEMPLATE key=value ...
    python -m bench.point loss microstrip|usb
    python -m bench.point templates THREADS REPEATS
    python -m bench.point throughput N_W

Run as a script (``python bench/point.py ...``) it measures the ``fieldsolver`` that ``PYTHONPATH``
names: how ``make bench --before REV`` times an earlier version in the same run.

``scaling``: one Laplace solve (the first signal of the bench structure, with its dielectrics) on
the grid of ``DENSITY``: the multigrid solver (hierarchy and conjugate gradients, timed apart:
best of 3 after a run that loads the kernels; and on one thread, process CPU), with the triad
bandwidth and the solve's bytes (see ``_multigrid_runs``), or ``scipy.sparse.linalg.spsolve`` on the same free-node system.

``cold``: what ``fieldsolver calc`` does, timed in parts: the imports (the command's modules,
numba, scipy, the solver's modules), numba's set-up on its first compiled call, meshing and
solving (from the result's own timings), and writing the report.

``templates``: the time to answer of every template of the bench (warm: after one untimed call),
wall and process CPU (all threads), the median of REPEATS; THREADS solver threads (0: the default).

``loss``: a 61-point sweep from 1 MHz to 100 GHz (R, L, G, C and the line at each frequency, with
the error estimate) of a structure with rough copper (Huray, on every face) and a
Djordjevic-Sarkar dielectric, timed on the second of two runs (wall and process CPU); the static
solve's time apart. Peak memory is this process's resident peak (``ru_maxrss``) over its resident
size before the first run; and the second run's own peak (``VmHWM``, reset before it) over its
resident size just before it (the first run also loads the compiled kernels, a fixed cost). The
second run is probed (:class:`_LossProbe`): its sparse LU factorizations timed, the factors' and the
reduced models' sizes kept.
"""

from __future__ import annotations

import io
import json
import math
import os
import resource
import sys
import time
from contextlib import redirect_stdout

STRUCTURE = ("coupled_microstrip", {"w": 0.1, "s": 0.1, "h": 0.1, "t": 0.035, "er": 4.3})

# every template, at typical dimensions (mm)
CASES = (
    ("microstrip", {"w": 0.3, "h": 0.2, "t": 0.035, "er": 4.3}),
    ("stripline", {"w": 0.2, "h1": 0.2, "h2": 0.2, "t": 0.035, "er": 4.3}),
    ("coupled_microstrip", {"w": 0.2, "s": 0.2, "h": 0.2, "t": 0.035, "er": 4.3}),
    ("coupled_stripline", {"w": 0.15, "s": 0.2, "h1": 0.2, "h2": 0.2, "t": 0.035, "er": 4.3}),
    ("cpw", {"w": 0.3, "g": 0.15, "h": 0.5, "t": 0.035, "er": 4.3}),
    ("cpw", {"w": 0.3, "g": 0.15, "h": 0.2, "t": 0.035, "er": 4.3, "backed": True}),
    ("coupled_cpw", {"w": 0.2, "s": 0.2, "g": 0.2, "h": 0.2, "t": 0.035, "er": 4.3, "backed": True}),
    ("coax", {"d": 0.9, "D": 2.95, "er": 2.25}),
    ("twin_wire", {"d": 0.5, "D": 1.0, "er": 1.0}),
    ("wire_over_ground", {"d": 0.5, "h": 1.0, "er": 1.0}),
)


def cpu_s() -> float:
    """CPU time of this process so far, every thread (s)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> float:
    """Resident memory now (MB)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def triad_bandwidth(threads: int, n: int = 2**24, repeats: int = 8) -> float:
    """Bytes a second of the STREAM triad ``a = b + s c`` on ``threads`` threads, best of
    ``repeats``, on arrays of ``n`` doubles (128 MB each, far past any cache); 24 bytes an
    element (a write-allocate read of ``a`` not counted, as in STREAM and the solver's model).
    Timed in process CPU on one thread (as the one-thread solves), wall on more."""
    import numba
    import numpy as np

    @numba.njit(parallel=True)
    def triad(a, b, c, s):  # pragma: no cover - compiled
        for i in numba.prange(a.size):
            a[i] = b[i] + s * c[i]

    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
        triad(a, b, c, 3.0)
        best = math.inf
        clock = cpu_s if threads == 1 else time.perf_counter
        for _ in range(repeats):
            t = clock()
            triad(a, b, c, 3.0)
            best = min(best, clock() - t)
    finally:
        numba.set_num_threads(before)
    return 24.0 * n / best


def _multigrid_runs(out, kernels, Hierarchy, grid, gh, gv, fixed, b):
    """The multigrid solve of ``scaling``: hierarchy and conjugate gradients timed apart, with
    the solver's threads as shipped (wall, the second of two runs) and on one thread (process
    CPU, best of 3), beside the triad bandwidth measured in this process, on one thread and on
    all, and the bytes the solve must move (``Hierarchy.traffic``, if the solver has it)."""
    import numba

    best = [math.inf, math.inf]
    for k in range(4):  # the first run also loads the compiled kernels
        t = time.perf_counter()
        h = Hierarchy(grid.x, grid.y, gh, gv, fixed)
        t1 = time.perf_counter()
        x, iterations = h.solve(h.padded(b))
        t2 = time.perf_counter()
        if k:
            best = [min(best[0], t1 - t), min(best[1], t2 - t1)]
    out.update(setup_s=best[0], solve_s=best[1], seconds=sum(best), iterations=iterations, levels=len(h.levels))
    if hasattr(h, "traffic"):
        tr = h.traffic()
        out["setup_bytes"] = tr["setup"]
        out["cg_bytes"] = tr["start"] + iterations * tr["iteration"] + (iterations - 1) * tr["cycle"]
        out["iteration_bytes"] = tr["iteration"] + tr["cycle"]
        # each level's nodes and operator bytes a node (5-point links 16, 9-point stencil 72)
        out["level_nodes"] = [int(lv.nodes) for lv in h.levels]
        out["level_operator_bytes"] = [int(lv.operator_bytes) for lv in h.levels]
    threads = numba.get_num_threads()
    out["threads"] = threads
    out["peak_mb"] = peak_mb()  # before the triad's arrays (400 MB) raise the process's peak
    out["triad_1"] = triad_bandwidth(1)
    out["triad_all"] = triad_bandwidth(threads)
    # one thread: CPU seconds (what another process's load does not inflate), best of 3
    best = [math.inf, math.inf]
    numba.set_num_threads(1)
    for _ in range(3):
        c0 = cpu_s()
        h1 = Hierarchy(grid.x, grid.y, gh, gv, fixed)
        c1 = cpu_s()
        h1.solve(h1.padded(b))
        c2 = cpu_s()
        best = [min(best[0], c1 - c0), min(best[1], c2 - c1)]
    numba.set_num_threads(threads)
    out.update(setup_1_cpu=best[0], cg_1_cpu=best[1])
    # the thread crossover: the same solve with every level on one thread, and with every
    # level of 5,000 nodes or more on all threads (best of 2 each, alternating; not past 2.5M
    # nodes, where the bench would take minutes more)
    default = getattr(kernels, "THREADED_MIN_NODES", None)
    best = {"serial": math.nan, "threaded": math.nan}
    for _ in range(2 if grid.nodes < 2.5e6 else 0):
        for mode, floor in (("serial", 10**15), ("threaded", 5_000)):
            kernels.THREADED_MIN_NODES = floor
            t = time.perf_counter()
            h = Hierarchy(grid.x, grid.y, gh, gv, fixed)
            h.solve(h.padded(b))
            best[mode] = (
                min(best[mode], time.perf_counter() - t) if best[mode] == best[mode] else time.perf_counter() - t
            )
    kernels.THREADED_MIN_NODES = default
    out.update(serial_s=best["serial"], threaded_s=best["threaded"])
    # the bandwidth again after the solves, the better of the two (the machine may be shared)
    out["triad_1"] = max(out["triad_1"], triad_bandwidth(1))
    out["triad_all"] = max(out["triad_all"], triad_bandwidth(threads))
    return x


def scaling(density: float, method: str) -> dict:

    from fieldsolver.geometry import templates
    from fieldsolver.numerics import kernels
    from fieldsolver.numerics.grid import MeshOptions, make_grid
    from fieldsolver.numerics.multigrid import Hierarchy
    from fieldsolver.numerics.raster import rasterize
    from fieldsolver.numerics.solver import assemble, conductances

    section = templates.build(*STRUCTURE).validate()
    base = rss_mb()
    for _ in range(2):  # the first run also loads the compiled kernels
        t0 = time.perf_counter()
        grid = make_grid(section, MeshOptions(density=density))
        raster = rasterize(section, grid)
        gh, gv = conductances(grid, raster)
        mesh = time.perf_counter() - t0
    fixed = raster.net >= 0
    excitation = (raster.net == 1).astype(float)
    out = {"nodes": grid.nodes, "nx": grid.nx, "ny": grid.ny, "mesh_s": mesh, "method": method}
    if method == "multigrid":
        b = -kernels.apply_operator(gh, gv, excitation)
        b[fixed] = 0.0
        x = _multigrid_runs(out, kernels, Hierarchy, grid, gh, gv, fixed, b)
        phi = excitation + x[1:-1, 1:-1]
    else:
        from scipy.sparse.linalg import spsolve

        t = time.perf_counter()
        A = assemble(gh, gv)
        free = ~fixed.ravel()
        A_free = A[free]
        rhs = -(A_free[:, ~free] @ excitation.ravel()[~free])
        sol = spsolve(A_free[:, free].tocsc(), rhs)
        out["seconds"] = time.perf_counter() - t
        phi = excitation.ravel().copy()
        phi[free] = sol
        phi = phi.reshape(fixed.shape)
    # the capacitance as the solver computes it (phi . A phi, per eps0), compared between the methods
    out["charge"] = float((phi * kernels.apply_operator(gh, gv, phi)).sum())
    out.setdefault("peak_mb", peak_mb())
    out["base_mb"] = base
    return out


def cold(argv: list[str]) -> dict:
    """The steps of ``fieldsolver calc ARGV``, timed: the same calls the command makes, with its
    garbage-collector setting. Wall seconds of each step (``*_s``) and CPU seconds of the imports
    (in the order: what the command imports before it solves, then numba, scipy and the solver's
    own modules that a solve imports), numba's set-up on the first compiled call, the command, and
    the report (importing its module included, as the command does after the solve)."""
    import gc

    c0, t0 = cpu_s(), time.perf_counter()
    import numpy  # noqa: F401

    c_np = cpu_s()
    from fieldsolver import api
    from fieldsolver.cli import command as cli

    gc.set_threshold(getattr(cli, "GC_YOUNG", gc.get_threshold()[0]), *gc.get_threshold()[1:])
    c_fs = cpu_s()
    # what the command's imports left loaded (the solve loads numba whatever came before)
    numba_loaded, scipy_linalg = "numba" in sys.modules, "scipy.linalg" in sys.modules
    import numba  # noqa: F401

    c_nb = cpu_s()
    import scipy.sparse.linalg  # noqa: F401

    c_sp = cpu_s()
    from fieldsolver.numerics import solver  # noqa: F401

    t1, c1 = time.perf_counter(), cpu_s()
    # numba's set-up on its first compiled call (cached or not): its typing and lowering tables,
    # and scipy.linalg's BLAS that numba looks for
    from numba.core.registry import cpu_target

    cpu_target.target_context.refresh()
    cpu_target.typing_context.refresh()
    c_setup = cpu_s()
    try:  # the parser the command builds: calc's alone (a version before that builds them all)
        parser = cli._parser("calc")
    except TypeError:
        parser = cli._parser()
    args = parser.parse_args(["calc", *argv])
    section, title = cli._section(args)
    result = api.solve(section, tol=args.tol, max_nodes=args.max_nodes)
    t2, c2 = time.perf_counter(), cpu_s()
    from fieldsolver.post import report  # the command imports it after the solve

    with redirect_stdout(io.StringIO()):
        print(report.format_result(result, title=title))
    t3, c3 = time.perf_counter(), cpu_s()
    return {
        "import_s": t1 - t0,
        "setup_s": (t2 - t1) - result.timings["total"],
        "mesh_s": result.timings["mesh"],
        "solve_s": result.timings["solve"],
        "other_s": result.timings["total"] - result.timings["mesh"] - result.timings["solve"],
        "report_s": t3 - t2,
        "numpy_cpu": c_np - c0,
        "command_import_cpu": c_fs - c_np,
        "numba_cpu": c_nb - c_fs,
        "scipy_cpu": c_sp - c_nb,
        "solver_import_cpu": c1 - c_sp,
        "import_cpu": c1 - c_np,
        "numba_setup_cpu": c_setup - c1,
        "command_cpu": c2 - c_setup,
        "report_cpu": c3 - c2,
        "modules": sorted({m.split(".")[0] for m in sys.modules}),
        "numba_loaded": numba_loaded,
        "scipy_linalg": scipy_linalg,
    }


def throughput(n_w: int) -> dict:
    """A sweep of the USB 2.0 stackup (w x s, 2 n_w points) in this process on one solver thread,
    then on local Dask clusters of 1 and 2 one-thread workers: cluster start-up and points/s.

    On Dask also where the time goes: the CPU of this process during the timed run (a
    ``LocalCluster`` runs its scheduler and the workers' nannies here, beside the client), and
    its rate over a second of no work before it (the periodic work of the scheduler and nannies);
    the workers' compute time per point and their idle time (``get_task_stream``: at the tail,
    after a worker's last point while the other still computes, and between points)."""
    import numpy as np

    from fieldsolver import api
    from fieldsolver.numerics import kernels
    from fieldsolver.studies import batch
    from fieldsolver.studies.design import Design
    from fieldsolver.studies.points import Task, run_points, solve_point
    from fieldsolver.studies.sweep import sweep_points

    design = Design.of("geometries/usb2_stackup.yaml")
    points = sweep_points({"w": list(np.linspace(0.2, 0.34, n_w)), "s": [0.12, 0.18]})
    kernels.set_thread_count(1)
    rows = []
    for workers in (0, 1, 2):
        t = time.perf_counter()
        with batch.Runner(workers=workers) as runner:
            up = time.perf_counter() - t
            # warm: each worker imports and loads the kernels on its first point (and this
            # process on its first); client.run solves one on every worker (points handed to the
            # scheduler may all go to one worker and leave the other cold for the timed run)
            if runner.client is None:
                run_points(design, points[:1], runner, progress=False)
                c = cpu_s()
                res = run_points(design, points, runner, progress=False)
                row = {"cpu_per_point": (cpu_s() - c) / len(points)}
            else:
                pid, changes = points[0]
                runner.client.run(solve_point, Task(design, pid, changes, api.TOL, api.MAX_NODES, runner.threads))
                res, row = _dask_run(runner, design, points, run_points)
        rate = len(res.ok) / res.seconds
        rows.append({"workers": workers, "startup": up, "batch": res.seconds, "rate": rate, **row})
    return {"points": len(points), "rows": rows, "cores": os.cpu_count()}


def _dask_run(runner, design, points, run_points) -> tuple:
    """The timed batch on a Dask cluster, and where its time went (see :func:`throughput`)."""
    from distributed import get_task_stream

    client = runner.client

    def workers_cpu() -> float:
        return sum(client.run(cpu_s).values())

    load = os.getloadavg()[0]
    c = cpu_s()
    time.sleep(1.0)
    idle_rate = cpu_s() - c  # this process's CPU in a second of no work
    with get_task_stream(client) as ts:  # (its set-up and the stream's transfer not counted)
        w, c = workers_cpu(), cpu_s()
        t0 = time.time()
        res = run_points(design, points, runner, progress=False)
        t1 = time.time()
        here, w = cpu_s() - c, workers_cpu() - w
    busy: dict[str, list[tuple[float, float]]] = {}
    for task in ts.data:
        for ss in task["startstops"]:
            if ss["action"] == "compute":
                busy.setdefault(task["worker"], []).append((ss["start"], ss["stop"]))
    compute = sum(b - a for spans in busy.values() for a, b in spans)
    tail = sum(t1 - max(b for _, b in spans) for spans in busy.values())
    n = len(points)
    return res, {
        "cpu_per_point": w / n,
        "here_cpu": here,
        "here_idle_rate": idle_rate,
        "compute_per_point": compute / n,
        "worker_idle": len(busy) * (t1 - t0) - compute,
        "tail_idle": tail,
        "wall": t1 - t0,
        "load": load,
    }


def templates(threads: int, repeats: int) -> dict:
    """Time to answer of every template, warm: wall and CPU seconds (medians of ``repeats``)."""
    import statistics

    import fieldsolver as fs
    from fieldsolver.geometry.templates import build
    from fieldsolver.numerics import kernels

    if threads:
        kernels.set_thread_count(threads)
    rows = []
    for name, params in CASES:
        section = build(name, params).validate()
        fs.solve(section)  # warm: kernels loaded, caches hot
        walls, cpus = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), cpu_s()
            r = fs.solve(section)
            walls.append(time.perf_counter() - t)
            cpus.append(cpu_s() - c)
        acc = r.accuracy
        pair = len(r.signals) == 2
        key = "z_diff" if pair else "z0"
        rows.append(
            {
                "name": name,
                "params": params,
                "wall": statistics.median(walls),
                "cpu": statistics.median(cpus),
                "pair": pair,
                "grids": f"{len(acc['levels'])} + {len(acc['boundary_levels']) and 2}",
                "finest": acc["levels"][-1]["nodes"],
                "converged": bool(acc["converged"]),
                "head": f"{key} = {r.values[key]:.3f} +- {r.uncertainty[key] * r.values[key]:.3f} ohm",
            }
        )
    return {"templates": rows}


LOSS_CASES = {
    "microstrip": ("template", ("microstrip", {"w": 0.3, "h": 0.2, "t": 0.035, "er": 4.3})),
    "usb": ("file", "geometries/usb2_diff_microstrip.yaml"),
}


def loss(case: str) -> dict:
    from dataclasses import replace

    import numpy as np

    from fieldsolver import api
    from fieldsolver.geometry import templates
    from fieldsolver.geometry.loader import load
    from fieldsolver.geometry.model import Rect
    from fieldsolver.geometry.roughness import FaceRoughness, Huray
    from fieldsolver.numerics.grid import MeshOptions
    from fieldsolver.numerics.magnetic import make_magnetic_grid
    from fieldsolver.physics.loss import MAGNETIC_DENSITY

    kind, what = LOSS_CASES[case]
    section = templates.build(*what) if kind == "template" else load(what)
    rough = FaceRoughness.uniform(Huray(0.5e-6, 2.9))  # a typical standard foil

    def metal(c):  # a zero-thickness plane gets the trace's 35 um below it
        s = c.shape
        if isinstance(s, Rect) and s.y0 == s.y1:
            c = replace(c, shape=replace(s, y0=s.y0 - 35e-6))
        return replace(c, roughness=rough)

    section = replace(
        section,
        conductors=tuple(metal(c) for c in section.conductors),
        dielectrics=tuple(replace(d, tand=0.02, dispersion="djordjevic-sarkar") for d in section.dielectrics),
        background_tand=0.02 if section.background_er > 1 else 0.0,
        background_dispersion="djordjevic-sarkar" if section.background_er > 1 else "constant",
    ).validate()
    freq = np.geomspace(1e6, 1e11, 61)
    base = rss_mb()
    result = api.solve(section, freq=freq)  # the first call also loads the compiled kernels
    first_peak = peak_mb()
    warm_base = rss_mb()
    hwm = _reset_peak()  # the second call's own peak, over its resident size before it
    with _LossProbe() as probe:
        t, c = time.perf_counter(), cpu_s()
        result = api.solve(section, freq=freq)
        seconds, cpu = time.perf_counter() - t, cpu_s() - c
    warm_peak = _vm_hwm_mb() if hwm else math.nan
    sigma = [c.sigma for c in section.conductors]
    mg = make_magnetic_grid(section, sigma, 1e11, MeshOptions(density=MAGNETIC_DENSITY))
    x = result.rlgc
    return {
        "case": case,
        "seconds": seconds,
        "cpu_s": cpu,
        "static_s": result.timings["mesh"] + result.timings["solve"],
        "loss_s": result.timings["loss"],
        "magnetic_nodes": mg.grid.nodes,
        "static_nodes": result.grid.nodes,
        "peak_mb": max(first_peak, warm_peak) if hwm else peak_mb(),  # over both calls
        "base_mb": base,
        "warm_base_mb": warm_base,
        "warm_peak_mb": warm_peak,
        **probe.figures(),
        "r_unc": float(np.max(x.uncertainty["R"][:, 0, 0] / x.R[:, 0, 0])),
        "loss_db_in_10ghz": float(x.propagation.attenuation.to("dB/in").total[40, 0]),
    }


def _vm_hwm_mb() -> float:
    """This process's peak resident memory since the last reset (``VmHWM``, MB)."""
    with open("/proc/self/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return kb / 1024.0


def _reset_peak() -> bool:
    """Reset the peak resident memory to the resident size now (Linux: ``clear_refs`` 5); False
    where the system does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class _LossProbe:
    """While in the ``with`` block, times every sparse LU factorization of the magnetic problem
    (``MagneticProblem._factor``: CPU and wall) and every solve with a factor, and keeps the
    sizes of the factors (``lu.nnz``: the entries of L and U, as ``L.nnz + U.nnz`` without
    copying them) and of the reduced models' bases (``ReducedModel.blocks``). Installed by the
    bench only, on the class, and removed on exit."""

    def __init__(self):
        from fieldsolver.numerics import magnetic

        self.magnetic = magnetic
        self.factor_s = self.factor_cpu = self.solve_s = 0.0
        self.factors: list[tuple[int, int, int]] = []  # (rows, entries, bytes a value)
        self.bases: list[tuple[int, int]] = []  # (rows, bytes)

    def __enter__(self) -> _LossProbe:
        mp, fa, rm = self.magnetic.MagneticProblem, self.magnetic._Factor, self.magnetic.ReducedModel
        self.saved = (mp._factor, fa.solve, rm.__init__)
        factor, solve, init = self.saved
        import numpy as np

        def timed_factor(problem, w):
            t, c = time.perf_counter(), cpu_s()
            f = factor(problem, w)
            self.factor_s += time.perf_counter() - t
            self.factor_cpu += cpu_s() - c
            self.factors.append((f.lu.shape[0], f.lu.nnz, np.dtype(f.dtype).itemsize))
            return f

        def timed_solve(f, b):
            t = time.perf_counter()
            x = solve(f, b)
            self.solve_s += time.perf_counter() - t
            return x

        def kept_init(model, problem, *args, **kw):
            init(model, problem, *args, **kw)
            self.bases.append((problem.K_ff.shape[0], sum(b.nbytes for b in model.blocks)))

        mp._factor, fa.solve, rm.__init__ = timed_factor, timed_solve, kept_init
        return self

    def __exit__(self, *exc) -> None:
        mp, fa, rm = self.magnetic.MagneticProblem, self.magnetic._Factor, self.magnetic.ReducedModel
        mp._factor, fa.solve, rm.__init__ = self.saved

    def figures(self) -> dict:
        """The largest factor's entries and bytes (16 B a complex value, 8 a real one, and a
        4-byte row index each), the largest basis's bytes, and the factorizations' times."""
        big = max(self.factors, key=lambda f: f[1], default=(0, 0, 16))
        return {
            "factorizations": len(self.factors),
            "factor_s": self.factor_s,
            "factor_cpu": self.factor_cpu,
            "lu_solve_s": self.solve_s,
            "lu_rows": big[0],
            "lu_entries": big[1],
            "lu_bytes": big[1] * (big[2] + 4),
            "basis_bytes": max((b for _, b in self.bases), default=0),
            "basis_rows": max((r for r, _ in self.bases), default=0),
        }


def main() -> None:
    kind, *args = sys.argv[1:]
    if kind == "scaling":
        out = scaling(float(args[0]), args[1])
    elif kind == "cold":
        out = cold(args)
    elif kind == "loss":
        out = loss(args[0])
    elif kind == "throughput":
        out = throughput(int(args[0]))
    elif kind == "templates":
        out = templates(int(args[0]), int(args[1]))
    else:
        raise SystemExit(f"unknown measurement {kind!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
