"""A length of line as a 2N-port (fieldsolver.physics.network): closed forms for one line,
reciprocity and passivity, scikit-rf's own line models and mixed-mode conversion as independent
implementations, Paul's chain parameters, Touchstone round trips, and the crosstalk coefficients
against exact coupled-line results and the network's own time-domain response."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fieldsolver as fs
from fieldsolver.errors import InputError
from fieldsolver.physics import network as nw
from fieldsolver.physics import transmission as tl

skrf = pytest.importorskip("skrf")

ROOT = Path(__file__).parents[1]


def _zero(n: int) -> np.ndarray:
    return np.zeros((n, n))


def _spd(n: int, scale: float, rng) -> np.ndarray:
    a = rng.normal(size=(n, n))
    return scale * (a @ a.T / n + 0.5 * np.eye(n))


def _freq(f: np.ndarray):
    return skrf.Frequency.from_f(f, unit="Hz")


# ------------------------------------------------------------------------------- one line
def test_matched_lossless_line():
    # Z0 = z_ref: S11 = 0 and S21 = exp(-j beta l) (e^{+jwt}; Pozar, Microwave Engineering, 4th
    # ed., sec. 2.3), through the half-wave points where the line's Y and Z parameters blow up
    L, C, length = 300e-9, 120e-12, 0.25
    v, z0 = 1 / np.sqrt(L * C), np.sqrt(L / C)
    half_wave = v / (2 * length)
    f = np.concatenate([np.linspace(1e7, 6e9, 41), half_wave * np.arange(1, 6)])
    s = nw.s_parameters(f, [[0.0]], [[L]], [[0.0]], [[C]], length, z_ref=z0)
    beta = 2 * np.pi * f / v
    np.testing.assert_allclose(s[:, 0, 0], 0.0, atol=1e-14)
    np.testing.assert_allclose(np.abs(s[:, 1, 0]), 1.0, rtol=1e-14)
    np.testing.assert_allclose(s[:, 1, 0], np.exp(-1j * beta * length), atol=1e-13)
    np.testing.assert_allclose(s, s[:, ::-1, ::-1], atol=1e-14)  # symmetric two-port


@pytest.mark.parametrize("lossy", [False, True])
def test_mismatched_line_against_the_line_section(lossy):
    # a line section of Z0, gamma, length l between z_ref ports: ABCD = [[ch, Z0 sh], [sh/Z0, ch]]
    # and S11 = (A + B/zr - C zr - D)/(A + B/zr + C zr + D), S21 = 2/(...) (Pozar, 4th ed.,
    # Tables 4.1 and 4.2); lossless at a quarter wave, Zin = Z0^2 / z_ref
    L, C, length, zr = 400e-9, 90e-12, 0.1, 50.0
    R, G = (12.0, 4e-3) if lossy else (0.0, 0.0)
    quarter = 1 / (4 * length * np.sqrt(L * C))
    f = np.array([1e6, 3e8, quarter, 2.2e9, 7.7e9])
    w = 2 * np.pi * f
    z0 = np.sqrt((R + 1j * w * L) / (G + 1j * w * C))
    gl = np.sqrt((R + 1j * w * L) * (G + 1j * w * C)) * length
    a, b, c = np.cosh(gl), z0 * np.sinh(gl), np.sinh(gl) / z0
    den = a + b / zr + c * zr + a
    s = nw.s_parameters(f, [[R]], [[L]], [[G]], [[C]], length, z_ref=zr)
    np.testing.assert_allclose(s[:, 0, 0], (b / zr - c * zr) / den, rtol=1e-12)
    np.testing.assert_allclose(s[:, 1, 0], 2 / den, rtol=1e-12)
    if not lossy:
        zin = z0[2].real ** 2 / zr
        assert s[2, 0, 0] == pytest.approx((zin - zr) / (zin + zr), abs=1e-12)


def test_single_line_equals_scikit_rf_media():
    # scikit-rf's own line models, an independent implementation: DefinedGammaZ0 from the same
    # gamma and Zc, and DistributedCircuit, which computes gamma and Z0 from R, L, G, C itself
    f = np.logspace(6, 10.5, 25)
    R, L, G, C, length = 8.0, 330e-9, 1e-3, 115e-12, 0.37
    p = tl.propagation(f, [[R]], [[L]], [[G]], [[C]])
    ours = nw.to_network(p, length, z_ref=50.0)
    media = skrf.media.DefinedGammaZ0(frequency=_freq(f), z0_port=50.0, z0=p.z_c[:, 0, 0], gamma=p.gamma[:, 0])
    np.testing.assert_allclose(ours.s, media.line(length, unit="m").s, atol=1e-12)
    circuit = skrf.media.DistributedCircuit(frequency=_freq(f), z0_port=50.0, R=R, L=L, G=G, C=C)
    np.testing.assert_allclose(ours.s, circuit.line(length, unit="m").s, atol=1e-12)
    np.testing.assert_allclose(ours.z0, 50.0)
    assert ours.f.tolist() == f.tolist() and ours.name == "line"


# --------------------------------------------------------------------------- N lines
def _random_line(n: int, nf: int, seed: int, lossy: bool = True):
    rng = np.random.default_rng(seed)
    f = np.logspace(6, 10.3, nf)
    L, C = _spd(n, 4e-7, rng), _spd(n, 1e-10, rng)
    if not lossy:
        return f, _zero(n), L, _zero(n), C
    R = np.stack([_spd(n, 5.0, rng) * (1 + np.sqrt(fi / 1e6)) for fi in f])
    G = np.stack([2 * np.pi * fi * 0.01 * _spd(n, 1e-10, rng) for fi in f])
    return f, R, L, G, C


@pytest.mark.parametrize(("n", "seed"), [(1, 1), (2, 2), (3, 3), (4, 4)])
@pytest.mark.parametrize("length", [0.05, 3.0, 2000.0])
def test_reciprocal_and_passive_on_random_lossy_lines(n, seed, length):
    # a passive reciprocal line between real reference impedances: S = S^T and every singular
    # value <= 1 (e.g. Pozar, 4th ed., sec. 4.3); 2 km at 20 GHz is ~1e5 nepers: no overflow
    f, R, L, G, C = _random_line(n, 9, seed)
    z_ref = np.random.default_rng(seed).uniform(20, 120, 2 * n)
    s = nw.s_parameters(f, R, L, G, C, length, z_ref=z_ref)
    assert s.shape == (f.size, 2 * n, 2 * n) and np.all(np.isfinite(s))
    np.testing.assert_allclose(s, s.swapaxes(1, 2), atol=1e-12)
    sv = np.linalg.svd(s, compute_uv=False)
    assert sv.max() <= 1 + 1e-12
    assert sv.min() < 1 - 1e-3  # it does lose power


@pytest.mark.parametrize(("n", "seed"), [(2, 5), (3, 6)])
def test_lossless_lines_conserve_power(n, seed):
    # R = G = 0: S is unitary, S^H S = 1 (Pozar, 4th ed., sec. 4.3), at any length
    f, R, L, G, C = _random_line(n, 31, seed, lossy=False)
    s = nw.s_parameters(f, R, L, G, C, 1.7, z_ref=50.0)
    np.testing.assert_allclose(s.conj().swapaxes(1, 2) @ s, np.broadcast_to(np.eye(2 * n), s.shape), atol=1e-12)


@pytest.mark.parametrize(("n", "seed"), [(1, 7), (3, 8)])
def test_agrees_with_pauls_chain_parameters(n, seed):
    # Paul (2008) ch. 7: [V(l); I(l)] = Phi [V(0); I(0)]; with port currents into the line,
    # I1 = -Phi12^-1 Phi11 V1 + Phi12^-1 V2 and I2 = (Phi22 Phi12^-1 Phi11 - Phi21) V1 -
    # Phi22 Phi12^-1 V2; Y -> S by scikit-rf's y2s
    f, R, L, G, C = _random_line(n, 7, seed)
    p = tl.propagation(f, R, L, G, C)
    phi = nw.chain_parameters(p, 0.2)
    p11, p12, p21, p22 = phi[:, :n, :n], phi[:, :n, n:], phi[:, n:, :n], phi[:, n:, n:]
    inv12 = np.linalg.inv(p12)
    y = np.block([[-inv12 @ p11, inv12], [p22 @ inv12 @ p11 - p21, -p22 @ inv12]])
    z_ref = np.linspace(30, 80, 2 * n)
    np.testing.assert_allclose(nw.scattering(p, 0.2, z_ref=z_ref), skrf.network.y2s(y, z_ref), atol=1e-10)
    # the chain matrix of two lengths is the product of their chain matrices
    np.testing.assert_allclose(nw.chain_parameters(p, 0.3), nw.chain_parameters(p, 0.1) @ phi, rtol=1e-9, atol=1e-9)


def test_symmetric_pair_mixed_mode_equals_its_modal_lines():
    # scikit-rf's se2gmm(p=2) expects ports 0, 1 = near ends of lines 1, 2 and ports 2, 3 = their
    # far ends (our order): it returns d0, d1, c0, c1 with references 2 z_ref and z_ref / 2.
    # For a symmetric pair the differential mode is exactly a line of gamma_odd and Zdiff, the
    # common mode one of gamma_even and Zcommon, and the modes do not convert.
    f = np.logspace(7, 10.3, 15)
    w = 2 * np.pi * f[:, None, None]
    R = np.array([[6.0, 1.2], [1.2, 6.0]]) * np.sqrt(f / 1e7)[:, None, None]
    L = np.array([[360e-9, 70e-9], [70e-9, 360e-9]])
    C = np.array([[105e-12, -20e-12], [-20e-12, 105e-12]])
    G = w * 0.015 * C  # a homogeneous loss tangent
    length = 0.15
    p = tl.propagation(f, R, L, G, C)
    pm = tl.pair(p)
    mm = nw.to_network(p, length, z_ref=50.0)
    mm.se2gmm(p=2)
    diff = skrf.media.DefinedGammaZ0(frequency=_freq(f), z0_port=100.0, z0=pm.z_diff, gamma=pm.gamma_diff)
    common = skrf.media.DefinedGammaZ0(frequency=_freq(f), z0_port=25.0, z0=pm.z_common, gamma=pm.gamma_common)
    d, c = diff.line(length, unit="m"), common.line(length, unit="m")
    np.testing.assert_allclose(mm.s[:, 1, 0], d.s[:, 1, 0], atol=1e-12)  # SDD21
    np.testing.assert_allclose(mm.s[:, 0, 0], d.s[:, 0, 0], atol=1e-12)  # SDD11
    np.testing.assert_allclose(mm.s[:, 3, 2], c.s[:, 1, 0], atol=1e-12)  # SCC21
    np.testing.assert_allclose(mm.s[:, 2:, :2], 0.0, atol=1e-12)  # SCD: no mode conversion


def test_touchstone_round_trip(tmp_path):
    # written by scikit-rf and read back: the same frequencies, S and reference impedances
    f, R, L, G, C = _random_line(2, 11, 9)
    net = nw.network(f, R, L, G, C, 0.1, name="pair")
    net.write_touchstone("pair", dir=tmp_path)
    back = skrf.Network(tmp_path / "pair.s4p")
    np.testing.assert_allclose(back.f, f, rtol=1e-15)
    np.testing.assert_allclose(back.s, net.s, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(back.z0, 50.0)
    # one reference per port needs Touchstone 2.0 (version 1.0 has a single reference)
    net = nw.network(f, R, L, G, C, 0.1, z_ref=[50, 45, 55, 60], name="pair")
    net.write_touchstone("pair2", dir=tmp_path, version="2.0")
    back = skrf.Network(tmp_path / "pair2.ts")
    np.testing.assert_allclose(back.s, net.s, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(back.z0[0], [50, 45, 55, 60])


def test_bad_input():
    one = np.ones((1, 1))
    for length in (0.0, -1.0, np.inf):
        with pytest.raises(InputError, match="line length"):
            nw.s_parameters([1e9], one, one, one, one, length)
    with pytest.raises(InputError, match="2 values for a 4-port, expected 1 or 4"):
        nw.s_parameters([1e9], np.eye(2), np.eye(2), np.eye(2), np.eye(2), 1.0, z_ref=[50, 50])
    with pytest.raises(InputError, match="reference impedance -5 ohm"):
        nw.s_parameters([1e9], one, one, one, one, 1.0, z_ref=-5)
    with pytest.raises(InputError, match="real numbers"):
        nw.s_parameters([1e9], one, one, one, one, 1.0, z_ref=50 + 1j)
    with pytest.raises(InputError, match="rise time"):
        nw.crosstalk(np.eye(2), np.eye(2)).far_end(1.0, 0.0)


def test_a_missing_scikit_rf_is_one_line_naming_the_extra():
    code = (
        "import sys\nsys.modules['skrf'] = None\n"
        "from fieldsolver.errors import MissingExtraError\n"
        "from fieldsolver.physics import network as nw\n"
        "s = nw.s_parameters([1e9], [[1.0]], [[3e-7]], [[0.0]], [[1e-10]], 1.0)\n"  # numpy only
        "try:\n    nw.network([1e9], [[1.0]], [[3e-7]], [[0.0]], [[1e-10]], 1.0)\n"
        "except MissingExtraError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "S-parameter networks needs skrf, which is not installed: pip install 'fieldsolver[networks]'"
    )


# -------------------------------------------------------------------------------- crosstalk
@pytest.fixture(scope="module")
def stripline_pair():
    # homogeneous: a coupled stripline in one dielectric (one grid: the check holds on any grid)
    return fs.solve(fs.template("coupled_stripline", w=0.2, s=0.2, h1=0.2, h2=0.2, t=0.018, er=3.6), tol=None)


@pytest.fixture(scope="module")
def microstrip_pair():
    return fs.solve(fs.template("coupled_microstrip", w=0.3, s=0.4, h=0.17, t=0.035, er=4.3), tol=None)


def test_homogeneous_medium_has_no_forward_crosstalk(stripline_pair):
    # in a homogeneous medium L = mu eps C^-1, so Lm/L = Cm/C and Kf = 0 (Hall, Hall and McCall,
    # 2000, ch. 3), for any number of lines
    r = stripline_pair
    x = nw.crosstalk(r.inductance, r.capacitance)
    np.testing.assert_allclose(x.k_forward, 0.0, atol=1e-14)
    (l11, l12), (c11, c12) = r.inductance[0], r.capacitance[0]
    assert x.k_backward[0, 1] == pytest.approx((l12 / l11 - c12 / c11) / 4, rel=1e-12)  # Cm = -C12
    assert x.k_backward[0, 1] > 0.01
    np.testing.assert_allclose(x.delay, np.sqrt(3.6) / fs.constants.C0, rtol=1e-12)
    rng = np.random.default_rng(10)
    for n in (3, 5):
        C = _spd(n, 1e-10, rng)
        x = nw.crosstalk(2.5 / fs.constants.C0**2 * np.linalg.inv(C), C)
        np.testing.assert_allclose(x.k_forward, 0.0, atol=1e-14)
        assert np.all(x.k_backward[~np.eye(n, dtype=bool)] != 0)


def test_homogeneous_pair_network_is_the_exact_coupled_line_coupler(stripline_pair):
    # a symmetric homogeneous pair between ports of z_ref = sqrt(Zeven Zodd) is the coupled-line
    # coupler: coupled (near-end) port S = j c sin(t) / (sqrt(1 - c^2) cos(t) + j sin(t)),
    # isolated (far-end) port 0, c = (Ze - Zo)/(Ze + Zo) (Pozar, 4th ed., sec. 7.6), and
    # c = Lm/L = Cm/C = 2 Kb exactly for a homogeneous pair
    r = stripline_pair
    x = nw.crosstalk(r.inductance, r.capacitance)
    z_ref = np.sqrt(r.z_even * r.z_odd)
    length = 0.05
    f = np.linspace(1e8, 3e10, 40)
    s = nw.s_parameters(f, _zero(2), r.inductance, _zero(2), r.capacitance, length, z_ref=z_ref)
    c = 2 * x.k_backward[0, 1]
    assert c == pytest.approx((r.z_even - r.z_odd) / (r.z_even + r.z_odd), rel=1e-12)
    theta = 2 * np.pi * f * x.delay[0] * length
    coupler = 1j * c * np.sin(theta) / (np.sqrt(1 - c**2) * np.cos(theta) + 1j * np.sin(theta))
    np.testing.assert_allclose(s[:, 1, 0], coupler, atol=1e-12)  # NEXT: near end of line 2
    np.testing.assert_allclose(s[:, 3, 0], 0.0, atol=1e-12)  # FEXT: far end of line 2


def test_crosstalk_formulas_against_the_networks_step_response(microstrip_pair):
    # inhomogeneous microstrip pair, matched at each end to the line's own impedance
    # sqrt(L11 (C^-1)11): the victim's response to a ramp on the aggressor, from the network by
    # inverse FFT, against the classical forms (Hall, Hall and McCall 2000, ch. 3): saturated
    # NEXT = Kb, NEXT = Kb 2 TD / tr on a line shorter than tr v / 2, FEXT = Kf TD / tr (negative
    # on microstrip), and the FEXT pulse's area Kf TD
    r = microstrip_pair
    L, C = r.inductance, r.capacitance
    x = nw.crosstalk(L, C)
    td, tr = 1e-9, 100e-12
    length = td / x.delay[0]
    fmax, k = 50e9, 1000
    f = np.arange(k + 1) * (fmax / k)
    f[0] = 1.0  # stands in for DC
    dt, nt = 1 / (2 * fmax), 2 * k
    t = np.arange(nt) * dt
    z0 = np.sqrt(L[0, 0] * np.linalg.inv(C)[0, 0])
    s = nw.s_parameters(f, _zero(2), L, _zero(2), C, length, z_ref=z0)

    def response(port: int, rise: float) -> np.ndarray:
        a = np.clip((t - 1e-9) / rise, 0, 1) - np.clip((t - 12e-9) / rise, 0, 1)
        return np.fft.irfft(s[:, port, 0] * np.fft.rfft(a), nt)

    assert x.k_forward[0, 1] < -0.02 and x.k_backward[0, 1] > 0.02
    near, far = response(1, tr), response(3, tr)
    plateau = (t > 1e-9 + tr + 0.1e-9) & (t < 1e-9 + 2 * td - 0.1e-9)
    assert near[plateau].mean() == pytest.approx(x.near_end(length, tr)[0, 1], rel=0.01)
    assert x.near_end(length, tr)[0, 1] == x.k_backward[0, 1]  # saturated: 2 TD > tr
    assert far.min() == pytest.approx(x.far_end(length, tr)[0, 1], rel=0.03)
    assert far[t < 6e-9].sum() * dt == pytest.approx(x.k_forward[0, 1] * td, rel=0.01)
    slow = 4 * td  # 2 TD < tr: NEXT does not saturate
    assert response(1, slow).max() == pytest.approx(x.near_end(length, slow)[0, 1], rel=0.01)
    assert x.near_end(length, slow)[0, 1] == pytest.approx(x.k_backward[0, 1] / 2)
    assert x.saturation_length(tr)[0, 1] == pytest.approx(length * tr / (2 * td))


def test_db():
    assert nw.db(0.1) == pytest.approx(-20.0)
    np.testing.assert_allclose(nw.db(np.array([1j, -1.0])), 0.0)


# ------------------------------------------------------------------------ what a length does
def test_mixed_mode_equals_scikit_rfs_se2gmm():
    # an asymmetric lossy pair between unequal single-ended references (whose means differ at
    # the two ends): scikit-rf's se2gmm (Ferrero and Pirola 2006) is the independent reference
    f, R, L, G, C = _random_line(2, 9, 11)
    p = tl.propagation(f, R, L, G, C)
    z_ref = [40.0, 70.0, 45.0, 35.0]
    s, z_mm = nw.mixed_mode(p, 0.21, z_ref=z_ref)
    ref = nw.to_network(p, 0.21, z_ref=z_ref)
    ref.se2gmm(p=2)
    np.testing.assert_allclose(s, ref.s, atol=1e-12)
    np.testing.assert_allclose(z_mm, ref.z0[0].real)
    np.testing.assert_allclose(z_mm, [110.0, 80.0, 27.5, 20.0])
    with pytest.raises(InputError, match="a pair's: this line has 3 signals"):
        nw.mixed_mode(tl.propagation(*_random_line(3, 2, 12)), 0.1)


def test_response_views_are_the_s_parameters():
    # through = S(N+i, i), reflection = S(i, i), NEXT [i, j] = S(i, j), FEXT [i, j] = S(N+i, j)
    # (ports: near ends 1..N, far ends N+1..2N); dB = 20 log10 |S|
    f, R, L, G, C = _random_line(3, 5, 13)
    p = tl.propagation(f, R, L, G, C)
    r = nw.response(p, 0.3, z_ref=45.0)
    s = nw.scattering(p, 0.3, z_ref=45.0)
    assert r.mixed is None and r.n_lines == 3
    np.testing.assert_array_equal(r.through[:, 1], s[:, 4, 1])
    np.testing.assert_array_equal(r.reflection[:, 2], s[:, 2, 2])
    np.testing.assert_array_equal(r.near_end[:, 0, 2], s[:, 0, 2])
    np.testing.assert_array_equal(r.far_end[:, 0, 2], s[:, 3, 2])
    assert np.all(r.near_end[:, 1, 1] == 0) and np.all(r.far_end[:, 2, 2] == 0)
    d = r.to_dict()
    assert d["z_ref"] == [45.0] * 6 and d["length"] == 0.3
    assert d["fext_db"][4][0][2] == pytest.approx(20 * np.log10(abs(s[4, 3, 2])), rel=1e-12)
    assert d["next_db"][0][1][1] is None and "sdd21_db" not in d
    # a pair adds its mixed-mode figures; |x| = 0 is null, not -inf (not JSON)
    p2 = tl.propagation(*_random_line(2, 4, 14))
    d2 = nw.response(p2, 0.1).to_dict()
    assert d2["z_ref_mixed"] == [100.0, 100.0, 25.0, 25.0]
    assert d2["sdd21_db"][0] == pytest.approx(20 * np.log10(abs(nw.mixed_mode(p2, 0.1)[0][0, 1, 0])))
    assert nw._db_list(np.array([0.0, 0.1])) == [None, pytest.approx(-20.0)]


def test_select_takes_solved_frequencies_only():
    f, R, L, G, C = _random_line(2, 6, 15)
    p = tl.propagation(f, R, L, G, C)
    sub = nw.select(p, [f[4], f[1]])
    np.testing.assert_array_equal(nw.scattering(sub, 0.2), nw.scattering(p, 0.2)[[4, 1]])
    with pytest.raises(InputError, match=r"was not solved.*skrf.Network.interpolate"):
        nw.select(p, [f[0], 1.5 * f[0]])


def test_touchstone_text(tmp_path):
    # scikit-rf writes the text; read back it is the same network. Touchstone 1.0 holds one
    # reference for all ports, so unequal ones and the mixed-mode ports (2 z and z / 2) need 2.0
    assert nw.touchstone_format("a/b.S4P") == ("1.0", 4)
    assert nw.touchstone_format("b.ts") == ("2.0", None)
    with pytest.raises(InputError, match=r"\.sNp \(version 1.0, N ports\) or \.ts"):
        nw.touchstone_format("b.s4")
    f, R, L, G, C = _random_line(2, 7, 16)
    net = nw.network(f, R, L, G, C, 0.1, z_ref=42.0, name="pair")
    (tmp_path / "a.s4p").write_text(nw.touchstone(net))
    back = skrf.Network(tmp_path / "a.s4p")
    np.testing.assert_allclose(back.s, net.s, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(back.z0, 42.0)
    assert "! ports 1..2: near ends of the lines, 3..4: their far ends" in (tmp_path / "a.s4p").read_text()
    (tmp_path / "m.ts").write_text(nw.touchstone(net, version="2.0", mixed=True))
    back = skrf.Network(tmp_path / "m.ts")
    mm = net.copy()
    mm.se2gmm(p=2)
    np.testing.assert_allclose(back.s, mm.s, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(back.z0[0], [84, 84, 21, 21])
    with pytest.raises(InputError, match=r"84, 84, 21, 21 ohm: Touchstone 1\.0"):
        nw.touchstone(net, mixed=True)
    uneven = nw.network(f, R, L, G, C, 0.1, z_ref=[50, 50, 40, 40])
    with pytest.raises(InputError, match=r"40 ohm: Touchstone 1.0 \(.sNp\) holds one"):
        nw.touchstone(uneven)
    with pytest.raises(InputError, match="a pair's"):
        nw.touchstone(nw.network(f[:2], [[1.0]], [[3e-7]], [[0.0]], [[1e-10]], 0.1), version="2.0", mixed=True)


def test_crosstalk_to_dict():
    x = nw.crosstalk(np.array([[3e-7, 4e-8], [4e-8, 3e-7]]), np.array([[1.2e-10, -1e-11], [-1e-11, 1.2e-10]]))
    d = x.to_dict()
    assert set(d) == {"k_backward", "k_forward", "delay"}
    d = x.to_dict(0.1, 50e-12)
    assert d["near_end"] == x.near_end(0.1, 50e-12).tolist() and d["rise"] == 50e-12 and d["length"] == 0.1
    assert d["saturation_length"] == x.saturation_length(50e-12).tolist()


def test_result_network_needs_frequencies(stripline_pair):
    with pytest.raises(InputError, match="solve with freq="):
        stripline_pair.network(0.1)
    with pytest.raises(InputError, match="solve with freq="):
        stripline_pair.network(0.1, freq=[1e9])


def test_result_network_is_the_lines_network(tmp_path):
    # perfect conductors and a lossless homogeneous dielectric: the line of the result's rlgc, and
    # for one line scikit-rf's DefinedGammaZ0 with beta = w sqrt(er) / c exactly and Zc = Z0
    path = tmp_path / "line.yaml"
    path.write_text(
        "units: mm\nbackground: {er: 2.2}\nconductors:\n"
        "  - {name: inner, role: signal, sigma: .inf, circle: {center: [0, 0], radius: 0.5}}\n"
        "  - {name: outer, sigma: .inf, ring: {center: [0, 0], inner_radius: 1.5, outer_radius: 1.7}}\n"
    )
    f = np.array([1e8, 1e9, 1e10])
    r = fs.solve(path, tol=None, freq=f)
    net = r.network(0.25, z_ref=75.0, name="coax")
    assert net.name == "coax" and net.nports == 2
    beta = 2 * np.pi * f * np.sqrt(2.2) / fs.constants.C0
    media = skrf.media.DefinedGammaZ0(frequency=_freq(f), z0_port=75.0, z0=r.z0, gamma=1j * beta)
    np.testing.assert_allclose(net.s, media.line(0.25, unit="m").s, atol=1e-12)
    sub = r.network(0.25, freq=[1e9], z_ref=75.0)
    np.testing.assert_allclose(sub.s, net.s[1:2], atol=0)
