"""A design: a template with parameters, or a YAML file with a ``parameters:`` section (values
in the file may be expressions of them). A study changes some parameters and solves."""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..geometry import templates
from ..geometry.model import CrossSection
from ..geometry.units import DEFAULT_UNITS
from ..physics import lines


@dataclass(frozen=True)
class Design:
    """What to solve: ``name`` is a template, or a file whose YAML ``text`` is carried along (so
    that workers on other machines need not see the file). ``params``: the template's given
    parameters, or the file's parameter values."""

    name: str
    params: dict[str, Any]
    units: str = DEFAULT_UNITS
    text: str | None = None

    @staticmethod
    def of(source: str, params: dict[str, Any] | None = None, units: str = DEFAULT_UNITS, check: bool = True) -> Design:
        """A template name with its parameters, or a YAML file (``params`` override its
        ``parameters:``). ``check``: build the section now, so that mistakes show before a batch."""
        params = dict(params or {})
        if source.lower().endswith((".yaml", ".yml")) or _is_file(source):
            from ..geometry import loader

            path = Path(source)
            text = loader.read_text(path)
            names = loader.parameters(loader.yaml_data(text, path), str(path))
            loader.check_overrides(names, params, str(path))
            d = Design(str(path), {**names, **params}, units, text)
        else:
            if source not in templates.TEMPLATES:
                raise InputError(
                    f"{reprlib.repr(source)}: not a YAML file nor a template; templates: {', '.join(templates.TEMPLATES)}"
                )
            d = Design(source, params, units)
        if check:
            d.section()
        return d

    @property
    def is_template(self) -> bool:
        return self.text is None

    def values(self, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value with ``changes`` applied (a template's defaults included)."""
        given = {**self.params, **(changes or {})}
        if self.is_template:
            return templates.values(self.name, given, where=f"template {self.name}")
        return given

    def names(self) -> list[str]:
        """Every parameter's name (given or not)."""
        return list(templates.TEMPLATES[self.name][1]) if self.is_template else list(self.params)

    def numeric(self) -> dict[str, float]:
        """The parameters a study can vary: finite numbers."""
        return {
            k: float(v)
            for k, v in self.values().items()
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        }

    def section(self, changes: dict[str, Any] | None = None) -> CrossSection:
        changes = dict(changes or {})
        if self.is_template:
            bad = sorted(set(changes) - set(templates.TEMPLATES[self.name][1]))
            if bad:
                raise InputError(f"template {self.name} has no parameter {bad[0]!r}")
            return templates.build(
                self.name, {**self.params, **changes}, self.units, where=f"template {self.name}"
            ).validate()
        from ..geometry import loader

        data = loader.yaml_data(self.text, self.name)
        return loader.parse(data, self.name, {**self.params, **changes}).validate()

    @property
    def file_units(self) -> str:
        return self.units if self.is_template else self.section().units

    def value_keys(self, changes: dict[str, Any] | None = None) -> tuple[str, ...]:
        return lines.value_keys(self.section(changes))


def _is_file(source: str) -> bool:
    try:
        return Path(source).is_file()
    except (OSError, ValueError):  # a name too long to be a file's: a template's (unknown)
        return False
