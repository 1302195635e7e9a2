"""Figures of the design studies: a sweep's values against its parameter, a sensitivity tornado,
and the histograms of a tolerance run with its spec limits. Drawn with the same matplotlib set-up
as :mod:`fieldsolver.post.plot` (headless, nothing shown); :func:`~fieldsolver.post.plot.save`
writes them."""

from __future__ import annotations

from ..physics.lines import headline_keys
from .plot import pyplot

LABEL = {"z0": "Z0 (ohm)", "z_diff": "Zdiff (ohm)", "z_common": "Zcommon (ohm)", "eps_eff": "eps_eff"}


def sweep_plot(rows: list[dict], axes: list[str], keys, *, title: str = "", size=None):
    """Each headline value against the first swept parameter, one line per combination of the
    others, with the solver's error bars."""
    plt = pyplot()

    shown = headline_keys(keys)
    fig, ax = plt.subplots(1, len(shown), figsize=size or (5.2 * len(shown), 4.0), squeeze=False, layout="constrained")
    x_name, others = axes[0], axes[1:]
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r.get("status") == "ok":
            groups.setdefault(tuple(r[o] for o in others), []).append(r)
    for a, k in zip(ax[0], shown, strict=True):
        for g, rs in groups.items():
            rs = sorted(rs, key=lambda r: r[x_name])
            x = [r[x_name] for r in rs]
            y = [r[k] for r in rs]
            err = [abs(r[k]) * (r.get(f"u_{k}") or 0.0) for r in rs]
            label = ", ".join(f"{o} = {v:g}" for o, v in zip(others, g, strict=True)) or None
            a.errorbar(x, y, yerr=err, marker="o", ms=3, capsize=2, lw=1.0, label=label)
        a.set_xlabel(x_name)
        a.set_ylabel(LABEL.get(k, k))
        a.grid(True, alpha=0.3)
        if others:
            a.legend(fontsize=7)
    failed = sum(r.get("status") != "ok" for r in rows)
    fig.suptitle(f"{title}" + (f"  ({failed} points failed)" if failed else ""), fontsize=10)
    return fig


def sensitivity_plot(sens, keys, *, title: str = "", size=None):
    """A tornado chart: each parameter's change of each headline value for its tolerance."""
    plt = pyplot()
    shown = [k for k in keys if k.startswith("z")]
    fig, ax = plt.subplots(
        1, len(shown), figsize=size or (4.6 * len(shown), 0.5 * len(sens) + 1.6), squeeze=False, layout="constrained"
    )
    for a, k in zip(ax[0], shown, strict=True):
        names = [str(s.spread) for s in sens][::-1]
        vals = [100 * s.change.get(k, 0.0) for s in sens][::-1]
        a.barh(names, vals, color="tab:blue")
        a.set_xlabel(f"change of {k} for the tolerance (%)")
        a.grid(True, axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    return fig


def histogram_plot(rows: list[dict], stats, specs, *, title: str = "", size=None):
    """Histograms of the headline values over the samples, with the spec limits and yields."""
    plt = pyplot()
    fig, ax = plt.subplots(1, len(stats), figsize=size or (4.8 * len(stats), 3.8), squeeze=False, layout="constrained")
    for a, st in zip(ax[0], stats, strict=True):
        v = [r[st.quantity] for r in rows if r.get(st.quantity) is not None]
        a.hist(v, bins=min(60, max(10, len(v) // 20)), color="tab:blue", alpha=0.8)
        spec = next((s for s in specs if s.quantity == st.quantity), None)
        if spec is not None:
            for lim in (spec.low, spec.high):
                a.axvline(lim, color="tab:red", lw=1.2)
            a.set_title(f"yield {100 * st.yield_:.1f} % in [{spec.low:.4g}, {spec.high:.4g}]", fontsize=9)
        a.axvline(st.mean, color="k", lw=0.8, ls="--")
        a.set_xlabel(f"{LABEL.get(st.quantity, st.quantity)}: mean {st.mean:.3f}, std {st.std:.3f}")
        a.set_ylabel("samples")
    fig.suptitle(title, fontsize=10)
    return fig
