"""RLGC(f) -> modes, Zc, gamma and attenuation (fieldsolver.physics.transmission): closed forms
for one line and a symmetric pair, the low-loss approximations, the lossless limit against the
static extraction, a homogeneous medium, the defining identities on random lossy lines, and
mode identity where the modal velocities cross."""

import numpy as np
import pytest
import scipy.linalg as sla

import fieldsolver as fs
from fieldsolver.constants import C0 as LIGHT
from fieldsolver.errors import InputError
from fieldsolver.physics import extract
from fieldsolver.physics import transmission as tl

RNG = np.random.default_rng(14)


def _spd(n: int, scale: float, rng=RNG) -> np.ndarray:
    a = rng.normal(size=(n, n))
    return scale * (a @ a.T / n + 0.5 * np.eye(n))


def _zero(n: int) -> np.ndarray:
    return np.zeros((n, n))


def test_single_line_matches_the_closed_form():
    # gamma = sqrt((R + jwL)(G + jwC)), Z0 = sqrt((R + jwL)/(G + jwC)): Pozar, Microwave
    # Engineering, 4th ed., sec. 2.1, eqs. (2.5) and (2.7); from the RC-diffusion regime (1 kHz, R >> wL)
    # to 100 GHz
    f = np.logspace(3, 11, 17)
    R, L, G, C = 20.0, 310e-9, 2e-3, 125e-12
    w = 2 * np.pi * f
    z, y = R + 1j * w * L, G + 1j * w * C
    p = tl.propagation(f, [[R]], [[L]], [[G]], [[C]])
    np.testing.assert_allclose(p.gamma[:, 0], np.sqrt(z * y), rtol=1e-13)
    np.testing.assert_allclose(p.z_c[:, 0, 0], np.sqrt(z / y), rtol=1e-13)
    np.testing.assert_allclose(p.z_mode[:, 0], np.sqrt(z / y), rtol=1e-13)
    np.testing.assert_allclose(p.eps_eff[:, 0], (np.sqrt(z * y).imag * LIGHT / w) ** 2, rtol=1e-13)
    np.testing.assert_allclose(p.delay[:, 0], np.sqrt(z * y).imag / w, rtol=1e-13)
    # the parts with G = 0 and with R = 0, by the same closed form
    np.testing.assert_allclose(p.attenuation.conductor[:, 0], np.sqrt(z * 1j * w * C).real, rtol=1e-13)
    np.testing.assert_allclose(p.attenuation.dielectric[:, 0], np.sqrt(1j * w * L * y).real, rtol=1e-13)
    assert np.all(p.alpha > 0) and np.all(p.beta > 0)


def test_low_loss_attenuation_approximations():
    # low loss: alpha_c ~= R / (2 Z0), alpha_d ~= G Z0 / 2, Z0 = sqrt(L/C) (Pozar, 4th ed.,
    # sec. 2.7, the low-loss line); the relative error is of second order in the loss tangents R/(wL), G/(wC)
    L, C, f = 300e-9, 120e-12, 1e9
    w, z0 = 2 * np.pi * f, np.sqrt(L / C)
    errors = []
    for loss in (1e-2, 5e-3):
        R, G = loss * w * L, loss * w * C
        p = tl.propagation([f], [[R]], [[L]], [[G]], [[C]])
        a = p.attenuation
        err_c = abs(a.conductor[0, 0] / (R / (2 * z0)) - 1)
        err_d = abs(a.dielectric[0, 0] / (G * z0 / 2) - 1)
        err_sum = abs(a.total[0, 0] / (a.conductor[0, 0] + a.dielectric[0, 0]) - 1)
        assert max(err_c, err_d, err_sum) < loss**2
        errors.append(max(err_c, err_d))
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.02)  # halving the loss quarters the error


def test_attenuation_units():
    a = tl.Attenuation(np.array([1.0]), np.array([0.5]), np.array([0.25]))
    db = a.to("dB/m")
    assert db.total[0] == pytest.approx(20 / np.log(10))  # 1 Np = 20 log10(e) dB = 8.686 dB
    assert a.to("dB/in").dielectric[0] == pytest.approx(0.25 * 8.685889638 * 0.0254)
    np.testing.assert_allclose(db.to("Np/m").conductor, a.conductor)
    with pytest.raises(ValueError, match="dB/in"):
        a.to("dB/km")


