"""Tables of ``make bench`` made from the measurements alone (no process started here): the
bandwidth floor of the scaling section and the batch throughput."""

from __future__ import annotations


def floor_table(pts) -> list[str]:
    """Each multigrid solve against the bandwidth floor of its own bytes: the bytes its kernels
    must move (``Hierarchy.traffic``: each array a kernel call needs read once, each it changes
    written once) over the triad bandwidth measured in the same process; ratio = time / floor."""
    rows = [(mg, _) for mg, _ in pts if "cg_bytes" in mg]
    if not rows:
        return []
    lines = [
        "Distance from the bandwidth floor: floor = bytes the kernels must move / triad bandwidth of the "
        "same process (one thread: process CPU s, best of 3; threads as shipped: wall s, best of 3).",
        "",
        "| nodes | triad GB/s 1 / all threads | setup B/node | CG B/node/iteration | iterations "
        "| 1 thread setup s (x floor) | 1 thread CG s (x floor) | CG GB/s 1 thread "
        "| setup s (x floor) | CG s (x floor) | CG GB/s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mg, _ in rows:
        n, t1, ta = mg["nodes"], mg["triad_1"], mg["triad_all"]
        sb, cb = mg["setup_bytes"], mg["cg_bytes"]
        lines.append(
            f"| {n:,} | {t1 / 1e9:.1f} / {ta / 1e9:.1f} | {sb / n:.0f} | {mg['iteration_bytes'] / n:.0f} | "
            f"{mg['iterations']} | {mg['setup_1_cpu']:.3f} ({mg['setup_1_cpu'] * t1 / sb:.1f}x) | "
            f"{mg['cg_1_cpu']:.3f} ({mg['cg_1_cpu'] * t1 / cb:.1f}x) | {cb / mg['cg_1_cpu'] / 1e9:.1f} | "
            f"{mg['setup_s']:.3f} ({mg['setup_s'] * ta / sb:.1f}x) | {mg['solve_s']:.3f} ({mg['solve_s'] * ta / cb:.1f}x) | "
            f"{cb / mg['solve_s'] / 1e9:.1f} |"
        )
    return lines


def throughput_table(runs: dict[str, dict]) -> tuple[list[str], dict]:
    """Points per second in this process (one solver thread) and on local Dask clusters of N
    one-thread workers, against N times the in-process rate."""
    labels = list(runs)
    n = runs[labels[0]]["points"]
    lines = [
        f"`geometries/usb2_stackup.yaml`, {n} points (w 0.2-0.34 mm x s 0.12, 0.18 mm), each solved",
        "to the default tolerance: what `fieldsolver sweep` and `tolerance` do per point. In-process on",
        "one solver thread; Dask: a `LocalCluster` of N worker processes with one thread each.",
        "*efficiency*: points/s over N times the in-process rate (target >= 0.9). *CPU/point*: CPU",
        "seconds per point of this process, or of all workers together: how fast a worker computes,",
        "whatever share of the cores other jobs leave it (*CPU eff.*: in-process CPU/point over it).",
        "",
        "| where | "
        + " | ".join(f"{v}: start-up s | points/s | efficiency | CPU/point s | CPU eff." for v in labels)
        + " |",
        "|---|" + "---:|---:|---:|---:|---:|" * len(labels),
    ]
    facts = {}
    for k, label in enumerate(("this process, 1 thread", "Dask, 1 worker", "Dask, 2 workers")):
        cells = []
        for v in labels:
            rows = runs[v]["rows"]
            base, row = rows[0]["rate"], rows[k]
            eff = row["rate"] / (max(1, row["workers"]) * base)
            cpu_eff = rows[0]["cpu_per_point"] / row["cpu_per_point"]
            facts.setdefault(v, {})[row["workers"]] = eff
            facts[v][f"cpu{row['workers']}"] = cpu_eff
            cells.append(
                f"{row['startup']:.1f} | {row['rate']:.2f} | {eff:.2f} | {row['cpu_per_point']:.2f} | {cpu_eff:.2f}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Start-up: the local cluster's processes; the workers' first points (imports, loading the",
        "compiled kernels) are run before timing.",
        "",
        "Where a Dask run's time goes. *here*: the CPU of the bench's process during the timed run: a",
        "`LocalCluster` runs its scheduler and the workers' nannies there, beside the client, on the",
        "cores the workers use; *core share*: that over the run's wall time, and over a second of no",
        "work before it (the servers' periodic work); *compute/point*: the workers' task time a point",
        "(wall, `get_task_stream`); *idle*: N x the run's wall time less the workers' task time, of it",
        "*tail*: after each worker's last point.",
        "",
        "| where | "
        + " | ".join(f"{v}: here CPU s | core share | with no work | compute/point s | idle s | tail s" for v in labels)
        + " |",
        "|---|" + "---:|---:|---:|---:|---:|---:|" * len(labels),
    ]
    for k, label in ((1, "Dask, 1 worker"), (2, "Dask, 2 workers")):
        cells = []
        for v in labels:
            r = runs[v]["rows"][k]
            cells.append(
                f"{r['here_cpu']:.2f} | {r['here_cpu'] / r['wall']:.3f} | {r['here_idle_rate']:.3f} | "
                f"{r['compute_per_point']:.3f} | {r['worker_idle']:.2f} | {r['tail_idle']:.2f}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines, facts
