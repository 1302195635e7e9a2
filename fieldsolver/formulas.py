"""Closed-form references, each with its source. SI: eta0 = mu0 c = 376.7303 ohm (the "60" and
"30 pi" of textbook formulas are eta0 / 2 pi and eta0 / 4 with eta0 rounded to 120 pi).

Exact (2D electrostatics, conformal mapping) unless a docstring says otherwise.
"""

from __future__ import annotations

import math

from scipy.special import ellipk

from .solver import C0, MU0

ETA0 = MU0 * C0


def _k_ratio(k: float) -> float:
    """K(k) / K(k'), with k' = sqrt(1 - k^2). scipy's ellipk takes the parameter m = k^2."""
    return float(ellipk(k * k) / ellipk(1.0 - k * k))


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


def microstrip_hammerstad_jensen(w: float, h: float, er: float) -> tuple[float, float]:
    """Zero-thickness microstrip (Z0, eps_eff), Hammerstad and Jensen, "Accurate models for
    microstrip computer-aided design", IEEE MTT-S Digest 1980, pp. 407-409. Stated accuracy:
    Z0 in air better than 0.01 % for w/h <= 1 and 0.03 % for w/h <= 1000; eps_eff better than
    0.2 % for er <= 128 and 0.01 <= w/h <= 100. Not exact: a reference with a tolerance."""
    u = w / h
    f = 6.0 + (2 * math.pi - 6.0) * math.exp(-((30.666 / u) ** 0.7528))
    z_air = ETA0 / (2 * math.pi) * math.log(f / u + math.sqrt(1.0 + (2.0 / u) ** 2))
    a = 1.0 + math.log((u**4 + (u / 52.0) ** 2) / (u**4 + 0.432)) / 49.0 + math.log(1.0 + (u / 18.1) ** 3) / 18.7
    b = 0.564 * ((er - 0.9) / (er + 3.0)) ** 0.053
    eps_eff = (er + 1.0) / 2.0 + (er - 1.0) / 2.0 * (1.0 + 10.0 / u) ** (-a * b)
    return z_air / math.sqrt(eps_eff), eps_eff
