"""Figures of a solved cross-section: field maps, surface charge, convergence and the grid; loss
and S-parameters against frequency.

matplotlib is imported here and nowhere else, so solving stays fast and headless; nothing calls
``show()``. Every figure is returned; :func:`save` writes one atomically (format by extension).
Lengths are drawn in the section's units; fields are per volt of excitation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import optional
from ..geometry.model import CrossSection, InputError, to_shapely
from ..geometry.units import UNITS
from ..physics.lines import LABELS, headline_keys
from ..physics.result import Result
from . import fields
from .output import atomic_path

FORMATS = (".png", ".svg", ".pdf")
COPPER, GROUND, FLOATING = "#c87533", "#8c8c8c", "#b59a5a"
ROLE_COLOUR = {"signal": COPPER, "ground": GROUND, "floating": FLOATING}


def pyplot():
    matplotlib = optional("matplotlib", "plot", "plotting")
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


# ------------------------------------------------------------------------------------ the view
def view(r: Result, zoom: float = 1.0, extent: tuple[float, float, float, float] | None = None):
    """The region a figure of ``r`` shows: :func:`section_view` of its section."""
    return section_view(r.solution.section, r.units, zoom, extent)


def section_view(
    sec: CrossSection, units: str, zoom: float = 1.0, extent: tuple[float, float, float, float] | None = None
):
    """(x0, x1, y0, y1) in metres. ``extent`` (in the section's units) if given; else the signals
    with their nearest grounds above and below (and any conductor enclosing them, e.g. a shield),
    with a margin of the larger of the box's sides; ``zoom`` > 1 shows more."""
    if extent is not None:
        s = UNITS[units]
        x0, x1, y0, y1 = (v * s for v in extent)
        if not (x0 < x1 and y0 < y1):
            raise InputError(f"extent {','.join(f'{v:g}' for v in extent)}: expected x0,x1,y0,y1 with x0 < x1, y0 < y1")
        return (x0, x1, y0, y1)
    if not zoom > 0:
        raise InputError(f"zoom {zoom:g}: expected a positive factor")
    boxes = np.array([c.shape.bbox() for c in sec.signals])
    x0, x1, y0, y1 = boxes[:, 0].min(), boxes[:, 1].max(), boxes[:, 2].min(), boxes[:, 3].max()
    size = max(x1 - x0, y1 - y0)
    below, above, left, right = -np.inf, np.inf, -np.inf, np.inf
    enclosed = False
    for c in sec.conductors:
        if c.role == "signal":
            continue
        a0, a1, b0, b1 = c.shape.bbox()
        if a0 <= x0 and a1 >= x1 and b0 <= y0 and b1 >= y1:  # encloses the signals
            if max(a1 - a0, b1 - b0) < 20 * size:
                x0, x1, y0, y1 = min(x0, a0), max(x1, a1), min(y0, b0), max(y1, b1)
                enclosed = True
        elif a0 < x1 and a1 > x0:  # overlaps them sideways: a ground below or above
            if b1 <= y0:
                below = max(below, b1)
            elif b0 >= y1:
                above = min(above, b0)
        elif b0 < y1 and b1 > y0:  # level with them: a coplanar ground left or right
            if a1 <= x0:
                left = max(left, a1)
            elif a0 >= x1:
                right = min(right, a0)
    # a ground near enough bounds the view on its side (with a sliver of it shown); coplanar
    # grounds near enough are brought into view
    grounded = (y0 - below < 4 * size, above - y1 < 4 * size)
    y0, y1 = (below if grounded[0] else y0), (above if grounded[1] else y1)
    x0, x1 = (left if x0 - left < 4 * size else x0), (right if right - x1 < 4 * size else x1)
    m = max(x1 - x0, y1 - y0)
    pad_x = 0.04 * m if enclosed else 0.75 * m
    pad_lo, pad_hi = (0.04 * m if g or enclosed else 0.4 * m for g in grounded)
    if zoom != 1.0:  # about the centre of the padded box
        cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 - pad_lo + y1 + pad_hi)
        hw, hh = zoom * (0.5 * (x1 - x0) + pad_x), zoom * 0.5 * (y1 - y0 + pad_lo + pad_hi)
        return (cx - hw, cx + hw, cy - hh, cy + hh)
    return (x0 - pad_x, x1 + pad_x, y0 - pad_lo, y1 + pad_hi)


