"""YAML -> CrossSection. Units are converted to metres here; every error names file, line and key.

Schema (see README "Describing a cross-section")::

    units: mm                      # mm (default) | um | mil | in
    background: {er: 1.0}          # optional: the medium wherever no dielectric is painted
    boundary: open                 # open (default) | {box: {x: [x0, x1], y: [y0, y1]}}
    conductors:                    # each: name, role (signal | ground | floating; default ground), one shape
      - {name: sig, role: signal, rect: {x: [-0.1, 0.1], y: [0.2, 0.235]}}
    dielectrics:                   # painted in order, later entries win; er (or a material), tand, one shape
      - {name: core, er: 4.3, tand: 0.02, layer: {y: [0, 0.2]}}

Materials (README "Materials and loss inputs"): conductors and copper layers take ``material`` (a
metal), ``sigma`` (S/m, ``.inf``: lossless) and ``roughness`` (``{model: hammerstad | huray |
groisse, ...}``, or one per face: ``{top: .., bottom: .., sides: ..}``); dielectrics, ``background``
and dielectric layers take ``material``, ``er``, ``tand``, ``f_ref`` (Hz, or "1GHz"), ``dispersion``
(constant | djordjevic-sarkar) and ``sigma``.

or ``template: NAME`` with ``params: {...}`` instead of conductors/dielectrics, or a board as a
fab's stackup sheet lists it (see :mod:`fieldsolver.geometry.stackup`)::

    stackup:                       # bottom to top; heights between copper
      - {plane: L2, t: 0.035}      # copper plane (role ground, or floating)
      - {dielectric: prepreg, h: 0.2, er: 4.4, tand: 0.02}
      - {signal: L1, t: 0.035}     # copper with traces (fill: a dielectric around them)
    traces:                        # on a signal layer: centre x, base width w, w_top or etch factor
      - {name: "D+", layer: L1, x: -0.21, w: 0.27, etch: 3}
    mask: {c1: 0.02, c2: 0.015, er: 3.5}   # solder mask over the top layer (c3: in the gaps)

Drawn ``conductors`` and ``dielectrics`` may be added to a stackup (painted after it).

Value checks (sizes, er, overlaps) live in :meth:`CrossSection.validate`; this module checks
structure and types only. Shapes: ``rect: {x: [x0, x1], y: [y0, y1]}`` (``y0 == y1``: zero-thickness strip; ``-.inf``/``.inf``:
a plane), ``trapezoid: {bottom: [x0, x1], top: [x0, x1], y: [y0, y1]}``,
``circle: {center: [x, y], radius: r}``, ``ring: {center: [x, y], inner_radius: r1, outer_radius: r2}``,
``polygon: {points: [[x, y], ...]}``, and for dielectrics ``layer: {y: [y0, y1]}`` (spans all x).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from . import materials, stackup, templates
from .expressions import ExpressionError, evaluate
from .limits import MAX_POLYGON_POINTS, MAX_SHAPES, check_count
from .materials import COPPER_SIGMA, FACES, SMOOTH, FaceRoughness, Medium, Roughness
from .model import (
    ROLES,
    Boundary,
    Circle,
    Conductor,
    CrossSection,
    Dielectric,
    InputError,
    Polygon,
    Rect,
    Ring,
    Shape,
    Trapezoid,
    background_fields,
)
from .roughness import MODELS, model_class
from .units import DEFAULT_UNITS, UNITS, parse_frequency, parse_length
from .yamlfile import Map, Seq, _short, read_text, yaml_data

__all__ = ["load", "parameters", "parse", "read", "read_text", "yaml_data"]


# ------------------------------------------------------------------------------- the reader
class _At:
    """A value and where it is: file, line, dotted path. Errors come out as one line."""

    def __init__(self, value: Any, file: str, line: int, path: str, names: dict[str, float] | None = None):
        self.value, self.file, self.line, self.path = value, file, line, path
        self.names = names or {}  # the file's parameters, for values written as expressions

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.path}" if self.path else f"{self.file}:{self.line}"

    def fail(self, msg: str) -> InputError:
        return InputError(f"{self.where}: {msg}")

    def mapping(self, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, _At]:
        v = self.value
        if not isinstance(v, dict):
            keys = f" with keys {', '.join(allowed)}" if allowed else ""
            raise self.fail(f"expected a mapping{keys}, got {_kind(v)}")
        for k in v:
            if k not in allowed:
                line = v.key_lines.get(k, self.line) if isinstance(v, Map) else self.line
                path = f"{self.path}.{k}" if self.path else k
                raise InputError(f"{self.file}:{line}: {path}: unknown key; expected one of {', '.join(allowed)}")
        for k in required:
            if k not in v:
                raise self.fail(f"missing key {k!r}")
        lines = v.key_lines if isinstance(v, Map) else {}
        return {
            k: _At(v[k], self.file, lines.get(k, self.line), f"{self.path}.{k}" if self.path else k, self.names)
            for k in v
        }

    def sequence(self, n: int | None = None) -> list[_At]:
        v = self.value
        if not isinstance(v, list):
            raise self.fail(f"expected a list, got {_kind(v)}")
        if n is not None and len(v) != n:
            raise self.fail(f"expected a list of {n} values, got {len(v)}")
        lines = v.item_lines if isinstance(v, Seq) else [self.line] * len(v)
        return [
            _At(x, self.file, ln, f"{self.path}[{i}]", self.names)
            for i, (x, ln) in enumerate(zip(v, lines, strict=True))
        ]

    def number(self, *, allow_inf: bool = False) -> float:
        v = self.value
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                if not self.names:
                    raise self.fail(f"expected a number, got {_short(self.value)}") from None
                v = self.expression()
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(f"expected a number, got {_kind(v)}")
        try:
            v = float(v)
        except OverflowError:
            raise self.fail(f"a number too large: {len(str(abs(v)))} digits") from None
        if math.isnan(v) or (math.isinf(v) and not allow_inf):
            raise self.fail(f"expected a finite number, got {v}")
        return v

    def expression(self) -> float:
        """The value as an arithmetic expression of the file's parameters: numbers, names,
        + - * / ** and parentheses (:mod:`.expressions`)."""
        try:
            return evaluate(str(self.value), self.names)
        except ExpressionError as e:
            raise self.fail(f"{_short(self.value)}: {e}") from None

    def text(self, choices: tuple[str, ...] | None = None) -> str:
        if not isinstance(self.value, str):
            raise self.fail(f"expected text, got {_kind(self.value)}")
        if choices is not None and self.value not in choices:
            raise self.fail(f"{self.value!r} is not one of {', '.join(choices)}")
        return self.value


def _kind(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return _short(v)


# ---------------------------------------------------------------------------------- shapes
CONDUCTOR_SHAPES = ("rect", "trapezoid", "circle", "ring", "polygon")
DIELECTRIC_SHAPES = (*CONDUCTOR_SHAPES, "layer")


def _range(at: _At, scale: float, *, allow_inf: bool = False) -> tuple[float, float]:
    a, b = (p.number(allow_inf=allow_inf) * scale for p in at.sequence(2))
    if a > b:
        raise at.fail(f"expected [low, high], got [{a / scale:g}, {b / scale:g}]")
    return a, b


def _point(at: _At, scale: float) -> tuple[float, float]:
    x, y = (p.number() * scale for p in at.sequence(2))
    return x, y


def _shape(kind: str, at: _At, scale: float) -> Shape:
    if kind == "rect":
        m = at.mapping(("x", "y"), ("x", "y"))
        return Rect(*_range(m["x"], scale, allow_inf=True), *_range(m["y"], scale, allow_inf=True))
    if kind == "layer":
        m = at.mapping(("y",), ("y",))
        y0, y1 = _range(m["y"], scale)
        if y0 == y1:
            raise m["y"].fail("layer has zero thickness")
        return Rect(-math.inf, math.inf, y0, y1)
    if kind == "trapezoid":
        m = at.mapping(("bottom", "top", "y"), ("bottom", "top", "y"))
        return Trapezoid(*_range(m["bottom"], scale), *_range(m["top"], scale), *_range(m["y"], scale))
    if kind == "circle":
        m = at.mapping(("center", "radius"), ("center", "radius"))
        return Circle(*_point(m["center"], scale), m["radius"].number() * scale)
    if kind == "ring":
        m = at.mapping(("center", "inner_radius", "outer_radius"), ("center", "inner_radius", "outer_radius"))
        radii = (m[k].number() * scale for k in ("inner_radius", "outer_radius"))
        return Ring(*_point(m["center"], scale), *radii)
    assert kind == "polygon"
    m = at.mapping(("points",), ("points",))
    points = m["points"]
    if isinstance(points.value, list):
        _checked(points, check_count, "points in a polygon", len(points.value), MAX_POLYGON_POINTS)
    return Polygon(tuple(_point(p, scale) for p in points.sequence()))


def _one_shape(m: dict[str, _At], item: _At, kinds: tuple[str, ...]) -> tuple[str, _At]:
    found = [k for k in kinds if k in m]
    if len(found) != 1:
        got = "none" if not found else ", ".join(found)
        raise item.fail(f"needs exactly one shape ({', '.join(kinds)}); got {got}")
    return found[0], m[found[0]]


def _conductor(item: _At, i: int, scale: float) -> Conductor:
    m = item.mapping(("name", "role", *CONDUCTOR_SHAPES, *METAL_KEYS))
    kind, at = _one_shape(m, item, CONDUCTOR_SHAPES)
    name = m["name"].text() if "name" in m else f"conductor{i + 1}"
    role = m["role"].text(ROLES) if "role" in m else "ground"
    sigma, rough = _metal(m, scale)
    return Conductor(name, _shape(kind, at, scale), role, item.where, sigma, rough)  # type: ignore[arg-type]


def _dielectric(item: _At, i: int, scale: float) -> Dielectric:
    m = item.mapping(("name", *MEDIUM_KEYS, *DIELECTRIC_SHAPES))
    kind, at = _one_shape(m, item, DIELECTRIC_SHAPES)
    medium = _medium(m, item)
    name = m["name"].text() if "name" in m else f"dielectric{i + 1}"
    return Dielectric.of(_shape(kind, at, scale), medium, name, where=item.where)


# ---------------------------------------------------------------------------------- materials
MEDIUM_KEYS = ("material", "er", "tand", "f_ref", "dispersion", "sigma")
METAL_KEYS = ("material", "sigma", "roughness")


def _checked(at: _At, parse: Any, *args: Any) -> Any:
    """``parse(*args)`` with its InputError said at ``at``."""
    try:
        return parse(*args)
    except InputError as e:
        raise at.fail(str(e)) from None


def _medium(m: dict[str, _At], item: _At) -> Medium:
    """A dielectric's material: a library ``material`` and/or its own er, tand, f_ref, dispersion,
    sigma (each given field overrides the library's); checked here, where the file says it."""
    if "material" in m:
        base = _checked(m["material"], materials.dielectric, m["material"].text()).medium
    elif "er" not in m:
        raise item.fail(f"missing key 'er' (or a material: {', '.join(materials.DIELECTRICS)})")
    else:
        base = Medium(1.0)
    f_ref, dispersion = m.get("f_ref"), m.get("dispersion")
    medium = materials.overridden(
        base,
        er=m["er"].number() if "er" in m else None,
        tand=m["tand"].number() if "tand" in m else None,
        f_ref=_checked(f_ref, parse_frequency, f_ref.value) if f_ref else None,
        dispersion=_checked(dispersion, materials.dispersion_name, dispersion.text()) if dispersion else None,
        sigma=m["sigma"].number() if "sigma" in m else None,
    )
    medium.check(item.where)
    return medium


def _metal(m: dict[str, _At], scale: float) -> tuple[float, FaceRoughness]:
    """A conductor's (or copper layer's) sigma and roughness: a library ``material`` and/or
    ``sigma`` (S/m, ``.inf``: lossless), ``roughness`` (one model, or one per face)."""
    sigma = _checked(m["material"], materials.metal, m["material"].text()).sigma if "material" in m else COPPER_SIGMA
    if "sigma" in m:
        sigma = m["sigma"].number(allow_inf=True)
        if not sigma > 0:
            raise m["sigma"].fail(f"must be > 0 S/m (or .inf for a perfect conductor), got {sigma:g}")
    rough = _face_roughness(m["roughness"], scale) if "roughness" in m else SMOOTH
    return sigma, rough


def _smooth(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip().lower() in ("none", "smooth"))


def _face_roughness(at: _At, scale: float) -> FaceRoughness:
    """``{model: ..., ...}`` for every face, or ``{top: ..., bottom: ..., sides: ...}`` (a face
    left out, or ``none``, is smooth)."""
    v = at.value
    if _smooth(v):
        return SMOOTH
    if isinstance(v, dict) and "model" not in v and any(k in v for k in FACES):
        return FaceRoughness(**{k: _roughness(f, scale) for k, f in at.mapping(FACES).items()})
    return FaceRoughness.uniform(_roughness(at, scale))


def _roughness(at: _At, scale: float) -> Roughness | None:
    """One roughness model: ``{model: hammerstad | huray | groisse, ...its parameters}``."""
    v = at.value
    if _smooth(v):
        return None
    models = ", ".join(MODELS)
    if not isinstance(v, dict):
        raise at.fail(f"expected {{model: {models.replace(', ', ' | ')}, ...}} or none, got {_kind(v)}")
    if "model" not in v:
        raise at.fail(f"missing key 'model' ({models}), or give the faces: {', '.join(FACES)}")
    model = at.mapping(tuple(v))["model"]
    cls = _checked(model, model_class, model.text())
    m = at.mapping(("model", *cls.parameters))
    required = cls.parameters[: cls.required]
    missing = [k for k in required if k not in m]
    if missing:
        raise at.fail(f"{cls.model} roughness needs {', '.join(required)}; missing {', '.join(missing)}")
    args = {k: _length(f, scale) if k in cls.lengths else f.number() for k, f in m.items() if k != "model"}
    rough = cls(**args)
    rough.check(at.where)
    return rough


def _length(at: _At, scale: float) -> float:
    """A length: a number in the file's units, or text with a unit ("1.2um", "0.5 um", "0.05 mil")."""
    if isinstance(at.value, str):
        metres = _checked(at, parse_length, at.value)
        if metres is not None:
            return metres
    return at.number() * scale


def _boundary(at: _At, scale: float) -> Boundary:
    if at.value == "open":
        return Boundary("open", where=at.where)
    if isinstance(at.value, str):
        raise at.fail(f"expected 'open' or {{box: {{x: [..], y: [..]}}}}, got {at.value!r}")
    box = at.mapping(("box",), ("box",))["box"].mapping(("x", "y"), ("x", "y"))
    x0, x1 = _range(box["x"], scale)
    y0, y1 = _range(box["y"], scale)
    return Boundary("box", (x0, x1, y0, y1), where=at.where)


TOP_KEYS = (
    "units",
    "description",
    "conductors",
    "dielectrics",
    "boundary",
    "background",
    "template",
    "params",
    "stackup",
    "traces",
    "mask",
    "parameters",
)
STACKUP_KINDS = ("plane", "dielectric", "signal")


def _stackup_item(item: _At, scale: float) -> stackup.Item:
    m = item.value if isinstance(item.value, dict) else {}
    kinds = [k for k in STACKUP_KINDS if k in m]
    if len(kinds) != 1:
        got = "none" if not kinds else ", ".join(kinds)
        raise item.fail(f"a stackup entry is exactly one of plane, dielectric, signal (each with its name); got {got}")
    kind = kinds[0]
    if kind == "plane":
        f = item.mapping(("plane", "t", "role", *METAL_KEYS), ("plane",))
        role = f["role"].text(("ground", "floating")) if "role" in f else "ground"
        t = f["t"].number() * scale if "t" in f else 0.0
        return stackup.Plane(f["plane"].text(), t, role, item.where, *_metal(f, scale))
    if kind == "dielectric":
        f = item.mapping(("dielectric", "h", *MEDIUM_KEYS), ("dielectric", "h"))
        return stackup.Layer.of(f["dielectric"].text(), f["h"].number() * scale, _medium(f, item), item.where)
    f = item.mapping(("signal", "t", "fill", *METAL_KEYS), ("signal", "t"))
    fill = f["fill"].text() if "fill" in f else None
    return stackup.SignalLayer(f["signal"].text(), f["t"].number() * scale, fill, item.where, *_metal(f, scale))


def _trace(item: _At, i: int, scale: float, layers: dict[str, float]) -> stackup.Trace:
    f = item.mapping(("name", "layer", "x", "w", "w_top", "etch", "role"), ("layer", "x", "w"))
    if "w_top" in f and "etch" in f:
        raise item.fail("give w_top or etch, not both")
    layer = f["layer"].text()
    w = f["w"].number() * scale
    w_top = f["w_top"].number() * scale if "w_top" in f else None
    if "etch" in f:
        # etch factor = thickness / undercut per side
        etch = f["etch"].number()
        if etch <= 0:
            raise f["etch"].fail(f"etch factor must be > 0, got {etch}")
        w_top = w - 2 * layers.get(layer, 0.0) / etch
    role = f["role"].text(("signal", "ground", "floating")) if "role" in f else "signal"
    name = f["name"].text() if "name" in f else f"trace{i + 1}"
    return stackup.Trace(name, layer, f["x"].number() * scale, w, w_top, role, item.where)


def _mask(at: _At, scale: float) -> stackup.Mask:
    f = at.mapping(("c1", "c2", "c3", "er", "tand"), ("c1", "c2"))
    mask = stackup.Mask(
        f["c1"].number() * scale,
        f["c2"].number() * scale,
        f["c3"].number() * scale if "c3" in f else None,
        f["er"].number() if "er" in f else 3.5,
        f["tand"].number() if "tand" in f else 0.0,
    )
    mask.check(at.where)
    return mask


def parameters(data: Any, file: str = "<input>") -> dict[str, float]:
    """The ``parameters:`` of a file's data (name -> number, in the file's units), in order; for
    a template file without them, its numeric ``params``."""
    root = _At(data, file, getattr(data, "line", 1), "")
    m = root.mapping(TOP_KEYS)
    if "parameters" not in m:
        # a template file's numeric params are its parameters
        given = m["params"].value if "template" in m and "params" in m else None
        if isinstance(given, dict):
            return {k: float(v) for k, v in given.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        return {}
    given = m["parameters"].value
    out: dict[str, float] = {}
    for k, at in m["parameters"].mapping(tuple(given) if isinstance(given, dict) else ()).items():
        if not k.isidentifier():
            raise at.fail("a parameter name must be a plain identifier (letters, digits, _)")
        out[k] = at.number()
    return out


def check_overrides(names: dict[str, float], overrides: dict[str, Any], file: str) -> None:
    """Each override must name one of the file's parameters (``names``) and be a finite number."""
    for k, v in overrides.items():
        if k not in names:
            have = ", ".join(names) if names else "none (add a 'parameters:' section)"
            raise InputError(f"{file}: {k!r} is not a parameter of this file; its parameters: {have}")
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"{file}: parameter {k} must be a finite number, got {v!r}")


def parse(data: Any, file: str = "<input>", overrides: dict[str, float] | None = None) -> CrossSection:
    """CrossSection from already-parsed YAML data (a mapping); ``overrides`` replace values of
    its ``parameters``."""
    names = parameters(data, file)
    check_overrides(names, overrides or {}, file)
    names.update({k: float(v) for k, v in (overrides or {}).items()})
    root = _At(data, file, getattr(data, "line", 1), "", names)
    m = root.mapping(TOP_KEYS)
    lists = [k for k in ("conductors", "dielectrics", "stackup", "traces") if isinstance(m.get(k, root).value, list)]
    n = sum(len(m[k].value) for k in lists)
    _checked(root, check_count, f"entries in {', '.join(lists)}", n, MAX_SHAPES)
    units = m["units"].text(tuple(UNITS)) if "units" in m else DEFAULT_UNITS
    if "template" in m:
        extra = sorted(set(m) - {"units", "description", "template", "params", "parameters"})
        if extra:
            raise m[extra[0]].fail("not allowed together with template (a template draws the whole section)")
        name = m["template"].text()
        given = m["params"].value if "params" in m else None
        keys = tuple(given) if isinstance(given, dict) else ()
        params = m["params"].mapping(keys) if given is not None else {}
        text = templates.text_parameters(name) if name in templates.TEMPLATES else frozenset()
        values = {
            k: at.expression() if names and isinstance(at.value, str) and k not in text else at.value
            for k, at in params.items()
        }
        if "parameters" not in m:  # the params themselves are the parameters: apply the overrides
            values.update({k: v for k, v in names.items() if k in values})
        return templates.build(
            name,
            values,
            units,
            where=f"{file}:{m['template'].line}: template",
            param_where={k: at.where for k, at in params.items()},
        )
    scale = UNITS[units]
    for k in ("traces", "mask"):
        if k in m and "stackup" not in m:
            raise m[k].fail("belongs to a stackup: add a 'stackup' list")
    if "stackup" in m:
        items = [_stackup_item(it, scale) for it in m["stackup"].sequence()]
        layers = {it.name: it.t for it in items if isinstance(it, stackup.SignalLayer)}
        traces = [_trace(it, i, scale, layers) for i, it in enumerate(m["traces"].sequence())] if "traces" in m else []
        mask = _mask(m["mask"], scale) if "mask" in m else None
        background = _background(m)
        board = stackup.build(items, traces, mask, units=units, source=f"{file}:1", background=background)
        conductors, dielectrics, boundary = _drawn(m, scale)
        return CrossSection(
            board.conductors + conductors,
            board.dielectrics + dielectrics,
            boundary,
            units=units,
            source=f"{file}:1",
            **background_fields(background),  # type: ignore[arg-type]
        )
    if "conductors" not in m:
        raise root.fail("missing 'conductors' (or use 'template' or 'stackup')")
    conductors, dielectrics, boundary = _drawn(m, scale)
    return CrossSection(
        conductors,
        dielectrics,
        boundary,
        units=units,
        source=f"{file}:1",
        **background_fields(_background(m)),  # type: ignore[arg-type]
    )


def _background(m: dict[str, _At]) -> Medium:
    """The medium wherever no dielectric is painted (default vacuum)."""
    if "background" not in m:
        return Medium(1.0)
    at = m["background"]
    return _medium(at.mapping(MEDIUM_KEYS), at)


def _drawn(m: dict[str, _At], scale: float) -> tuple[tuple[Conductor, ...], tuple[Dielectric, ...], Boundary]:
    """The drawn conductors, dielectrics and boundary of a file (each optional here)."""
    conductors = (
        tuple(_conductor(it, i, scale) for i, it in enumerate(m["conductors"].sequence())) if "conductors" in m else ()
    )
    dielectrics = (
        tuple(_dielectric(it, i, scale) for i, it in enumerate(m["dielectrics"].sequence()))
        if "dielectrics" in m
        else ()
    )
    boundary = _boundary(m["boundary"], scale) if "boundary" in m else Boundary()
    return conductors, dielectrics, boundary


def load(path: str | Path, overrides: dict[str, float] | None = None) -> CrossSection:
    """Read and validate a cross-section file, with ``overrides`` of its parameters."""
    return parse(read(path), str(path), overrides).validate()


def read(path: str | Path) -> Any:
    """A cross-section file's YAML data (with line numbers for messages)."""
    return yaml_data(read_text(path), path)
