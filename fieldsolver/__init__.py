"""fieldsolver: 2D electrostatic field solver for transmission-line impedance.

>>> import fieldsolver
>>> r = fieldsolver.solve(fieldsolver.template("microstrip", w=0.3, h=0.17, er=4.3))
>>> r.z0, r.eps_eff
"""

from __future__ import annotations

from .api import solve
from .geometry.loader import load
from .geometry.model import CrossSection, InputError
from .geometry.units import DEFAULT_UNITS
from .numerics.grid import MeshOptions
from .physics.result import Result


def template(name: str, *, units: str = DEFAULT_UNITS, **params) -> CrossSection:
    """A parametric structure (see ``fieldsolver.geometry.templates.TEMPLATES``), validated."""
    from .geometry.templates import build

    return build(name, params, units, where=f"template {name}").validate()


__all__ = ["CrossSection", "InputError", "MeshOptions", "Result", "load", "solve", "template"]
__version__ = "0.1.0"