BUS = """units: mm
conductors:
  - {name: a, role: signal, rect: {x: [-0.55, -0.30], y: [0.2, 0.235]}}
  - {name: v, role: signal, rect: {x: [-0.12, 0.12], y: [0.2, 0.235]}}
%s  - {name: gnd, role: ground, rect: {x: [-.inf, .inf], y: [-0.035, 0.0]}}
dielectrics:
  - {name: prepreg, er: 4.4, layer: {y: [0.0, 0.2]}}
"""
THIRD = "  - {name: b, role: signal, rect: {x: [0.32, 0.50], y: [0.2, 0.235]}}\n"


@pytest.mark.parametrize("third", ["", THIRD], ids=["asymmetric_pair", "three_lines"])
def test_lossless_limit_equals_the_static_extraction(tmp_path, third):
    # an inhomogeneous microstrip (distinct modal velocities), solved on one grid: with R = G = 0
    # the dynamic quantities must be extract's to rounding, at any frequency
    path = tmp_path / "bus.yaml"
    path.write_text(BUS % third)
    r = fs.solve(path, tol=None)
    C, C0, L = r.capacitance, r.capacitance_vacuum, r.inductance
    n = C.shape[0]
    p = tl.propagation([1e6, 1e9, 5e10], _zero(n), L, _zero(n), C)
    eps, vec, zm = extract.modes(C, C0, r.impedance_matrix)
    assert np.ptp(eps) > 0.05  # the modes really differ
    for k in range(3):
        np.testing.assert_allclose(p.z_c[k], r.impedance_matrix, rtol=1e-11, atol=1e-11 * np.abs(p.z_c[k]).max())
        np.testing.assert_allclose(p.eps_eff[k], eps, rtol=1e-11)
        np.testing.assert_allclose(p.z_mode[k], zm, rtol=1e-11)
        np.testing.assert_allclose(np.abs(np.sum(p.tv[k] * vec, axis=0)), 1.0, rtol=1e-11)  # same patterns
        np.testing.assert_array_equal(p.alpha[k], 0.0)
    if n == 2:
        want = extract.odd_even_eps(eps, vec)
        pm = tl.pair(p)
        np.testing.assert_allclose(pm.eps_eff_diff, want["eps_eff_odd"], rtol=1e-11)
        np.testing.assert_allclose(pm.eps_eff_common, want["eps_eff_even"], rtol=1e-11)
        static = extract.pair(r.impedance_matrix)
        np.testing.assert_allclose(pm.z_diff, static["z_diff"], rtol=1e-11)
        np.testing.assert_allclose(pm.z_common, static["z_common"], rtol=1e-11)


@pytest.mark.parametrize("n", [1, 2, 4])
def test_homogeneous_medium(n):
    # L C = er / c^2 I: every mode has eps_eff = er; with G = w C tand (R = 0) every mode has
    # gamma = j w sqrt(er) / c sqrt(1 - j tand) exactly, alpha_d ~= pi f sqrt(er) tand / c to first
    # order (k tan(delta) / 2 for a TEM wave in a lossy dielectric: Pozar, 4th ed., sec. 3.1)
    er, tand = 3.7, 0.01
    f = np.array([1e8, 1e9, 1e10])
    C = _spd(n, 1e-10)
    L = er / LIGHT**2 * np.linalg.inv(C)
    p = tl.propagation(f, _zero(n), L, _zero(n), C)
    np.testing.assert_allclose(p.eps_eff, er, rtol=1e-12)
    np.testing.assert_allclose(p.z_c[0].imag, 0.0, atol=1e-12 * np.abs(p.z_c[0]).max())
    # degenerate modes: the patterns extract.modes picks there (the eigenvectors of Zc), in its order
    _, vec, zm = extract.modes(C, C / er, extract.impedance_matrix(C, L))
    np.testing.assert_allclose(np.abs(np.sum(p.tv[0] * vec, axis=0)), 1.0, rtol=1e-9)
    np.testing.assert_allclose(p.z_mode[0], zm, rtol=1e-9)
    G = 2 * np.pi * f[:, None, None] * tand * C
    p = tl.propagation(f, _zero(n), L, G, C)
    exact = 1j * 2 * np.pi * f * np.sqrt(er) / LIGHT * np.sqrt(1 - 1j * tand)
    np.testing.assert_allclose(p.gamma, np.repeat(exact[:, None], n, axis=1), rtol=1e-12)
    first_order = np.pi * f * np.sqrt(er) * tand / LIGHT
    np.testing.assert_allclose(p.attenuation.dielectric[:, 0], first_order, rtol=tand**2)
    np.testing.assert_array_equal(p.attenuation.conductor, 0.0)


