"""Line parameters from the capacitance matrices: which values a structure has, their
definitions (see :mod:`fieldsolver.physics.result`), and their error estimates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..geometry.model import CrossSection
from . import extract
from .result import Mode

if TYPE_CHECKING:  # the refinement (and the solver behind it) is imported where an estimate is made
    from ..numerics.refine import Refinement

NO_GROUND = "no ground conductor: the common mode has no return path (it returns through infinity)"


SINGLE_KEYS = ("z0", "eps_eff", "delay")
PAIR_KEYS = ("z_diff", "z_common", "z_odd", "z_even", "eps_eff_odd", "eps_eff_even", "delay_odd", "delay_even")


@dataclass(frozen=True)
class Lines:
    """Everything derived from one pair of capacitance matrices."""

    values: dict[str, float | None]
    inductance: np.ndarray
    impedance_matrix: np.ndarray
    modes: tuple[Mode, ...]
    z0_lines: tuple[float, ...] | None
    notes: tuple[str, ...]


def line_parameters(section: CrossSection, c: np.ndarray, c_vac: np.ndarray) -> Lines:
    l_mat = extract.inductance(c_vac)
    zc = extract.impedance_matrix(c, l_mat)
    eps, vec, zm = extract.modes(c, c_vac, zc)
    grounded = bool(section.grounds) or section.boundary.kind == "box"
    notes: list[str] = []
    values: dict[str, float | None] = {}
    z0_lines = None
    n = len(section.signals)
    if n == 1:
        values.update(extract.single_line(c[0, 0], c_vac[0, 0]))
    elif n == 2:
        values.update(extract.pair(zc))
        values.update(extract.odd_even_eps(eps, vec))
        values["delay_odd"] = np.sqrt(values["eps_eff_odd"]) / extract.LIGHT
        values["delay_even"] = np.sqrt(values["eps_eff_even"]) / extract.LIGHT
        z0_lines = (float(zc[0, 0]), float(zc[1, 1]))
        if not grounded:
            for k in ("z_common", "z_even", "eps_eff_even", "delay_even"):
                values[k] = None
            z0_lines = None
            notes.append(f"z_common, z_even, eps_eff_even and each line's Z0 are undefined: {NO_GROUND}")
    else:
        # N lines: each mode's impedance and eps_eff (the order of Result.modes)
        for i, (e, z) in enumerate(zip(eps, zm, strict=True), 1):
            values[f"z_mode_{i}"] = z
            values[f"eps_eff_mode_{i}"] = e
        if not grounded:
            notes.append(f"modal values that involve net charge are undefined: {NO_GROUND}")
    keys = value_keys(section)
    assert tuple(values) == keys, (tuple(values), keys)  # the order tables and columns rely on
    return Lines(
        values={k: (None if values[k] is None else float(values[k])) for k in keys},
        inductance=l_mat,
        impedance_matrix=zc,
        modes=tuple(
            Mode(eps_eff=float(e), z=float(z), voltages=tuple(map(float, v)))
            for e, z, v in zip(eps, zm, vec.T, strict=True)
        ),
        z0_lines=z0_lines,
        notes=tuple(notes),
    )


def value_keys(section: CrossSection) -> tuple[str, ...]:
    """The keys of ``Result.values`` for ``section``, in order (they depend only on its number of
    signals)."""
    n = len(section.signals)
    if n == 1:
        return SINGLE_KEYS
    if n == 2:
        return PAIR_KEYS
    return tuple(k for i in range(1, n + 1) for k in (f"z_mode_{i}", f"eps_eff_mode_{i}"))


def uncertainties(section: CrossSection, ref: Refinement) -> dict[str, dict[str, float | None]]:
    """Relative uncertainty of every value, ``{"total": ..., "grid": ..., "boundary": ...}``: grid
    (the least-squares estimate of :mod:`fieldsolver.numerics.refine` on the value's own sequence
    over the levels, plus the distance from the value the extrapolated matrices give to that
    sequence's own limit), open boundary, and their sum."""
    from ..numerics.refine import boundary_uncertainty, grid_uncertainty

    reported = line_parameters(section, ref.capacitance, ref.capacitance_vacuum).values
    c_grid = ref.capacitance if ref.grid_capacitance is None else ref.grid_capacitance
    c0_grid = ref.capacitance_vacuum if ref.grid_capacitance_vacuum is None else ref.grid_capacitance_vacuum
    from_grid = line_parameters(section, c_grid, c0_grid).values
    per_level = [line_parameters(section, lv.capacitance, lv.capacitance_vacuum).values for lv in ref.levels]
    per_bnd = [line_parameters(section, lv.capacitance, lv.capacitance_vacuum).values for lv in ref.boundary]
    out: dict[str, dict[str, float | None]] = {"total": {}, "grid": {}, "boundary": {}}
    for k, v in reported.items():
        g = from_grid[k]
        if v is None or g is None:
            for part in out.values():
                part[k] = None
            continue
        u_grid = grid_uncertainty(ref.levels, [vals[k] for vals in per_level], g, ref.order)
        u_bnd = boundary_uncertainty(*(vals[k] for vals in per_bnd)) if per_bnd else 0.0
        out["total"][k] = (u_grid + u_bnd) / abs(v)
        out["grid"][k] = u_grid / abs(v)
        out["boundary"][k] = u_bnd / abs(v)
    return out


# how each value is named in tables, titles and plots
LABELS = {
    "z0": "Z0",
    "eps_eff": "eps_eff",
    "delay": "delay",
    "z_diff": "Zdiff",
    "z_common": "Zcommon",
    "z_odd": "Zodd",
    "z_even": "Zeven",
    "eps_eff_odd": "eps_eff odd",
    "eps_eff_even": "eps_eff even",
    "delay_odd": "delay odd",
    "delay_even": "delay even",
}


def headline_keys(keys: Sequence[str]) -> tuple[str, ...]:
    """The values a report or plot leads with, of those in ``keys``: Z0 and eps_eff; Zdiff and
    Zcommon; each mode's impedance."""
    for group in (("z0", "eps_eff"), ("z_diff", "z_common")):
        if group[0] in keys:
            return tuple(k for k in group if k in keys)
    return tuple(k for k in keys if k.startswith("z_mode_"))
