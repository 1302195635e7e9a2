"""What a request may hold, and the cross-section it describes.

Everything from the page is untrusted: a request body is at most :data:`MAX_BODY` bytes, a pasted
YAML at most :data:`MAX_YAML` characters, nested at most :data:`MAX_DEPTH` deep and expanding (its
aliases followed) to at most :data:`MAX_YAML_NODES` nodes, so that a "billion laughs" paste is
refused before the loader walks it. A value typed into a field is at most :data:`MAX_VALUE`
characters. Nothing here reads a file: a paste is parsed from its text, and a template is a name
of :data:`fieldsolver.geometry.templates.TEMPLATES`. Mistakes are :class:`InputError` worded as
the command line words them (``calc: w: must be > 0``, ``page.yaml:12: ...``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import yaml

from ..cli.arguments import parse_value
from ..errors import InputError
from ..geometry import loader, templates
from ..geometry.model import CrossSection
from ..geometry.units import DEFAULT_UNITS, UNITS

MAX_BODY = 256_000  # bytes of one request
MAX_YAML = 100_000  # characters of a pasted cross-section (the shipped examples are 1-3 kB)
MAX_YAML_NODES = 20_000  # nodes of a paste with its aliases expanded
MAX_DEPTH = 40  # nesting of a paste
MAX_VALUE = 64  # characters of one typed value
MAX_PARAMS = 64
PASTE = "page.yaml"  # what a pasted cross-section is called in messages (as a file would be)


@dataclass(frozen=True)
class Source:
    """What the page describes: a template with typed values, or a pasted YAML text."""

    template: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    units: str = DEFAULT_UNITS
    text: str | None = None

    def section(self) -> CrossSection:
        if self.text is not None:
            return yaml_section(self.text)
        return template_section(self.template or "", dict(self.params), self.units)

    @property
    def title(self) -> str:
        if self.text is not None:
            return PASTE
        shown = " ".join(f"{k}={_shown(v)}" for k, v in self.params)
        return f"{self.template} {shown} ({self.units})"


def _shown(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)


def body(raw: bytes) -> dict[str, Any]:
    """A request's JSON object (at most :data:`MAX_BODY` bytes)."""
    if len(raw) > MAX_BODY:
        raise InputError(f"request of {len(raw):,} bytes; the page sends at most {MAX_BODY:,}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InputError("the request is not JSON") from None
    if not isinstance(data, dict):
        raise InputError("the request is not a JSON object")
    return data


def source(data: dict[str, Any]) -> Source:
    """The :class:`Source` of a request: ``{"yaml": TEXT}`` or ``{"template": NAME, "units": U,
    "params": {KEY: TEXT}}`` (empty values are left to the template's defaults)."""
    if data.get("yaml") is not None:
        text = data["yaml"]
        if not isinstance(text, str):
            raise InputError(f"{PASTE}: expected the text of a cross-section")
        check_yaml(text)
        return Source(text=text)
    name = data.get("template")
    if not isinstance(name, str) or name not in templates.TEMPLATES:
        shown = repr(name)[:MAX_VALUE]
        raise InputError(f"calc: unknown template {shown}; choose from {', '.join(templates.TEMPLATES)}")
    units = data.get("units", DEFAULT_UNITS)
    if units not in UNITS:
        raise InputError(f"--units {str(units)[:MAX_VALUE]!r}: choose from {', '.join(UNITS)}")
    given = data.get("params") or {}
    if not isinstance(given, dict) or len(given) > MAX_PARAMS:
        raise InputError("calc: expected at most 64 key=value parameters")
    params: list[tuple[str, Any]] = []
    for key, text in given.items():
        if not isinstance(key, str) or len(key) > MAX_VALUE:
            raise InputError("calc: a parameter name is too long")
        if isinstance(text, bool):
            params.append((key, text))
            continue
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        if isinstance(text, int | float):
            params.append((key, float(text)))
            continue
        if not isinstance(text, str):
            raise InputError(f"calc: {key}: expected a value, got {type(text).__name__}")
        if len(text) > MAX_VALUE:
            raise InputError(f"calc: {key}: {len(text)} characters; a value is at most {MAX_VALUE}")
        params.append((key, parse_value(text.strip())))
    return Source(template=name, params=tuple(params), units=units)


def template_section(name: str, params: dict[str, Any], units: str) -> CrossSection:
    """The validated section of a template, its mistakes worded as ``fieldsolver calc`` words them."""
    section = templates.build(name, params, units, where="calc", param_where={k: f"calc: {k}" for k in params})
    return section.validate()


def yaml_section(text: str) -> CrossSection:
    """The validated section of a pasted YAML text (checked by :func:`check_yaml` first)."""
    check_yaml(text)
    data = loader.yaml_data(text, PASTE)
    return loader.parse(data, PASTE).validate()


def yaml_parameters(text: str) -> dict[str, float]:
    """The ``parameters:`` of a pasted YAML text (what goal seek may vary)."""
    check_yaml(text)
    return loader.parameters(loader.yaml_data(text, PASTE), PASTE)


def check_yaml(text: str) -> None:
    """Refuse a paste that is too long, too deep, or whose aliases expand past
    :data:`MAX_YAML_NODES` nodes; leave every other mistake to the loader, which names its line."""
    if len(text) > MAX_YAML:
        raise InputError(
            f"{PASTE}: {len(text):,} characters; the page takes at most {MAX_YAML:,} (a cross-section is a few kB)"
        )
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise InputError(f"{PASTE}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    except yaml.YAMLError:
        return  # the loader reports it with its line
    if root is not None:
        _expanded(root, {}, 0)


def _expanded(node: yaml.Node, seen: dict[int, int | None], depth: int) -> int:
    """The node count of ``node`` with every alias expanded (``seen``: counted nodes by id)."""
    if depth > MAX_DEPTH:
        raise InputError(f"{PASTE}:{node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
    key = id(node)
    if key in seen:
        n = seen[key]
        if n is None:
            raise InputError(f"{PASTE}:{node.start_mark.line + 1}: an alias refers to itself")
        return n
    seen[key] = None
    if isinstance(node, yaml.ScalarNode):
        n = 1
    elif isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded(c, seen, depth + 1) for c in node.value)
    else:
        n = 1 + sum(_expanded(k, seen, depth + 1) + _expanded(v, seen, depth + 1) for k, v in node.value)
    if n > MAX_YAML_NODES:
        raise InputError(
            f"{PASTE}:{node.start_mark.line + 1}: its aliases expand to more than {MAX_YAML_NODES:,} values; "
            "a cross-section needs far fewer"
        )
    seen[key] = n
    return n


def finite(data: dict[str, Any], key: str, default: float, low: float, high: float, what: str) -> float:
    """A number of a request between ``low`` and ``high`` (a clear message otherwise)."""
    v = data.get(key, default)
    if v is None or v == "":
        return default
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected a number, got {str(v)[:MAX_VALUE]!r}") from None
    if not (math.isfinite(v) and low <= v <= high):
        raise InputError(f"{what}: expected a number from {low:g} to {high:g}, got {v:g}")
    return v


def text(data: dict[str, Any], key: str, what: str) -> str | None:
    """A short text of a request (None when absent or empty)."""
    v = data.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if not isinstance(v, str) or len(v) > MAX_VALUE:
        raise InputError(f"{what}: expected a short text")
    return v.strip()


def yaml_text(src: Source, *, command: str = "solve") -> str:
    """The cross-section as a YAML file that ``fieldsolver solve`` reads: a paste as it is, a
    template as ``template:`` with the values typed (so that the page's line is a reproducible
    command-line run)."""
    if src.text is not None:
        return src.text if src.text.endswith("\n") else src.text + "\n"
    data = {"units": src.units, "template": src.template, "params": dict(src.params)}
    head = f"# {src.template} from the fieldsolver page: fieldsolver {command} {src.template}.yaml\n"
    return head + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
