"""A validated cross-section drawn as SVG, no solve: what the page shows while one types.

The region shown is :func:`fieldsolver.post.plot.section_view`'s (the signals with their nearest
grounds, as the field map shows them); the colours are the field map's (copper signals, grey
grounds, dielectrics tinted by er). Shapes are clipped to the region with shapely through
:func:`fieldsolver.geometry.model.to_shapely`. Coordinates are in the section's units, y up.
"""

from __future__ import annotations

import math
from html import escape

import shapely

from ..geometry.model import CrossSection, to_shapely
from ..geometry.units import UNITS
from ..post.plot import ROLE_COLOUR, section_view

# one light tone per permittivity, lowest first; air nearly white (post.plot.draw_section's)
PALETTE = ("#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99", "#8dd3c7", "#bebada")
AIR = "#eef4fa"


def _path(geom, scale: float) -> str:
    """SVG path data of a shapely polygon (with its holes), or a line, in units with y down."""
    rings = [geom.exterior, *geom.interiors] if geom.geom_type == "Polygon" else [geom]
    out = []
    for ring in rings:
        pts = [f"{x / scale:.6g},{-y / scale:.6g}" for x, y in ring.coords]
        out.append("M" + " L".join(pts) + (" Z" if geom.geom_type == "Polygon" else ""))
    return " ".join(out)


def _parts(shape, clip) -> list:
    box = shapely.box(clip[0], clip[2], clip[1], clip[3])
    g = to_shapely(shape, clip).intersection(box)
    return [p for p in getattr(g, "geoms", [g]) if not p.is_empty]


def svg(sec: CrossSection, *, width: int = 640) -> tuple[str, list[dict]]:
    """The section as an SVG document and its legend entries (colour, label)."""
    units = sec.units
    s = UNITS[units]
    clip = section_view(sec, units)
    x0, x1, y0, y1 = (v / s for v in clip)
    w, h = x1 - x0, y1 - y0
    height = max(120, min(int(width * h / w), 480))
    stroke = 0.004 * max(w, h)
    ers = sorted({sec.background_er, *(d.er for d in sec.dielectrics)})
    solid = [e for e in ers if e != 1.0]

    def tone(er: float) -> str:
        return AIR if er == 1.0 else PALETTE[solid.index(er) % len(PALETTE)]

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.6g} {-y1:.6g} {w:.6g} {h:.6g}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-label="cross-section preview">',
        f'<rect x="{x0:.6g}" y="{-y1:.6g}" width="{w:.6g}" height="{h:.6g}" fill="{tone(sec.background_er)}"/>',
    ]
    named: dict[float, list[str]] = {sec.background_er: ["background"]}  # er -> the regions in view
    for d in sec.dielectrics:
        parts = [g for g in _parts(d.shape, clip) if g.geom_type == "Polygon"]
        for g in parts:
            out.append(
                f'<path d="{_path(g, s)}" fill="{tone(d.er)}" stroke="#595959" '
                f'stroke-width="{stroke / 2:.3g}" stroke-dasharray="{4 * stroke:.3g} {2 * stroke:.3g}"/>'
            )
        if parts and d.name not in named.setdefault(d.er, []):
            named[d.er].append(d.name)
    for c in sec.conductors:
        colour = ROLE_COLOUR[c.role]
        for g in _parts(c.shape, clip):
            if g.geom_type == "Polygon":
                out.append(f'<path d="{_path(g, s)}" fill="{colour}" stroke="black" stroke-width="{stroke:.3g}"/>')
            else:  # a zero-thickness strip
                out.append(f'<path d="{_path(g, s)}" stroke="{colour}" stroke-width="{4 * stroke:.3g}" fill="none"/>')
        inside = to_shapely(c.shape, clip).intersection(shapely.box(clip[0], clip[2], clip[1], clip[3]))
        if c.role != "ground" and not inside.is_empty:  # its name just above it
            b = inside.bounds
            out.append(
                f'<text x="{0.5 * (b[0] + b[2]) / s:.6g}" y="{-b[3] / s - 0.02 * h:.6g}" font-size="{0.045 * h:.3g}" '
                f'text-anchor="middle" fill="#222">{escape(c.name)}</text>'
            )
    out.append(_scale_bar(x0, y1, w, h, units, stroke))
    out.append("</svg>")
    entries = [
        {"colour": tone(er), "label": f"er {er:g}" + (f" ({', '.join(n for n in names if n)})" if any(names) else "")}
        for er, names in sorted(named.items())
    ]
    entries += [
        {"colour": ROLE_COLOUR[role], "label": role}
        for role in ROLE_COLOUR
        if any(c.role == role for c in sec.conductors)
    ]
    return "\n".join(out), entries


def _scale_bar(x0: float, y1: float, w: float, h: float, units: str, stroke: float) -> str:
    """A bar of a round length in the top left corner, labelled in the section's units."""
    target = w / 5
    step = 10 ** math.floor(math.log10(target))
    length = max(m * step for m in (1, 2, 5) if m * step <= target)
    bx, by = x0 + 0.03 * w, -y1 + 0.07 * h
    return (
        f'<g class="scale"><path d="M{bx:.6g},{by:.6g} L{bx + length:.6g},{by:.6g}" stroke="#222" '
        f'stroke-width="{1.5 * stroke:.3g}"/><text x="{bx:.6g}" y="{by - 0.02 * h:.6g}" '
        f'font-size="{0.045 * h:.3g}" fill="#222">{length:g} {units}</text></g>'
    )