def headline(r: Result) -> str:
    v = r.values

    def val(key: str, fmt: str = ".2f", unit: str = " ohm") -> str:
        if v.get(key) is None:
            return "undefined"
        u = (r.uncertainty or {}).get(key)
        bar = f" +- {abs(v[key]) * u:{fmt}}" if u is not None else ""
        return f"{v[key]:{fmt}}{bar}{unit}"

    keys = headline_keys(tuple(v))
    if keys and keys[0].startswith("z_mode_"):
        return ", ".join(f"mode {i + 1}: {m.z:.2f} ohm" for i, m in enumerate(r.modes))
    return ", ".join(f"{LABELS[k]} = {val(k) if k.startswith('z') else val(k, '.3f', '')}" for k in keys)


# ---------------------------------------------------------------------------- the cross-section
def _patch(geom, **kw):
    """A matplotlib patch of a shapely polygon (holes included) in the section's units."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    verts, codes = [], []
    for ring in [geom.exterior, *geom.interiors]:
        xy = np.asarray(ring.coords)
        verts.append(xy)
        codes += [MPath.MOVETO] + [MPath.LINETO] * (len(xy) - 2) + [MPath.CLOSEPOLY]
    return PathPatch(MPath(np.concatenate(verts), codes), **kw)


def _geoms(shape, clip, scale):
    """The shape clipped to the view, scaled to the section's units: polygons and lines."""
    import shapely
    from shapely import affinity

    g = to_shapely(shape, clip).intersection(shapely.box(clip[0], clip[2], clip[1], clip[3]))
    g = affinity.scale(g, 1 / scale, 1 / scale, origin=(0, 0))
    parts = getattr(g, "geoms", [g])
    return [p for p in parts if not p.is_empty]


def draw_section(ax, sec: CrossSection, units: str, clip, *, tint=True, names=True, legend=True, lw=1.0) -> None:
    """Dielectrics (tinted by er, with a legend, when ``tint``; else their outlines) and the
    conductors (filled by role, named), in ``units``."""
    import shapely
    from matplotlib.patches import Patch

    s = UNITS[units]
    ers = sorted({sec.background_er, *(d.er for d in sec.dielectrics)})
    # one distinct light colour per permittivity, lowest first; air nearly white
    palette = ["#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99", "#8dd3c7", "#bebada"]
    solid = [e for e in ers if e != 1.0]

    def tone(er: float) -> str:
        return "#eef4fa" if er == 1.0 else palette[solid.index(er) % len(palette)]

    seen: dict[float, list[str]] = {}  # er -> the names of the regions in view
    if tint:
        x0, x1, y0, y1 = (v / s for v in clip)
        ax.add_patch(_patch(shapely.box(x0, y0, x1, y1), facecolor=tone(sec.background_er), edgecolor="none", zorder=0))
        seen[sec.background_er] = ["background"]
    for d in sec.dielectrics:
        shown = [g for g in _geoms(d.shape, clip, s) if g.geom_type == "Polygon"]
        for g in shown:
            if tint:
                ax.add_patch(_patch(g, facecolor=tone(d.er), edgecolor="none", zorder=1))
            ax.add_patch(_patch(g, facecolor="none", edgecolor="0.35", lw=0.5 * lw, ls="--", zorder=3))
        if shown and d.name not in seen.setdefault(d.er, []):
            seen[d.er].append(d.name)
    for c in sec.conductors:
        colour = ROLE_COLOUR[c.role]
        for g in _geoms(c.shape, clip, s):
            if g.geom_type == "Polygon":
                ax.add_patch(_patch(g, facecolor=colour, edgecolor="black", lw=0.6 * lw, zorder=4))
            else:  # a zero-thickness strip
                xy = np.asarray(g.coords)
                ax.plot(xy[:, 0], xy[:, 1], color=colour, lw=2.5 * lw, solid_capstyle="butt", zorder=4)
        if names:
            inside = to_shapely(c.shape, clip).intersection(shapely.box(clip[0], clip[2], clip[1], clip[3]))
            b = inside.bounds
            # grounds are named only where enough of them is in view to hold the name
            roomy = (
                not inside.is_empty
                and b[3] - b[1] > 0.12 * (clip[3] - clip[2])
                and b[2] - b[0] > 0.1 * (clip[1] - clip[0])
            )
            if not inside.is_empty and (c.role != "ground" or roomy):
                p = inside.representative_point()
                ax.annotate(
                    c.name,
                    (p.x / s, p.y / s),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if c.role != "ground" else "white",
                    zorder=6,
                    annotation_clip=True,
                )
    if tint and legend:
        entries = [
            Patch(facecolor=tone(er), edgecolor="0.4", label=f"er {er:g}" + (f" ({_names(n)})" if n else ""))
            for er, n in sorted(seen.items())
        ]
        entries += [
            Patch(facecolor=ROLE_COLOUR[role], edgecolor="black", label=role)
            for role in ROLE_COLOUR
            if any(c.role == role for c in sec.conductors)
        ]
        ax.legend(handles=entries, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)


