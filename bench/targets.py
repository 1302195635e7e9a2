"""The Targets table of ``make bench``: each target, the figure measured, met or MISSED, and what
limits it, written from figures measured in the same run (never prose with numbers of its own).

:func:`table` takes the sections' results; each ``*_limit`` function says what holds a missed
target where it is: the floor nothing in fieldsolver can remove, the share of the time spent in
one step, the bytes of the arrays that make the peak.
"""

from __future__ import annotations

from typing import Any

TARGET_FLOOR = 1.5  # one 1M-node solve, one thread: at most this much above its bandwidth floor


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def cold_limit(c: dict, target: float) -> str:
    """The cold command's floor that no change to fieldsolver removes: the interpreter, numpy,
    numba, scipy, and numba's set-up on its first compiled call (the cold split's parts)."""
    floor = c["start"] + c["numpy_cpu"] + c["numba_cpu"] + c["scipy_cpu"] + c["numba_setup_cpu"]
    numba = c["numba_cpu"] + c["numba_setup_cpu"]
    return (
        f"a floor no change to fieldsolver removes: Python start-up {c['start']:.2f} + numpy {c['numpy_cpu']:.2f} "
        f"+ numba {c['numba_cpu']:.2f} + scipy {c['scipy_cpu']:.2f} + numba's first-call set-up "
        f"{c['numba_setup_cpu']:.2f} = {floor:.2f} s CPU, {'above' if floor > target else 'within'} the "
        f"{target:g} s; fieldsolver's own share {c['cpu'] - floor:.2f} s. Kernels compiled ahead of time "
        f"(an extension module: no numba import or set-up in a command) would remove {numba:.2f} s"
    )


def dask_limit(run: dict) -> str:
    """Per cluster size: the workers' CPU per point against in-process, the CPU this process (the
    local cluster's scheduler and nannies, and the client) took during the timed run, sharing
    the cores with the workers, and the workers' idle time (at the tail and between points)."""
    rows = run["rows"]
    base = rows[0]["cpu_per_point"]
    cells = []
    for r in rows[1:]:
        if "here_cpu" not in r:
            continue
        cells.append(
            f"N = {r['workers']}: workers {r['cpu_per_point']:.3f} s CPU a point (in-process {base:.3f}: "
            f"x{r['cpu_per_point'] / base:.2f}); scheduler, nannies and client {r['here_cpu']:.2f} s CPU in the "
            f"{r['wall']:.1f} s run ({r['here_cpu'] / r['wall']:.2f} of a core; {r['here_idle_rate']:.3f} with no work) "
            f"on the {run.get('cores', 2)} cores the workers use; a worker's point {r['compute_per_point']:.3f} s wall "
            f"for {r['cpu_per_point']:.3f} s CPU (the rest: waiting for a core; load {r.get('load', float('nan')):.1f} "
            f"before); workers idle {r['worker_idle']:.2f} s of {r['workers'] * r['wall']:.1f} (tail {r['tail_idle']:.2f} s, "
            f"start and between points {1e3 * (r['worker_idle'] - r['tail_idle']) / run['points']:.0f} ms a point)"
        )
    return "; ".join(cells) or "-"


def loss_time_limit(r: dict) -> str:
    """The share of a loss sweep spent in the complex sparse LU factorizations."""
    return (
        f"{r['factorizations']} sparse LU factorizations (SuperLU, up to {r['lu_rows']:,} unknowns, "
        f"{r['lu_entries'] / 1e6:.1f}M entries): {r['factor_cpu']:.2f} s CPU, {100 * r['factor_cpu'] / r['cpu_s']:.0f} % "
        f"of the sweep's {r['cpu_s']:.2f} s; solves with the factors {r['lu_solve_s']:.2f} s "
        f"({100 * r['lu_solve_s'] / r['seconds']:.0f} %)"
    )


def loss_memory_limit(cases: list[dict]) -> str:
    """Bytes per magnetic-grid node of the largest LU factor and reduced basis, and the warm
    call's own peak (over its resident size just before it), per case."""
    cells = []
    for r in cases:
        n = r["magnetic_nodes"]
        warm = (r["warm_peak_mb"] - r["warm_base_mb"]) * 2**20 / n
        cells.append(
            f"{r['case']}: the largest LU factor {r['lu_bytes'] / n:.0f} B/node, the reduced basis "
            f"{r['basis_bytes'] / n:.0f} B/node; the warm call's own peak {warm:.0f} B/node"
        )
    return (
        "; ".join(cells) + " (a factor: 16 B a complex value + 4 of index an entry; the first call's peak also "
        "holds the compiled kernels it loads)"
    )


