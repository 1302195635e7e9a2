"""Parametric structures -> CrossSection. Lengths in the given units; ``t`` = conductor thickness
(0 = zero-thickness strip), ``er`` = relative permittivity. Pairs are named ``p`` (left) and ``n``.
Ground planes are infinite, ``tg`` thick (default 0: a perfect plane in the loss solve); side
grounds are infinite unless ``gw`` is given.

Every template also takes what its line is made of (README "Templates"): each dielectric's
``er`` comes with a loss tangent and a library material named like it (``er2``: ``tand2``,
``material2``; ``mask_er``: ``mask_tand``), ``f_ref`` and ``dispersion`` for all of them; the
conductors' ``sigma`` or ``metal`` and a roughness shorthand (``rough``, per face ``rough_top``,
``rough_bottom``, ``rough_sides``, ``rough_model``, ``rough_ratio``). Defaults: lossless
dielectrics, smooth copper: none of them changes a static result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import materials
from .materials import COPPER_SIGMA, FaceRoughness, Huray, Medium
from .model import (
    Circle,
    Conductor,
    CrossSection,
    Dielectric,
    InputError,
    Rect,
    Ring,
    Trapezoid,
    background_fields,
)
from .roughness import MODELS, model_class
from .stackup import Mask, coating, trace
from .units import DEFAULT_UNITS, UNITS, parse_frequency, parse_length
from .yamlfile import brief as _short

INF = math.inf


@dataclass(frozen=True)
class Param:
    default: Any = None  # None = required (unless ``like`` names the parameter it defaults to, or optional)
    # length | er | bool | length0 (may be 0) | width (may be inf) | signed (any length); the
    # materials': tand | material | frequency | dispersion | sigma | metal | rough | rough_model | ratio
    kind: str = "length"
    like: str | None = None
    optional: bool = False  # None when not given (then the template works the value out)


@dataclass(frozen=True)
class Slot:
    """One dielectric of a template and the parameters that describe it: ``er`` (given, else its
    ``material``'s, else that of the dielectric it is ``like``, else ``er_default``; required if
    none), ``tand`` (the same way; else 0) and the library ``material`` (None: no library)."""

    er: str
    tand: str
    material: str | None = None
    like: str | None = None  # the er parameter of the dielectric this one follows
    er_default: float | None = None


@dataclass(frozen=True)
class _Metres:
    """A length given with its unit ("0.5um"): metres, whatever the template's units."""

    value: float


LENGTHS = ("length", "length0", "width", "signed")
TEXT_KINDS = {
    "material": materials.dielectric,
    "metal": materials.metal,
    "dispersion": materials.dispersion_name,
    "rough_model": model_class,
}
LENGTH, LENGTH0, ER = Param(), Param(0.0, "length0"), Param(None, "er")  # ER: where a Slot's er goes
W_TOP = Param(kind="length", like="w")  # etched top width: default w (a rectangle)
MASK = {"c1": LENGTH0, "c2": LENGTH0, "c3": Param(kind="length0", like="c1"), "mask_er": ER}
SUBSTRATE = Slot("er", "tand", "material")
MASK_SLOT = Slot("mask_er", "mask_tand", None, er_default=3.5)
FACE_KEYS = ("rough_top", "rough_bottom", "rough_sides")  # materials.FACES, one parameter each


def _plane(name: str, y: float, tg: float = 0.0, up: bool = False) -> Conductor:
    """An infinite plane whose surface facing the line is at y, ``tg`` thick away from the line
    (below it, or above with ``up``): outside the electrostatic domain, so the statics are the
    same for every ``tg``."""
    return Conductor(name, Rect(-INF, INF, y, y + tg) if up else Rect(-INF, INF, y - tg, y), "ground")


def _layer(y0: float, y1: float, medium: Medium, name: str = "substrate") -> Dielectric:
    return Dielectric.of(Rect(-INF, INF, y0, y1), medium, name)


def _pair(w: float, s: float) -> list[tuple[str, float, float]]:
    return [("p", -s / 2 - w, -s / 2), ("n", s / 2, s / 2 + w)]


