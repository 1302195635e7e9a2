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

What a length does (:func:`response`: each line's through and reflection, NEXT and FEXT between
lines, a pair's mixed-mode parameters in scikit-rf's ``se2gmm`` convention, :func:`mixed_mode`)
needs numpy only; :func:`touchstone` writes a network's file through scikit-rf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
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

    def to_dict(self, length: float | None = None, rise: float | None = None) -> dict:
        """JSON: the coefficients, and with a length and a rise time the NEXT and FEXT (fractions
        of the aggressor's step) and the length from which NEXT saturates (m)."""
        d: dict = {
            "k_backward": self.k_backward.tolist(),
            "k_forward": self.k_forward.tolist(),
            "delay": self.delay.tolist(),
        }
        if length is not None and rise is not None:
            d["length"] = _length(length)
            d["rise"] = _rise(rise)
            d["near_end"] = self.near_end(length, rise).tolist()
            d["far_end"] = self.far_end(length, rise).tolist()
            d["saturation_length"] = self.saturation_length(rise).tolist()
        return d


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


# ------------------------------------------------------------------------ what a length does
def select(p: Propagation, freq) -> Propagation:
    """``p`` at some of its own frequencies (each within 1e-9 of one of ``p.freq``)."""
    f = np.atleast_1d(np.asarray(freq, dtype=float))
    idx = np.array([int(np.argmin(np.abs(p.freq - x))) for x in f], dtype=int)
    off = np.abs(p.freq[idx] - f) > 1e-9 * f
    if f.ndim != 1 or f.size == 0 or np.any(off):
        bad = f[off][0] if np.any(off) else f
        raise InputError(
            f"frequency {bad} Hz was not solved: the line's R, L, G, C are known at "
            f"{p.freq[0]:g} to {p.freq[-1]:g} Hz ({p.freq.size} frequencies); solve with that frequency, "
            "or interpolate the network (skrf.Network.interpolate)"
        )
    a = p.attenuation
    return Propagation(
        freq=p.freq[idx],
        gamma=p.gamma[idx],
        tv=p.tv[idx],
        ti=p.ti[idx],
        z_c=p.z_c[idx],
        z_mode=p.z_mode[idx],
        attenuation=type(a)(a.total[idx], a.conductor[idx], a.dielectric[idx], a.unit),
    )


# mixed-mode ports of a pair, in scikit-rf's se2gmm(p=2) order
MIXED_PORTS = ("D1", "D2", "C1", "C2")
_MIX = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]) / np.sqrt(2)


def mixed_mode(p: Propagation, length: float, *, z_ref=50.0) -> tuple[np.ndarray, np.ndarray]:
    """A pair's mixed-mode S-parameters (F, 4, 4) and their reference impedances (4,), in
    scikit-rf's ``se2gmm(p=2)`` convention (Ferrero and Pirola, IEEE Trans. MTT 54(1), 2006):
    ports D1, D2, C1, C2 = the differential and common mode at the near and the far end;
    ``Vd = V1 - V2``, ``Id = (I1 - I2) / 2``, ``Vc = (V1 + V2) / 2``, ``Ic = I1 + I2``, with
    references ``2 z`` (differential) and ``z / 2`` (common), ``z`` the mean of the two
    single-ended references at that end. So SDD21 = ``S[1, 0]``, SDD11 = ``S[0, 0]``,
    SCC21 = ``S[3, 2]``, SCD21 (differential in, common out) = ``S[3, 0]``.

    With the same reference ``z`` on both lines of an end, the mixed-mode waves are
    ``(a1 -+ a2) / sqrt(2)`` of the single-ended ones, so ``S_mm = M S M^T``; the single-ended S
    is made at those references."""
    if p.n_lines != 2:
        raise InputError(f"mixed-mode parameters are a pair's: this line has {p.n_lines} signals")
    z = _z_ref(z_ref, 4)
    near, far = 0.5 * (z[0] + z[1]), 0.5 * (z[2] + z[3])
    s = scattering(p, length, z_ref=np.array([near, near, far, far]))
    return _MIX @ s @ _MIX.T, np.array([2 * near, 2 * far, near / 2, far / 2])