def floor_row(m1: dict) -> tuple[str, str, bool, str]:
    """One 1M-node solve on one thread against the bandwidth floor of its own byte count:
    (setup + CG CPU s) over (setup + CG bytes) / triad bandwidth."""
    t1 = m1["triad_1"]
    sb, cb = m1["setup_bytes"], m1["cg_bytes"]
    sf, cf = sb / t1, cb / t1
    s, c = m1["setup_1_cpu"], m1["cg_1_cpu"]
    ratio = (s + c) / (sf + cf)
    nodes = m1["level_nodes"]
    ops = m1["level_operator_bytes"]
    coarse = [k for k in range(len(nodes)) if ops[k] == 72]
    op_bytes = sum(n * b for n, b in zip(nodes, ops, strict=True))
    coarse_nodes = sum(nodes[k] for k in coarse)
    coarse_bytes = sum(nodes[k] * ops[k] for k in coarse)
    limit = (
        f"setup {s:.3f} s CPU = {s / sf:.1f}x its floor ({sf:.3f} s), CG {c:.3f} s = {c / cf:.1f}x ({cf:.3f} s) "
        f"at {t1 / 1e9:.1f} GB/s triad; the coarse levels' 9-point stencils (72 B/node against the fine "
        f"level's {ops[0]} B of links) are {100 * coarse_bytes / max(op_bytes, 1):.0f} % of the operator bytes "
        f"on {100 * coarse_nodes / sum(nodes):.0f} % of the nodes"
    )
    return (
        f"one 1M-node solve (one thread) <= {TARGET_FLOOR:g}x the bandwidth floor of its own bytes",
        f"{ratio:.2f}x ({s + c:.3f} s CPU against {sf + cf:.3f} s at {m1['nodes']:,} nodes)",
        ratio <= TARGET_FLOOR,
        limit,
    )


def install_row(inst: dict) -> tuple[str, str, bool, str]:
    """The first run after an install (see ``bench/install.py``)."""
    named = inst["readme_names_warm"]
    return (
        "first run after install <= 10 s, or a way to build the cache at install time that the README names",
        f"first `fieldsolver calc` on an empty kernel cache {inst['empty_wall']:.1f} s ({inst['empty_cpu']:.1f} s CPU); "
        f"`python -m fieldsolver.numerics.warm` {inst['warm_wall']:.1f} s ({inst['warm_cpu']:.1f} s CPU), then a cold "
        f"calc {inst['calc_cpu']:.2f} s CPU; the README names the warm step: {'yes' if named else 'NO'}",
        inst["empty_wall"] <= 10.0 or named,
        f"numba compiles the kernels on their first call ({inst['empty_cpu']:.1f} s CPU for the kernels one command calls, "
        f"{inst['warm_cpu']:.1f} s for all of them)",
    )


def wall_limit(t: dict, load: str) -> str:
    """A warm time to answer: the solver's own CPU against the wall time (the rest: waiting for
    a core that other jobs hold)."""
    return (
        f"{t['name']}: {t['cpu']:.2f} s CPU in {t['wall']:.2f} s wall; the rest waiting for a core "
        f"(load average {load} after the run)"
    )


def busy_limit(b: dict, load: str) -> str:
    """The busy machine: the solver's CPU busy against idle (its own work), and the share of the
    cores the other processes leave it."""
    return (
        f"the solver's own work is the same busy and idle (CPU busy/idle {b['cpu_ratio']:.2f}); the wall time "
        f"is the share of the 2 cores left to it: 1.5x for a fair share among 3 busy processes, more while "
        f"other jobs run too (load average {load})"
    )


def growth_limit(pts: list[dict]) -> str:
    """Time per node of the smallest and the largest solve."""
    a, z = pts[0], pts[-1]
    return (
        f"{1e9 * a['seconds'] / a['nodes']:.0f} ns a node at {a['nodes']:,} nodes, {1e9 * z['seconds'] / z['nodes']:.0f} "
        f"at {z['nodes']:,}"
    )


def table(rows: list[tuple[str, str, bool, Any]]) -> list[str]:
    """The Markdown table: target | measured | met/MISSED | what limits it (a text, or a function
    that writes it, called only for a missed target; a missed target the bench does not analyse
    says so)."""
    out = ["| target | measured | | what limits it |", "|---|---|---|---|"]
    for target, measured, ok, limit in rows:
        if callable(limit):
            limit = "" if ok else limit()
        limit = limit or ("-" if ok else "not analysed by the bench: see the section below")
        out.append(f"| {target} | {measured} | {mark(ok)} | {limit} |")
    return out