def _random_lossy(n: int, nf: int, seed: int):
    rng = np.random.default_rng(seed)
    f = np.logspace(5, 10.5, nf)
    C = np.stack([_spd(n, 1e-10, rng)] * nf)
    L = np.stack([_spd(n, 4e-7, rng)] * nf)
    R = np.stack([_spd(n, 10.0, rng) * (1 + np.sqrt(fi / 1e6)) for fi in f])  # skin-effect-like growth
    G = np.stack([2 * np.pi * fi * 0.02 * _spd(n, 1e-10, rng) for fi in f])
    return f, R, L, G, C


@pytest.mark.parametrize(("n", "seed"), [(2, 1), (3, 2), (5, 3)])
def test_defining_identities_on_random_lossy_lines(n, seed):
    # Paul (2008) ch. 7: Z Y Tv = Tv gamma^2, Y Z Ti = Ti gamma^2, Tv^T Ti = 1, Zc Y Zc = Z,
    # Zc = Z (YZ)^-1/2 with the root of positive real part (here from scipy's Schur sqrtm, an
    # independent computation), Zc symmetric; passive: alpha > 0, beta > 0
    f, R, L, G, C = _random_lossy(n, 7, seed)
    w = 2 * np.pi * f[:, None, None]
    Z, Y = R + 1j * w * L, G + 1j * w * C
    p = tl.propagation(f, R, L, G, C)
    g2 = p.gamma[:, None, :] ** 2
    scale = np.abs(Z @ Y).max(axis=(1, 2))[:, None, None]
    assert np.all(np.abs(Z @ Y @ p.tv - p.tv * g2) < 1e-12 * scale)
    assert np.all(np.abs(Y @ Z @ p.ti - p.ti * g2) < 1e-12 * scale * np.abs(p.ti).max())
    np.testing.assert_allclose(p.tv.swapaxes(1, 2) @ p.ti, np.broadcast_to(np.eye(n), (f.size, n, n)), atol=1e-12)
    zyz = p.z_c @ Y @ p.z_c
    assert np.all(np.abs(zyz - Z) < 1e-12 * np.abs(Z).max(axis=(1, 2))[:, None, None])
    np.testing.assert_allclose(p.z_c, p.z_c.swapaxes(1, 2), rtol=0, atol=1e-12 * np.abs(p.z_c).max())
    for k in range(f.size):
        independent = Z[k] @ np.linalg.inv(sla.sqrtm(Y[k] @ Z[k]))
        np.testing.assert_allclose(p.z_c[k], independent, atol=1e-10 * np.abs(independent).max())
    assert np.all(p.alpha > 0) and np.all(p.beta > 0)
    # the modal impedance's power normalisation: 1/2 V^T conj(I) = 1/2 |V|^2 / conj(z_mode)
    for k in range(f.size):
        for m in range(n):
            v = p.tv[k][:, m]
            i = np.linalg.solve(p.z_c[k], v)
            assert v @ i.conj() == pytest.approx(np.vdot(v, v) / np.conj(p.z_mode[k, m]), rel=1e-12)


