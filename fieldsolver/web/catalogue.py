"""What the page offers: every template with its parameters (kind, default, group) and typical
starting values, the material library, the units. All of it read from the library
(:mod:`fieldsolver.geometry.templates`, :mod:`~fieldsolver.geometry.materials`,
:mod:`~fieldsolver.geometry.units`), so that a template or material added there shows up here."""

from __future__ import annotations

import math
from typing import Any

from ..geometry import materials, templates
from ..geometry.roughness import MODELS
from ..geometry.units import DEFAULT_UNITS, UNITS
from ..physics.lines import LABELS
from ..post.report import DEFINITIONS

# typical starting values (mm) of each template's required parameters, so that the page opens on
# a line that solves; every template in TEMPLATES must appear here (a test checks it)
ETCHED = {"t": 0.035, "er": 4.3}
STARTS: dict[str, dict[str, Any]] = {
    "microstrip": {"w": 0.3, "h": 0.17, **ETCHED},
    "coupled_microstrip": {"w": 0.2, "s": 0.2, "h": 0.17, **ETCHED},
    "embedded_microstrip": {"w": 0.2, "h": 0.15, "h2": 0.1, **ETCHED, "er2": 3.8},
    "coupled_embedded_microstrip": {"w": 0.2, "s": 0.2, "h": 0.15, "h2": 0.1, **ETCHED, "er2": 3.8},
    "stripline": {"w": 0.15, "h1": 0.2, "h2": 0.2, **ETCHED},
    "coupled_stripline": {"w": 0.12, "s": 0.15, "h1": 0.2, "h2": 0.2, **ETCHED},
    "offset_stripline": {"w": 0.15, "h1": 0.15, "h2": 0.25, "t": 0.035, "er1": 4.4, "er2": 3.9},
    "coupled_offset_stripline": {"w": 0.12, "s": 0.15, "h1": 0.15, "h2": 0.25, "t": 0.035, "er1": 4.4, "er2": 3.9},
    "broadside_stripline": {"w": 0.15, "t": 0.035, "h1": 0.2, "hs": 0.15, "h2": 0.2, "offset": 0.1, "er": 3.9},
    "cpw": {"w": 0.3, "g": 0.15, "h": 0.2, **ETCHED, "backed": True},
    "coupled_cpw": {"w": 0.2, "s": 0.2, "g": 0.15, "h": 0.2, **ETCHED, "backed": True},
    "cps": {"w": 0.3, "s": 0.2, "h": 0.5, **ETCHED},
    "coax": {"d": 0.9, "D": 2.95, "er": 2.25},
    "twin_wire": {"d": 1.0, "D": 3.0, "er": 1.0},
    "twisted_pair": {"d": 0.51, "d_ins": 0.95, "er": 2.1},
    "shielded_pair": {"d": 0.51, "d_ins": 0.95, "er": 2.1, "D": 3.2},
    "wire_over_ground": {"d": 0.5, "h": 1.0, "er": 1.0},
}
STARTS_UNITS = "mm"

MATERIAL_KINDS = ("tand", "material", "frequency", "dispersion", "sigma", "metal")
ROUGH_KINDS = ("rough", "rough_model", "ratio")


def _group(key: str, kind: str) -> str:
    """Where the page shows a parameter: the geometry and each er up front; the materials and
    the copper roughness folded away."""
    if kind in ROUGH_KINDS:
        return "roughness"
    if kind in MATERIAL_KINDS or key == "tg":
        return "materials"
    if key in ("c1", "c2", "c3", "mask_er"):
        return "mask"
    return "geometry"


def _json_number(v: Any) -> Any:
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def _doc(builder) -> str:
    text = (builder.__doc__ or "").strip()
    return " ".join(text.split("\n\n")[0].split())


def template_info(name: str) -> dict[str, Any]:
    builder, spec, _, slots = templates.TEMPLATES[name]
    start = STARTS.get(name, {})
    # what a dielectric's er and tand follow when not given (templates.Slot)
    follows = {s.er: (s.like, s.er_default) for s in slots}
    follows |= {
        s.tand: (s.like and next(t.tand for t in slots if t.er == s.like), None if s.like else 0.0) for s in slots
    }
    params = []
    for key, p in spec.items():
        like, default = follows.get(key, (p.like, p.default))
        params.append(
            {
                "name": key,
                "kind": p.kind,
                "length": p.kind in templates.LENGTHS,
                "default": _json_number(default),
                "like": like,
                "optional": p.optional,
                "required": p.default is None and p.like is None and not p.optional and p.kind != "er",
                "start": _json_number(start.get(key)),
                "group": _group(key, p.kind),
            }
        )
    signals = len(templates.build(name, start, STARTS_UNITS).signals)
    return {"name": name, "doc": _doc(builder), "params": params, "signals": signals, "units": STARTS_UNITS}


def catalogue() -> dict[str, Any]:
    """Everything the page's form is built from (JSON-ready)."""
    return {
        "templates": [template_info(n) for n in templates.TEMPLATES],
        "units": list(k for k in UNITS if k != "m"),
        "default_units": DEFAULT_UNITS,
        "dielectrics": [
            {"name": d.name, "er": d.medium.er, "tand": d.medium.tand, "what": d.description}
            for d in materials.DIELECTRICS.values()
        ],
        "metals": [{"name": m.name, "sigma": m.sigma} for m in materials.METALS.values()],
        "dispersions": list(materials.DISPERSIONS),
        "rough_models": list(MODELS),
        "labels": LABELS,
        "definitions": DEFINITIONS,
    }
