"""``fieldsolver templates [NAME]`` and ``calc TEMPLATE --help``: each template and its parameters,
with their units and defaults, from the templates' own table (nothing is restated by hand but the
one-line summaries)."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from ..errors import InputError
from ..geometry import templates
from ..geometry.units import DEFAULT_UNITS, UNITS

SUMMARY = {
    "microstrip": "a trace on a substrate over a ground plane, optionally under solder mask",
    "coupled_microstrip": "an edge-coupled pair on a substrate over a ground plane, optionally under solder mask",
    "embedded_microstrip": "a microstrip covered by a second dielectric h2 thick",
    "coupled_embedded_microstrip": "an edge-coupled pair covered by a second dielectric h2 thick",
    "stripline": "a trace between two ground planes (h1 below, h2 above)",
    "coupled_stripline": "an edge-coupled pair between two ground planes",
    "offset_stripline": "a trace between two ground planes in two dielectrics (core er1, prepreg er2)",
    "coupled_offset_stripline": "an edge-coupled pair between two ground planes in two dielectrics",
    "broadside_stripline": "two traces on the two faces of a core, between two ground planes",
    "cpw": "coplanar waveguide: a trace between coplanar grounds (backed: a ground plane below)",
    "coupled_cpw": "a coupled pair between coplanar grounds",
    "cps": "coplanar strips: a balanced pair on a substrate, no ground",
    "coax": "a round conductor d in a round shield of inner diameter D",
    "twin_wire": "two round wires of diameter d, centres D apart, no ground",
    "twisted_pair": "two insulated wires side by side (a twisted pair's cross-section)",
    "shielded_pair": "an insulated pair in a round shield of inner diameter D",
    "wire_over_ground": "a round wire of diameter d, centre h above a ground plane",
}

KINDS = {
    "er": "relative permittivity",
    "tand": "loss tangent",
    "material": "a library dielectric (by name)",
    "metal": "a library metal (by name)",
    "frequency": "Hz, or with a unit (1GHz)",
    "dispersion": "constant | djordjevic-sarkar",
    "sigma": "conductivity, S/m",
    "bool": "true | false",
    "rough": "surface roughness (rms or the model's size), {units}, or with a unit (1um)",
    "rough_model": "hammerstad | huray | groisse",
    "ratio": "ratio",
}


def parameters(name: str, units: str = DEFAULT_UNITS) -> list[dict[str, Any]]:
    """Each parameter of template ``name``: ``name``, ``unit`` (what it is), ``default`` (text:
    a value, "required", "= OTHER" or "from the material")."""
    if name not in templates.TEMPLATES:
        raise InputError(f"unknown template {name!r}; choose from {', '.join(templates.TEMPLATES)}")
    _, spec, _, slots = templates.TEMPLATES[name]
    ers = {s.er: s for s in slots}
    out = []
    for key, p in spec.items():
        if p.kind in templates.LENGTHS:
            extra = {"length0": " (0 allowed)", "width": " (.inf: infinite)", "signed": " (either sign)"}
            unit = f"length, {units}{extra.get(p.kind, '')}"
        else:
            unit = KINDS.get(p.kind, p.kind).format(units=units)
        out.append({"name": key, "unit": unit, "default": _default(key, p, ers)})
    return out


def _default(key: str, p: templates.Param, ers: dict) -> str:
    if key in ers:
        s = ers[key]
        if s.like:
            return f"= {s.like}"
        if s.er_default is not None:
            return f"{s.er_default:g}"
        return "required (or its material)"
    if p.like is not None:
        return f"= {p.like}"
    if p.optional:
        if p.kind == "tand":
            return "0 (or the material's)"
        if p.kind == "sigma":
            return "copper (or the metal's)"
        return "none"
    if p.default is None:
        return "required"
    if isinstance(p.default, bool):
        return str(p.default).lower()
    if isinstance(p.default, float) and math.isinf(p.default):
        return ".inf"
    return f"{p.default:g}" if isinstance(p.default, int | float) else str(p.default)


def table(name: str, units: str = DEFAULT_UNITS) -> str:
    """The parameters of ``name`` as a table for people."""
    rows = parameters(name, units)
    width = max(len(r["name"]) for r in rows)
    dw = max(len(r["default"]) for r in rows)
    head = [f"{name}: {SUMMARY.get(name, '')}", "", f"  {'parameter':<{width}}  {'default':<{dw}}  unit"]
    body = [f"  {r['name']:<{width}}  {r['default']:<{dw}}  {r['unit']}" for r in rows]
    tail = [
        "",
        f"e.g. fieldsolver calc {name} "
        + " ".join(f"{r['name']}=..." for r in rows if r["default"].startswith("required"))
        + f"   (lengths in --units, default {DEFAULT_UNITS}: {', '.join(UNITS)})",
    ]
    return "\n".join(head + body + tail)


def listing() -> str:
    """Every template with its summary and required parameters."""
    lines = ["templates (fieldsolver templates NAME, or calc NAME --help, lists every parameter):", ""]
    for name in templates.TEMPLATES:
        need = [r["name"] for r in parameters(name) if r["default"].startswith("required")]
        lines.append(f"  {name:<28} {SUMMARY.get(name, '')}")
        lines.append(f"  {'':<28} needs {', '.join(need)}")
    return "\n".join(lines)


def add_parsers(sub) -> None:
    t = sub.add_parser("templates", help="list the templates, or one template's parameters with units and defaults")
    t.add_argument("name", nargs="?", help="a template: its parameters")
    t.add_argument("--units", default=DEFAULT_UNITS, help="length units shown (mm, um, mil, in, m)")
    t.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    """``fieldsolver templates [NAME] [--units U] [--json]``."""
    name, units, as_json = args.name, args.units, args.json
    if units not in UNITS:
        raise InputError(f"--units {units}: choose from {', '.join(UNITS)}")
    if as_json:
        names = [name] if name else list(templates.TEMPLATES)
        data = {n: {"summary": SUMMARY.get(n, ""), "parameters": parameters(n, units)} for n in names}
        print(json.dumps(data, indent=1))
    else:
        print(table(name, units) if name else listing())
    return 0