def _traces(spans, y, t, w, w_top, base="bottom") -> list[Conductor]:
    """Traces with bases ``[x0, x1]`` on the surface at y; each etched by the same undercut."""
    undercut = 0.5 * (w - w_top)
    return [trace(n, a, b, y, t, (b - a) - 2 * undercut, base=base) for n, a, b in spans]


def _surface(spans, w, w_top, h, t, er, mask, tg):
    """Traces on a substrate of height h over a ground plane, optionally coated."""
    traces = _traces(spans, h, t, w, w_top)
    return [_plane("gnd", 0.0, tg), *traces], [_layer(0.0, h, er), *coating(traces, h, mask)], 1.0


def microstrip(w, w_top, h, t, er, c1, c2, mask_er, tg):
    return _surface([("sig", -w / 2, w / 2)], w, w_top, h, t, er, Mask.of(c1, c2, c1, mask_er), tg)


def coupled_microstrip(w, w_top, s, h, t, er, c1, c2, c3, mask_er, tg):
    return _surface(_pair(w, s), w, w_top, h, t, er, Mask.of(c1, c2, c3, mask_er), tg)


def _embedded(spans, w, w_top, h, h2, t, er, er2, tg):
    conds = [_plane("gnd", 0.0, tg), *_traces(spans, h, t, w, w_top)]
    return conds, [_layer(0.0, h, er), _layer(h, h + t + h2, er2, "cover")], 1.0


def embedded_microstrip(w, w_top, h, h2, t, er, er2, tg):
    return _embedded([("sig", -w / 2, w / 2)], w, w_top, h, h2, t, er, er2, tg)


def coupled_embedded_microstrip(w, w_top, s, h, h2, t, er, er2, tg):
    return _embedded(_pair(w, s), w, w_top, h, h2, t, er, er2, tg)


def _stripline(spans, w, w_top, h1, h2, t, er1, er2, tg):
    """Traces on a core (er1, h1 thick) under a prepreg (er2) that fills around them and h2 above."""
    b = h1 + t + h2
    conds = [_plane("gnd_bottom", 0.0, tg), _plane("gnd_top", b, tg, up=True), *_traces(spans, h1, t, w, w_top)]
    if er1 == er2:
        return conds, [], er1
    return conds, [_layer(0.0, h1, er1, "core"), _layer(h1, b, er2, "prepreg")], 1.0


def stripline(w, w_top, h1, h2, t, er, tg):
    return _stripline([("sig", -w / 2, w / 2)], w, w_top, h1, h2, t, er, er, tg)


def coupled_stripline(w, w_top, s, h1, h2, t, er, tg):
    return _stripline(_pair(w, s), w, w_top, h1, h2, t, er, er, tg)


def offset_stripline(w, w_top, h1, h2, t, er1, er2, tg):
    return _stripline([("sig", -w / 2, w / 2)], w, w_top, h1, h2, t, er1, er2, tg)


def coupled_offset_stripline(w, w_top, s, h1, h2, t, er1, er2, tg):
    return _stripline(_pair(w, s), w, w_top, h1, h2, t, er1, er2, tg)


def broadside_stripline(w, w_top, t, h1, hs, h2, offset, er, er_s, tg):
    """Traces on the two faces of a core (hs thick, er_s), each etched from its own face, offset
    sideways by ``offset``; prepreg (er) h1 below and h2 above to the planes."""
    y_lo, y_hi = h1 + t, h1 + t + hs  # the core's faces
    b = y_hi + t + h2
    lower = _traces([("p", -w / 2 - offset / 2, w / 2 - offset / 2)], y_lo, t, w, w_top, base="top")
    upper = _traces([("n", -w / 2 + offset / 2, w / 2 + offset / 2)], y_hi, t, w, w_top)
    conds = [_plane("gnd_bottom", 0.0, tg), _plane("gnd_top", b, tg, up=True), *lower, *upper]
    if er == er_s:
        return conds, [], er
    return (
        conds,
        [_layer(0.0, y_lo, er, "prepreg_bottom"), _layer(y_lo, y_hi, er_s, "core"), _layer(y_hi, b, er, "prepreg_top")],
        1.0,
    )


