"""The frozen Result of a solve, and how each quantity is defined.

All values are SI: F/m, H/m, ohm, s/m. A quantity that is not defined for the structure is
``None`` and :attr:`Result.notes` says why.

Definitions
-----------
z0, eps_eff, delay (one signal)
    ``Z0 = 1 / (c sqrt(C C0))``, ``eps_eff = C / C0``, ``delay = sqrt(eps_eff) / c``.
z_diff, z_common (two signals)
    Mixed-mode characteristic impedances from the impedance matrix ``Zc``:
    ``Zdiff = Z11 + Z22 - 2 Z12`` (differential voltage V1 - V2 over differential current
    (I1 - I2)/2) and ``Zcommon = (Z11 + Z22 + 2 Z12) / 4`` (common voltage (V1 + V2)/2 over total
    current I1 + I2). For a symmetric pair ``Zdiff = 2 Zodd`` and ``Zcommon = Zeven / 2``.
z_odd, z_even
    ``Zdiff / 2`` and ``2 Zcommon``: the classical odd- and even-mode impedances of a symmetric
    pair (one line's impedance when the pair is driven in anti-phase / in phase).
eps_eff_odd, eps_eff_even, delay_odd, delay_even
    Of the pair's two propagation modes (the odd-like mode has opposite-sign voltages).
z0_lines
    ``Zc[i, i]``: line i's own impedance with the other line present and terminated in its
    characteristic impedance.
uncertainty
    Relative error estimate of each value (grid refinement plus open boundary; see
    ``fieldsolver.numerics.refine``), with the same keys as the values.
modes
    For any N: each mode's eps_eff, voltage pattern and power-normalised impedance.
z_mode_k, eps_eff_mode_k (three or more signals)
    The values of ``modes[k - 1]``, so that they carry an uncertainty like any other value.
rlgc (solved with frequencies)
    R, L, G, C per unit length at each frequency and the line they make: see
    :class:`fieldsolver.physics.loss.RLGC`.
network(length), crosstalk()
    A length of the line as an ``skrf.Network`` (solved with frequencies), and the crosstalk
    coefficients between its lines: see :mod:`fieldsolver.physics.network`. ``to_dict`` and
    ``to_json`` add their figures as the keys ``network`` and ``crosstalk`` when asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..geometry.units import DEFAULT_UNITS

if TYPE_CHECKING:  # the solution's types load numba; a Result does not need them to exist
    from ..numerics.solver import FieldSolution
    from .loss import RLGC
    from .network import Crosstalk

SIDES = ("left", "right", "bottom", "top")


class _ByKey:
    """Read access by JSON key (``accuracy["converged"]``) beside the named fields."""

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]  # type: ignore[attr-defined]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Mode:
    eps_eff: float
    z: float  # ohm, |v|^2 / (v . Zc^-1 v)
    voltages: tuple[float, ...]


@dataclass(frozen=True)
class GridInfo(_ByKey):
    """The finest grid of a result: lines per axis, nodes, domain (m) and which outer sides are
    open (grounded far away) rather than closed by a ground conductor."""

    nx: int
    ny: int
    nodes: int
    domain: tuple[float, float, float, float]  # x0, x1, y0, y1 (m)
    open_sides: tuple[bool, bool, bool, bool]  # left, right, bottom, top

    def to_dict(self) -> dict[str, Any]:
        return {
            "nx": self.nx,
            "ny": self.ny,
            "nodes": self.nodes,
            "domain": list(self.domain),
            "open_sides": dict(zip(SIDES, self.open_sides, strict=True)),
        }


@dataclass(frozen=True)
class LevelInfo(_ByKey):
    """One grid of the refinement: its density (relative to the mesh options'), domain factor,
    nodes, time (mesh and solve) and every value computed on it alone."""

    density: float
    open_factor: float
    nodes: int
    seconds: float
    values: Mapping[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "density": self.density,
            "open_factor": self.open_factor,
            "nodes": self.nodes,
            "seconds": self.seconds,
            "values": dict(self.values),
        }


@dataclass(frozen=True)
class Accuracy(_ByKey):
    """How the error estimate was reached: the tolerance asked for, whether every value met it,
    the node budget, the refinement grids and the open-boundary grids (1/4x, 1x, 4x the domain;
    empty when the domain is closed)."""

    tol: float
    converged: bool
    max_nodes: int
    levels: tuple[LevelInfo, ...]
    boundary_levels: tuple[LevelInfo, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "tol": self.tol,
            "converged": self.converged,
            "max_nodes": self.max_nodes,
            "levels": [lv.to_dict() for lv in self.levels],
            "boundary_levels": [lv.to_dict() for lv in self.boundary_levels],
        }


@dataclass(frozen=True)
class Result:
    signals: tuple[str, ...]
    capacitance: np.ndarray
    capacitance_vacuum: np.ndarray
    inductance: np.ndarray
    impedance_matrix: np.ndarray
    modes: tuple[Mode, ...]
    values: Mapping[str, float | None]  # z0, eps_eff, delay | z_diff, z_common, z_odd, ...
    z0_lines: tuple[float, ...] | None
    notes: tuple[str, ...]
    grid: GridInfo
    units: str = DEFAULT_UNITS
    timings: Mapping[str, float] = field(default_factory=dict)  # s: mesh, solve, total
    # relative error estimate of each value (same keys; None where the value is None), and how
    # it was reached; both None when solved without a tol
    uncertainty: Mapping[str, float | None] | None = None
    accuracy: Accuracy | None = None
    # the field solution behind the numbers (grid, potentials), for plots and exports
    solution: FieldSolution | None = field(default=None, repr=False, compare=False)
    # R, L, G, C and the line at each frequency, when solved with frequencies
    rlgc: RLGC | None = field(default=None, repr=False, compare=False)

    def __getattr__(self, name: str):
        # r.z0, r.z_diff, ... read the values
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        n = len(self.__dict__.get("signals", ()))
        raise AttributeError(f"{name!r} is not a quantity of a {n}-signal result; it has {', '.join(values)}")

    def network(self, length: float, *, freq=None, z_ref=50.0, name: str = "line") -> Any:
        """A ``length`` (m) of this line as a 2N-port ``skrf.Network`` (near ends ports 1..N, far
        ends N+1..2N, reference ``z_ref`` ohm: a scalar or one per port; see
        :mod:`fieldsolver.physics.network`), at the frequencies it was solved at, or at ``freq``,
        some of them (to interpolate, ``skrf.Network.interpolate``). Returns an ``skrf.Network``:
        needs the ``networks`` extra (scikit-rf) and a solve with frequencies."""
        from . import network

        if self.rlgc is None:
            raise InputError(
                "a network needs R, L, G, C at each frequency: solve with freq=..., "
                "e.g. fieldsolver.solve(section, freq=np.geomspace(1e6, 1e10, 41))"
            )
        p = self.rlgc.propagation if freq is None else network.select(self.rlgc.propagation, freq)
        return network.to_network(p, length, z_ref=z_ref, name=name)

    def crosstalk(self) -> Crosstalk:
        """The crosstalk coefficients between every two signals, from the static L and C (the
        lossless, high-frequency line): :class:`fieldsolver.physics.network.Crosstalk`."""
        from .network import crosstalk

        return crosstalk(self.inductance, self.capacitance)

    def to_dict(
        self, *, length: float | None = None, z_ref=50.0, rise: float | None = None, crosstalk: bool = False
    ) -> dict[str, Any]:
        """Every value as JSON-ready Python. The options add keys: ``length`` (m, with
        frequencies) ``network``, the figures of that length of line between ports of
        ``z_ref`` ohm; ``crosstalk=True`` or a ``rise`` time (s, with a ``length``) ``crosstalk``,
        the coefficients (and the NEXT and FEXT for that length and rise)."""
        d: dict[str, Any] = {
            "signals": list(self.signals),
            "capacitance": self.capacitance.tolist(),
            "capacitance_vacuum": self.capacitance_vacuum.tolist(),
            "inductance": self.inductance.tolist(),
            "impedance_matrix": self.impedance_matrix.tolist(),
        }
        d.update({k: (None if v is None else float(v)) for k, v in self.values.items()})
        if self.z0_lines is not None:
            d["z0_lines"] = dict(zip(self.signals, map(float, self.z0_lines), strict=True))
        d["uncertainty"] = None if self.uncertainty is None else dict(self.uncertainty)
        d["accuracy"] = None if self.accuracy is None else self.accuracy.to_dict()
        d["modes"] = [{"eps_eff": m.eps_eff, "z": m.z, "voltages": list(m.voltages)} for m in self.modes]
        d["notes"] = list(self.notes)
        d["grid"] = self.grid.to_dict()
        d["timings"] = dict(self.timings)
        if self.rlgc is not None:
            d["frequency"] = self.rlgc.freq.tolist()
            d["rlgc"] = self.rlgc.to_dict()
        if length is not None and self.rlgc is not None:
            from .network import response

            d["network"] = response(self.rlgc.propagation, length, z_ref=z_ref).to_dict()
        if crosstalk or rise is not None:
            d["crosstalk"] = self.crosstalk().to_dict(length, rise)
        return d

    def to_json(
        self, *, length: float | None = None, z_ref=50.0, rise: float | None = None, crosstalk: bool = False, **kw: Any
    ) -> str:
        """:meth:`to_dict` (with its options) as JSON text; ``kw`` go to ``json.dumps``."""
        return json.dumps(self.to_dict(length=length, z_ref=z_ref, rise=rise, crosstalk=crosstalk), **kw)