def test_modes_keep_their_identity_where_velocities_cross():
    # a symmetric pair whose mutual capacitance grows with frequency (built by hand): the odd mode
    # ([1, -1]) sees (L11 - L12)(C11 - C12), the even mode ([1, 1]) (L11 + L12)(C11 + C12), so
    # their eps_eff cross at Cm/C11 = L12/L11 = 0.2 (one sample sits exactly on the crossing,
    # where the two modes are degenerate). Sorting eigenvalues at each frequency would swap the
    # names there; continuity of the patterns must not.
    x = np.array([0.05, 0.1, 0.15, 0.19, 0.2, 0.2001, 0.25, 0.3, 0.4])
    f = np.logspace(8, 10, x.size)
    l11, l12, c11 = 400e-9, 80e-9, 100e-12
    L = np.array([[l11, l12], [l12, l11]])
    C = np.stack([[[c11, -xi * c11], [-xi * c11, c11]] for xi in x])
    R = np.stack([[[5.0, 1.0], [1.0, 5.0]]] * x.size)  # lossy too (R12/R11 = L12/L11: still degenerate at 0.2)
    G = np.zeros_like(C)
    p = tl.propagation(f, R, L, G, C)
    w = 2 * np.pi * f
    odd = np.sqrt((R[:, 0, 0] - R[:, 0, 1] + 1j * w * (l11 - l12)) * 1j * w * (C[:, 0, 0] - C[:, 0, 1]))
    even = np.sqrt((R[:, 0, 0] + R[:, 0, 1] + 1j * w * (l11 + l12)) * 1j * w * (C[:, 0, 0] + C[:, 0, 1]))
    eps_odd, eps_even = (odd.imag * LIGHT / w) ** 2, (even.imag * LIGHT / w) ** 2
    assert eps_odd[0] < eps_even[0] and eps_odd[-1] > eps_even[-1]  # they do cross
    k_odd = tl.odd_mode(p.tv)
    assert np.all(k_odd == k_odd[0])  # one mode is the odd mode over the whole band
    rows = np.arange(x.size)
    np.testing.assert_allclose(p.gamma[rows, k_odd], odd, rtol=1e-12)
    np.testing.assert_allclose(p.gamma[rows, 1 - k_odd], even, rtol=1e-12)
    np.testing.assert_allclose(np.abs(p.tv[rows, 0, k_odd] + p.tv[rows, 1, k_odd]), 0.0, atol=1e-10)
    np.testing.assert_allclose(np.abs(p.tv[rows, 0, 1 - k_odd] - p.tv[rows, 1, 1 - k_odd]), 0.0, atol=1e-10)


def test_symmetric_pair_against_odd_and_even_closed_forms():
    # a symmetric pair decouples into odd (V1 = -V2) and even (V1 = V2) lines with Z11 -+ Z12 and
    # Y11 -+ Y12 (the even/odd analysis, e.g. Pozar, 4th ed., sec. 7.6): gamma_odd = sqrt((Z11 - Z12)(Y11 - Y12)),
    # Zdiff = 2 Zodd = 2 sqrt((Z11 - Z12)/(Y11 - Y12)), Zcommon = Zeven / 2
    f = np.logspace(6, 10, 5)
    w = 2 * np.pi * f[:, None, None]
    R = np.array([[8.0, 1.5], [1.5, 8.0]]) * np.sqrt(f / 1e6)[:, None, None]
    L = np.array([[350e-9, 60e-9], [60e-9, 350e-9]])
    C = np.array([[110e-12, -18e-12], [-18e-12, 110e-12]])
    G = w * 0.02 * np.array([[100e-12, -14e-12], [-14e-12, 100e-12]])
    Z, Y = R + 1j * w * L, G + 1j * w * C
    zo, yo = Z[:, 0, 0] - Z[:, 0, 1], Y[:, 0, 0] - Y[:, 0, 1]
    ze, ye = Z[:, 0, 0] + Z[:, 0, 1], Y[:, 0, 0] + Y[:, 0, 1]
    pm = tl.pair(tl.propagation(f, R, L, G, C))
    np.testing.assert_allclose(pm.z_diff, 2 * np.sqrt(zo / yo), rtol=1e-12)
    np.testing.assert_allclose(pm.z_common, np.sqrt(ze / ye) / 2, rtol=1e-12)
    np.testing.assert_allclose(pm.gamma_diff, np.sqrt(zo * yo), rtol=1e-12)
    np.testing.assert_allclose(pm.gamma_common, np.sqrt(ze * ye), rtol=1e-12)
    wl, wc = 1j * w[:, 0, 0] * (L[0, 0] - L[0, 1]), 1j * w[:, 0, 0] * (C[0, 0] - C[0, 1])
    np.testing.assert_allclose(pm.attenuation_diff.conductor, np.sqrt(zo * wc).real, rtol=1e-12)
    np.testing.assert_allclose(pm.attenuation_diff.dielectric, np.sqrt(wl * yo).real, rtol=1e-12)
    assert np.all(pm.attenuation_diff.total > 0) and np.all(pm.eps_eff_diff < pm.eps_eff_common)