def _names(names: list[str]) -> str:
    return ", ".join(names) if len(names) <= 2 else f"{names[0]}, {names[1]} and {len(names) - 2} more"


def frame(ax, units: str, clip, title: str, equal: bool = True) -> None:
    """Limits of the view ``clip`` (metres), axes labelled in ``units``, and a title."""
    s = UNITS[units]
    ax.set_xlim(clip[0] / s, clip[1] / s)
    ax.set_ylim(clip[2] / s, clip[3] / s)
    ax.set_aspect("equal" if equal else "auto")
    ax.set_xlabel(f"x ({units})")
    ax.set_ylabel(f"y ({units})")
    ax.set_title(title, fontsize=9)


def _figure(n_panels: int, size: tuple[float, float] | None, clip=None):
    """Panels side by side, or one above the other when the view is wide and flat; without a
    ``size`` (inches), as large as the view's shape needs."""
    plt = pyplot()
    aspect = 0.8 if clip is None else (clip[3] - clip[2]) / (clip[1] - clip[0])
    stacked = aspect < 0.6 and n_panels > 1
    if size is None:
        if stacked:
            size = (9.0, n_panels * min(max(7.0 * aspect + 1.0, 2.2), 6.0))
        else:
            size = (5.6 * n_panels, min(max(5.6 * aspect + 1.3, 2.6), 7.0))
    fig, axes = plt.subplots(
        n_panels if stacked else 1, 1 if stacked else n_panels, figsize=size, squeeze=False, layout="constrained"
    )
    return fig, list(axes.ravel())


# ------------------------------------------------------------------------------------ field map
def _streamlines(ax, r: Result, clip, phi: np.ndarray) -> None:
    """E field lines: the potential resampled on a uniform grid over the view (streamplot needs
    one), traced outside the conductors."""
    from scipy.interpolate import RegularGridInterpolator

    g, s = r.solution.grid, UNITS[r.units]
    n = 240
    xu, yu = np.linspace(clip[0], clip[1], n), np.linspace(clip[2], clip[3], n)
    X, Y = np.meshgrid(xu, yu)
    p = RegularGridInterpolator((g.y, g.x), phi, bounds_error=False)(np.stack([Y.ravel(), X.ravel()], axis=1)).reshape(
        n, n
    )
    ey, ex = np.gradient(-p, yu, xu)
    inside = np.zeros(X.shape, bool)
    for c in r.solution.section.conductors:
        inside |= c.shape.contains(X, Y)
    ex, ey = np.where(inside, np.nan, ex), np.where(inside, np.nan, ey)
    ax.streamplot(xu / s, yu / s, ex, ey, density=1.1, color="#9fe6ff", linewidth=0.5, arrowsize=0.6, zorder=5)


