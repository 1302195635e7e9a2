"""Closed-form references, each with its source. SI: eta0 = mu0 c = 376.7303 ohm (the "60" and
"30 pi" of textbook formulas are eta0 / 2 pi and eta0 / 4 with eta0 rounded to 120 pi).

Exact (2D electrostatics, conformal mapping) unless a docstring says otherwise. Empirical fits
(IPC-2141 and the like) keep their published constants, 60 and 87 included.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq
from scipy.special import ellipk, ellipkm1

from ..constants import ETA0


def _k_ratio(k: float) -> float:
    """K(k) / K(k'), with k' = sqrt(1 - k^2). scipy's ellipk takes the parameter m = k^2."""
    return float(ellipk(k * k) / ellipk(1.0 - k * k))


def _k_ratio_m(m: float, m1: float) -> float:
    """K(k) / K(k') from m = k^2 and m1 = k'^2 = 1 - m given separately, so that neither
    k -> 0 nor k -> 1 loses precision (scipy's ellipkm1(p) is K at parameter 1 - p)."""
    return float(ellipkm1(m1) / ellipkm1(m))


def _one_minus_exp(x: float) -> float:
    """1 - exp(-x), accurate for small x."""
    return -math.expm1(-x)


def coax_z0(d: float, D: float, er: float = 1.0) -> float:
    """Coaxial line: Z0 = eta0 / (2 pi sqrt(er)) ln(D/d). Exact."""
    return ETA0 / (2 * math.pi * math.sqrt(er)) * math.log(D / d)


def wire_over_ground_z0(d: float, h: float, er: float = 1.0) -> float:
    """Round wire, diameter d, centre at height h over an infinite plane:
    Z0 = eta0 / (2 pi sqrt(er)) acosh(2h/d). Exact (image method)."""
    return ETA0 / (2 * math.pi * math.sqrt(er)) * math.acosh(2 * h / d)


def twin_wire_z_diff(d: float, D: float, er: float = 1.0) -> float:
    """Two round wires, diameter d, centre spacing D, no ground:
    Zdiff = eta0 / (pi sqrt(er)) acosh(D/d). Exact."""
    return ETA0 / (math.pi * math.sqrt(er)) * math.acosh(D / d)


def stripline_z0(w: float, b: float, er: float = 1.0) -> float:
    """Zero-thickness strip of width w centred between planes b apart (Cohn, IRE T-MTT 2(2), 1954):
    Z0 = eta0 / (4 sqrt(er)) K(k)/K(k'), k = sech(pi w / 2b). Exact."""
    k = 1.0 / math.cosh(math.pi * w / (2 * b))
    return ETA0 / (4 * math.sqrt(er)) * _k_ratio(k)


def coupled_stripline_z(w: float, s: float, b: float, er: float = 1.0) -> tuple[float, float]:
    """Edge-coupled zero-thickness strips, width w, gap s, centred between planes b apart:
    (Zodd, Zeven). Cohn, "Shielded coupled-strip transmission line", IRE T-MTT 3(10), 1955:
    ke = tanh(pi w/2b) tanh(pi (w+s)/2b), ko = tanh(pi w/2b) coth(pi (w+s)/2b),
    Z = eta0 / (4 sqrt(er)) K(k')/K(k). Exact."""
    a, c = math.tanh(math.pi * w / (2 * b)), math.tanh(math.pi * (w + s) / (2 * b))
    ke, ko = a * c, a / c
    scale = ETA0 / (4 * math.sqrt(er))
    return scale / _k_ratio(ko), scale / _k_ratio(ke)


def cpw_thick_z0(w: float, g: float, er: float) -> tuple[float, float]:
    """Coplanar waveguide, zero-thickness conductors, centre width w, gaps g, semi-infinite side
    grounds, on a substrate filling the half-space below (air above): (Z0, eps_eff) with
    eps_eff = (er + 1)/2 and Z0 = eta0 / (4 sqrt(eps_eff)) K(k')/K(k), k = w/(w + 2g).
    Exact (Wen, IEEE T-MTT 17(12), 1969; Simons, *Coplanar Waveguide Circuits*, Wiley 2001, ch. 2)."""
    eps_eff = (er + 1.0) / 2.0
    k = w / (w + 2 * g)
    return ETA0 / (4 * math.sqrt(eps_eff)) / _k_ratio(k), eps_eff


def cps_z(w: float, s: float, er: float = 1.0) -> float:
    """Coplanar strips (two zero-thickness strips of width w, edge gap s) in a uniform medium:
    Z = eta0 / sqrt(er) K(k)/K(k'), k = s/(s + 2w): the balanced (differential) impedance. Exact;
    by Babinet's principle the complement of the CPW of centre width s and gaps w (Simons,
    *Coplanar Waveguide Circuits*, Wiley 2001, sections 2.2 and 7.2)."""
    return ETA0 / math.sqrt(er) * _k_ratio(s / (s + 2 * w))


def broadside_stripline_z(w: float, s: float, b: float, er: float = 1.0) -> tuple[float, float]:
    """Broadside-coupled zero-thickness strips of width w, one above the other s apart, centred
    between planes b apart, no lateral offset: (Zodd, Zeven). Cohn, "Characteristic impedances of
    broadside-coupled strip transmission lines", IRE T-MTT 8(6), 1960:
    w/b = (1/pi) [ln((1+R)/(1-R)) - (s/b) ln((1+R/k)/(1-R/k))], R = sqrt((k b/s - 1)/(b/(k s) - 1)),
    Zeven = eta0 / (2 sqrt(er)) K(k')/K(k), Zodd = (pi eta0 / 4 sqrt(er)) (s/b) / atanh(k).
    The mapping is exact for one edge of the pair; the formula adds the two edges, so it is exact
    while they do not interact. Measured against converged field solutions: within 2e-5 for
    w >= 3 s; at w = 2 s Zeven is 0.003-0.009 % low, at w = s 0.16-0.37 % low (Zodd within 3e-5)."""
    sb = s / b

    def width(k: float) -> float:
        # ln((1+x)/(1-x)) = 2 ln(1+x) - ln(1-x^2), with 1 - R^2 and 1 - (R/k)^2 in closed form
        m1 = (1.0 - k) * (1.0 + k)
        r = math.sqrt((k / sb - 1.0) / (1.0 / (k * sb) - 1.0))
        first = 2 * math.log1p(r) - math.log(m1 / (1 - k * sb))
        second = 2 * math.log1p(r / k) - math.log(sb * m1 / (k * (1 - k * sb)))
        return (first - sb * second) / math.pi

    # width(k) rises from 0 at k = s/b to infinity at k = 1; past 1 - 1e-13 (w/b of about 8) the
    # logarithms lose double precision
    lo, hi = sb * (1 + 1e-15), 1 - 1e-13
    if not 0 < sb < 1:
        raise ValueError(f"broadside strips out of range: need 0 < s < b, got s/b = {sb:g}")
    if not 0 < w / b < width(hi):
        raise ValueError(f"broadside strips out of range: need 0 < w < {width(hi):.3g} b, got w/b = {w / b:g}")
    k = brentq(lambda k: width(k) - w / b, lo, hi, xtol=1e-17, rtol=1e-15)
    z_even = ETA0 / (2 * math.sqrt(er)) / _k_ratio(k)
    z_odd = math.pi * ETA0 / (4 * math.sqrt(er)) * sb / math.atanh(k)
    return z_odd, z_even


def coax_layered_z0(d: float, d_diel: float, D: float, er_inner: float, er_outer: float = 1.0) -> float:
    """Coax whose dielectric is two concentric layers: er_inner from d to d_diel, er_outer from
    d_diel to D. C = 2 pi eps0 / (ln(d_diel/d)/er_inner + ln(D/d_diel)/er_outer), L = mu0/(2 pi)
    ln(D/d), Z0 = sqrt(L/C). Exact (series capacitors of a radial field)."""
    series = math.log(d_diel / d) / er_inner + math.log(D / d_diel) / er_outer
    return ETA0 / (2 * math.pi) * math.sqrt(math.log(D / d) * series)


def coax_eccentric_z0(d: float, D: float, offset: float, er: float = 1.0) -> float:
    """Coax with its inner conductor (diameter d) displaced by ``offset`` from the axis of the
    outer (inner diameter D), uniform dielectric. Exact (bipolar coordinates, the image solution
    of two non-concentric cylinders): Z0 = eta0 / (2 pi sqrt(er)) arccosh((D^2 + d^2 - 4 offset^2)
    / (2 d D)); e.g. B. C. Wadell, *Transmission Line Design Handbook*, Artech House 1991, 2.4.2.
    It reduces to ln(D/d) at offset 0."""
    if not 0.0 <= 2 * offset < D - d:
        raise ValueError("the inner conductor must lie inside the outer: 0 <= 2 offset < D - d")
    return ETA0 / (2 * math.pi * math.sqrt(er)) * math.acosh((D * D + d * d - 4 * offset * offset) / (2 * d * D))


def _hj_z_air(u: float) -> float:
    """Hammerstad-Jensen 1980 eqs. (1)-(2): Z0 of a zero-thickness strip in air, u = w/h."""
    f = 6.0 + (2 * math.pi - 6.0) * math.exp(-((30.666 / u) ** 0.7528))
    return ETA0 / (2 * math.pi) * math.log(f / u + math.sqrt(1.0 + (2.0 / u) ** 2))


def _hj_eps_eff(u: float, er: float) -> float:
    """Hammerstad-Jensen 1980 eqs. (3)-(5): static eps_eff of a zero-thickness strip, u = w/h."""
    a = 1.0 + math.log((u**4 + (u / 52.0) ** 2) / (u**4 + 0.432)) / 49.0 + math.log(1.0 + (u / 18.1) ** 3) / 18.7
    b = 0.564 * ((er - 0.9) / (er + 3.0)) ** 0.053
    return (er + 1.0) / 2.0 + (er - 1.0) / 2.0 * (1.0 + 10.0 / u) ** (-a * b)


def microstrip_hammerstad_jensen(w: float, h: float, er: float) -> tuple[float, float]:
    """Zero-thickness microstrip (Z0, eps_eff), Hammerstad and Jensen, "Accurate models for
    microstrip computer-aided design", IEEE MTT-S Digest 1980, pp. 407-409. Stated accuracy:
    Z0 in air better than 0.01 % for w/h <= 1 and 0.03 % for w/h <= 1000; eps_eff better than
    0.2 % for er <= 128 and 0.01 <= w/h <= 100. Not exact: a reference with a tolerance."""
    u = w / h
    eps_eff = _hj_eps_eff(u, er)
    return _hj_z_air(u) / math.sqrt(eps_eff), eps_eff


def microstrip_hammerstad_jensen_thick(w: float, h: float, t: float, er: float) -> tuple[float, float]:
    """Microstrip with strip thickness t: (Z0, eps_eff), Hammerstad and Jensen, "Accurate models
    for microstrip computer-aided design", IEEE MTT-S Int. Microwave Symp. Digest 1980,
    pp. 407-409, eqs. (6)-(9). With u = w/h and T = t/h, the width corrections are

        du_1 = (T / pi) ln(1 + 4e / (T coth^2(sqrt(6.517 u))))         (air, eq. 6)
        du_r = (1 + sech(sqrt(er - 1))) du_1 / 2                        (dielectric, eq. 7)

    u_1 = u + du_1, u_r = u + du_r, and with the zero-thickness Z_air(u) and eps_eff(u, er) of
    :func:`microstrip_hammerstad_jensen`: Z0 = Z_air(u_r) / sqrt(eps_eff(u_r, er)) (eq. 8),
    eps_eff = eps_eff(u_r, er) (Z_air(u_1) / Z_air(u_r))^2 (eq. 9). For t = 0 it is exactly the
    zero-thickness function. Validity and accuracy: the figures quoted with the paper are those
    of the zero-thickness formulas (see :func:`microstrip_hammerstad_jensen`); no separate figure
    is given here for the thickness correction (intended for t small compared with w and h).
    Not exact."""
    if t <= 0.0:
        return microstrip_hammerstad_jensen(w, h, er)
    u, tn = w / h, t / h
    du1 = tn / math.pi * math.log(1.0 + 4.0 * math.e * math.tanh(math.sqrt(6.517 * u)) ** 2 / tn)
    dur = 0.5 * (1.0 + 1.0 / math.cosh(math.sqrt(er - 1.0))) * du1
    u1, ur = u + du1, u + dur
    eps_r = _hj_eps_eff(ur, er)
    z_r = _hj_z_air(ur)
    return z_r / math.sqrt(eps_r), eps_r * (_hj_z_air(u1) / z_r) ** 2


def microstrip_wheeler(w: float, h: float, t: float, er: float) -> float:
    """Microstrip Z0 with strip thickness t, Wheeler, "Transmission-line properties of a strip
    on a dielectric sheet on a plane", IEEE T-MTT 25(8), 1977, pp. 631-647, in the form quoted
    by Wadell, *Transmission Line Design Handbook*, Artech House 1991, and by many calculators:

        w' = w + t (1 + 1/er) / (2 pi) ln(4e / sqrt((t/h)^2 + (1 / (pi (w/t + 1.1)))^2))
        x  = 4h / w',  a = (14 + 8/er) / 11 x
        Z0 = eta0 / (2 pi sqrt(2 (1 + er))) ln(1 + x (a + sqrt(a^2 + pi^2 (1 + 1/er) / 2)))

    (w' = w for t = 0.) Valid for any w/h and er: it interpolates between asymptotes that are
    exact for w >> h (parallel plate, any er) and for w << h (er = 1: a round wire of diameter
    w/2 over ground). Accuracy as usually quoted with it (e.g. the Wikipedia "Microstrip"
    article): error below 1 % in most cases and always below 2 %. Not exact."""
    if t > 0.0:
        dw = t / math.pi * math.log(4.0 * math.e / math.hypot(t / h, 1.0 / (math.pi * (w / t + 1.1))))
        w_eff = w + dw * (1.0 + 1.0 / er) / 2.0
    else:
        w_eff = w
    x = 4.0 * h / w_eff
    a = (14.0 + 8.0 / er) / 11.0 * x
    arg = 1.0 + x * (a + math.sqrt(a * a + math.pi**2 * (1.0 + 1.0 / er) / 2.0))
    return ETA0 / (2 * math.pi * math.sqrt(2.0 * (1.0 + er))) * math.log(arg)


def microstrip_ipc2141(w: float, h: float, t: float, er: float) -> float:
    """Surface microstrip, IPC-2141 "Controlled impedance circuit boards and high speed logic
    design" and IPC-D-317A (also National Semiconductor application note AN-905, "Transmission
    line RAPIDESIGNER operation and applications guide"):

        Z0 = 87 / sqrt(er + 1.41) ln(5.98 h / (0.8 w + t))

    The 87, 1.41, 5.98 and 0.8 are empirical fit constants, kept as published. Commonly stated
    validity: 0.1 < w/h < 2.0 and 1 < er < 15. No accuracy figure is published with it; treat it
    as a rough estimate. Not exact."""
    return 87.0 / math.sqrt(er + 1.41) * math.log(5.98 * h / (0.8 * w + t))


def stripline_ipc2141(w: float, b: float, t: float, er: float) -> float:
    """Centred stripline, b = plane-to-plane spacing, IPC-2141 / IPC-D-317A (also in the IPC-2251
    design guide and National Semiconductor AN-905):

        Z0 = 60 / sqrt(er) ln(4 b / (0.67 pi (0.8 w + t)))      [4 / 0.67 pi = 1.900]

    The 60 here is part of an empirical fit (0.67 and 0.8 model the strip as an equivalent
    round conductor), so it is kept as published rather than replaced by eta0 / 2 pi. Stated
    validity: w / (b - t) < 0.35, t / b < 0.25, 1 < er < 15. Accuracy (Clemson University CVEL
    PCB transmission-line calculator notes, against a 2D field solver for er = 4, b = 15 mil,
    t = 1.37 mil): within 1 % for 0.08 < w/(b - t) < 0.32, 2 % up to 0.35 and for 0.05..0.08,
    more than 30 % off below 0.05. Not exact."""
    return 60.0 / math.sqrt(er) * math.log(4.0 * b / (0.67 * math.pi * (0.8 * w + t)))


def stripline_thick(w: float, b: float, t: float, er: float) -> float:
    """Centred stripline with a strip of thickness t, b = plane-to-plane spacing: Wheeler,
    "Transmission-line properties of a strip line between parallel planes", IEEE T-MTT 26(11),
    1978, pp. 866-876, as given in Wadell, *Transmission Line Design Handbook*, Artech House
    1991 (stripline section). With x = t/b:

        n      = 2 / (1 + (2/3) x / (1 - x))
        dw     = (t / pi) (1 - ln((x / (2 - x))^2 + (0.0796 x / (w/b + 1.1 x))^n) / 2)
        m      = (w + dw) / (b - t)
        Z0     = eta0 / (4 pi sqrt(er)) ln(1 + 4/(pi m) (8/(pi m) + sqrt((8/(pi m))^2 + 6.27)))

    (dw = 0 for t = 0.) Stated accuracy 0.5 % for m = w'/(b - t) < 10. At t = 0 it stays within
    0.5 % of Cohn's exact :func:`stripline_z0` over that range; for thick strips (t/b = 0.2) it
    departs from Cohn's thick wide-strip result by up to 0.6 %. Not exact."""
    if t > 0.0:
        x = t / b
        n = 2.0 / (1.0 + 2.0 / 3.0 * x / (1.0 - x))
        dw = t / math.pi * (1.0 - 0.5 * math.log((x / (2.0 - x)) ** 2 + (0.0796 * x / (w / b + 1.1 * x)) ** n))
    else:
        dw = 0.0
    p = 8.0 / (math.pi * (w + dw) / (b - t))
    return ETA0 / (4 * math.pi * math.sqrt(er)) * math.log(1.0 + p / 2.0 * (p + math.sqrt(p * p + 6.27)))


def coupled_microstrip_kirschning_jansen(w: float, s: float, h: float, er: float) -> tuple[float, float, float, float]:
    """Edge-coupled zero-thickness microstrips, width w, gap s, on a substrate of height h:
    static (f = 0) (Z_odd, Z_even, eps_eff_odd, eps_eff_even). Kirschning and Jansen, "Accurate
    wide-range design equations for the frequency-dependent characteristic of parallel coupled
    microstrip lines", IEEE T-MTT 32(1), 1984, pp. 83-90, eqs. (3), (4), (8), (9), with the
    authors' corrections (IEEE T-MTT 33(3), 1985, p. 288). With u = w/h, g = s/h and the
    single-line Hammerstad-Jensen Z_L(u), eps(u) of :func:`microstrip_hammerstad_jensen`:

    eps_even = eps(v): the Hammerstad-Jensen eps_eff at v = u (20 + g^2) / (10 + g^2) + g exp(-g)
    eps_odd  = ((er + 1)/2 + a_o - eps) exp(-c_o g^d_o) + eps,
               a_o = 0.7287 (eps - (er + 1)/2) (1 - exp(-0.179 u)), b_o = 0.747 er / (0.15 + er),
               c_o = b_o - (b_o - 0.207) exp(-0.414 u), d_o = 0.593 + 0.694 exp(-0.562 u)
    Z_even = Z_L sqrt(eps / eps_even) / (1 - Z_L sqrt(eps) Q4 / eta0)
    Z_odd  = Z_L sqrt(eps / eps_odd) / (1 - Z_L sqrt(eps) Q10 / eta0), with
      Q1 = 0.8695 u^0.194, Q2 = 1 + 0.7519 g + 0.189 g^2.31,
      Q3 = 0.1975 + (16.6 + (8.4/g)^6)^-0.387 + ln(g^10 / (1 + (g/3.4)^10)) / 241,
      Q4 = 2 Q1 / (Q2 (exp(-g) u^Q3 + (2 - exp(-g)) u^-Q3)),
      Q5 = 1.794 + 1.14 ln(1 + 0.638 / (g + 0.517 g^2.43)),
      Q6 = 0.2305 + ln(g^10 / (1 + (g/5.8)^10)) / 281.3 + ln(1 + 0.598 g^1.154) / 5.1,
      Q7 = (10 + 190 g^2) / (1 + 82.3 g^3), Q8 = exp(-6.5 - 0.95 ln g - (g/0.15)^5),
      Q9 = ln(Q7) (Q8 + 1/16.5), Q10 = Q4 - (Q5 / Q2) u^(Q6 u^-Q9).

    Stated validity 0.1 <= u <= 10, 0.1 <= g <= 10, 1 <= er <= 18; stated accuracy about 1 %
    (per quantity, as quoted in implementations: 0.7 % eps_even, 0.5 % eps_odd, 0.6 % Z).
    Not exact."""
    u, g = w / h, s / h
    eps = _hj_eps_eff(u, er)
    z_air = _hj_z_air(u)  # = Z_L sqrt(eps)
    z_l = z_air / math.sqrt(eps)
    half = (er + 1.0) / 2.0

    v = u * (20.0 + g * g) / (10.0 + g * g) + g * math.exp(-g)
    eps_e = _hj_eps_eff(v, er)
    a_o = 0.7287 * (eps - half) * (1.0 - math.exp(-0.179 * u))
    b_o = 0.747 * er / (0.15 + er)
    c_o = b_o - (b_o - 0.207) * math.exp(-0.414 * u)
    d_o = 0.593 + 0.694 * math.exp(-0.562 * u)
    eps_o = (half + a_o - eps) * math.exp(-c_o * g**d_o) + eps

    q1 = 0.8695 * u**0.194
    q2 = 1.0 + 0.7519 * g + 0.189 * g**2.31
    q3 = 0.1975 + (16.6 + (8.4 / g) ** 6) ** -0.387 + math.log(g**10 / (1.0 + (g / 3.4) ** 10)) / 241.0
    q4 = 2.0 * q1 / (q2 * (math.exp(-g) * u**q3 + (2.0 - math.exp(-g)) * u**-q3))
    q5 = 1.794 + 1.14 * math.log(1.0 + 0.638 / (g + 0.517 * g**2.43))
    q6 = 0.2305 + math.log(g**10 / (1.0 + (g / 5.8) ** 10)) / 281.3 + math.log(1.0 + 0.598 * g**1.154) / 5.1
    q7 = (10.0 + 190.0 * g * g) / (1.0 + 82.3 * g**3)
    q8 = math.exp(-6.5 - 0.95 * math.log(g) - (g / 0.15) ** 5)
    q9 = math.log(q7) * (q8 + 1.0 / 16.5)
    q10 = q4 - q5 / q2 * u ** (q6 * u**-q9)

    z_e = z_l * math.sqrt(eps / eps_e) / (1.0 - z_air * q4 / ETA0)
    z_o = z_l * math.sqrt(eps / eps_o) / (1.0 - z_air * q10 / ETA0)
    return z_o, z_e, eps_o, eps_e


def _cpw_q0(w: float, g: float) -> float:
    """K(k0)/K(k0') for k0 = w / (w + 2g), with k0'^2 = 4 g (w + g) / (w + 2g)^2."""
    k0 = w / (w + 2.0 * g)
    return _k_ratio_m(k0 * k0, 4.0 * g * (w + g) / (w + 2.0 * g) ** 2)


def cpw_ghione_naldi(w: float, g: float, h: float, er: float) -> tuple[float, float]:
    """Coplanar waveguide, zero-thickness conductors, centre width w, gaps g, semi-infinite side
    grounds, on a substrate of finite height h with air above and below (no backing):
    (Z0, eps_eff). Quasi-static conformal mapping with partial capacitances (the substrate is
    replaced by a layer of er - 1 under a full air space, with magnetic walls on the slot
    interfaces), Ghione and Naldi, "Analytical formulas for coplanar lines in hybrid and
    monolithic MICs", Electronics Letters 20(4), 1984, pp. 179-181; Simons, *Coplanar Waveguide
    Circuits, Components, and Systems*, Wiley 2001, sec. 2.2:

        k0 = w / (w + 2g),  k1 = sinh(pi w / 4h) / sinh(pi (w + 2g) / 4h)
        eps_eff = 1 + (er - 1)/2 K(k1)/K(k1') K(k0')/K(k0)
        Z0 = eta0 / (4 sqrt(eps_eff)) K(k0')/K(k0)

    (k1 and k1' are evaluated in a form free of overflow and cancellation.) Reduces to
    :func:`cpw_thick_z0` as h -> infinity and to the air CPW as h -> 0. Not exact: the partial-
    capacitance split (magnetic walls on the slot interfaces) is an approximation; no accuracy
    figure is attached to it here."""
    q0 = _cpw_q0(w, g)
    # k1 = sinh(a) / sinh(b) and k1'^2 = sinh(b - a) sinh(b + a) / sinh(b)^2, in overflow-free form
    a, b = math.pi * w / (4.0 * h), math.pi * (w + 2.0 * g) / (4.0 * h)
    k1 = math.exp(a - b) * _one_minus_exp(2 * a) / _one_minus_exp(2 * b)
    m1 = _one_minus_exp(2 * (b - a)) * _one_minus_exp(2 * (b + a)) / _one_minus_exp(2 * b) ** 2
    eps_eff = 1.0 + (er - 1.0) / 2.0 * _k_ratio_m(k1 * k1, m1) / q0
    return ETA0 / (4.0 * math.sqrt(eps_eff)) / q0, eps_eff


def gcpw(w: float, g: float, h: float, er: float) -> tuple[float, float]:
    """Conductor-backed (grounded) coplanar waveguide, zero-thickness conductors, centre width w,
    gaps g, semi-infinite side grounds, substrate of height h on a ground plane, air above:
    (Z0, eps_eff). Quasi-static conformal mapping, Ghione and Naldi, "Parameters of coplanar
    waveguides with lower common planes", Electronics Letters 19(18), 1983, pp. 734-735, and
    "Coplanar waveguides for MMIC applications: effect of upper shielding, conductor backing,
    finite-extent ground planes, and line-to-line coupling", IEEE T-MTT 35(3), 1987,
    pp. 260-267; Simons, *Coplanar Waveguide Circuits, Components, and Systems*, Wiley 2001,
    sec. 2.4:

        k0 = w / (w + 2g),  k3 = tanh(pi w / 4h) / tanh(pi (w + 2g) / 4h)
        r  = K(k3)/K(k3') K(k0')/K(k0)
        eps_eff = (1 + er r) / (1 + r)
        Z0 = eta0 / (2 sqrt(eps_eff)) / (K(k0)/K(k0') + K(k3)/K(k3'))

    The air half-space above and the filled region below (strip to bottom ground and side
    grounds, with magnetic walls on the slots) are mapped separately and their capacitances
    added, so it is approximate; the side grounds and the bottom plane are at the same
    potential. k3 and k3' are evaluated in a form free of overflow and
    cancellation. Limits: -> :func:`cpw_thick_z0` as h -> infinity, -> parallel plate
    eta0 h / (w sqrt(er)) as h -> 0. No accuracy figure is attached to it here. Not exact."""
    q0 = _cpw_q0(w, g)
    # k3 = tanh(a) / tanh(b) and k3'^2 = sinh(b - a) sinh(b + a) / (cosh(a)^2 sinh(b)^2), overflow-free
    a, b = math.pi * w / (4.0 * h), math.pi * (w + 2.0 * g) / (4.0 * h)
    ea, eb = math.exp(-2 * a), math.exp(-2 * b)
    k3 = _one_minus_exp(2 * a) / (1.0 + ea) * (1.0 + eb) / _one_minus_exp(2 * b)
    log_m3 = (
        math.log(4.0)
        - 2 * a
        + math.log(_one_minus_exp(2 * (b - a)) * _one_minus_exp(2 * (b + a)))
        - 2 * math.log((1.0 + ea) * _one_minus_exp(2 * b))
    )
    # very thin substrate (k3' below the float range): K(k)/K(k') = (2/pi) ln(4/k'), exact to O(k'^2)
    q3 = _k_ratio_m(k3 * k3, math.exp(log_m3)) if log_m3 > -600.0 else (math.log(16.0) - log_m3) / math.pi
    eps_eff = (q0 + er * q3) / (q0 + q3)
    return ETA0 / (2.0 * math.sqrt(eps_eff)) / (q0 + q3), eps_eff


def z_diff_microstrip_empirical(z0: float, s: float, h: float) -> float:
    """Differential impedance of an edge-coupled microstrip pair from the single-line Z0, gap s
    and substrate height h: Zdiff = 2 Z0 (1 - 0.48 exp(-0.96 s/h)). Empirical fit attributed to
    National Semiconductor AN-905 ("Transmission line RAPIDESIGNER operation and applications
    guide") and used by most online calculators, usually with :func:`microstrip_ipc2141`. No
    validity range or accuracy is published with it; it ignores w and er: a rough estimate
    only. Not exact."""
    return 2.0 * z0 * (1.0 - 0.48 * math.exp(-0.96 * s / h))


def z_diff_stripline_empirical(z0: float, s: float, b: float) -> float:
    """Differential impedance of an edge-coupled centred stripline pair from the single-line Z0,
    gap s and plane-to-plane spacing b: Zdiff = 2 Z0 (1 - 0.347 exp(-2.9 s/b)). Empirical fit
    attributed to National Semiconductor AN-905, as quoted in calculators (with b = 2h + t, h
    the dielectric height on each side, and :func:`stripline_ipc2141`). No validity range or
    accuracy is published with it: a rough estimate only. Not exact."""
    return 2.0 * z0 * (1.0 - 0.347 * math.exp(-2.9 * s / b))