def test_bad_input():
    one = np.ones((1, 1))
    with pytest.raises(InputError, match="frequency 0 Hz"):
        tl.propagation([1e9, 0.0], one, one, one, one)
    with pytest.raises(ValueError, match="L: not symmetric"):
        tl.propagation([1e9], _zero(2), np.array([[1.0, 0.5], [0.2, 1.0]]), _zero(2), np.eye(2))
    with pytest.raises(ValueError, match=r"C: expected shape \(F, N, N\)"):
        tl.propagation([1e9, 2e9], one, one, one, np.ones((3, 1, 1)))
    with pytest.raises(ValueError, match="a pair has 2 lines"):
        tl.pair(tl.propagation([1e9], one, one, one, one))


def _modes_one_at_a_time(f, R, L, G, C):
    """The modes as the module defines them, one frequency at a time with scipy.linalg.eig (no
    batching): from the highest frequency (ascending Re mu, largest component real positive)
    down, each eigenvector taking the place of the previous pattern it overlaps most (the larger
    total overlap of the two assignments of a pair), its phase set by that overlap."""
    gamma, tv, ref = np.empty((f.size, 2), complex), np.empty((f.size, 2, 2), complex), None
    for i in np.argsort(f)[::-1]:
        w = 2 * np.pi * f[i]
        mu, vec = sla.eig((L[i] - 1j * R[i] / w) @ (C[i] - 1j * G[i] / w))
        vec = vec / np.linalg.norm(vec, axis=0)
        if ref is None:
            order = np.argsort(mu.real)
            vec = vec[:, order] * [np.conj(v[np.argmax(np.abs(v))]) / np.abs(v).max() for v in vec[:, order].T]
        else:
            s = np.abs(ref.conj().T @ vec)
            order = [0, 1] if s[0, 0] + s[1, 1] >= s[0, 1] + s[1, 0] else [1, 0]
            p = np.sum(ref.conj() * vec[:, order], axis=0)
            vec = vec[:, order] * (np.conj(p) / np.abs(p))
        gamma[i], tv[i], ref = 1j * w * np.sqrt(mu[order]), vec, vec
    return gamma, tv


def test_the_batched_eigenproblems_equal_a_per_frequency_solve_on_a_lossy_pair():
    # the modes of all frequencies come from one stacked eigensolve: the same gamma, patterns,
    # ordering and phases as scipy.linalg.eig at each frequency in turn (the reference above, and
    # the module's own per-frequency path), to round-off, over a lossy asymmetric pair from the
    # RC regime to 100 GHz
    f = np.geomspace(1e5, 1e11, 61)
    w = 2 * np.pi * f[:, None, None]
    R = np.array([[9.0, 1.2], [1.2, 6.0]]) * (1 + np.sqrt(f / 1e6))[:, None, None]
    L = np.stack([[[380e-9, 70e-9], [70e-9, 330e-9]]] * f.size) * (1 + 0.05 / (1 + f / 1e7))[:, None, None]
    C = np.array([[105e-12, -17e-12], [-17e-12, 120e-12]])
    G = w * 0.02 * np.array([[100e-12, -14e-12], [-14e-12, 115e-12]])
    p = tl.propagation(f, R, L, G, np.broadcast_to(C, (f.size, 2, 2)))
    gamma, tv = _modes_one_at_a_time(f, R, L, G, np.broadcast_to(C, (f.size, 2, 2)))
    np.testing.assert_allclose(p.gamma, gamma, rtol=1e-12)
    np.testing.assert_allclose(p.tv, tv, rtol=0, atol=1e-12)
    # the module's per-frequency path (scipy.linalg.eig in _eigen) for every frequency
    Zp, Yp = L - 1j * R / w, C - 1j * G / w
    ref, old = None, np.empty_like(p.tv)
    for i in range(f.size - 1, -1, -1):
        old[i] = ref = tl._eigen(Zp[i] @ Yp[i], L[i], ref)[1]
    np.testing.assert_allclose(p.tv, old, rtol=0, atol=1e-12)
    # conductor-only and dielectric-only attenuations: matched to the full line's patterns
    for R_, G_, alpha in ((R, 0 * G, p.attenuation.conductor), (0 * R, G, p.attenuation.dielectric)):
        q = tl.propagation(f, R_, L, G_, C)
        rows = np.arange(f.size)[:, None]
        k = np.argmax(np.abs(np.einsum("fnk,fnj->fkj", p.tv.conj(), q.tv)), axis=2)
        np.testing.assert_allclose(alpha, q.alpha[rows, k], rtol=1e-12)