def _off_field(r: Result):
    """Nodes (ny, nx) outside the field: conductors, the outer boundary, and pockets of free nodes
    walled off by grounds, where no excitation puts any potential (e.g. outside a shield)."""
    from scipy import ndimage

    owner = r.solution.raster.owner
    free = owner == -1
    labels, n = ndimage.label(free)
    peak = np.abs(r.solution.dielectric.potentials).max(axis=0)
    live = ndimage.maximum(peak, labels, index=np.arange(1, n + 1)) > 1e-6
    return ~free | ~np.concatenate([[False], live])[labels]


def field_map(
    r: Result,
    *,
    mode: str | None = None,
    field_lines: bool = False,
    zoom: float = 1.0,
    extent=None,
    size: tuple[float, float] | None = None,
    title: str | None = None,
):
    """The materials, then per excitation: |E| (log colour, V/m per V), equipotentials every
    1/20 of the excitation's span, the conductors and dielectric interfaces; optionally E field
    lines. Returns the figure."""
    pyplot()
    from matplotlib.colors import LogNorm

    panels = fields.excitations(r, mode)
    clip = view(r, zoom, extent)
    fig, axes = _figure(1 + len(panels), size, clip)
    g, s = r.solution.grid, UNITS[r.units]
    draw_section(axes[0], r.solution.section, r.units, clip)
    frame(axes[0], r.units, clip, "cross-section")
    off = _off_field(r)
    inside = off[1:, 1:] & off[1:, :-1] & off[:-1, 1:] & off[:-1, :-1]
    ix = (g.x >= clip[0]) & (g.x <= clip[1])
    iy = (g.y >= clip[2]) & (g.y <= clip[3])
    for ax, p in zip(axes[1:], panels, strict=True):
        ex, ey = fields.field_at_cells(g.x, g.y, p.potential)
        emag = np.hypot(ex, ey)
        # no colour inside conductors, nor in pockets no field reaches (e.g. outside a shield)
        emag = np.ma.masked_array(emag, inside)
        # the colour scale from the cells in view: 3 decades below the 99.5th percentile
        seen = emag[np.ix_(iy[:-1] & iy[1:], ix[:-1] & ix[1:])].compressed()
        pos = seen[seen > 0]
        top = float(np.percentile(pos, 99.5)) if pos.size else 1.0
        mesh = ax.pcolormesh(
            g.x / s,
            g.y / s,
            np.ma.clip(emag, top * 1e-3, None),
            norm=LogNorm(top * 1e-3, top),
            cmap="inferno",
            shading="flat",
            rasterized=True,
            zorder=0,
        )
        lo, hi = float(p.potential.min()), float(p.potential.max())
        ax.contour(
            g.x / s,
            g.y / s,
            p.potential,
            levels=np.linspace(lo, hi, 21)[1:-1],
            colors="white",
            linewidths=0.5,
            alpha=0.75,
            negative_linestyles="solid",
            zorder=2,
        )
        draw_section(ax, r.solution.section, r.units, clip, tint=False, names=False, lw=0.8)
        if field_lines:
            _streamlines(ax, r, clip, p.potential)
        frame(ax, r.units, clip, p.title)
        fig.colorbar(mesh, cax=ax.inset_axes((1.02, 0.0, 0.025, 1.0)), label="|E| (V/m per V)")
    fig.suptitle(f"{_source(r, title)}{headline(r)}", fontsize=10)
    return fig


def _source(r: Result, title: str | None) -> str:
    """The figure's title: ``title``, else the file the section came from."""
    if title is None:
        title = Path(r.solution.section.source.split(":")[0]).name
    return f"{title}:  " if title else ""


