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
    ``fieldsolver.refine``), with the same keys as the values.
modes
    For any N: each mode's eps_eff, voltage pattern and power-normalised impedance.
z_mode_k, eps_eff_mode_k (three or more signals)
    The values of ``modes[k - 1]``, so that they carry an uncertainty like any other value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Mode:
    eps_eff: float
    z: float  # ohm, |v|^2 / (v . Zc^-1 v)
    voltages: tuple[float, ...]


@dataclass(frozen=True)
class Result:
    signals: tuple[str, ...]
    capacitance: np.ndarray
    capacitance_vacuum: np.ndarray
    inductance: np.ndarray
    impedance_matrix: np.ndarray
    modes: tuple[Mode, ...]
    values: dict[str, float | None]  # z0, eps_eff, delay | z_diff, z_common, z_odd, ...
    z0_lines: tuple[float, ...] | None
    notes: tuple[str, ...]
    grid: dict[str, Any]
    units: str = "mm"
    timings: dict[str, float] = field(default_factory=dict)
    # relative error estimate of each value (same keys; None where the value is None), and how
    # it was reached (tol, converged, the grid levels); both None when solved without a tol
    uncertainty: dict[str, float | None] | None = None
    accuracy: dict[str, Any] | None = None
    # the field solution behind the numbers (grid, potentials), for plots and exports
    solution: Any = field(default=None, repr=False, compare=False)

    def __getattr__(self, name: str):
        # r.z0, r.z_diff, ... read the values dict
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        n = len(self.__dict__.get("signals", ()))
        raise AttributeError(f"{name!r} is not a quantity of a {n}-signal result; it has {', '.join(values)}")

    def to_dict(self) -> dict[str, Any]:
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
        d["uncertainty"] = self.uncertainty
        d["accuracy"] = self.accuracy
        d["modes"] = [{"eps_eff": m.eps_eff, "z": m.z, "voltages": list(m.voltages)} for m in self.modes]
        d["notes"] = list(self.notes)
        d["grid"] = self.grid
        d["timings"] = self.timings
        return d

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), **kw)