@dataclass(frozen=True)
class Response:
    """What a length of an N-line does between ports of ``z_ref``: its S-parameters ``s``
    (F, 2N, 2N; near ends 1..N, far ends N+1..2N) and, for a pair, the mixed-mode ``mixed``
    (F, 4, 4; :func:`mixed_mode`) with references ``z_mixed``.

    Views (complex, per frequency): ``through`` (F, N), line i's ``S(N+i, i)`` (for one line,
    S21); ``reflection`` (F, N), ``S(i, i)``; ``near_end`` (F, N, N), ``[i, j] = S(i, j)``: the
    wave out of victim i's near end per wave into aggressor j's near end (NEXT); ``far_end``
    (F, N, N), ``[i, j] = S(N+i, j)``: out of victim i's far end (FEXT). Their diagonals are 0.
    """

    freq: np.ndarray
    length: float
    z_ref: np.ndarray
    s: np.ndarray
    mixed: np.ndarray | None = None
    z_mixed: np.ndarray | None = None

    @property
    def n_lines(self) -> int:
        return self.s.shape[1] // 2

    @property
    def through(self) -> np.ndarray:
        n = self.n_lines
        return self.s[:, np.arange(n) + n, np.arange(n)]

    @property
    def reflection(self) -> np.ndarray:
        n = self.n_lines
        return self.s[:, np.arange(n), np.arange(n)]

    def _off(self, m: np.ndarray) -> np.ndarray:
        return m * (1 - np.eye(self.n_lines))

    @property
    def near_end(self) -> np.ndarray:
        n = self.n_lines
        return self._off(self.s[:, :n, :n])

    @property
    def far_end(self) -> np.ndarray:
        n = self.n_lines
        return self._off(self.s[:, n:, :n])

    def to_dict(self) -> dict:
        """JSON: dB (``20 log10 |S|``) per frequency; null on the diagonals of NEXT and FEXT."""
        n = self.n_lines
        d: dict = {
            "length": self.length,
            "z_ref": self.z_ref.tolist(),
            "transmission_db": _db_list(self.through),
            "reflection_db": _db_list(self.reflection),
        }
        if n > 1:
            off = ~np.eye(n, dtype=bool)
            d["next_db"] = _db_list(self.near_end, off)
            d["fext_db"] = _db_list(self.far_end, off)
        if self.mixed is not None and self.z_mixed is not None:
            d["z_ref_mixed"] = self.z_mixed.tolist()
            for key, (i, j) in MIXED_KEYS.items():
                d[f"{key}_db"] = _db_list(self.mixed[:, i, j])
        return d


# mixed-mode S-parameters reported for a pair: name -> (row, column) in MIXED_PORTS order
MIXED_KEYS = {"sdd21": (1, 0), "sdd11": (0, 0), "scc21": (3, 2), "scd21": (3, 0)}


def _db_list(x: np.ndarray, keep: np.ndarray | None = None) -> list:
    """dB of every entry as nested lists; None where ``keep`` (broadcast over the last axes) is
    False, or where |x| = 0 (-inf dB is not JSON)."""
    with np.errstate(divide="ignore"):
        v = db(x)
    ok = np.isfinite(v) if keep is None else np.isfinite(v) & keep
    return _nan_to_none(np.where(ok, v, np.nan))


def _nan_to_none(a: np.ndarray):
    if a.ndim == 0:
        return None if np.isnan(a) else float(a)
    return [_nan_to_none(x) for x in a]


def response(p: Propagation, length: float, *, z_ref=50.0) -> Response:
    """:class:`Response` of the line ``p`` of ``length`` m between ports of ``z_ref`` ohm (a
    scalar or 2N values); for two lines, with their mixed-mode parameters."""
    z = _z_ref(z_ref, 2 * p.n_lines)
    s = scattering(p, length, z_ref=z)
    mixed, z_mixed = mixed_mode(p, length, z_ref=z) if p.n_lines == 2 else (None, None)
    return Response(freq=p.freq, length=_length(length), z_ref=z, s=s, mixed=mixed, z_mixed=z_mixed)


# ------------------------------------------------------------------------------- Touchstone
_TOUCHSTONE = re.compile(r"\.s(\d+)p", re.IGNORECASE)


def touchstone_format(path) -> tuple[str, int | None]:
    """The Touchstone version and port count a file name asks for: ``.sNp`` -> ("1.0", N),
    ``.ts`` -> ("2.0", None: any). :class:`InputError` for any other suffix."""
    suffix = Path(path).suffix
    m = _TOUCHSTONE.fullmatch(suffix)
    if m:
        return "1.0", int(m.group(1))
    if suffix.lower() == ".ts":
        return "2.0", None
    raise InputError(f"{path}: a Touchstone file is .sNp (version 1.0, N ports) or .ts (version 2.0)")


def touchstone(net: skrf.Network, *, version: str = "1.0", mixed: bool = False) -> str:
    """The text of ``net`` as a Touchstone file, written by scikit-rf. ``mixed``: the pair's
    mixed-mode parameters instead (scikit-rf's ``se2gmm(p=2)``: ports D1, D2, C1, C2, see
    :func:`mixed_mode`), whose unequal references need version 2.0. Version 1.0 holds one
    reference for every port."""
    rf = optional("skrf", "networks", "S-parameter networks")
    comments = [
        f"{net.name}: a length of {net.nports // 2}-line transmission line from fieldsolver",
        f"ports 1..{net.nports // 2}: near ends of the lines, {net.nports // 2 + 1}..{net.nports}: their far ends",
    ]
    if mixed:
        if net.nports != 4:
            raise InputError(f"mixed-mode parameters are a pair's: this network has {net.nports} ports")
        mm = net.copy()
        mm.se2gmm(p=2)
        # a fresh network of the same numbers: scikit-rf writes no mixed-mode port labels
        net = rf.Network(frequency=mm.frequency, s=mm.s, z0=mm.z0, name=net.name)
        comments = [
            comments[0],
            "mixed-mode (scikit-rf se2gmm): port 1 = differential near end, 2 = differential far end,",
            "3 = common near end, 4 = common far end; Vd = V1 - V2, Id = (I1 - I2)/2, Vc = (V1 + V2)/2, Ic = I1 + I2",
        ]
    z0 = net.z0[0].real
    if version == "1.0" and not np.all(z0 == z0[0]):
        raise InputError(
            f"reference impedances {', '.join(f'{z:g}' for z in z0)} ohm: Touchstone 1.0 (.sNp) holds one "
            "for all ports; write a .ts file (Touchstone 2.0)"
        )
    net.comments = "\n".join(f" {c}" for c in comments)
    return net.write_touchstone(return_string=True, version=version)