# ---------------------------------------------------------------------------------------- charge
def charge_plot(
    r: Result, *, mode: str | None = None, zoom: float = 1.0, extent=None, size=None, title: str | None = None
):
    """Per excitation (column): the surface charge density, uC/m^2 per V, on each finite conductor
    in view along its outline (from its lowest-left corner, counter-clockwise; dotted lines mark
    the corners), and on each ground plane against x. Edge crowding shows as peaks at corners."""
    plt = pyplot()
    panels = fields.excitations(r, mode)
    clip = view(r, zoom, extent)
    s = UNITS[r.units]
    charges = [fields.surface_charge(r, p.potential, clip) for p in panels]
    has_planes = any(c.plane and c.sigma.size for c in charges[0])
    rows = 2 if has_planes else 1
    inches = (6.0 * len(panels), 3.8 * rows) if size is None else size
    fig, axes = plt.subplots(rows, len(panels), figsize=inches, squeeze=False, layout="constrained")
    for col, (p, cs) in enumerate(zip(panels, charges, strict=True)):
        top = axes[0, col]
        for c in cs:
            if c.sigma.size == 0:
                continue
            label = f"{c.name} ({c.role}): {c.total * 1e12:+.2f} pC/m in all"
            if c.plane:
                axes[1, col].plot(c.x / s, c.sigma * 1e6, lw=1.0, label=label)
                continue
            line = top.plot(
                c.s / s, c.sigma * 1e6, "-" if c.role == "signal" else "--", lw=1.0, marker=".", ms=2.0, label=label
            )
            for k in c.corners[1:]:
                top.axvline(k / s, color=line[0].get_color(), lw=0.5, ls=":", alpha=0.6)
        top.set_xlabel(f"outline position ({r.units}), counter-clockwise from the lower left")
        top.set_title(p.title, fontsize=9)
        for ax in axes[:, col]:
            ax.axhline(0.0, color="k", lw=0.5)
            ax.set_ylabel("surface charge (uC/m^2 per V)")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7)
        if has_planes:
            axes[1, col].set_xlabel(f"x ({r.units}) on the ground planes (the face toward the field)")
    fig.suptitle(f"{_source(r, title)}surface charge; {headline(r)}", fontsize=10)
    return fig


# ---------------------------------------------------------------------------------- convergence
def _convergence_keys(r: Result) -> list[str]:
    return [k for k in headline_keys(tuple(r.values)) if r.values[k] is not None]


