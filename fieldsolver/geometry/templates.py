"""Parametric structures -> CrossSection. Lengths in the given units; ``t`` = conductor thickness
(0 = zero-thickness strip), ``er`` = relative permittivity. Pairs are named ``p`` (left) and ``n``.
Ground planes are zero-thickness and infinite; side grounds are infinite unless ``gw`` is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Circle, Conductor, CrossSection, Dielectric, InputError, Rect, Ring, Trapezoid
from .stackup import Mask, coating, trace
from .units import DEFAULT_UNITS, UNITS

INF = math.inf


@dataclass(frozen=True)
class Param:
    default: Any = None  # None = required (unless ``like`` names the parameter it defaults to)
    kind: str = "length"  # length | er | bool | length0 (may be 0) | width (may be inf) | signed (any length)
    like: str | None = None


LENGTH, LENGTH0, ER = Param(), Param(0.0, "length0"), Param(None, "er")
W_TOP = Param(kind="length", like="w")  # etched top width: default w (a rectangle)
MASK = {"c1": LENGTH0, "c2": LENGTH0, "c3": Param(kind="length0", like="c1"), "mask_er": Param(3.5, "er")}


def _plane(name: str, y: float) -> Conductor:
    return Conductor(name, Rect(-INF, INF, y, y), "ground")


def _layer(y0: float, y1: float, er: float, name: str = "substrate") -> Dielectric:
    return Dielectric(Rect(-INF, INF, y0, y1), er, name=name)


def _pair(w: float, s: float) -> list[tuple[str, float, float]]:
    return [("p", -s / 2 - w, -s / 2), ("n", s / 2, s / 2 + w)]


def _traces(spans, y, t, w, w_top, base="bottom") -> list[Conductor]:
    """Traces with bases ``[x0, x1]`` on the surface at y; each etched by the same undercut."""
    undercut = 0.5 * (w - w_top)
    return [trace(n, a, b, y, t, (b - a) - 2 * undercut, base=base) for n, a, b in spans]


def _surface(spans, w, w_top, h, t, er, mask):
    """Traces on a substrate of height h over a ground plane, optionally coated."""
    traces = _traces(spans, h, t, w, w_top)
    return [_plane("gnd", 0.0), *traces], [_layer(0.0, h, er), *coating(traces, h, mask)], 1.0


def microstrip(w, w_top, h, t, er, c1, c2, mask_er):
    return _surface([("sig", -w / 2, w / 2)], w, w_top, h, t, er, Mask(c1, c2, c1, mask_er))


def coupled_microstrip(w, w_top, s, h, t, er, c1, c2, c3, mask_er):
    return _surface(_pair(w, s), w, w_top, h, t, er, Mask(c1, c2, c3, mask_er))


def _embedded(spans, w, w_top, h, h2, t, er, er2):
    conds = [_plane("gnd", 0.0), *_traces(spans, h, t, w, w_top)]
    return conds, [_layer(0.0, h, er), _layer(h, h + t + h2, er2, "cover")], 1.0


def embedded_microstrip(w, w_top, h, h2, t, er, er2):
    return _embedded([("sig", -w / 2, w / 2)], w, w_top, h, h2, t, er, er2)


def coupled_embedded_microstrip(w, w_top, s, h, h2, t, er, er2):
    return _embedded(_pair(w, s), w, w_top, h, h2, t, er, er2)


def _stripline(spans, w, w_top, h1, h2, t, er1, er2):
    """Traces on a core (er1, h1 thick) under a prepreg (er2) that fills around them and h2 above."""
    b = h1 + t + h2
    conds = [_plane("gnd_bottom", 0.0), _plane("gnd_top", b), *_traces(spans, h1, t, w, w_top)]
    if er1 == er2:
        return conds, [], er1
    return conds, [_layer(0.0, h1, er1, "core"), _layer(h1, b, er2, "prepreg")], 1.0


def stripline(w, w_top, h1, h2, t, er):
    return _stripline([("sig", -w / 2, w / 2)], w, w_top, h1, h2, t, er, er)


def coupled_stripline(w, w_top, s, h1, h2, t, er):
    return _stripline(_pair(w, s), w, w_top, h1, h2, t, er, er)


def offset_stripline(w, w_top, h1, h2, t, er1, er2):
    return _stripline([("sig", -w / 2, w / 2)], w, w_top, h1, h2, t, er1, er2)


def coupled_offset_stripline(w, w_top, s, h1, h2, t, er1, er2):
    return _stripline(_pair(w, s), w, w_top, h1, h2, t, er1, er2)


def broadside_stripline(w, w_top, t, h1, hs, h2, offset, er, er_s):
    """Traces on the two faces of a core (hs thick, er_s), each etched from its own face, offset
    sideways by ``offset``; prepreg (er) h1 below and h2 above to the planes."""
    y_lo, y_hi = h1 + t, h1 + t + hs  # the core's faces
    b = y_hi + t + h2
    lower = _traces([("p", -w / 2 - offset / 2, w / 2 - offset / 2)], y_lo, t, w, w_top, base="top")
    upper = _traces([("n", -w / 2 + offset / 2, w / 2 + offset / 2)], y_hi, t, w, w_top)
    conds = [_plane("gnd_bottom", 0.0), _plane("gnd_top", b), *lower, *upper]
    if er == er_s:
        return conds, [], er
    return (
        conds,
        [_layer(0.0, y_lo, er, "prepreg_bottom"), _layer(y_lo, y_hi, er_s, "core"), _layer(y_hi, b, er, "prepreg_top")],
        1.0,
    )


def _cpw(centres, w, w_top, g, h, t, er, backed, gw, mask):
    lo, hi = min(c[1] for c in centres), max(c[2] for c in centres)
    traces = _traces(centres, h, t, w, w_top)
    # the side grounds are etched like the traces on the edges facing the gap
    undercut = 0.5 * (w - w_top)
    grounds = [
        *_ground_strip("gnd_left", lo - g - gw, lo - g, h, t, undercut, right_edge=True),
        *_ground_strip("gnd_right", hi + g, hi + g + gw, h, t, undercut, right_edge=False),
    ]
    conds = [*traces, *grounds]
    if backed:
        conds.append(_plane("gnd_bottom", 0.0))
    return conds, [_layer(0.0, h, er), *coating(traces + grounds, h, mask)], 1.0


def _ground_strip(name, x0, x1, y, t, undercut, right_edge):
    """A coplanar ground, etched like the traces. An infinite one is a trapezoid at the gap (only
    that edge etched) joined to a plane beyond it."""
    if t == 0 or undercut == 0:
        return [Conductor(name, Rect(x0, x1, y, y + t), "ground")]
    if math.isfinite(x0) and math.isfinite(x1):
        return [Conductor(name, Trapezoid(x0, x1, x0 + undercut, x1 - undercut, y, y + t), "ground")]
    if right_edge:  # left of the gap, reaching to -inf
        a = x1 - 2 * (t + undercut)
        near, far = Trapezoid(a, x1, a, x1 - undercut, y, y + t), Rect(x0, a, y, y + t)
    else:
        b = x0 + 2 * (t + undercut)
        near, far = Trapezoid(x0, b, x0 + undercut, b, y, y + t), Rect(b, x1, y, y + t)
    return [Conductor(name, near, "ground"), Conductor(f"{name}_far", far, "ground")]


def cpw(w, w_top, g, h, t, er, backed, gw, c1, c2, c3, mask_er):
    return _cpw([("sig", -w / 2, w / 2)], w, w_top, g, h, t, er, backed, gw, Mask(c1, c2, c3, mask_er))


def coupled_cpw(w, w_top, s, g, h, t, er, backed, gw, c1, c2, c3, mask_er):
    return _cpw(_pair(w, s), w, w_top, g, h, t, er, backed, gw, Mask(c1, c2, c3, mask_er))


def cps(w, w_top, s, h, t, er):
    """Coplanar strips: a balanced pair on a substrate, no ground."""
    return _traces(_pair(w, s), h, t, w, w_top), [_layer(0.0, h, er)], 1.0


def coax(d, D, er):
    return (
        [Conductor("inner", Circle(0.0, 0.0, d / 2), "signal"), Conductor("shield", Ring(0.0, 0.0, D / 2, 0.6 * D))],
        [],
        er,
    )


def twin_wire(d, D, er):
    wires = [Conductor(n, Circle(x, 0.0, d / 2), "signal") for n, x in (("p", -D / 2), ("n", D / 2))]
    return wires, [], er


def _insulated_pair(d, d_ins, er, s):
    wires, insulation = [], []
    for n, x in (("p", -s / 2), ("n", s / 2)):
        wires.append(Conductor(n, Circle(x, 0.0, d / 2), "signal"))
        insulation.append(Dielectric(Circle(x, 0.0, d_ins / 2), er, name=f"insulation {n}"))
    return wires, insulation


def twisted_pair(d, d_ins, er, s):
    """Two insulated wires side by side in air (the cross-section of a twisted pair; the twist
    itself is ignored)."""
    wires, insulation = _insulated_pair(d, d_ins, er, s)
    return wires, insulation, 1.0


def shielded_pair(d, d_ins, er, s, D, er_fill):
    """An insulated pair centred in a round shield of inner diameter D, filled with er_fill."""
    wires, insulation = _insulated_pair(d, d_ins, er, s)
    shield = Conductor("shield", Ring(0.0, 0.0, D / 2, 0.55 * D))
    return [*wires, shield], insulation, er_fill


def wire_over_ground(d, h, er):
    return [_plane("gnd", 0.0), Conductor("wire", Circle(0.0, h, d / 2), "signal")], [], er


_CPW = {"g": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER, "backed": Param(False, "bool"), "gw": Param(INF, "width")}
Constraint = tuple[Callable[[dict[str, Any]], bool], str]
_ETCH: list[Constraint] = [(lambda v: v["w_top"] == v["w"] or v["t"] > 0, "w_top differs from w, so t must be > 0")]
_TRACE = {"w": LENGTH, "w_top": W_TOP}
_INSULATED: list[Constraint] = [
    (lambda v: v["d"] < v["d_ins"], "insulation diameter d_ins must exceed the wire diameter d"),
    (lambda v: v["s"] >= v["d_ins"], "insulated wires overlap: the spacing s must be at least d_ins"),
]
TEMPLATES: dict[str, tuple[Callable, dict[str, Param], list[Constraint]]] = {
    # name: (builder, parameters, constraints (predicate on the values, message))
    "microstrip": (
        microstrip,
        {**_TRACE, "h": LENGTH, "t": LENGTH0, "er": ER, "c1": LENGTH0, "c2": LENGTH0, "mask_er": MASK["mask_er"]},
        _ETCH,
    ),
    "coupled_microstrip": (
        coupled_microstrip,
        {**_TRACE, "s": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER, **MASK},
        _ETCH,
    ),
    "embedded_microstrip": (
        embedded_microstrip,
        {**_TRACE, "h": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER, "er2": Param(kind="er", like="er")},
        _ETCH,
    ),
    "coupled_embedded_microstrip": (
        coupled_embedded_microstrip,
        {**_TRACE, "s": LENGTH, "h": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER, "er2": Param(kind="er", like="er")},
        _ETCH,
    ),
    "stripline": (stripline, {**_TRACE, "h1": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER}, _ETCH),
    "coupled_stripline": (
        coupled_stripline,
        {**_TRACE, "s": LENGTH, "h1": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER},
        _ETCH,
    ),
    "offset_stripline": (
        offset_stripline,
        {**_TRACE, "h1": LENGTH, "h2": LENGTH, "t": LENGTH0, "er1": ER, "er2": ER},
        _ETCH,
    ),
    "coupled_offset_stripline": (
        coupled_offset_stripline,
        {**_TRACE, "s": LENGTH, "h1": LENGTH, "h2": LENGTH, "t": LENGTH0, "er1": ER, "er2": ER},
        _ETCH,
    ),
    "broadside_stripline": (
        broadside_stripline,
        {
            **_TRACE,
            "t": LENGTH0,
            "h1": LENGTH,
            "hs": LENGTH,
            "h2": LENGTH,
            "offset": Param(0.0, "signed"),
            "er": ER,
            "er_s": Param(kind="er", like="er"),
        },
        _ETCH,
    ),
    "cpw": (cpw, {**_TRACE, **_CPW, **MASK}, _ETCH),
    "coupled_cpw": (coupled_cpw, {**_TRACE, "s": LENGTH, **_CPW, **MASK}, _ETCH),
    "cps": (cps, {**_TRACE, "s": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER}, _ETCH),
    "coax": (
        coax,
        {"d": LENGTH, "D": LENGTH, "er": ER},
        [(lambda v: v["d"] < v["D"], "inner diameter d must be less than D")],
    ),
    "twin_wire": (
        twin_wire,
        {"d": LENGTH, "D": LENGTH, "er": ER},
        [(lambda v: v["d"] < v["D"], "wires touch or overlap: d must be less than the spacing D")],
    ),
    "twisted_pair": (
        twisted_pair,
        {"d": LENGTH, "d_ins": LENGTH, "er": ER, "s": Param(kind="length", like="d_ins")},
        _INSULATED,
    ),
    "shielded_pair": (
        shielded_pair,
        {
            "d": LENGTH,
            "d_ins": LENGTH,
            "er": ER,
            "s": Param(kind="length", like="d_ins"),
            "D": LENGTH,
            "er_fill": Param(1.0, "er"),
        },
        [
            *_INSULATED,
            (
                lambda v: v["s"] + v["d_ins"] <= v["D"],
                "the pair does not fit in the shield: s + d_ins must be at most D",
            ),
        ],
    ),
    "wire_over_ground": (
        wire_over_ground,
        {"d": LENGTH, "h": LENGTH, "er": ER},
        [(lambda v: v["d"] / 2 < v["h"], "wire touches the ground: h (centre height) must exceed d/2")],
    ),
}


def _value(where: str, key: str, p: Param, v: Any) -> Any:
    if p.kind == "bool":
        if not isinstance(v, bool):
            raise InputError(f"{where}: must be true or false, got {v!r}")
        return v
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InputError(f"{where}: must be a number, got {v!r}")
    v = float(v)
    if math.isnan(v) or (math.isinf(v) and not (p.kind == "width" and v > 0)):
        raise InputError(f"{where}: must be a finite number, got {v}")
    if p.kind == "er" and v < 1:
        raise InputError(f"{where}: er must be >= 1, got {v}")
    if p.kind == "length0" and v < 0:
        raise InputError(f"{where}: must be >= 0, got {v}")
    if p.kind in ("length", "width") and v <= 0:
        raise InputError(f"{where}: must be > 0, got {v}")
    return v


def build(
    name: str,
    params: dict[str, Any],
    units: str = DEFAULT_UNITS,
    where: str = "",
    param_where: dict[str, str] | None = None,
) -> CrossSection:
    """CrossSection of template ``name`` with ``params`` in ``units``.

    ``where`` prefixes error messages; ``param_where`` gives a parameter's own location.
    """
    if units not in UNITS:
        raise InputError(f"{where}: unknown units {units!r}; choose from {', '.join(UNITS)}")
    vals = values(name, params, where, param_where)
    builder, spec, _ = TEMPLATES[name]
    scale = UNITS[units]
    args = {k: (v * scale if spec[k].kind in ("length", "length0", "width", "signed") else v) for k, v in vals.items()}
    conductors, dielectrics, background = builder(**args)
    return CrossSection(
        conductors=tuple(Conductor(c.name, c.shape, c.role, f"{where}: template {name}") for c in conductors),
        dielectrics=tuple(dielectrics),
        background_er=background,
        units=units,
        source=where,
    )


def values(
    name: str, params: dict[str, Any], where: str = "", param_where: dict[str, str] | None = None
) -> dict[str, Any]:
    """Every parameter of template ``name``: the given ones checked, the others at their
    defaults (or following the parameter they are like); the constraints checked."""
    at = param_where or {}
    if name not in TEMPLATES:
        raise InputError(f"{where}: unknown template {name!r}; choose from {', '.join(TEMPLATES)}")
    _, spec, constraints = TEMPLATES[name]
    unknown = sorted(set(params) - set(spec))
    if unknown:
        bad = unknown[0]
        raise InputError(
            f"{at.get(bad, where)}: unknown parameter {bad!r} for template {name}; expected {', '.join(spec)}"
        )
    vals: dict[str, Any] = {}
    for key, p in spec.items():
        if key not in params:
            if p.like is not None:
                vals[key] = vals[p.like]
            elif p.default is None:
                raise InputError(f"{where}: template {name} needs parameter {key!r}")
            else:
                vals[key] = p.default
        else:
            vals[key] = _value(at.get(key, f"{where}: {key}"), key, p, params[key])
    for ok, msg in constraints:
        if not ok(vals):
            raise InputError(f"{where}: {msg}")
    return vals
