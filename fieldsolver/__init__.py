"""fieldsolver: 2D electrostatic field solver for transmission-line impedance.

>>> import fieldsolver
>>> r = fieldsolver.solve(fieldsolver.template("microstrip", w=0.3, h=0.17, er=4.3))
>>> r.z0, r.eps_eff

The names below are imported when first used (PEP 562), so that ``import fieldsolver.cli`` or
``fieldsolver --help`` does not load the solver (numba, scipy) before a command needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .geometry.units import DEFAULT_UNITS

if TYPE_CHECKING:
    from .api import solve
    from .geometry.loader import load
    from .geometry.model import CrossSection
    from .numerics.grid import MeshOptions
    from .physics.result import Result

_LAZY = {
    "solve": ".api",
    "load": ".geometry.loader",
    "CrossSection": ".geometry.model",
    "MeshOptions": ".numerics.grid",
    "Result": ".physics.result",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def template(name: str, *, units: str = DEFAULT_UNITS, **params) -> CrossSection:
    """A parametric structure (see ``fieldsolver.geometry.templates.TEMPLATES``), validated."""
    from .geometry.templates import build

    return build(name, params, units, where=f"template {name}").validate()


__all__ = ["CrossSection", "InputError", "MeshOptions", "Result", "load", "solve", "template"]
__version__ = "0.1.0"
