"""Field maps (matplotlib, imported lazily by the user only). Never calls ``show()``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .output import atomic_path
from .results import Result
from .templates import UNITS


def _excitations(r: Result) -> list[tuple[str, np.ndarray]]:
    """(title, potential) per panel: the line itself, odd and even modes of a pair, or each signal."""
    pots = r.solution.dielectric.potentials
    if len(r.signals) == 2:
        return [("odd mode (+1 V / -1 V)", pots[0] - pots[1]), ("even mode (+1 V / +1 V)", pots[0] + pots[1])]
    return [(f"{name} at 1 V", pots[k]) for k, name in enumerate(r.signals)]


def _view(r: Result) -> tuple[float, float, float, float]:
    """A few signal sizes around the signals, clipped to the domain."""
    sec = r.solution.section
    boxes = np.array([c.shape.bbox() for c in sec.signals])
    x0, x1, y0, y1 = boxes[:, 0].min(), boxes[:, 1].max(), boxes[:, 2].min(), boxes[:, 3].max()
    size = max(x1 - x0, y1 - y0)
    dom = r.solution.grid.domain
    pad = 1.5 * size
    return (max(dom[0], x0 - pad), min(dom[1], x1 + pad), max(dom[2], y0 - pad), min(dom[3], y1 + pad))


def field_map(r: Result, ax=None):
    """Draw the potential (equipotentials) and |E| of each excitation; returns the Axes list."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    panels = _excitations(r)
    if ax is None:
        _, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 5.2), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(ax))
    sol = r.solution
    g, sec = sol.grid, sol.section
    s = UNITS[r.units]
    x, y = g.x / s, g.y / s
    vx0, vx1, vy0, vy1 = (v / s for v in _view(r))
    for a, (title, phi) in zip(axes, panels, strict=False):
        # |E| per cell (V/m per volt of excitation) from the cell's mean gradient
        ex = np.diff(phi, axis=1) / np.diff(g.x)[None, :]
        ey = np.diff(phi, axis=0) / np.diff(g.y)[:, None]
        emag = np.hypot(0.5 * (ex[1:] + ex[:-1]), 0.5 * (ey[:, 1:] + ey[:, :-1]))
        pos = emag[emag > 0]
        vmax = np.percentile(pos, 99.5) if pos.size else 1.0
        mesh = a.pcolormesh(
            x, y, np.maximum(emag, vmax * 1e-4), norm=LogNorm(vmax * 1e-3, vmax), cmap="inferno", shading="flat"
        )
        levels = np.linspace(phi.min(), phi.max(), 23)[1:-1]
        a.contour(x, y, phi, levels=levels, colors="white", linewidths=0.6, alpha=0.8)
        clip = (vx0 * s, vx1 * s, vy0 * s, vy1 * s)
        for c in sec.conductors:
            for o in c.shape.outline(clip):
                a.plot(o[:, 0] / s, o[:, 1] / s, color="cyan" if c.role == "signal" else "silver", lw=1.2)
        for d in sec.dielectrics:
            for o in d.shape.outline(clip):
                a.plot(o[:, 0] / s, o[:, 1] / s, color="lime", lw=0.7, ls="--")
        a.set_xlim(vx0, vx1)
        a.set_ylim(vy0, vy1)
        a.set_aspect("equal")
        a.set_xlabel(f"x ({r.units})")
        a.set_ylabel(f"y ({r.units})")
        a.set_title(title)
        a.figure.colorbar(mesh, ax=a, label="|E| (V/m per V)", shrink=0.8)
    return axes


def headline(r: Result) -> str:
    v = r.values
    if len(r.signals) == 1:
        return f"Z0 = {v['z0']:.2f} ohm, eps_eff = {v['eps_eff']:.3f}"
    if len(r.signals) == 2:
        zc = "undefined" if v["z_common"] is None else f"{v['z_common']:.2f} ohm"
        return f"Zdiff = {v['z_diff']:.2f} ohm, Zcommon = {zc}"
    return ", ".join(f"mode {i + 1}: {m.z:.2f} ohm" for i, m in enumerate(r.modes))


def save_field_map(r: Result, path: str | Path, title: str = "") -> None:
    """Write the field map to ``path`` (format by extension), atomically."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    axes = field_map(r)
    fig = axes[0].figure
    fig.suptitle(f"{title}  {headline(r)}".strip())
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110)
    finally:
        plt.close(fig)
