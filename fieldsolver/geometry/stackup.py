"""Board stackups and the copper and coating shapes that templates and stackup files share.

A stackup is listed bottom to top as a fab's stackup sheet lists it: copper planes (with their
thickness), dielectric layers (thickness, er, tand) and signal layers (copper thickness; the
traces are placed on them by name). Heights are between copper, so a signal layer of thickness t
sits between two dielectrics and is filled, around its traces, by one of them (by default the one
above: prepreg flows around the traces when the board is pressed).

Etched traces are trapezoids: ``w`` is the width at the base (the side bonded to the dielectric
the copper was etched on) and ``w_top`` the width at the other face; the fab's etch factor
``t / undercut`` gives ``w_top = w - 2 t / etch``.

Solder mask, as Polar's Si9000 specifies a coating "outside, above and between the traces"
(Polar Instruments, Si9000 help, "Edge-coupled coated microstrip"): ``c1`` over the bare
substrate, ``c2`` over the top and the sides of each trace (a conformal coat that follows the
trapezoid), ``c3`` over the substrate in the gaps between neighbouring traces (default ``c1``),
relative permittivity ``er``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from .limits import MAX_COORDINATE
from .materials import COPPER_SIGMA, SMOOTH, FaceRoughness, Medium
from .model import Conductor, CrossSection, Dielectric, InputError, Polygon, Rect, Trapezoid, background_fields
from .units import DEFAULT_UNITS

INF = math.inf


def trace(
    name: str,
    x0: float,
    x1: float,
    y: float,
    t: float,
    w_top: float | None = None,
    *,
    role: str = "signal",
    base: str = "bottom",
    where: str = "",
    sigma: float = COPPER_SIGMA,
    roughness: FaceRoughness = SMOOTH,
) -> Conductor:
    """Copper of base ``[x0, x1]`` on the surface at ``y``; thickness ``t`` up (``base="bottom"``)
    or down (``base="top"``: the trace hangs under ``y``, e.g. on the underside of a core)."""
    w = x1 - x0
    w_top = w if w_top is None else w_top
    if t == 0 or w_top == w:
        y0, y1 = (y, y + t) if base == "bottom" else (y - t, y)
        shape: Rect | Trapezoid = Rect(x0, x1, y0, y1)
    else:
        c, half = 0.5 * (x0 + x1), 0.5 * w_top
        if base == "bottom":
            shape = Trapezoid(x0, x1, c - half, c + half, y, y + t)
        else:
            shape = Trapezoid(c - half, c + half, x0, x1, y - t, y)
    return Conductor(name, shape, role, where, sigma, roughness)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Mask:
    c1: float  # over the bare substrate
    c2: float  # over each trace's top and sides
    c3: float | None = None  # over the substrate between neighbouring traces (None: c1)
    er: float = 3.5
    tand: float = 0.0
    f_ref: float = 1e9  # the frequency er and tand are given at (Hz), and their dispersion model
    dispersion: str = "constant"

    @classmethod
    def of(cls, c1: float, c2: float, c3: float | None, medium: Medium) -> Mask:
        """A mask of the material ``medium`` (its conductivity is ignored: a mask has none)."""
        return cls(c1, c2, c3, medium.er, medium.tand, medium.f_ref, medium.dispersion)

    @property
    def medium(self) -> Medium:
        return Medium(self.er, self.tand, self.f_ref, self.dispersion)

    def check(self, where: str) -> None:
        for k in ("c1", "c2", "c3"):
            v = getattr(self, k)
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise InputError(f"{where}: mask {k} must be >= 0, got {v}")
            if v is not None and v > MAX_COORDINATE:
                raise InputError(f"{where}: mask {k} is {v:.3g} m: at most {MAX_COORDINATE:g} m")
        if not (math.isfinite(self.er) and self.er >= 1):
            raise InputError(f"{where}: mask er must be >= 1, got {self.er}")

    @property
    def present(self) -> bool:
        return max(self.c1, self.c2, self.c3 or 0.0) > 0


def coating(
    traces: list[Conductor], surface: float, mask: Mask, background: float | Medium = 1.0, up: bool = True
) -> list[Dielectric]:
    """Solder mask over the traces standing on the surface at ``y = surface`` (on its upper side,
    or with ``up=False`` on its lower side), as dielectrics painted in order; ``background``: the
    medium (or its er) left where the mask is thinner in the gaps."""
    if not mask.present:
        return []
    bg = background if isinstance(background, Medium) else Medium(background)
    import shapely

    sign = 1.0 if up else -1.0
    c3 = mask.c1 if mask.c3 is None else mask.c3

    def band(x0: float, x1: float, a: float, b: float) -> Rect:  # heights a..b away from the surface
        lo, hi = sorted((surface + sign * a, surface + sign * b))
        return Rect(x0, x1, lo, hi)

    out = []
    if mask.c1 > 0:
        out.append(Dielectric.of(band(-INF, INF, 0.0, mask.c1), mask.medium, "mask"))
    edges = sorted((t.shape.bbox()[0], t.shape.bbox()[1]) for t in traces)
    for (_, right), (left, _) in pairwise(edges):
        if left <= right or c3 == mask.c1:
            continue
        if c3 > mask.c1:
            out.append(Dielectric.of(band(right, left, 0.0, c3), mask.medium, "mask (gap)"))
        else:
            out.append(Dielectric.of(band(right, left, c3, mask.c1), bg, "no mask (gap)"))
    if mask.c2 > 0:
        for t in traces:
            x0, x1, y0, y1 = t.shape.bbox()
            if isinstance(t.shape, Rect):  # the offset of a rectangle is a rectangle
                c = mask.c2
                box = Rect(x0 - c, x1 + c, surface, y1 + c) if up else Rect(x0 - c, x1 + c, y0 - c, surface)
                out.append(Dielectric.of(box, mask.medium, f"mask on {t.name}"))
                continue
            body = shapely.Polygon(t.shape.outline((x0, x1, y0, y1))[0][:-1])
            coat = body.buffer(mask.c2, join_style="mitre", mitre_limit=10.0)
            lo, hi = (surface, y1 + 2 * mask.c2) if up else (y0 - 2 * mask.c2, surface)
            coat = coat.intersection(shapely.box(x0 - 2 * mask.c2, lo, x1 + 2 * mask.c2, hi))
            pts = tuple((float(a), float(b)) for a, b in shapely.get_coordinates(coat.exterior)[:-1])
            out.append(Dielectric.of(Polygon(_simplified(pts)), mask.medium, f"mask on {t.name}"))
    return out


def _simplified(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """Drop repeated and collinear vertices (each vertex is a grid line)."""
    out: list[tuple[float, float]] = []
    n = len(points)
    for i, p in enumerate(points):
        a, c = points[i - 1], points[(i + 1) % n]
        cross = (p[0] - a[0]) * (c[1] - p[1]) - (p[1] - a[1]) * (c[0] - p[0])
        scale = max(abs(p[0] - a[0]) + abs(p[1] - a[1]), abs(c[0] - p[0]) + abs(c[1] - p[1]), 1e-300)
        if p != a and abs(cross) > 1e-9 * scale * scale:
            out.append(p)
    return tuple(out)


# ------------------------------------------------------------------------------ stackup files
@dataclass(frozen=True)
class Plane:
    name: str
    t: float = 0.0
    role: str = "ground"
    where: str = ""
    sigma: float = COPPER_SIGMA
    roughness: FaceRoughness = SMOOTH


@dataclass(frozen=True)
class Layer:
    name: str
    h: float
    er: float
    tand: float = 0.0
    where: str = ""
    f_ref: float = 1e9
    dispersion: str = "constant"
    sigma: float = 0.0  # of the dielectric (S/m)

    @classmethod
    def of(cls, name: str, h: float, medium: Medium, where: str = "") -> Layer:
        m = medium
        return cls(name, h, m.er, m.tand, where, m.f_ref, m.dispersion, m.sigma)

    @property
    def medium(self) -> Medium:
        return Medium(self.er, self.tand, self.f_ref, self.dispersion, self.sigma)


@dataclass(frozen=True)
class SignalLayer:
    """Copper with traces: ``sigma`` and ``roughness`` apply to every trace on the layer."""

    name: str
    t: float
    fill: str | None = None  # the dielectric around the traces: default the layer above (or below at the top)
    where: str = ""
    sigma: float = COPPER_SIGMA
    roughness: FaceRoughness = SMOOTH


@dataclass(frozen=True)
class Trace:
    name: str
    layer: str
    x: float  # centre
    w: float  # width at the base
    w_top: float | None = None
    role: str = "signal"
    where: str = ""


Item = Plane | Layer | SignalLayer


def build(
    items: list[Item],
    traces: list[Trace],
    mask: Mask | None = None,
    *,
    units: str = DEFAULT_UNITS,
    source: str = "",
    background: float | Medium = 1.0,
) -> CrossSection:
    """The cross-section of a stackup (bottom to top) with its traces and an optional top mask;
    ``background``: the medium (or its er) wherever no layer is."""
    bg = background if isinstance(background, Medium) else Medium(background)
    names = [it.name for it in items]
    for it in items:
        if names.count(it.name) > 1:
            raise InputError(f"{it.where}: stackup name {it.name!r} is used twice")
    conductors: list[Conductor] = []
    dielectrics: list[Dielectric] = []
    layer_y: dict[str, tuple[float, float, int]] = {}
    y = 0.0
    for i, it in enumerate(items):
        if isinstance(it, Plane):
            if not (math.isfinite(it.t) and it.t >= 0):
                raise InputError(f"{it.where}: plane thickness must be >= 0, got {it.t}")
            plane = Rect(-INF, INF, y, y + it.t)
            conductors.append(Conductor(it.name, plane, it.role, it.where, it.sigma, it.roughness))  # type: ignore[arg-type]
            y += it.t
        elif isinstance(it, Layer):
            if not (math.isfinite(it.h) and it.h > 0):
                raise InputError(f"{it.where}: dielectric thickness must be > 0, got {it.h}")
            dielectrics.append(Dielectric.of(Rect(-INF, INF, y, y + it.h), it.medium, it.name, it.where))
            y += it.h
        else:
            if not (math.isfinite(it.t) and it.t >= 0):
                raise InputError(f"{it.where}: copper thickness must be >= 0, got {it.t}")
            fill = _fill(items, i)
            if fill is not None and it.t > 0:
                dielectrics.append(Dielectric.of(Rect(-INF, INF, y, y + it.t), fill.medium, fill.name, it.where))
            layer_y[it.name] = (y, it.t, i)
            y += it.t
    on_layer: dict[str, list[Conductor]] = {}
    for tr in traces:
        if tr.layer not in layer_y:
            signal_layers = [it.name for it in items if isinstance(it, SignalLayer)]
            raise InputError(
                f"{tr.where}: no signal layer {tr.layer!r} in the stackup; signal layers: {', '.join(signal_layers) or 'none'}"
            )
        y0, t, i = layer_y[tr.layer]
        if not (math.isfinite(tr.w) and tr.w > 0):
            raise InputError(f"{tr.where}: trace width w must be > 0, got {tr.w}")
        if tr.w_top is not None and not (math.isfinite(tr.w_top) and tr.w_top > 0):
            raise InputError(f"{tr.where}: trace top width w_top must be > 0, got {tr.w_top}")
        # the base faces the dielectric it was etched on: the one below, unless there is none
        below = any(isinstance(it, Layer) for it in items[:i])
        base, ys = ("bottom", y0) if below else ("top", y0 + t)
        copper = items[i]
        assert isinstance(copper, SignalLayer)
        x0, x1 = tr.x - tr.w / 2, tr.x + tr.w / 2
        metal = {"sigma": copper.sigma, "roughness": copper.roughness}
        c = trace(tr.name, x0, x1, ys, t, tr.w_top, role=tr.role, base=base, where=tr.where, **metal)  # type: ignore[arg-type]
        conductors.append(c)
        on_layer.setdefault(tr.layer, []).append(c)
    if mask is not None and mask.present:
        top = items[-1] if items else None
        if not (isinstance(top, SignalLayer) and top.name in on_layer):
            raise InputError(
                f"{source}: the mask covers the top copper, but the stackup's top is not a signal layer with traces"
            )
        dielectrics += coating(on_layer[top.name], layer_y[top.name][0], mask, bg)
    return CrossSection(tuple(conductors), tuple(dielectrics), units=units, source=source, **background_fields(bg))  # type: ignore[arg-type]


def _fill(items: list[Item], i: int) -> Layer | None:
    """The dielectric around the traces of signal layer ``items[i]``."""
    it = items[i]
    assert isinstance(it, SignalLayer)
    if it.fill is not None:
        for other in items:
            if isinstance(other, Layer) and other.name == it.fill:
                return other
        raise InputError(f"{it.where}: fill {it.fill!r} is not a dielectric layer of the stackup")
    if not any(isinstance(o, Layer) for o in items[:i]) or not any(isinstance(o, Layer) for o in items[i + 1 :]):
        return None  # outer copper: air (or mask) around the traces
    above = items[i + 1]
    return above if isinstance(above, Layer) else None
