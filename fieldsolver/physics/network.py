"""A length of multiconductor line as a 2N-port (S-parameters, ``skrf.Network``), and the
classical crosstalk coefficients of its lines.

scikit-rf is imported here and nowhere else, lazily: the S-parameters themselves need only numpy
(:func:`s_parameters`); :func:`network` wraps them in an ``skrf.Network`` when the ``networks``
extra is installed.

Conventions
-----------
* Time dependence ``exp(+j w t)``: a matched lossless line of length l has ``S21 = exp(-j beta l)``
  (phase ``-beta l``), as in scikit-rf and Pozar, *Microwave Engineering*.
* Ports in scikit-rf's order: port k (k = 1..N) is the near end (z = 0) of line k, port N + k its
  far end (z = l). Port currents flow into the line. The reference impedance ``z_ref`` (ohm) is
  real and positive, one for all ports or one per port; the waves are
  ``a = (V + z_ref I) / (2 sqrt(z_ref))``, ``b = (V - z_ref I) / (2 sqrt(z_ref))`` (for a real
  reference, scikit-rf's power, pseudo and travelling waves all coincide).
* The line: the modal solution of the telegrapher's equations (C. R. Paul, *Analysis of
  Multiconductor Transmission Lines*, 2nd ed., Wiley 2008, ch. 7; see
  ``fieldsolver.physics.transmission``): ``I(z) = Ti (exp(-gamma z) a - exp(gamma (z - l)) b)``,
  ``V(z) = Zc Ti (exp(-gamma z) a + exp(gamma (z - l)) b)``, with the forward amplitudes ``a``
  taken at z = 0 and the backward ones ``b`` at z = l. Written so, the port conditions hold only
  the factors ``exp(-gamma l)``, of magnitude <= 1: no cosh or sinh that overflow on long lossy
  lines, and no division by ``1 - exp(-2 gamma l)``, which vanishes on a lossless line every half
  wavelength (where the line's Y and Z parameters do not exist but S does). Paul's chain-parameter
  matrix (:func:`chain_parameters`) gives the same network where it can be evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError, optional
from .transmission import Propagation, propagation

if TYPE_CHECKING:  # scikit-rf is an optional extra, imported when a network is made
    import skrf


def _length(length: float) -> float:
    if isinstance(length, bool) or not isinstance(length, int | float | np.floating | np.integer):
        raise InputError(f"line length {length!r}: expected a number of metres")
    if not (np.isfinite(length) and length > 0):
        raise InputError(f"line length {length:g} m: expected a finite length > 0")
    return float(length)


def _z_ref(z_ref, ports: int) -> np.ndarray:
    """(ports,) reference impedances from a scalar or one per port; real, finite, > 0."""
    z = np.asarray(z_ref)
    if np.iscomplexobj(z) or z.dtype.kind not in "iuf":
        raise InputError(f"reference impedance {z_ref!r}: expected real numbers of ohms")
    z = np.broadcast_to(z.astype(float), (ports,)) if z.ndim == 0 else z.astype(float)
    if z.shape != (ports,):
        raise InputError(f"reference impedance: {z.size} values for a {ports}-port, expected 1 or {ports}")
    if not np.all(np.isfinite(z) & (z > 0)):
        raise InputError(f"reference impedance {z[~(np.isfinite(z) & (z > 0))][0]:g} ohm: expected > 0")
    return z


def scattering(p: Propagation, length: float, *, z_ref=50.0) -> np.ndarray:
    """S-parameters (F, 2N, 2N) of the line ``p`` of the given length (m) between ports of
    reference impedance ``z_ref`` (ohm: a scalar or 2N values).

    The port waves in terms of the modal amplitudes (module docstring), with ``E = exp(-gamma l)``
    and ``Z1``, ``Z2`` the diagonal reference impedances of the near and far ports:
    ``2 sqrt(Z1) a1 = (Zc + Z1) Ti a + (Zc - Z1) Ti E b``,
    ``2 sqrt(Z1) b1 = (Zc - Z1) Ti a + (Zc + Z1) Ti E b``,
    ``2 sqrt(Z2) a2 = (Zc - Z2) Ti E a + (Zc + Z2) Ti b``,
    ``2 sqrt(Z2) b2 = (Zc + Z2) Ti E a + (Zc - Z2) Ti b``; so ``S = M_b M_a^-1``.
    """
    n = p.n_lines
    z0 = _z_ref(z_ref, 2 * n)
    e = np.exp(-p.gamma * _length(length))[:, None, :]  # columns scaled by E
    zt = p.z_c @ p.ti
    z1, z2 = z0[:n, None], z0[n:, None]
    plus1, minus1 = zt + z1 * p.ti, zt - z1 * p.ti
    plus2, minus2 = zt + z2 * p.ti, zt - z2 * p.ti
    m_a = np.block([[plus1, minus1 * e], [minus2 * e, plus2]])
    m_b = np.block([[minus1, plus1 * e], [plus2 * e, minus2]])
    s = np.linalg.solve(m_a.swapaxes(1, 2), m_b.swapaxes(1, 2)).swapaxes(1, 2)  # M_b M_a^-1
    scale = np.sqrt(z0)
    return s * scale[None, None, :] / scale[None, :, None]  # waves: divide row i by 2 sqrt(z_i)


def s_parameters(freq, R, L, G, C, length: float, *, z_ref=50.0) -> np.ndarray:
    """S-parameters (F, 2N, 2N) of a line of the given length (m) with per-unit-length matrices
    ``R, L, G, C`` ((F, N, N) or (N, N), SI) at ``freq`` (F,) Hz: near ends ports 1..N, far ends
    N+1..2N, reference ``z_ref`` ohm (a scalar or 2N values)."""
    return scattering(propagation(freq, R, L, G, C), length, z_ref=z_ref)


def network(freq, R, L, G, C, length: float, *, z_ref=50.0, name: str = "line") -> skrf.Network:
    """The line of :func:`s_parameters` as an ``skrf.Network`` (needs the ``networks`` extra)."""
    return to_network(propagation(freq, R, L, G, C), length, z_ref=z_ref, name=name)


def to_network(p: Propagation, length: float, *, z_ref=50.0, name: str = "line") -> skrf.Network:
    """:func:`scattering` of ``p`` as an ``skrf.Network`` named ``name``, its port impedances
    ``z_ref``. A network with unequal port impedances is written to Touchstone with
    ``write_touchstone(..., version="2.0")`` (version 1.0 has one reference for all ports)."""
    rf = optional("skrf", "networks", "S-parameter networks")
    s = scattering(p, length, z_ref=z_ref)
    z0 = _z_ref(z_ref, s.shape[1])
    frequency = rf.Frequency.from_f(p.freq, unit="Hz")
    return rf.Network(frequency=frequency, s=s, z0=z0, name=name)


def chain_parameters(p: Propagation, length: float) -> np.ndarray:
    """Paul's chain-parameter matrix (F, 2N, 2N): ``[V(l); I(l)] = Phi [V(0); I(0)]`` (Paul 2008,
    ch. 7), ``Phi11 = Zc Ti ch Ti^-1 Zc^-1``, ``Phi12 = -Zc Ti sh Ti^-1``,
    ``Phi21 = -Ti sh Ti^-1 Zc^-1``, ``Phi22 = Ti ch Ti^-1``, with ``ch = cosh(gamma l)`` and
    ``sh = sinh(gamma l)``. The textbook form: it overflows once Re(gamma l) exceeds ~700, and
    its Y and Z parameters are singular on a lossless line every half wavelength;
    :func:`scattering` is the robust form."""
    gl = p.gamma * _length(length)
    ch, sh = np.cosh(gl)[:, None, :], np.sinh(gl)[:, None, :]
    ti, ti_inv = p.ti, np.linalg.inv(p.ti)
    yc = np.linalg.inv(p.z_c)
    return np.block(
        [
            [p.z_c @ (ti * ch) @ ti_inv @ yc, -p.z_c @ (ti * sh) @ ti_inv],
            [-(ti * sh) @ ti_inv @ yc, (ti * ch) @ ti_inv],
        ]
    )


# ---------------------------------------------------------------------------------- crosstalk
@dataclass(frozen=True)
class Crosstalk:
    """Classical (weak-coupling, lossless, matched) crosstalk coefficients between every pair of
    N lines, from L and C at one frequency.

    For aggressor j and victim i (i != j; the diagonal is 0), with ``P = C^-1``:

    * inductive coupling ``kL = L_ij / sqrt(L_ii L_jj)`` and capacitive coupling
      ``kC = P_ij / sqrt(P_ii P_jj)``, each with every other line open (no current, no charge).
      For two lines ``kC = -C_12 / sqrt(C_11 C_22)`` exactly: the classical ``Lm / L`` and
      ``Cm / C`` (Cm the magnitude of the mutual capacitance) of a symmetric pair. In a
      homogeneous medium ``L`` is proportional to ``C^-1``, so ``kL = kC`` for any N.
    * ``k_backward = Kb = (kL + kC) / 4`` and ``k_forward = Kf = (kC - kL) / 2`` (dimensionless;
      Hall, Hall and McCall, *High-Speed Digital System Design*, Wiley 2000, ch. 3; Bogatin,
      *Signal and Power Integrity - Simplified*, ch. "Cross Talk in Transmission Lines", whose
      ``kf = Kf / v`` is per unit of delay). Sign: Kb > 0, a near-end pulse of the aggressor's
      polarity; Kf > 0 where capacitive coupling dominates, Kf < 0 (a far-end pulse of opposite
      polarity to the aggressor's edge) where inductive coupling dominates, as on microstrip;
      Kf = 0 in a homogeneous medium (stripline).
    * ``delay`` (N,) s/m: line i's delay with the others open, ``sqrt(L_ii / P_ii)`` (exact for
      every mode in a homogeneous medium; between the modal delays otherwise). For a pair of lines
      ``TD = length (delay_i + delay_j) / 2``.

    Valid for weak coupling (kL, kC << 1), lossless lines terminated in their own impedance at
    both ends, and an aggressor edge of linear rise time ``tr`` (10-90 % is the usual stand-in):
    NEXT = ``Kb min(1, 2 TD / tr)`` of the aggressor's step (saturated, = Kb, once the line is
    longer than ``tr v / 2``), FEXT = ``Kf TD / tr`` (a pulse of width tr, growing with length
    while it stays small; the modes' different delays must stay below tr). In the frequency
    domain the same theory gives ``S(near) = Kb (1 - exp(-2 j beta l))`` and
    ``S(far) = j w TD Kf exp(-j beta l)``.
    """

    k_backward: np.ndarray
    k_forward: np.ndarray
    delay: np.ndarray

    def _td(self, length: float) -> np.ndarray:
        return _length(length) * 0.5 * (self.delay[:, None] + self.delay[None, :])

    def near_end(self, length: float, rise: float) -> np.ndarray:
        """(N, N) NEXT as a fraction of the aggressor's step: ``Kb min(1, 2 TD / tr)``."""
        return self.k_backward * np.minimum(1.0, 2.0 * self._td(length) / _rise(rise))

    def far_end(self, length: float, rise: float) -> np.ndarray:
        """(N, N) FEXT as a fraction of the aggressor's step: ``Kf TD / tr`` (signed)."""
        return self.k_forward * self._td(length) / _rise(rise)

    def saturation_length(self, rise: float) -> np.ndarray:
        """(N, N) m: the length ``tr v / 2`` from which NEXT is saturated (``v = 1 / delay``)."""
        return _rise(rise) / (self.delay[:, None] + self.delay[None, :])


def _rise(rise: float) -> float:
    if not (np.isfinite(rise) and rise > 0):
        raise InputError(f"rise time {rise:g} s: expected a finite time > 0")
    return float(rise)


def crosstalk(L: np.ndarray, C: np.ndarray) -> Crosstalk:
    """:class:`Crosstalk` of N lines from their inductance and (Maxwell) capacitance matrices
    (N, N) at one frequency, H/m and F/m."""
    L, C = np.asarray(L, dtype=float), np.asarray(C, dtype=float)
    if L.ndim != 2 or L.shape != C.shape or L.shape[0] != L.shape[1]:
        raise ValueError(f"L {L.shape} and C {C.shape}: expected two N x N matrices")
    P = np.linalg.inv(C)

    def normalised(m: np.ndarray) -> np.ndarray:
        d = np.sqrt(np.diag(m))
        k = m / np.outer(d, d)
        np.fill_diagonal(k, 0.0)
        return k

    k_l, k_c = normalised(L), normalised(P)
    return Crosstalk(
        k_backward=0.25 * (k_l + k_c),
        k_forward=0.5 * (k_c - k_l),
        delay=np.sqrt(np.diag(L) / np.diag(P)),
    )


def db(x) -> np.ndarray:
    """``20 log10 |x|``: a wave or voltage ratio in dB."""
    return 20.0 * np.log10(np.abs(x))