def convergence_plot(r: Result, *, size=None, title: str | None = None):
    """Each headline value on every refinement level against the node count, with the reported
    (extrapolated) value and its error bar."""
    if r.accuracy is None:
        raise InputError("the convergence plot needs the refinement levels: solve with a tolerance")
    plt = pyplot()
    from matplotlib import ticker

    keys = _convergence_keys(r)
    levels = r.accuracy.levels
    inches = (4.6 * len(keys), 4.0) if size is None else size
    fig, axes = plt.subplots(1, len(keys), figsize=inches, squeeze=False, layout="constrained")
    nodes = np.array([lv.nodes for lv in levels], float)
    for ax, key in zip(axes[0], keys, strict=True):
        vals = np.array([lv.values[key] for lv in levels], float)
        best, u = r.values[key], (r.uncertainty or {}).get(key) or 0.0
        ax.plot(nodes, vals, "o-", color="tab:blue", label="each grid")
        ax.axhline(best, color="tab:red", lw=1.0, label=f"reported {best:.5g} +- {abs(best) * u:.2g}")
        ax.axhspan(best * (1 - u), best * (1 + u), color="tab:red", alpha=0.15)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xticks(nodes)
        ax.set_xlabel("grid nodes")
        ax.set_ylabel(key)
        ax.set_title(key, fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    tol = r.accuracy.tol
    state = "converged" if r.accuracy.converged else "NOT converged"
    fig.suptitle(f"{_source(r, title)}refinement: tol {tol:g}, {state}", fontsize=10)
    return fig


# ------------------------------------------------------------------------------------------ grid
def grid_plot(r: Result, *, zoom: float = 1.0, extent=None, size=None, title: str | None = None):
    """The finest grid's lines over the cross-section: in view, and the whole domain."""
    pyplot()
    from matplotlib.collections import LineCollection

    clip = view(r, zoom, extent)
    g, s = r.solution.grid, UNITS[r.units]
    dom = g.domain
    fig, axes = _figure(2, size, clip)
    for ax, box, label in (
        (axes[0], clip, f"grid in view ({g.nx} x {g.ny} = {g.nodes:,} nodes in all)"),
        (axes[1], dom, "the whole domain (outer boundary grounded; not to scale)"),
    ):
        draw_section(ax, r.solution.section, r.units, box, names=ax is axes[0])
        xs = g.x[(g.x >= box[0]) & (g.x <= box[1])] / s
        ys = g.y[(g.y >= box[2]) & (g.y <= box[3])] / s
        x0, x1, y0, y1 = (v / s for v in box)
        segs = [[(x, y0), (x, y1)] for x in xs] + [[(x0, y), (x1, y)] for y in ys]
        ax.add_collection(LineCollection(segs, colors="k", linewidths=0.25, alpha=0.6, zorder=5))
        # the whole domain can be far wider than tall: not to scale
        frame(ax, r.units, box, label, equal=ax is axes[0])
    axes[1].get_legend().remove()
    fig.suptitle(f"{_source(r, title)}{headline(r)}", fontsize=10)
    return fig


# --------------------------------------------------------------------------- loss and networks
def _loss_curves(x, signals) -> list[list[tuple[str, np.ndarray]]]:
    """Per panel (R, L, |Zc|, loss) the labelled curves of an RLGC: R and L of each line (the
    matrices' diagonal), |Zc| and the total loss of each mode (a pair: differential and common)."""
    n = len(signals)
    panels: list[list[tuple[str, np.ndarray]]] = [
        [(name, x.R[:, i, i]) for i, name in enumerate(signals)],
        [(name, 1e9 * x.L[:, i, i]) for i, name in enumerate(signals)],
    ]
    if x.pair is not None:
        modes = [
            ("Zdiff", x.pair.z_diff, x.pair.attenuation_diff),
            ("Zcommon", x.pair.z_common, x.pair.attenuation_common),
        ]
        panels += [[(k, np.abs(z)) for k, z, _ in modes], [(k[1:], a.to("dB/in").total) for k, _, a in modes]]
    else:
        p = x.propagation
        names = ["line"] if n == 1 else [f"mode {k + 1}" for k in range(n)]
        panels.append([(name, np.abs(p.z_mode[:, k])) for k, name in enumerate(names)])
        panels.append([(name, p.attenuation.to("dB/in").total[:, k]) for k, name in enumerate(names)])
    return panels


def _smooth(x):
    """The same line with smooth copper (R_smooth, where a face is rough), or None."""
    from dataclasses import replace

    from ..physics.transmission import pair, propagation

    if getattr(x, "R_smooth", None) is None:
        return None
    p = propagation(x.freq, x.R_smooth, x.L, x.G, x.C)
    return replace(x, R=x.R_smooth, propagation=p, pair=pair(p) if p.n_lines == 2 else None, R_smooth=None)


def loss_plot(r: Result, *, size=None, title: str | None = None):
    """R(f) and L(f) of each line, |Zc|(f) and the loss in dB/inch of each mode (a pair: the
    differential and common mode), against log f. Where a face is rough, the same line with
    smooth copper (``RLGC.R_smooth``, with the same L, G and C) is drawn dashed beside it."""
    if r.rlgc is None:
        raise InputError("the loss plot needs R, L, G, C at each frequency: solve with frequencies")
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=size or (10.0, 7.0), layout="constrained", sharex=True)
    units = ("R (ohm/m)", "L (nH/m)", "|Zc| (ohm)", "loss (dB/inch)")
    smooth = _smooth(r.rlgc)
    curves = [(r.rlgc, "-", "")] + ([(smooth, "--", " smooth copper")] if smooth is not None else [])
    for x, style, suffix in curves:
        for ax, panel in zip(axes.flat, _loss_curves(x, r.signals), strict=True):
            for k, (label, y) in enumerate(panel):
                ax.plot(x.freq, y, style, color=f"C{k}", lw=1.3, label=label + suffix)
    for ax, unit in zip(axes.flat, units, strict=True):
        ax.set_xscale("log")
        ax.set_ylabel(unit)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("frequency (Hz)")
    if np.all(r.rlgc.R.diagonal(axis1=1, axis2=2) > 0):  # perfect conductors: R = 0
        axes[0, 0].set_yscale("log")
    fig.suptitle(f"{_source(r, title)}R, L of each line; |Zc| and loss of each mode", fontsize=10)
    return fig


