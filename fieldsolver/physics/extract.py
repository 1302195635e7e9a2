"""Capacitance matrices -> inductance, impedances and modes. Small pure functions, SI units.

Conventions (quasi-TEM, lossless multiconductor line; C. R. Paul, *Analysis of Multiconductor
Transmission Lines*, 2nd ed., Wiley 2008, ch. 4-5):

* ``C``: Maxwell capacitance matrix with the dielectrics (F/m); ``C0``: the same in vacuum.
* ``L = mu0 eps0 C0^-1`` (H/m): the dielectrics do not change the inductance.
* Characteristic impedance matrix ``Zc``: the symmetric positive-definite solution of
  ``Zc C Zc = L``, i.e. ``Zc = C^-1/2 (C^1/2 L C^1/2)^1/2 C^-1/2``. It maps the forward-wave
  currents to the forward-wave voltages, ``V = Zc I``.
* Modes: the generalised eigenproblem ``C v = eps_eff C0 v`` gives each mode's voltage pattern
  ``v`` and effective permittivity (its phase velocity is ``c / sqrt(eps_eff)``).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from ..constants import C0 as LIGHT
from ..constants import EPS0, MU0


def inductance(c_vac: np.ndarray) -> np.ndarray:
    return MU0 * EPS0 * np.linalg.inv(c_vac)


def _sqrtm_spd(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(0.5 * (a + a.T))
    return (v * np.sqrt(np.maximum(w, 0.0))) @ v.T


def impedance_matrix(c: np.ndarray, l_mat: np.ndarray) -> np.ndarray:
    """Characteristic impedance matrix Zc (ohm), the SPD solution of ``Zc C Zc = L``."""
    cs = _sqrtm_spd(c)
    cs_inv = np.linalg.inv(cs)
    z = cs_inv @ _sqrtm_spd(cs @ l_mat @ cs) @ cs_inv
    return 0.5 * (z + z.T)


def modes(c: np.ndarray, c_vac: np.ndarray, zc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Modal effective permittivities (ascending), voltage patterns (columns, unit norm) and
    power-normalised modal impedances ``|v|^2 / (v . Zc^-1 v)``.

    In a homogeneous medium every mode has the same velocity and the patterns are not unique;
    there the eigenvectors of ``Zc`` are used (for a symmetric pair: the odd and even modes).
    Each pattern's sign is fixed: its first component that is not negligible (above 1e-6 of its
    largest) is positive, so the same structure gives the same patterns on every grid and machine.
    """
    eps, vec = sla.eigh(c, c_vac)
    if np.ptp(eps) <= 1e-9 * np.max(eps):
        _, vec = np.linalg.eigh(zc)
    vec = vec / np.linalg.norm(vec, axis=0)
    first = np.argmax(np.abs(vec) > 1e-6 * np.abs(vec).max(axis=0), axis=0)
    vec = vec * np.sign(vec[first, np.arange(vec.shape[1])])
    y = np.linalg.inv(zc)
    z = np.array([v @ v / (v @ y @ v) for v in vec.T])
    return eps, vec, z


def single_line(c: float, c_vac: float) -> dict[str, float]:
    eps_eff = c / c_vac
    return {
        "z0": 1.0 / (LIGHT * np.sqrt(c * c_vac)),
        "eps_eff": eps_eff,
        "delay": np.sqrt(eps_eff) / LIGHT,
    }


def pair(zc: np.ndarray) -> dict[str, float]:
    """Mixed-mode impedances of a pair from its Zc (Bockelman and Eisenstadt, IEEE T-MTT 43(7),
    1995): differential port voltage ``V1 - V2`` over current ``(I1 - I2)/2``, common-mode port
    voltage ``(V1 + V2)/2`` over current ``I1 + I2``. For a symmetric pair these reduce to
    ``Zdiff = 2 Zodd`` and ``Zcommon = Zeven / 2``."""
    z11, z22, z12 = zc[0, 0], zc[1, 1], zc[0, 1]
    z_diff = z11 + z22 - 2.0 * z12
    z_common = 0.25 * (z11 + z22 + 2.0 * z12)
    return {"z_diff": z_diff, "z_common": z_common, "z_odd": z_diff / 2.0, "z_even": 2.0 * z_common}


def odd_even_eps(eps: np.ndarray, vec: np.ndarray) -> dict[str, float]:
    """Effective permittivities of a pair's two modes: the odd(-like) mode is the one whose
    voltages on the two lines have opposite signs."""
    odd = int(np.argmin(vec[0] * vec[1]))
    return {"eps_eff_odd": float(eps[odd]), "eps_eff_even": float(eps[1 - odd])}