def _cpw(centres, w, w_top, g, h, t, er, backed, gw, mask, tg):
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
        conds.append(_plane("gnd_bottom", 0.0, tg))
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


def cpw(w, w_top, g, h, t, er, backed, gw, c1, c2, c3, mask_er, tg):
    return _cpw([("sig", -w / 2, w / 2)], w, w_top, g, h, t, er, backed, gw, Mask.of(c1, c2, c3, mask_er), tg)


def coupled_cpw(w, w_top, s, g, h, t, er, backed, gw, c1, c2, c3, mask_er, tg):
    return _cpw(_pair(w, s), w, w_top, g, h, t, er, backed, gw, Mask.of(c1, c2, c3, mask_er), tg)


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
        insulation.append(Dielectric.of(Circle(x, 0.0, d_ins / 2), er, name=f"insulation {n}"))
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


def wire_over_ground(d, h, er, tg):
    return [_plane("gnd", 0.0, tg), Conductor("wire", Circle(0.0, h, d / 2), "signal")], [], er


# ------------------------------------------------------------------------------- the parameters
Constraint = tuple[Callable[[dict[str, Any]], bool], str]
Template = tuple[Callable, dict[str, Param], list[Constraint], tuple[Slot, ...]]
TAND, MATERIAL = Param(kind="tand", optional=True), Param(kind="material", optional=True)
DIELECTRIC_MODEL = {
    "f_ref": Param(kind="frequency", optional=True),
    "dispersion": Param(kind="dispersion", optional=True),
}
ROUGH = Param(0.0, "rough")


def _template(
    builder: Callable,
    geometry: dict[str, Param],
    slots: tuple[Slot, ...],
    constraints: list[Constraint] | None = None,
    *,
    planes: bool = False,
    faces: bool = False,
) -> Template:
    """A template's entry: its geometry, then per dielectric (``slots``) its er, tand and
    material, the dielectrics' f_ref and dispersion, the planes' thickness ``tg`` (default 0), the
    conductors' sigma, metal and roughness (per face on ``faces`` templates: traces)."""
    spec = dict(geometry)
    for s in slots:
        spec[s.er] = Param(kind="er", optional=True)  # worked out per slot, see Slot
    for s in slots:
        spec[s.tand] = TAND
        if s.material:
            spec[s.material] = MATERIAL
    spec.update(DIELECTRIC_MODEL)
    if planes:
        spec["tg"] = LENGTH0
    spec.update({"sigma": Param(kind="sigma", optional=True), "metal": Param(kind="metal", optional=True)})
    spec["rough"] = ROUGH
    if faces:
        spec.update({k: Param(kind="rough", like="rough") for k in FACE_KEYS})
    spec.update({"rough_model": Param("hammerstad", "rough_model"), "rough_ratio": Param(kind="ratio", optional=True)})
    return builder, spec, list(constraints or []), slots


_CPW = {"g": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER, "backed": Param(False, "bool"), "gw": Param(INF, "width")}
_ETCH: list[Constraint] = [(lambda v: v["w_top"] == v["w"] or v["t"] > 0, "w_top differs from w, so t must be > 0")]
_TRACE = {"w": LENGTH, "w_top": W_TOP}
_INSULATED: list[Constraint] = [
    (lambda v: v["d"] < v["d_ins"], "insulation diameter d_ins must exceed the wire diameter d"),
    (lambda v: v["s"] >= v["d_ins"], "insulated wires overlap: the spacing s must be at least d_ins"),
]
_COVER = (SUBSTRATE, Slot("er2", "tand2", "material2", like="er"))
_CORE_PREPREG = (Slot("er1", "tand1", "material1"), Slot("er2", "tand2", "material2"))
_MASKED = (SUBSTRATE, MASK_SLOT)
_STRIP = {"h1": LENGTH, "h2": LENGTH, "t": LENGTH0}


def _board(builder: Callable, geometry: dict[str, Param], slots=(SUBSTRATE,), planes: bool = True) -> Template:
    """A template of etched traces (``w``, ``w_top``): roughness per face, planes ``tg`` thick."""
    return _template(builder, {**_TRACE, **geometry}, slots, _ETCH, planes=planes, faces=True)


