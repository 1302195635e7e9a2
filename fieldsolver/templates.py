"""Parametric structures -> CrossSection. Lengths in the given units; ``t`` = conductor thickness
(0 = zero-thickness strip), ``er`` = relative permittivity. Pairs are named ``p`` (left) and ``n``.
Ground planes are zero-thickness and infinite; side grounds are infinite unless ``gw`` is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Circle, Conductor, CrossSection, Dielectric, InputError, Rect, Ring

INF = math.inf
UNITS = {"mm": 1e-3, "um": 1e-6, "mil": 25.4e-6, "in": 25.4e-3, "m": 1.0}


@dataclass(frozen=True)
class Param:
    default: Any = None  # None = required
    kind: str = "length"  # length | er | bool | length0 (may be 0) | width (may be inf)


LENGTH, LENGTH0, ER = Param(), Param(0.0, "length0"), Param(None, "er")


def _plane(name: str, y: float) -> Conductor:
    return Conductor(name, Rect(-INF, INF, y, y), "ground")


def _layer(y0: float, y1: float, er: float, name: str = "substrate") -> Dielectric:
    return Dielectric(Rect(-INF, INF, y0, y1), er, name=name)


def _strip(name: str, x0: float, x1: float, y: float, t: float, role="signal") -> Conductor:
    return Conductor(name, Rect(x0, x1, y, y + t), role)


def microstrip(w, h, t, er):
    return [_plane("gnd", 0.0), _strip("sig", -w / 2, w / 2, h, t)], [_layer(0.0, h, er)], 1.0


def coupled_microstrip(w, s, h, t, er):
    traces = [_strip("p", -s / 2 - w, -s / 2, h, t), _strip("n", s / 2, s / 2 + w, h, t)]
    return [_plane("gnd", 0.0), *traces], [_layer(0.0, h, er)], 1.0


def stripline(w, h1, h2, t, er):
    b = h1 + t + h2
    return [_plane("gnd_bottom", 0.0), _plane("gnd_top", b), _strip("sig", -w / 2, w / 2, h1, t)], [], er


def coupled_stripline(w, s, h1, h2, t, er):
    b = h1 + t + h2
    traces = [_strip("p", -s / 2 - w, -s / 2, h1, t), _strip("n", s / 2, s / 2 + w, h1, t)]
    return [_plane("gnd_bottom", 0.0), _plane("gnd_top", b), *traces], [], er


def _cpw(centres: list[tuple[str, float, float]], g, h, t, er, backed, gw):
    lo, hi = min(c[1] for c in centres), max(c[2] for c in centres)
    conds = [_strip(n, a, b, h, t) for n, a, b in centres]
    conds += [
        _strip("gnd_left", lo - g - gw, lo - g, h, t, "ground"),
        _strip("gnd_right", hi + g, hi + g + gw, h, t, "ground"),
    ]
    if backed:
        conds.append(_plane("gnd_bottom", 0.0))
    return conds, [_layer(0.0, h, er)], 1.0


def cpw(w, g, h, t, er, backed, gw):
    return _cpw([("sig", -w / 2, w / 2)], g, h, t, er, backed, gw)


def coupled_cpw(w, s, g, h, t, er, backed, gw):
    return _cpw([("p", -s / 2 - w, -s / 2), ("n", s / 2, s / 2 + w)], g, h, t, er, backed, gw)


def coax(d, D, er):
    return (
        [Conductor("inner", Circle(0.0, 0.0, d / 2), "signal"), Conductor("shield", Ring(0.0, 0.0, D / 2, 0.6 * D))],
        [],
        er,
    )


def twin_wire(d, D, er):
    wires = [Conductor(n, Circle(x, 0.0, d / 2), "signal") for n, x in (("p", -D / 2), ("n", D / 2))]
    return wires, [], er


def wire_over_ground(d, h, er):
    return [_plane("gnd", 0.0), Conductor("wire", Circle(0.0, h, d / 2), "signal")], [], er


_CPW = {"g": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER, "backed": Param(False, "bool"), "gw": Param(INF, "width")}
Constraint = tuple[Callable[[dict[str, Any]], bool], str]
TEMPLATES: dict[str, tuple[Callable, dict[str, Param], list[Constraint]]] = {
    # name: (builder, parameters, constraints (predicate on the values, message))
    "microstrip": (microstrip, {"w": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER}, []),
    "stripline": (stripline, {"w": LENGTH, "h1": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER}, []),
    "coupled_microstrip": (
        coupled_microstrip,
        {"w": LENGTH, "s": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER},
        [],
    ),
    "coupled_stripline": (
        coupled_stripline,
        {"w": LENGTH, "s": LENGTH, "h1": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER},
        [],
    ),
    "cpw": (cpw, {"w": LENGTH, **_CPW}, []),
    "coupled_cpw": (coupled_cpw, {"w": LENGTH, "s": LENGTH, **_CPW}, []),
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
    units: str = "mm",
    where: str = "",
    param_where: dict[str, str] | None = None,
) -> CrossSection:
    """CrossSection of template ``name`` with ``params`` in ``units``.

    ``where`` prefixes error messages; ``param_where`` gives a parameter's own location.
    """
    at = param_where or {}
    if name not in TEMPLATES:
        raise InputError(f"{where}: unknown template {name!r}; choose from {', '.join(TEMPLATES)}")
    if units not in UNITS:
        raise InputError(f"{where}: unknown units {units!r}; choose from {', '.join(UNITS)}")
    builder, spec, constraints = TEMPLATES[name]
    unknown = sorted(set(params) - set(spec))
    if unknown:
        bad = unknown[0]
        raise InputError(
            f"{at.get(bad, where)}: unknown parameter {bad!r} for template {name}; expected {', '.join(spec)}"
        )
    vals: dict[str, Any] = {}
    for key, p in spec.items():
        if key not in params:
            if p.default is None:
                raise InputError(f"{where}: template {name} needs parameter {key!r}")
            vals[key] = p.default
        else:
            vals[key] = _value(at.get(key, f"{where}: {key}"), key, p, params[key])
    for ok, msg in constraints:
        if not ok(vals):
            raise InputError(f"{where}: {msg}")
    scale = UNITS[units]
    args = {k: (v * scale if spec[k].kind in ("length", "length0", "width") else v) for k, v in vals.items()}
    conductors, dielectrics, background = builder(**args)
    return CrossSection(
        conductors=tuple(Conductor(c.name, c.shape, c.role, f"{where}: template {name}") for c in conductors),
        dielectrics=tuple(dielectrics),
        background_er=background,
        units=units,
        source=where,
    )
