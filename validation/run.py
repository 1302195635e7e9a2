"""``make validate``: sweep every family in ``validation/cases.py``, compare with its references,
write ``validation/results.json``, ``validation/REPORT.md`` and ``validation/plots/*.png``.

    python -m validation.run            # everything (about a minute on 2 cores)
    python -m validation.run --render   # only re-render the report from results.json (and loss.json)

The loss references (``validation/loss.py``) are solved in this process and written to
``validation/loss.json`` (and Wheeler's rule to ``validation/wheeler.json``). The independent
FEM references are committed data (``validation/fem_references.json``); ``python -m
validation.fem`` regenerates them (it needs the ``dev`` extra: scikit-fem and gmsh).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import fieldsolver as fs
from fieldsolver.api import TOL
from fieldsolver.post.output import write_text

from .cases import FAMILIES, family
from .claims import write_readme
from .report import comparisons, render, write_plots

HERE = Path(__file__).parent
RESULTS = HERE / "results.json"
LOSS = HERE / "loss.json"
WHEELER = HERE / "wheeler.json"  # the independent check of the loss section


def solve_point(name: str, params: dict[str, float]) -> dict:
    """One swept point: the solver's values and error bars, and every reference's values."""
    fam = family(name)
    t = time.perf_counter()
    r = fs.solve(fam.section(params))
    refs = []
    for ref in fam.references:
        refs.append({"label": ref.label, "values": ref.values(params), "applies": bool(ref.applies(params))})
    return {
        "family": name,
        "params": params,
        "values": r.values,
        "uncertainty": r.uncertainty,
        "converged": r.accuracy["converged"],
        "nodes": r.grid["nodes"],
        "seconds": round(time.perf_counter() - t, 3),
        "references": refs,
    }


def _worker_init(threads: int) -> None:
    from fieldsolver.numerics import kernels

    kernels.set_thread_count(threads)


def run_all(workers: int) -> list[dict]:
    jobs = [(f.name, p) for f in FAMILIES for p in f.points]
    # fresh processes (the OpenMP runtime of the parallel kernels does not survive a fork), the
    # cores shared among them
    threads = max(1, (os.cpu_count() or 1) // workers)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init, initargs=(threads,)) as pool:
        futures = [pool.submit(solve_point, n, p) for n, p in jobs]
        out = []
        for i, fut in enumerate(futures, 1):
            out.append(fut.result())
            print(f"\r{i}/{len(jobs)} points", end="", flush=True)
    print()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m validation.run")
    ap.add_argument("--render", action="store_true", help="re-render REPORT.md and plots from results.json")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if args.render:
        data = json.loads(RESULTS.read_text())
    else:
        t = time.perf_counter()
        data = {"tol": TOL, "version": fs.__version__, "points": run_all(args.workers)}
        write_text(RESULTS, json.dumps(data, indent=1) + "\n")
        print(f"solved {len(data['points'])} points in {time.perf_counter() - t:.0f} s")
    from . import loss, roughness

    if args.render and LOSS.exists():
        loss_rows, checks = json.loads(LOSS.read_text()), json.loads(WHEELER.read_text())
    else:
        t = time.perf_counter()
        loss_rows, checks = loss.run(), loss.wheeler()
        write_text(LOSS, json.dumps(loss_rows, indent=1) + "\n")
        write_text(WHEELER, json.dumps(checks, indent=1) + "\n")
        print(f"solved the loss references in {time.perf_counter() - t:.0f} s")
    (HERE / "plots").mkdir(exist_ok=True)
    write_plots(data, HERE / "plots")
    sections = loss.render(loss_rows, checks) + roughness.render(roughness.rows())
    write_text(HERE / "REPORT.md", render(data) + "\n" + "\n".join(sections))
    write_readme(HERE.parent / "README.md", comparisons(data), data["points"])
    print(f"wrote {HERE / 'REPORT.md'} and the README's summary")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