TEMPLATES: dict[str, Template] = {
    # name: (builder, parameters, constraints (predicate on the values, message), dielectrics)
    "microstrip": _board(
        microstrip, {"h": LENGTH, "t": LENGTH0, "er": ER, "c1": LENGTH0, "c2": LENGTH0, "mask_er": ER}, _MASKED
    ),
    "coupled_microstrip": _board(
        coupled_microstrip, {"s": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER, **MASK}, _MASKED
    ),
    "embedded_microstrip": _board(
        embedded_microstrip, {"h": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER, "er2": ER}, _COVER
    ),
    "coupled_embedded_microstrip": _board(
        coupled_embedded_microstrip, {"s": LENGTH, "h": LENGTH, "h2": LENGTH, "t": LENGTH0, "er": ER, "er2": ER}, _COVER
    ),
    "stripline": _board(stripline, {**_STRIP, "er": ER}),
    "coupled_stripline": _board(coupled_stripline, {"s": LENGTH, **_STRIP, "er": ER}),
    "offset_stripline": _board(offset_stripline, {**_STRIP, "er1": ER, "er2": ER}, _CORE_PREPREG),
    "coupled_offset_stripline": _board(
        coupled_offset_stripline, {"s": LENGTH, **_STRIP, "er1": ER, "er2": ER}, _CORE_PREPREG
    ),
    "broadside_stripline": _board(
        broadside_stripline,
        {"t": LENGTH0, "h1": LENGTH, "hs": LENGTH, "h2": LENGTH, "offset": Param(0.0, "signed"), "er": ER},
        (SUBSTRATE, Slot("er_s", "tand_s", "material_s", like="er")),
    ),
    "cpw": _board(cpw, {**_CPW, **MASK}, _MASKED),
    "coupled_cpw": _board(coupled_cpw, {"s": LENGTH, **_CPW, **MASK}, _MASKED),
    "cps": _board(cps, {"s": LENGTH, "h": LENGTH, "t": LENGTH0, "er": ER}, planes=False),
    "coax": _template(
        coax,
        {"d": LENGTH, "D": LENGTH, "er": ER},
        (SUBSTRATE,),
        [(lambda v: v["d"] < v["D"], "inner diameter d must be less than D")],
    ),
    "twin_wire": _template(
        twin_wire,
        {"d": LENGTH, "D": LENGTH, "er": ER},
        (SUBSTRATE,),
        [(lambda v: v["d"] < v["D"], "wires touch or overlap: d must be less than the spacing D")],
    ),
    "twisted_pair": _template(
        twisted_pair,
        {"d": LENGTH, "d_ins": LENGTH, "er": ER, "s": Param(kind="length", like="d_ins")},
        (SUBSTRATE,),
        _INSULATED,
    ),
    "shielded_pair": _template(
        shielded_pair,
        {"d": LENGTH, "d_ins": LENGTH, "er": ER, "s": Param(kind="length", like="d_ins"), "D": LENGTH, "er_fill": ER},
        (SUBSTRATE, Slot("er_fill", "tand_fill", "material_fill", er_default=1.0)),
        [
            *_INSULATED,
            (
                lambda v: v["s"] + v["d_ins"] <= v["D"],
                "the pair does not fit in the shield: s + d_ins must be at most D",
            ),
        ],
    ),
    "wire_over_ground": _template(
        wire_over_ground,
        {"d": LENGTH, "h": LENGTH, "er": ER},
        (SUBSTRATE,),
        [(lambda v: v["d"] / 2 < v["h"], "wire touches the ground: h (centre height) must exceed d/2")],
        planes=True,
    ),
}


def text_parameters(name: str) -> frozenset[str]:
    """The parameters of template ``name`` that may be text: names (``material``, ``metal``,
    ``dispersion``, ``rough_model``), a frequency with its unit (``f_ref``: "1GHz") and roughness
    lengths with theirs ("0.5um"). A template file's loader must pass them on as written."""
    _, spec, _, _ = TEMPLATES[name]
    return frozenset(k for k, p in spec.items() if p.kind in (*TEXT_KINDS, "frequency", "rough"))


