"""Per-unit-length R, L, G, C at each frequency -> the line's modes, characteristic impedance and
loss. Small functions over numpy arrays, SI units; numpy and scipy only.

Conventions (C. R. Paul, *Analysis of Multiconductor Transmission Lines*, 2nd ed., Wiley 2008,
ch. 7; time dependence ``exp(+j w t)``, so a wave ``exp(-gamma z)`` travels toward +z):

* ``Z = R + j w L`` and ``Y = G + j w C`` (N x N, per metre), with the telegrapher's equations
  ``dV/dz = -Z I`` and ``dI/dz = -Y V``. ``R`` (ohm/m), ``L`` (H/m), ``G`` (S/m), ``C`` (F/m) are
  the symmetric matrices of the N signal conductors against the reference (every ground).
* Modes: ``Z Y = Tv gamma^2 Tv^-1`` and ``Y Z = Ti gamma^2 Ti^-1``. The columns of ``Tv`` are the
  modes' voltage patterns (unit 2-norm); ``Ti = Tv^-T`` (Paul's normalisation ``Tv^T Ti = 1``,
  which holds because Z and Y are symmetric). Mode k travels as ``exp(-gamma_k z)`` with
  ``gamma = alpha + j beta``, the root with ``alpha >= 0`` and ``beta >= 0``.
* Characteristic impedance matrix: ``Zc = Z Ti gamma^-1 Ti^-1`` (``= Y^-1 Ti gamma Ti^-1``), so a
  forward wave has ``V = Zc I``; it satisfies ``Zc Y Zc = Z`` and is symmetric. Lossless
  (``R = G = 0``), ``Zc = L (C L)^-1/2``: the symmetric positive-definite solution of
  ``Zc C Zc = L``, as ``fieldsolver.physics.extract.impedance_matrix`` computes it.
* ``eps_eff = (beta / k0)^2`` with ``k0 = w / c``, and the phase delay ``beta / w`` (s/m) of each
  mode. With loss, beta also holds the dispersion of the loss (at low frequency, where
  ``R >> w L``, beta and so eps_eff rise far above their high-frequency values).
* Modal impedance: ``z_mode = (v^H v) / (v^H Zc^-1 v)`` for the mode's voltage pattern ``v``, so
  that a forward wave of that mode alone with voltages ``V = a v`` carries the complex power
  ``(1/2) V^T conj(I) = (1/2) |V|^2 / conj(z_mode)``. For one line it is ``sqrt(Z / Y)``; for a
  lossless line it is ``extract.modes``' power-normalised ``|v|^2 / (v . Zc^-1 v)``.
* Attenuation of each mode (Np/m): ``total = Re gamma``; ``conductor``: ``Re gamma`` with G set
  to 0; ``dielectric``: ``Re gamma`` with R set to 0. ``total ~= conductor + dielectric`` only at
  low loss (``R << w L`` and ``G << w C``): the split neglects terms of order
  ``(R / w L) (G / w C)``. dB = 20 log10(e) Np = 8.686 Np; dB/inch = 0.0254 dB/m.

Mode order: at the highest frequency, ascending eps_eff (as ``extract.modes``); from there down
the band, each mode keeps its identity by the continuity of its voltage pattern (the pattern
closest to the mode's pattern at the neighbouring frequency), not by sorting the eigenvalues
again, so that modes whose velocities cross keep their names. Where several modes have the same
gamma (a homogeneous medium), any combination of their patterns is a mode; there the patterns
that continue the neighbouring frequency's are used, and at the highest frequency the eigenvectors
of L within them (in a homogeneous line, the eigenvectors of Zc, as ``extract.modes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy.linalg as sla

from ..constants import C0 as LIGHT
from ..errors import InputError

NP_TO_DB = 20.0 / np.log(10.0)  # dB per neper: 20 log10(e) = 8.6859
M_PER_INCH = 0.0254  # metres per inch (exact)
DEGENERATE = 1e-8  # relative distance of eigenvalues below which modes are treated as degenerate
# a pair whose two lines' diagonal entries of R, L, G and C agree to this (relative) is taken as
# mirror-symmetric by the error bars (see propagation_uncertainty)
SYMMETRIC = 1e-3
ATTENUATION_UNITS = {"Np/m": 1.0, "dB/m": NP_TO_DB, "dB/in": NP_TO_DB * M_PER_INCH}


@dataclass(frozen=True)
class Attenuation:
    """Attenuation of each mode (arrays of the same shape, in ``unit``): ``total`` = Re gamma,
    ``conductor`` = Re gamma with G = 0, ``dielectric`` = Re gamma with R = 0 (their sum is the
    total only at low loss)."""

    total: np.ndarray
    conductor: np.ndarray
    dielectric: np.ndarray
    unit: str = "Np/m"

    def to(self, unit: str) -> Attenuation:
        """The same attenuation in ``unit``: "Np/m", "dB/m" or "dB/in"."""
        if unit not in ATTENUATION_UNITS:
            raise ValueError(f"attenuation unit {unit!r}: expected one of {', '.join(ATTENUATION_UNITS)}")
        k = ATTENUATION_UNITS[unit] / ATTENUATION_UNITS[self.unit]
        return Attenuation(self.total * k, self.conductor * k, self.dielectric * k, unit)


@dataclass(frozen=True)
class Propagation:
    """The modes of an N-line at F frequencies (see the module's docstring for every definition).

    freq (F,) Hz; gamma (F, N) complex, alpha + j beta (Np/m, rad/m); tv (F, N, N) complex, the
    modes' voltage patterns as columns (unit 2-norm); ti (F, N, N) complex, ``Tv^-T``; z_c
    (F, N, N) complex characteristic impedance matrix (ohm); z_mode (F, N) complex modal
    impedance (ohm); attenuation: :class:`Attenuation` of arrays (F, N) in Np/m.
    """

    freq: np.ndarray
    gamma: np.ndarray
    tv: np.ndarray
    ti: np.ndarray
    z_c: np.ndarray
    z_mode: np.ndarray
    attenuation: Attenuation

    @property
    def n_lines(self) -> int:
        return self.gamma.shape[1]

    @property
    def alpha(self) -> np.ndarray:
        """(F, N) Np/m."""
        return self.gamma.real

    @property
    def beta(self) -> np.ndarray:
        """(F, N) rad/m."""
        return self.gamma.imag

    @property
    def eps_eff(self) -> np.ndarray:
        """(F, N): ``(beta / k0)^2``."""
        k0 = 2.0 * np.pi * self.freq[:, None] / LIGHT
        return (self.beta / k0) ** 2

    @property
    def delay(self) -> np.ndarray:
        """(F, N) s/m: phase delay per metre, ``beta / w``."""
        return self.beta / (2.0 * np.pi * self.freq[:, None])


@dataclass(frozen=True)
class PairModes:
    """A pair's mixed-mode view of a :class:`Propagation` (arrays over frequency, shape (F,)).

    z_diff, z_common: complex, from Zc as ``extract.pair`` defines them for the lossless case:
    ``Zdiff = Z11 + Z22 - 2 Z12`` (differential voltage V1 - V2 over differential current
    (I1 - I2)/2) and ``Zcommon = (Z11 + Z22 + 2 Z12) / 4`` (common voltage (V1 + V2)/2 over total
    current I1 + I2). odd: the index of the odd-like mode (its voltages on the two lines have
    opposite signs, ``Re(v1 conj(v2)) < 0``, as ``extract.odd_even_eps``); the differential
    (``_diff``) quantities are that mode's, the common (``_common``) ones the other (even-like)
    mode's: gamma (1/m), eps_eff, attenuation (:class:`Attenuation`, Np/m).
    """

    z_diff: np.ndarray
    z_common: np.ndarray
    odd: np.ndarray
    gamma_diff: np.ndarray
    gamma_common: np.ndarray
    eps_eff_diff: np.ndarray
    eps_eff_common: np.ndarray
    attenuation_diff: Attenuation
    attenuation_common: Attenuation


# ------------------------------------------------------------------------------------ input
def _matrices(freq, R, L, G, C) -> tuple[np.ndarray, list[np.ndarray]]:
    """freq (F,) and the four matrices broadcast to (F, N, N), checked and symmetrised."""
    f = np.atleast_1d(np.asarray(freq, dtype=float))
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"freq: expected a 1-D array of frequencies, got shape {np.shape(freq)}")
    bad = f[~(np.isfinite(f) & (f > 0))]
    if bad.size:
        raise InputError(f"frequency {bad[0]:g} Hz: expected a finite frequency > 0")
    out = []
    for name, m in zip("RLGC", (R, L, G, C), strict=True):
        a = np.asarray(m, dtype=float)
        if a.ndim == 2:
            a = np.broadcast_to(a, (f.size, *a.shape))
        if a.ndim != 3 or a.shape[0] != f.size or a.shape[1] != a.shape[2]:
            raise ValueError(f"{name}: expected shape (F, N, N) or (N, N) with F = {f.size}, got {np.shape(m)}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name}: not finite")
        asym = np.abs(a - a.transpose(0, 2, 1)).max()
        if asym > 1e-6 * max(np.abs(a).max(), np.finfo(float).tiny):
            raise ValueError(f"{name}: not symmetric (largest difference {asym:g})")
        out.append(0.5 * (a + a.transpose(0, 2, 1)))
    n = {m.shape[1] for m in out}
    if len(n) != 1:
        raise ValueError(f"R, L, G, C: different numbers of lines {sorted(n)}")
    return f, out


# ------------------------------------------------------------------------------- eigenmodes
def _blocks(mu: np.ndarray) -> list[np.ndarray]:
    """Indices of the eigenvalues grouped where they are degenerate (within DEGENERATE of each
    other, relative to the largest), in ascending order of Re mu."""
    order = np.argsort(mu.real, kind="stable")
    scale = np.abs(mu).max()
    groups: list[list[int]] = [[int(order[0])]]
    for a, b in pairwise(order):
        if abs(mu[b] - mu[a]) <= DEGENERATE * scale:
            groups[-1].append(int(b))
        else:
            groups.append([int(b)])
    return [np.array(g) for g in groups]


def _unit(u: np.ndarray) -> np.ndarray:
    return u / np.linalg.norm(u, axis=0)


def _phase(u: np.ndarray, ref: np.ndarray | None) -> np.ndarray:
    """Unit column u with its phase fixed: ``ref^H u`` real positive, or (no reference) its
    largest component real positive."""
    if ref is not None:
        p = np.vdot(ref, u)
    else:
        mag = np.abs(u)
        p = u[np.flatnonzero(mag >= mag.max() * (1.0 - 1e-9))[0]]
    return u * (np.conj(p) / abs(p)) if abs(p) > 0 else u


def _eigen(P: np.ndarray, l_mat: np.ndarray, ref: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues mu and unit eigenvectors (columns) of P = Z Y / (-w^2), ordered to follow the
    reference patterns ``ref`` (columns), or without one in ascending Re mu."""
    real = not np.iscomplexobj(P) or not np.any(P.imag)
    mu, vec = sla.eig(P.real if real else P)
    vec = _unit(vec)
    blocks = []  # (orthonormal basis of a degenerate set, its eigenvalue(s), member indices)
    for idx in _blocks(mu):
        q = vec[:, idx] if idx.size == 1 else np.linalg.qr(vec[:, idx])[0]
        blocks.append((q, idx))
    n = P.shape[0]
    out_mu = np.empty(n, dtype=complex)
    out_vec = np.empty((n, n), dtype=complex)
    if ref is None:
        k = 0
        for q, idx in blocks:
            if idx.size > 1:  # any combination is a mode: the eigenvectors of L within them
                _, w = np.linalg.eigh(q.conj().T @ l_mat @ q)
                q = _unit(q @ w)
            for j in range(q.shape[1]):
                out_vec[:, k] = _phase(q[:, j], None)
                out_mu[k] = mu[idx[0]] if idx.size == 1 else _rayleigh(P, out_vec[:, k])
                k += 1
    else:
        slots = [b for b, (q, _) in enumerate(blocks) for _ in range(q.shape[1])]
        score = np.array([[np.linalg.norm(blocks[b][0].conj().T @ r) for b in slots] for r in ref.T])
        from scipy.optimize import linear_sum_assignment  # here: it costs every command 0.25 s to import

        rows, cols = linear_sum_assignment(-score)
        for b, (q, idx) in enumerate(blocks):
            ks = rows[[slots[c] == b for c in cols]]
            if idx.size > 1:  # continue the reference patterns inside the degenerate set
                u = q @ (q.conj().T @ ref[:, ks])
                q = _unit(u) if np.linalg.cond(u) < 1e8 else q
            for j, k in enumerate(ks):
                out_vec[:, k] = _phase(q[:, j], ref[:, k])
                out_mu[k] = mu[idx[0]] if idx.size == 1 else _rayleigh(P, out_vec[:, k])
    if real:
        out_mu = out_mu.real.astype(complex)
    return out_mu, out_vec


def _rayleigh(P: np.ndarray, u: np.ndarray) -> complex:
    return complex(np.vdot(u, P @ u) / np.vdot(u, u))


def _gamma(w: float, mu: np.ndarray) -> np.ndarray:
    """gamma = j w sqrt(mu), the principal root: for passive lines mu = -gamma^2 / w^2 lies in the
    closed lower half plane, so that alpha >= 0 and beta >= 0."""
    return 1j * w * np.sqrt(mu)


def _modes(f, Zp, Yp, l_mat, refs=None) -> tuple[np.ndarray, np.ndarray]:
    """gamma (F, N) and voltage patterns (F, N, N) of ``Z = j w Zp``, ``Y = j w Yp``. Without
    ``refs``, tracked by continuity from the highest frequency down; with ``refs`` (F, N, N),
    matched to ``refs[i]`` at each frequency.

    The eigenproblems of all frequencies are solved at once (:func:`_eigen_all`); where a
    frequency's eigenvalues are distinct and it has a reference, its modes are ordered from
    those (:func:`_tracked`, what :func:`_eigen` does there); the rest go through :func:`_eigen`."""
    F, N = f.size, Zp.shape[1]
    gamma = np.empty((F, N), dtype=complex)
    tv = np.empty((F, N, N), dtype=complex)
    P = Zp @ Yp
    mu_all, vec_all, real, distinct = _eigen_all(P)
    w = 2.0 * np.pi * f
    if refs is not None:  # every frequency has its reference: the distinct ones all at once
        fast = np.flatnonzero(distinct)
        mu, tv[fast] = _tracked(mu_all[fast], vec_all[fast], refs[fast], real[fast])
        gamma[fast] = _gamma(w[fast, None], mu)
    ref = None
    for i in np.argsort(f, kind="stable")[::-1]:
        if refs is not None:
            if distinct[i]:
                continue
            ref = refs[i]
        if ref is not None and distinct[i]:
            mu, vec = (a[0] for a in _tracked(mu_all[i : i + 1], vec_all[i : i + 1], ref[None], real[i : i + 1]))
        else:
            mu, vec = _eigen(P[i], l_mat[i], ref)
        gamma[i], tv[i] = _gamma(w[i], mu), vec
        if refs is None:
            ref = vec
    return gamma, tv


def _eigen_all(P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The eigenvalues (F, N) and unit eigenvectors (F, N, N) of every P (F, N, N), in ascending
    Re mu (stable, as :func:`_blocks`); whether each P is real (solved as real, as :func:`_eigen`
    does), and whether its eigenvalues are distinct (no two within DEGENERATE)."""
    F, N, _ = P.shape
    real = ~np.any(P.imag != 0, axis=(1, 2)) if np.iscomplexobj(P) else np.ones(F, bool)
    mu = np.empty((F, N), dtype=complex)
    vec = np.empty((F, N, N), dtype=complex)
    for sel, a in ((real, P.real), (~real, P)):
        if np.any(sel):
            mu[sel], vec[sel] = np.linalg.eig(a[sel])
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    order = np.argsort(mu.real, axis=1, kind="stable")
    mu = np.take_along_axis(mu, order, axis=1)
    vec = np.take_along_axis(vec, order[:, None, :], axis=2)
    gaps = np.abs(np.diff(mu, axis=1))
    distinct = np.all(gaps > DEGENERATE * np.abs(mu).max(axis=1, keepdims=True), axis=1)
    return mu, vec, real, distinct


def _tracked(mu: np.ndarray, vec: np.ndarray, ref: np.ndarray, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_eigen` with a reference, at F frequencies at once, for distinct eigenvalues ``mu``
    (F, N) and unit eigenvectors ``vec`` (F, N, N; columns) in ascending Re mu, references ``ref``
    (F, N, N): each reference pattern takes the eigenvector of the assignment of largest total
    overlap, its phase fixed against the reference; ``real`` (F,): real eigenvalues."""
    from scipy.optimize import linear_sum_assignment

    score = np.abs(ref.conj().swapaxes(1, 2) @ vec)
    cols = np.array([linear_sum_assignment(-s)[1] for s in score], dtype=int).reshape(mu.shape)
    u = np.take_along_axis(vec, cols[:, None, :], axis=2)
    p = np.sum(ref.conj() * u, axis=1)
    size = np.abs(p)
    u = np.where(size[:, None, :] > 0, u * (np.conj(p) / np.where(size > 0, size, 1.0))[:, None, :], u)
    m = np.take_along_axis(mu, cols, axis=1)
    return np.where(real[:, None], m.real.astype(complex), m), u


# ---------------------------------------------------------------------------------- results
def characteristic_impedance(Z: np.ndarray, tv: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """``Zc = Z Ti gamma^-1 Ti^-1`` with ``Ti = Tv^-T`` (N x N; or stacked (F, N, N))."""
    ti = np.linalg.inv(tv).swapaxes(-1, -2)
    zc = Z @ (ti / gamma[..., None, :]) @ np.linalg.inv(ti)
    return 0.5 * (zc + zc.swapaxes(-1, -2))


def propagation(freq, R, L, G, C) -> Propagation:
    """The modes of a line with per-unit-length matrices ``R, L, G, C`` (each (F, N, N), or (N, N)
    for every frequency; SI units) at the frequencies ``freq`` (F,) Hz, all > 0."""
    f, (R, L, G, C) = _matrices(freq, R, L, G, C)
    w = 2.0 * np.pi * f[:, None, None]
    Zp, Yp = L - 1j * R / w, C - 1j * G / w  # Z = j w Zp, Y = j w Yp
    gamma, tv = _modes(f, Zp, Yp, L)
    alpha_c = _modes(f, Zp, C.astype(complex), L, refs=tv)[0].real
    alpha_d = _modes(f, L.astype(complex), Yp, L, refs=tv)[0].real
    zc = characteristic_impedance(1j * w * Zp, tv, gamma)
    yv = np.linalg.solve(zc, tv)  # Zc^-1 v for every mode
    z_mode = np.sum(np.abs(tv) ** 2, axis=1) / np.einsum("fnk,fnk->fk", tv.conj(), yv)
    return Propagation(
        freq=f,
        gamma=gamma,
        tv=tv,
        ti=np.linalg.inv(tv).swapaxes(-1, -2),
        z_c=zc,
        z_mode=z_mode,
        attenuation=Attenuation(gamma.real, alpha_c, alpha_d),
    )


def odd_mode(tv: np.ndarray) -> np.ndarray:
    """(F,) index of the odd-like mode of a pair: the one whose voltages on the two lines have
    opposite signs (the most negative ``Re(v1 conj(v2))`` of the unit patterns)."""
    return np.argmin((tv[:, 0, :] * tv[:, 1, :].conj()).real, axis=1)


def pair(p: Propagation) -> PairModes:
    """The mixed-mode impedances and the two modes' loss of a two-line :class:`Propagation`."""
    if p.n_lines != 2:
        raise ValueError(f"a pair has 2 lines, this line has {p.n_lines}")
    z = p.z_c
    odd = odd_mode(p.tv)
    rows = np.arange(odd.size)

    def pick(a: np.ndarray, m: np.ndarray) -> np.ndarray:
        return a[rows, m]

    even = 1 - odd
    att = p.attenuation
    return PairModes(
        z_diff=z[:, 0, 0] + z[:, 1, 1] - 2.0 * z[:, 0, 1],
        z_common=0.25 * (z[:, 0, 0] + z[:, 1, 1] + 2.0 * z[:, 0, 1]),
        odd=odd,
        gamma_diff=pick(p.gamma, odd),
        gamma_common=pick(p.gamma, even),
        eps_eff_diff=pick(p.eps_eff, odd),
        eps_eff_common=pick(p.eps_eff, even),
        attenuation_diff=Attenuation(*(pick(a, odd) for a in (att.total, att.conductor, att.dielectric)), att.unit),
        attenuation_common=Attenuation(*(pick(a, even) for a in (att.total, att.conductor, att.dielectric)), att.unit),
    )


# ------------------------------------------------------------------------------ error bars
@dataclass(frozen=True)
class LineUncertainty:
    """Absolute error bars of a :class:`Propagation` (and of its :class:`PairModes`) from error bars
    of R, L, G and C. A complex quantity's bar is ``bar(Re) + 1j bar(Im)``: the bar of its real
    part and that of its imaginary part.

    z_mode, gamma (F, N) complex; eps_eff (F, N); attenuation: :class:`Attenuation` (F, N), Np/m.
    A pair also has z_diff, z_common (F,) complex and attenuation_diff, attenuation_common.
    """

    z_mode: np.ndarray
    gamma: np.ndarray
    eps_eff: np.ndarray
    attenuation: Attenuation
    z_diff: np.ndarray | None = None
    z_common: np.ndarray | None = None
    attenuation_diff: Attenuation | None = None
    attenuation_common: Attenuation | None = None


def _bar(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``|Re(a - b)| + 1j |Im(a - b)|`` (real arrays: ``|a - b|``)."""
    d = a - b
    return np.abs(d.real) + 1j * np.abs(d.imag) if np.iscomplexobj(d) else np.abs(d)


def _follow(p: Propagation, q: Propagation) -> np.ndarray:
    """(F, N) index of q's mode that continues each of p's (the largest overlap of the patterns)."""
    from scipy.optimize import linear_sum_assignment

    out = np.empty(p.gamma.shape, dtype=int)
    for i in range(p.freq.size):
        score = np.abs(p.tv[i].conj().T @ q.tv[i])
        rows, cols = linear_sum_assignment(-score)
        out[i, rows] = cols
    return out


def _entry_groups(matrices, n: int) -> list[list[tuple[int, int]]]:
    """The independent entries (i <= j) of an n-line's matrices, as the error bars move them: one
    at a time, but a mirror-symmetric pair's two diagonal entries together."""
    if n == 2:
        d0 = np.array([np.asarray(a, float)[..., 0, 0] for a in matrices])
        d1 = np.array([np.asarray(a, float)[..., 1, 1] for a in matrices])
        if np.all(np.abs(d0 - d1) <= SYMMETRIC * np.maximum(np.abs(d0), np.abs(d1))):
            return [[(0, 0), (1, 1)], [(0, 1)]]
    return [[(i, j)] for i, j in zip(*np.triu_indices(n), strict=True)]


def propagation_uncertainty(p: Propagation, matrices, bars) -> LineUncertainty:
    """First-order error bars of ``p`` (the propagation of ``matrices`` = (R, L, G, C), each
    (F, N, N)) from absolute bars ``bars`` of the same four (each (F, N, N) or None for none).

    Each independent entry (i <= j, both triangles together) of each matrix is moved by its bar
    alone, and the changes it makes are added in absolute value: the worst case of a linear
    response, not a root-sum-square, because the input bars are meant to bound their errors (not
    to be standard deviations) and the errors are correlated (R and L come from one magnetic
    grid, G and C from one static solution scaled by one capacitance), so that nothing makes them
    partly cancel. It is a bound to first order in the bars (they are small: below a percent).

    A mirror-symmetric pair (its lines' diagonal entries equal within :data:`SYMMETRIC` in all
    four matrices) has equal errors in them too, so the two move together, by the larger of
    their bars: moving one alone would make a line the true one is not, and where its two modes
    travel at nearly one speed (a homogeneous dielectric) such a move mixes them, which moved a
    twin lead's differential attenuation by 13 % for an inductance bar of 0.1 %."""
    f = p.freq
    F, N = p.gamma.shape
    pair_p = pair(p) if N == 2 else None
    acc: dict[str, np.ndarray] = {}

    def add(key: str, change: np.ndarray) -> None:
        acc[key] = acc.get(key, 0) + change

    groups = _entry_groups(matrices, N)
    for m, bar in enumerate(bars):
        if bar is None:
            continue
        for entries in groups:
            step = np.max([np.abs(bar[:, i, j]) for i, j in entries], axis=0)
            if not np.any(step):
                continue
            moved = [np.array(a, dtype=float) for a in matrices]
            for i, j in entries:
                moved[m][:, i, j] += step
                if i != j:
                    moved[m][:, j, i] += step
            q = propagation(f, *moved)
            k = _follow(p, q)
            rows = np.arange(F)[:, None]
            add("z_mode", _bar(q.z_mode[rows, k], p.z_mode))
            add("gamma", _bar(q.gamma[rows, k], p.gamma))
            add("eps_eff", _bar(q.eps_eff[rows, k], p.eps_eff))
            for part in ("total", "conductor", "dielectric"):
                add(part, _bar(getattr(q.attenuation, part)[rows, k], getattr(p.attenuation, part)))
            if pair_p is not None:
                qp = pair(q)
                add("z_diff", _bar(qp.z_diff, pair_p.z_diff))
                add("z_common", _bar(qp.z_common, pair_p.z_common))
                for side in ("diff", "common"):
                    a, b = getattr(qp, f"attenuation_{side}"), getattr(pair_p, f"attenuation_{side}")
                    for part in ("total", "conductor", "dielectric"):
                        add(f"{side}.{part}", _bar(getattr(a, part), getattr(b, part)))

    def get(key: str, shape, complex_: bool = False) -> np.ndarray:
        zero = np.zeros(shape, dtype=complex if complex_ else float)
        return zero + acc[key] if key in acc else zero

    def att(prefix: str, shape) -> Attenuation:
        return Attenuation(*(get(prefix + part, shape) for part in ("total", "conductor", "dielectric")))

    out = LineUncertainty(
        z_mode=get("z_mode", (F, N), True),
        gamma=get("gamma", (F, N), True),
        eps_eff=get("eps_eff", (F, N)),
        attenuation=att("", (F, N)),
    )
    if pair_p is None:
        return out
    return LineUncertainty(
        out.z_mode,
        out.gamma,
        out.eps_eff,
        out.attenuation,
        z_diff=get("z_diff", (F,), True),
        z_common=get("z_common", (F,), True),
        attenuation_diff=att("diff.", (F,)),
        attenuation_common=att("common.", (F,)),
    )