def sparams_plot(r: Result, length: float, *, z_ref=50.0, size=None, title: str | None = None):
    """A ``length`` (m) of the line between ports of ``z_ref`` ohm: through and reflection in dB
    against log f (a pair: SDD21 and SDD11), and for two or more lines NEXT and FEXT between
    every two of them (:class:`fieldsolver.physics.network.Response` defines each)."""
    from ..physics import network

    if r.rlgc is None:
        raise InputError("the S-parameter plot needs R, L, G, C at each frequency: solve with frequencies")
    plt = pyplot()
    resp = network.response(r.rlgc.propagation, length, z_ref=z_ref)
    names, n = r.signals, len(r.signals)
    fig, axes = plt.subplots(1, 1 if n == 1 else 2, figsize=size or (5.5 if n == 1 else 11.0, 4.2), squeeze=False)
    f = resp.freq
    with np.errstate(divide="ignore"):
        ax = axes[0, 0]
        if resp.mixed is not None:
            for key in ("sdd21", "sdd11"):
                i, j = network.MIXED_KEYS[key]
                ax.plot(f, network.db(resp.mixed[:, i, j]), label=key.upper())
        else:
            for i, a in enumerate(names):
                ax.plot(f, network.db(resp.through[:, i]), color=f"C{i}", label=f"S({a}',{a}) through")
                ax.plot(f, network.db(resp.reflection[:, i]), "--", color=f"C{i}", label=f"S({a},{a}) reflection")
        ax.set_title("through and reflection", fontsize=9)
        if n > 1:
            ax = axes[0, 1]
            k = 0
            for i in range(n):
                for j in range(i + 1, n):
                    ax.plot(f, network.db(resp.near_end[:, i, j]), color=f"C{k}", label=f"NEXT {names[i]},{names[j]}")
                    ax.plot(
                        f, network.db(resp.far_end[:, j, i]), "--", color=f"C{k}", label=f"FEXT {names[i]}>{names[j]}"
                    )
                    k += 1
            ax.set_title("crosstalk: NEXT (near end), FEXT (far end)", fontsize=9)
    for ax in axes[0]:
        ax.set_xscale("log")
        ax.set_xlabel("frequency (Hz)")
        ax.set_ylabel("20 log10 |S| (dB)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    z = resp.z_ref
    ref = f"{z[0]:g} ohm" if np.all(z == z[0]) else "/".join(f"{v:g}" for v in z) + " ohm"
    fig.suptitle(f"{_source(r, title)}{1e3 * length:.4g} mm of line between {ref} ports", fontsize=10)
    fig.set_layout_engine("constrained")
    return fig


# ----------------------------------------------------------------------------------------- files
def save(fig, path: str | Path, *, dpi: float = 110, exact_size: bool = False) -> None:
    """Write ``fig`` to ``path`` (PNG, SVG or PDF by extension) atomically, and close it. The
    canvas is trimmed to what is drawn (legends and colour bars beside the panels included),
    unless ``exact_size``: then it is the figure's size times ``dpi``."""
    plt = pyplot()
    path = Path(path)
    trim = {} if exact_size else {"bbox_inches": "tight", "pad_inches": 0.08}
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, metadata={"Software": None} if path.suffix.lower() == ".png" else None, **trim)
    finally:
        plt.close(fig)