# ----------------------------------------------------------------------------------- checking
def _number(where: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InputError(f"{where}: must be a number, got {_short(v)}")
    v = float(v)
    if math.isnan(v):
        raise InputError(f"{where}: must be a finite number, got {v}")
    return v


def _value(where: str, key: str, p: Param, v: Any) -> Any:
    if p.kind == "bool":
        if not isinstance(v, bool):
            raise InputError(f"{where}: must be true or false, got {_short(v)}")
        return v
    if p.kind in TEXT_KINDS:
        if not isinstance(v, str):
            raise InputError(f"{where}: must be a name, got {_short(v)}")
        try:
            found = TEXT_KINDS[p.kind](v)
        except InputError as e:
            raise InputError(f"{where}: {e}") from None
        return found if isinstance(found, str) else found.model if p.kind == "rough_model" else found.name
    if p.kind == "frequency":
        try:
            return parse_frequency(v)
        except InputError as e:
            raise InputError(f"{where}: {e}") from None
    if p.kind == "rough" and isinstance(v, str):
        try:
            metres = parse_length(v)
        except InputError as e:
            raise InputError(f"{where}: {e}") from None
        if metres is None:
            raise InputError(f"{where}: must be a length: a number in the template's units or with a unit (0.5um)")
        if not metres >= 0:
            raise InputError(f"{where}: must be >= 0, got {_short(v)}")
        return _Metres(metres)
    v = _number(where, v)
    if p.kind == "sigma":
        if not v > 0:
            raise InputError(f"{where}: must be > 0 S/m (or inf for a perfect conductor), got {v}")
        return v
    if math.isinf(v) and not (p.kind == "width" and v > 0):
        raise InputError(f"{where}: must be a finite number, got {v}")
    if p.kind == "er" and v < 1:
        raise InputError(f"{where}: er must be >= 1, got {v}")
    if p.kind in ("length0", "tand", "rough") and v < 0:
        raise InputError(f"{where}: must be >= 0, got {v}")
    if p.kind in ("length", "width", "ratio") and v <= 0:
        raise InputError(f"{where}: must be > 0, got {v}")
    return v


def _rough_size(v: Any, scale: float) -> float:
    """A roughness length in metres (a number in the template's units, or given with its unit)."""
    return v.value if isinstance(v, _Metres) else v * scale


def _media(name: str, vals: dict[str, Any], where: str, at: dict[str, str]) -> dict[str, Medium]:
    """Each dielectric's medium (by its er parameter), its er and tand written into ``vals``."""
    slots = TEMPLATES[name][3]
    model = {"f_ref": vals["f_ref"], "dispersion": vals["dispersion"]}
    media: dict[str, Medium] = {}
    for s in slots:
        if s.material and vals[s.material] is not None:
            base = materials.dielectric(vals[s.material]).medium
        elif s.like is not None:
            base = media[s.like]
        elif vals[s.er] is not None or s.er_default is not None:
            base = Medium(s.er_default if vals[s.er] is None else vals[s.er])
        else:
            also = f" (or {s.material}: a library dielectric)" if s.material else ""
            raise InputError(f"{where}: template {name} needs parameter {s.er!r}{also}")
        m = materials.overridden(base, er=vals[s.er], tand=vals[s.tand], **model)
        if m.dispersion == "djordjevic-sarkar":
            if not 10.0**materials.DS_M1 < m.f_ref < 10.0**materials.DS_M2:
                raise InputError(
                    f"{at.get('f_ref', f'{where}: f_ref')}: djordjevic-sarkar needs f_ref between its corners, "
                    f"1 kHz and 1 THz; got {m.f_ref:g} Hz"
                )
            if m.debye[0] < 1:
                key = s.tand if vals[s.tand] is not None else s.er
                raise InputError(
                    f"{at.get(key, f'{where}: {key}')}: djordjevic-sarkar: er {m.er:g} with tand {m.tand:g} at "
                    f"{m.f_ref:g} Hz gives eps_inf = {m.debye[0]:.3g} < 1: the loss is too large for that er"
                )
        m.check(f"{where}: {s.er}")  # everything else is checked per parameter already
        media[s.er] = m
    for s in slots:
        vals[s.er], vals[s.tand] = media[s.er].er, media[s.er].tand
    return media


def _conductor_values(vals: dict[str, Any], where: str, at: dict[str, str]) -> None:
    """The conductors' sigma (given, else the metal's, else copper's) and the roughness checks."""
    if vals["sigma"] is None:
        vals["sigma"] = materials.metal(vals["metal"]).sigma if vals["metal"] is not None else COPPER_SIGMA
    huray = vals["rough_model"] == Huray.model
    if vals["rough_ratio"] is not None and not huray:
        here = at.get("rough_ratio", f"{where}: rough_ratio")
        raise InputError(f"{here}: the surface ratio of rough_model=huray; rough_model is {vals['rough_model']}")
    sizes = [vals[k] for k in ("rough", *FACE_KEYS) if k in vals]
    if huray and any(_rough_size(v, 1.0) > 0 for v in sizes) and vals["rough_ratio"] is None:
        raise InputError(
            f"{at.get('rough_model', f'{where}: rough_model')}: huray needs rough_ratio (its surface ratio)"
        )


def _roughness(vals: dict[str, Any], scale: float) -> FaceRoughness:
    """The roughness of every conductor's faces: ``rough`` on each, unless its own is given."""
    cls = MODELS[vals["rough_model"]]

    def model(size: Any):
        r = _rough_size(size, scale)
        if r == 0:
            return None
        return Huray(r, vals["rough_ratio"]) if cls is Huray else cls(r)  # type: ignore[call-arg]

    return FaceRoughness(**{f: model(vals.get(f"rough_{f}", vals["rough"])) for f in materials.FACES})


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
    vals, media = _resolved(name, params, where, param_where or {})
    builder, spec, _, _ = TEMPLATES[name]
    scale = UNITS[units]
    args = {}
    for k, p in spec.items():
        if p.kind == "er":
            args[k] = media[k]
        elif p.kind in LENGTHS:
            args[k] = vals[k] * scale
        elif p.kind == "bool":
            args[k] = vals[k]
    conductors, dielectrics, background = builder(**args)
    metal = {"sigma": vals["sigma"], "roughness": _roughness(vals, scale)}
    bg = background if isinstance(background, Medium) else Medium(background)
    return CrossSection(
        conductors=tuple(Conductor(c.name, c.shape, c.role, f"{where}: template {name}", **metal) for c in conductors),
        dielectrics=tuple(dielectrics),
        units=units,
        source=where,
        **background_fields(bg),  # type: ignore[arg-type]
    )


def values(
    name: str, params: dict[str, Any], where: str = "", param_where: dict[str, str] | None = None
) -> dict[str, Any]:
    """Every parameter of template ``name``: the given ones checked, the others at their
    defaults (or following the parameter they are like, or worked out: each dielectric's er and
    tand from its material, the conductors' sigma from their metal; None where a text parameter is
    not given); the constraints checked."""
    return _resolved(name, params, where, param_where or {})[0]


def _resolved(
    name: str, params: dict[str, Any], where: str, at: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Medium]]:
    if name not in TEMPLATES:
        raise InputError(f"{where}: unknown template {_short(name)}; choose from {', '.join(TEMPLATES)}")
    _, spec, constraints, _ = TEMPLATES[name]
    unknown = sorted(set(params) - set(spec))
    if unknown:
        bad = unknown[0]
        raise InputError(
            f"{at.get(bad, where)}: unknown parameter {_short(bad)} for template {name}; expected {', '.join(spec)}"
        )
    vals: dict[str, Any] = {}
    for key, p in spec.items():
        if key not in params or (p.optional and params[key] is None):
            if p.like is not None:
                vals[key] = vals[p.like]
            elif p.optional:
                vals[key] = None
            elif p.default is None:
                raise InputError(f"{where}: template {name} needs parameter {key!r}")
            else:
                vals[key] = p.default
        else:
            vals[key] = _value(at.get(key, f"{where}: {key}"), key, p, params[key])
    media = _media(name, vals, where, at)
    _conductor_values(vals, where, at)
    for ok, msg in constraints:
        if not ok(vals):
            raise InputError(f"{where}: {msg}")
    return vals, media
