"""``make bench``: solver speed and memory on this machine, printed and written to bench/RESULTS.md.

    python -m bench.run            # everything (about 2 minutes on 2 cores)
    python -m bench.run --quick    # smaller grids, no 4M point, no spsolve past 200k nodes

1. One Laplace solve vs node count (50k to 4M nodes): time, iterations, peak memory over the
   interpreter's, the fitted growth exponent, and ``scipy.sparse.linalg.spsolve`` on the same
   system in the same run (up to 1M nodes: past that it takes minutes and gigabytes).
2. Time to answer at the default tolerance for every template (warm: second call in-process).
3. A cold ``fieldsolver calc`` (new process, compiled kernels cached on disk), split into parts.
4. atlc, the classic open finite-difference solver, on a zero-thickness stripline (if installed).
5. Batch throughput (``fieldsolver sweep``'s engine): points per second in this process and on a
   local Dask cluster of 1 and 2 worker processes.
6. A 61-point loss sweep (1 MHz to 100 GHz, rough copper, Djordjevic-Sarkar dielectric) of a
   microstrip and of the USB pair, warm, with its peak memory.

Each scaling point and each cold run is a fresh process (``bench/point.py``), so peak memory and
start-up are its own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "RESULTS.md"

SIZES = (50e3, 100e3, 200e3, 500e3, 1e6, 2e6, 4e6)
SPSOLVE_MAX = 1.1e6

# every template, at typical dimensions (mm); "pair" marks two signals (target 2 s, else 1 s)
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
COLD = ("microstrip", {"w": 0.3, "h": 0.2, "t": 0.035, "er": 4.3})


def _point(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.point", *args],
        cwd=HERE.parent,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _density_for(nodes: float) -> float:
    """Mesh density whose grid of the scaling structure has about ``nodes`` nodes."""
    from fieldsolver.geometry import templates
    from fieldsolver.numerics.grid import MeshOptions, make_grid

    from .point import STRUCTURE

    section = templates.build(*STRUCTURE).validate()
    d = 1.0
    for _ in range(6):  # nodes grow about like density^2
        n = make_grid(section, MeshOptions(density=d)).nodes
        if abs(n / nodes - 1) < 0.03:
            break
        d *= math.sqrt(nodes / n)
    return d


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    import numba
    import scipy

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__} ({numba.get_num_threads()} threads); {date.today().isoformat()}"
    )


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def scaling(sizes, spsolve_max: float, say) -> tuple[list[str], dict]:
    pts = []
    for target in sizes:
        d = _density_for(target)
        mg = _point("scaling", repr(d), "multigrid")
        sp = _point("scaling", repr(d), "spsolve") if target <= spsolve_max else None
        pts.append((mg, sp))
        say(
            f"  {mg['nodes']:>9,} nodes: multigrid {mg['seconds']:.3f} s"
            + (f", spsolve {sp['seconds']:.2f} s" if sp else "")
        )
    nodes = np.array([m["nodes"] for m, _ in pts], float)
    secs = np.array([m["seconds"] for m, _ in pts])
    exponent = float(np.polyfit(np.log(nodes), np.log(secs), 1)[0])
    lines = [
        "| nodes | grid | mesh s | setup s | CG s | solve s | iterations | levels | peak MB | bytes/node | spsolve s | speed-up |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mg, sp in pts:
        extra = mg["peak_mb"] - mg["base_mb"]
        per_node = extra * 2**20 / mg["nodes"]
        if sp is not None:
            # same system, two methods: the conductor charge must agree
            assert abs(sp["charge"] / mg["charge"] - 1) < 1e-9, (sp["charge"], mg["charge"])
        spc = f"{sp['seconds']:.2f}" if sp else "-"
        ratio = f"{sp['seconds'] / mg['seconds']:.1f}x" if sp else "-"
        lines.append(
            f"| {mg['nodes']:,} | {mg['nx']} x {mg['ny']} | {mg['mesh_s']:.3f} | {mg['setup_s']:.3f} | "
            f"{mg['solve_s']:.3f} | {mg['seconds']:.3f} | {mg['iterations']} | {mg['levels']} | {extra:.0f} | "
            f"{per_node:.0f} | {spc} | {ratio} |"
        )
    # the 1M point for the targets
    m1, s1 = min(pts, key=lambda p: abs(math.log(p[0]["nodes"] / 1e6)))
    extra = np.array([(m["peak_mb"] - m["base_mb"]) * 2**20 for m, _ in pts])
    per_node, fixed = np.polyfit(nodes, extra, 1)  # marginal bytes per node, and a fixed part
    facts = {
        "exponent": exponent,
        "range": (int(nodes.min()), int(nodes.max())),
        "one_m": m1,
        "one_m_spsolve": s1,
        "per_node": float(per_node),
        "fixed_mb": float(fixed) / 2**20,
        "largest_bytes": float(extra[-1] / nodes[-1]),
    }
    return lines, facts


def templates_table(say) -> tuple[list[str], list[dict]]:
    import fieldsolver as fs
    from fieldsolver.geometry.templates import build

    lines = [
        "| template | parameters (mm) | kind | time s | target s | grids | finest nodes | converged | headline |",
        "|---|---|---|---:|---:|---:|---:|---|---|",
    ]
    out = []
    for name, params in CASES:
        section = build(name, params).validate()
        fs.solve(section)  # warm: kernels loaded, caches hot
        t = time.perf_counter()
        r = fs.solve(section)
        dt = time.perf_counter() - t
        pair = len(r.signals) == 2
        target = 2.0 if pair else 1.0
        acc = r.accuracy
        finest = acc["levels"][-1]["nodes"]
        key = "z_diff" if pair else "z0"
        head = f"{key} = {r.values[key]:.3f} +- {r.uncertainty[key] * r.values[key]:.3f} ohm"
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        lines.append(
            f"| {name} | {shown} | {'pair' if pair else 'single'} | {dt:.2f} | {target:.0f} | "
            f"{len(acc['levels'])} + {len(acc['boundary_levels']) and 2} | {finest:,} | "
            f"{'yes' if acc['converged'] else 'NO'} | {head} |"
        )
        out.append({"name": name, "seconds": dt, "target": target})
        say(f"  {name:20s} {dt:.2f} s")
    return lines, out


def cold(say, runs: int = 3) -> tuple[list[str], dict]:
    name, params = COLD
    argv = [name, *(f"{k}={v}" for k, v in params.items())]
    exe = Path(sys.executable).with_name("fieldsolver")
    cmd = [str(exe), "calc", *argv] if exe.exists() else [sys.executable, "-m", "fieldsolver.cli", "calc", *argv]
    subprocess.run(cmd, check=True, capture_output=True)  # compiles into the cache if it is not there yet
    walls, starts = [], []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        starts.append(time.perf_counter() - t)
    parts = [_point("cold", *argv) for _ in range(runs)]
    part = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
    wall, start = statistics.median(walls), statistics.median(starts)
    import fieldsolver as fs

    section = fs.template(name, **params)
    fs.solve(section)
    t = time.perf_counter()
    fs.solve(section)
    warm = time.perf_counter() - t
    say(f"  cold {wall:.2f} s, warm {warm:.2f} s")
    shown = " ".join(argv)
    lines = [
        f"`fieldsolver calc {shown}` in a new process, compiled kernels cached on disk (median of {runs}):",
        "",
        "| part | s |",
        "|---|---:|",
        f"| Python start-up (`python -c pass`) | {start:.2f} |",
        f"| import (numpy, scipy, numba, fieldsolver) | {part['import_s']:.2f} |",
        f"| parse and build the cross-section | {part['setup_s']:.2f} |",
        f"| mesh and rasterise (all grids) | {part['mesh_s']:.2f} |",
        f"| solve (all grids, kernels loaded from the cache on first use) | {part['solve_s']:.2f} |",
        f"| extrapolation and error estimate | {part['other_s']:.2f} |",
        f"| report | {part['report_s']:.3f} |",
        f"| **whole command (wall)** | **{wall:.2f}** |",
        f"| same answer warm, in-process | {warm:.2f} |",
    ]
    return lines, {"wall": wall, "warm": warm}


def atlc_peer(say, cold_extra: float) -> list[str]:
    """atlc (finite differences with SOR on a uniform bitmap) and fieldsolver on one stripline."""
    make = "create_bmp_for_symmetrical_stripline"
    if not (shutil.which("atlc") and shutil.which(make)):
        return ["atlc is not installed here (Debian package `atlc`); comparison skipped."]
    import fieldsolver as fs
    from fieldsolver.physics.formulas import stripline_z0

    W, H, w = 3200, 401, 400  # pixels: 1.28M, as in atlc's own stripline test
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([make, str(W), str(H), str(w), "s.bmp"], cwd=d, check=True, capture_output=True)
        t = time.perf_counter()
        out = subprocess.run(["atlc", "s.bmp"], cwd=d, check=True, capture_output=True, text=True).stdout
        t_atlc = time.perf_counter() - t
    version = re.search(r"VERSION=\s*(\S+)", out)
    z_atlc = float(re.search(r"Zo=\s*([0-9.]+)", out).group(1))
    exact = stripline_z0(w, H)  # the bitmap maker's reading: strip w wide, planes H apart
    other = stripline_z0(w, H + 1)  # conductor pixels as nodes: planes H + 1 apart
    section = fs.template("stripline", w=w / H, h1=0.5, h2=0.5, t=0.0, er=1.0)
    fs.solve(section)
    t = time.perf_counter()
    r = fs.solve(section)
    t_fs = time.perf_counter() - t
    nodes = r.accuracy["levels"][-1]["nodes"]
    say(f"  atlc {t_atlc:.1f} s, fieldsolver {t_fs:.2f} s")

    def err(z: float) -> str:
        return f"{100 * (z / exact - 1):+.3f} %"

    return [
        f"Zero-thickness stripline, w/b = {w}/{H}, in air; atlc's side walls are {(W - w) / 2 / H:.1f} b from the strip",
        f"edges, where the field has decayed by exp(-pi x/b) = {math.exp(-math.pi * (W - w) / 2 / H):.0e}. "
        f"Exact (Cohn 1954): Z0 = {exact:.3f} ohm.",
        "",
        "| solver | grid | time s | Z0 ohm | error |",
        "|---|---|---:|---:|---:|",
        f"| atlc {version.group(1) if version else ''} (SOR, uniform bitmap; one process) | {W} x {H} = {W * H / 1e6:.2f}M pixels "
        f"| {t_atlc:.1f} | {z_atlc:.3f} | {err(z_atlc)} ({100 * (z_atlc / other - 1):+.3f} % if its planes are H + 1 pixels apart) |",
        f"| fieldsolver, default tol 0.1 % (warm) | {len(r.accuracy['levels'])} graded grids, finest {nodes:,} nodes "
        f"| {t_fs:.2f} | {r.z0:.3f} +- {r.uncertainty['z0'] * r.z0:.3f} | {err(r.z0)} |",
        "",
        f"fieldsolver answers {t_atlc / t_fs:.0f}x sooner warm ({t_atlc / (t_fs + cold_extra):.0f}x counting the start-up of a cold",
        f"command, {cold_extra:.1f} s), {abs(z_atlc / exact - 1) / abs(r.z0 / exact - 1):.0f}x closer to the exact value, and with an error bar.",
    ]


def throughput(say, n_w: int = 8) -> list[str]:
    """A sweep of the USB 2.0 stackup (w x s, 2 n_w points) in this process and on local Dask
    clusters of 1 and 2 workers: cluster start-up, then points per second."""
    from fieldsolver.studies import batch
    from fieldsolver.studies.design import Design
    from fieldsolver.studies.points import run_points
    from fieldsolver.studies.sweep import sweep_points

    design = Design.of(str(HERE.parent / "geometries" / "usb2_stackup.yaml"))
    points = sweep_points({"w": list(np.linspace(0.2, 0.34, n_w)), "s": [0.12, 0.18]})
    lines = [
        f"`geometries/usb2_stackup.yaml`, {len(points)} points (w 0.2-0.34 mm x s 0.12, 0.18 mm), each solved",
        "to the default tolerance: what `fieldsolver sweep` and `tolerance` do per point.",
        "",
        "| where | start-up (s) | batch (s) | points/s | vs in-process |",
        "|---|---|---|---|---|",
    ]
    base = None
    for workers, label in ((0, "this process"), (1, "Dask, 1 worker process"), (2, "Dask, 2 worker processes")):
        t = time.perf_counter()
        with batch.Runner(workers=workers) as runner:
            up = time.perf_counter() - t
            if workers:  # the workers import and load the kernels on their first point
                run_points(design, points[:workers], runner, progress=False)
            res = run_points(design, points, runner, progress=False)
        rate = len(res.ok) / res.seconds
        base = base or rate
        say(f"  {label}: {rate:.2f} points/s")
        lines.append(f"| {label} | {up:.1f} | {res.seconds:.1f} | {rate:.2f} | {rate / base:.2f}x |")
    lines += [
        "",
        "Start-up: the local cluster's processes; the workers' first points (imports, loading the",
        "compiled kernels) are run before timing. Each worker solves with its share of the cores.",
    ]
    return lines


def loss_sweeps(say) -> tuple[list[str], list[dict]]:
    lines = [
        "| structure | total s | static s | loss s | magnetic grid nodes | peak MB over base | bytes per node | R error estimate | loss at 10 GHz dB/in |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    out = []
    for case in ("microstrip", "usb"):
        say(f"  loss sweep: {case}")
        r = _point("loss", case)
        extra = r["peak_mb"] - r["base_mb"]
        per_node = extra * 2**20 / r["magnetic_nodes"]
        r["per_node"] = per_node
        out.append(r)
        lines.append(
            f"| {case} | {r['seconds']:.2f} | {r['static_s']:.2f} | {r['loss_s']:.2f} | {r['magnetic_nodes']:,} | "
            f"{extra:.0f} | {per_node:.0f} | {100 * r['r_unc']:.2g} % | {r['loss_db_in_10ghz']:.3f} |"
        )
    return lines, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small grids only (a smoke run)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = ap.parse_args(argv)

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    sizes = SIZES[:3] if args.quick else SIZES
    spsolve_max = 2.1e5 if args.quick else SPSOLVE_MAX
    t0 = time.perf_counter()
    say("one Laplace solve vs node count")
    scale_lines, f = scaling(sizes, spsolve_max, say)
    say("time to answer, every template")
    tmpl_lines, tmpl = templates_table(say)
    say("cold command")
    cold_lines, c = cold(say)
    say("peer: atlc")
    peer_lines = [] if args.quick else atlc_peer(say, c["wall"] - c["warm"])
    say("batch throughput")
    batch_lines = throughput(say, 3 if args.quick else 8)
    say("loss sweeps")
    loss_lines, losses = loss_sweeps(say)

    m1, s1 = f["one_m"], f["one_m_spsolve"]
    lo, hi = f["range"]
    singles = [t for t in tmpl if t["target"] == 1.0]
    pairs = [t for t in tmpl if t["target"] == 2.0]
    worst_single = max(singles, key=lambda t: t["seconds"])
    worst_pair = max(pairs, key=lambda t: t["seconds"])
    targets = [
        "| target | measured | |",
        "|---|---|---|",
        f"| single line at tol 0.1 %, warm: <= 1 s | worst {worst_single['seconds']:.2f} s ({worst_single['name']}) | {_mark(worst_single['seconds'] <= 1.0)} |",
        f"| pair at tol 0.1 %, warm: <= 2 s | worst {worst_pair['seconds']:.2f} s ({worst_pair['name']}) | {_mark(worst_pair['seconds'] <= 2.0)} |",
        f"| cold `fieldsolver calc` adds <= 2 s | {c['wall'] - c['warm']:.2f} s | {_mark(c['wall'] - c['warm'] <= 2.0)} |",
        f"| one solve of a 1M-node grid <= 2 s | {m1['seconds']:.2f} s at {m1['nodes']:,} nodes | {_mark(m1['seconds'] <= 2.0 * m1['nodes'] / 1e6)} |",
        f"| growth exponent <= 1.2 ({lo:,} to {hi:,} nodes) | {f['exponent']:.2f} | {_mark(f['exponent'] <= 1.2)} |",
        f"| peak memory <= 1 kB per node plus the interpreter | {f['per_node']:.0f} bytes/node (slope; {f['largest_bytes']:.0f} at {hi:,} nodes with the fixed {f['fixed_mb']:.0f} MB) | {_mark(f['per_node'] <= 1024 and f['largest_bytes'] <= 1024)} |",
    ]
    ms, usb = losses
    targets += [
        f"| 61-point loss sweep, microstrip, warm: <= 5 s | {ms['seconds']:.2f} s | {_mark(ms['seconds'] <= 5.0)} |",
        f"| 61-point loss sweep, USB pair, warm: <= 10 s | {usb['seconds']:.2f} s | {_mark(usb['seconds'] <= 10.0)} |",
        f"| loss sweep memory <= 1 kB per magnetic-grid node | worst {max(ms['per_node'], usb['per_node']):.0f} bytes | "
        f"{_mark(max(ms['per_node'], usb['per_node']) <= 1024)} |",
    ]
    if s1 is not None:
        ratio = s1["seconds"] / m1["seconds"]
        targets.append(f"| >= 5x faster than spsolve at 1M nodes | {ratio:.1f}x | {_mark(ratio >= 5)} |")
    from fieldsolver.numerics.multigrid import RTOL

    from .point import STRUCTURE

    name, params = STRUCTURE
    shown = " ".join(f"{k}={v}" for k, v in params.items())
    text = "\n".join(
        [
            "# fieldsolver benchmarks",
            "",
            "Written by `make bench` (`python -m bench.run`); every figure below is from one run.",
            "",
            f"Machine: {_machine()}.",
            "",
            "## Targets",
            "",
            *targets,
            "",
            "## One Laplace solve vs node count",
            "",
            f"`{name} {shown}` (mm) with its dielectric, one excitation, on the mesher's graded grid at",
            "increasing density. *setup*: the multigrid hierarchy (Galerkin coarse operators, line",
            f"factors); *CG*: conjugate gradients to a relative residual of {RTOL:g}; *solve* = setup + CG.",
            "*peak MB*: the process's peak resident memory over its size after the imports (grid,",
            "raster, operator, hierarchy and vectors). *spsolve*: `scipy.sparse.linalg.spsolve` on the",
            "same free-node system (assembly included), in its own process; the capacitances of the",
            "two agree to 1e-9.",
            "",
            *scale_lines,
            "",
            f"Growth exponent of the solve time, least squares of log(time) on log(nodes): **{f['exponent']:.2f}**.",
            f"Peak memory, least squares on nodes: **{f['per_node']:.0f} bytes per node** plus {f['fixed_mb']:.0f} MB",
            "that does not grow with the grid (compiled kernels, thread pool).",
            "",
            "## Time to answer at the default tolerance (0.1 %)",
            "",
            "`fieldsolver.solve(section)` with the defaults, warm (the second call in one process): every",
            "refinement level and the two open-boundary grids, Richardson extrapolation and error bar.",
            "*grids*: refinement levels + boundary grids.",
            "",
            *tmpl_lines,
            "",
            "## Cold command",
            "",
            *cold_lines,
            "",
            "## Against atlc on the same cross-section",
            "",
            *(peer_lines or ["(not run with --quick)"]),
            "",
            "## Batch throughput (sweeps, Monte Carlo)",
            "",
            *batch_lines,
            "",
            "## Loss sweeps (R, L, G, C from 1 MHz to 100 GHz)",
            "",
            "`fieldsolver.solve(section, freq=61 points from 1 MHz to 100 GHz)` at the default tolerance, warm",
            "(the second call in a fresh process): the static solve, then the magnetic grid (two",
            "densities, for the error estimate) and the dielectric energies. Copper with Huray roughness",
            "(0.5 um spheres, surface ratio 2.9) on every face, dielectrics with tan delta 0.02 and",
            "Djordjevic-Sarkar dispersion. *peak MB over base*: the process's peak resident memory over",
            "its size after the imports; *bytes per node*: that over the finer magnetic grid's nodes.",
            "",
            *loss_lines,
            "",
            f"Bench wall time: {time.perf_counter() - t0:.0f} s.",
            "",
        ]
    )
    print(text)
    if not args.no_write and not args.quick:
        from fieldsolver.post.output import write_text

        write_text(RESULTS, text)
        say(f"written {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
