"""The shunt part of a line: G(f) and C(f) of the signals from the complex permittivity
``eps' - j eps''`` of every dielectric (:meth:`fieldsolver.geometry.model.Dielectric.permittivity`),
and their error estimate.

The discrete capacitance is a quadratic form of the link permittivities, ``C = eps0 phi^T K(eps)
phi``, stationary in phi; so, with ``D_r = eps_r phi^T (dK/d eps_r) phi`` the field energy of
region r (per unit relative change of its permittivity, so that ``sum_r D_r = C / eps0``), the
line's admittance to first order in the loss tangents ``tan_r = eps''_r / eps'_r`` is

    C(f) = eps0 sum_r D_r(eps'(f))
    G(f) = w eps0 sum_r tan_r(f) D_r(eps'(f))

with ``D_r`` taken where every region has its permittivity ``eps'_r(f)`` of that frequency. A
homogeneous line gives ``G = w C tan(delta)`` exactly, and where the regions' ``eps'`` change
over frequency by one common factor (or not at all) ``D_r(eps'(f)) = D_r(er) eps'(f) / er``
(C is of degree 1 in eps), so the static solve's energies give every frequency. Where they
change unlike (a Djordjevic-Sarkar substrate under air), the field moves between the regions:
then the finest grid is solved again at the band's lowest, middle (geometric) and highest
frequencies' ``eps'`` (at each frequency if there are at most three), and each ``D_r`` is
interpolated between them, quadratically in log f (the Djordjevic-Sarkar ``eps'`` is close to
linear in log f). Without this, two concentric layers of a coax, one Djordjevic-Sarkar
(``eps'/er`` 1.088 at 1 MHz), had G 7.6 % off at 1 MHz.

``D_r`` is computed by differentiating the rasterised link permittivities (central difference)
on the finest grid, and scaled entry by entry to the reported (extrapolated) capacitance.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from ..constants import EPS0
from ..geometry.model import CrossSection
from ..numerics.grid import MeshOptions, make_grid
from ..numerics.raster import rasterize
from ..numerics.solver import FieldSolution, energy_matrix, solve_medium

STEP = 1e-4  # relative step of the permittivity derivative (central difference)
ALIKE = 1e-12  # relative permittivity changes closer than this are the same change


def _regions(section: CrossSection):
    """The dielectric regions: (er, permittivity function, the section with that region's er
    scaled by a factor)."""

    def background(k: float) -> CrossSection:
        return replace(section, background_er=section.background_er * k)

    out = [(section.background_er, section.background_permittivity, background)]
    for i, d in enumerate(section.dielectrics):

        def scaled(k: float, i: int = i) -> CrossSection:
            ds = list(section.dielectrics)
            ds[i] = replace(ds[i], er=ds[i].er * k)
            return replace(section, dielectrics=tuple(ds))

        out.append((d.er, d.permittivity, scaled))
    return out


def _energies(sol: FieldSolution) -> list[tuple[int, float, Any, np.ndarray]]:
    """:func:`energy_matrices` with each region's index in ``_regions``."""
    grid = sol.grid
    pots = sol.dielectric.potentials
    out = []
    for i, (er, perm, scaled) in enumerate(_regions(sol.section)):
        up, down = rasterize(scaled(1.0 + STEP), grid), rasterize(scaled(1.0 - STEP), grid)
        D = energy_matrix(grid, up, down, STEP, pots)  # the whole operator's, cut cells included
        if not np.any(D):
            continue  # the region holds no field (or is painted over)
        out.append((i, er, perm, 0.5 * (D + D.T)))
    return out


def energy_matrices(sol: FieldSolution) -> list[tuple[float, Any, np.ndarray]]:
    """Per dielectric region that holds field: its er, its permittivity function and ``D_r``
    (N, N), the derivative of ``phi^T K phi`` per unit relative change of its er (so that
    ``sum_r D_r = phi^T K phi``)."""
    return [(er, perm, D) for _, er, perm, D in _energies(sol)]


class Shunt(NamedTuple):
    """G and C (F, N, N); ``g_model``, ``c_model``: absolute bars of the model (the
    interpolation between the frequencies solved, and the neglected second order in the loss
    tangents), see :func:`shunt_uncertainty`."""

    G: np.ndarray
    C: np.ndarray
    g_model: np.ndarray
    c_model: np.ndarray


def shunt_admittance(sol: FieldSolution, c: np.ndarray, freq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G (F, N, N) and C (F, N, N) from the energy in every lossy or dispersive region (see the
    module's text)."""
    s = _shunt(sol, c, freq)
    return s.G, s.C


def _at(sol: FieldSolution, ratio: np.ndarray) -> dict[int, np.ndarray]:
    """The regions' ``D_r`` with every region's er scaled by ``ratio[r]`` (a solve on sol's grid)."""
    section = sol.section
    for r, k in enumerate(ratio):
        if k != 1.0:
            section = _regions(section)[r][2](k)
    raster = rasterize(section, sol.grid)
    med = solve_medium(sol.grid, raster, "dielectric", guess=sol.dielectric.potentials)
    moved = FieldSolution(section, sol.grid, raster, med, med, {})
    return {i: D for i, _, _, D in _energies(moved)}


def _interpolate(t: np.ndarray, ts: np.ndarray, values: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The interpolation of ``values`` (each (N, N), at the points ``ts``) at ``t`` (F,): (F, N, N)
    quadratic (Lagrange) through three points, and its bar, the distance to the piecewise-linear
    interpolation; with fewer points, piecewise linear and the distance to the nearest point's
    value (zero where ``t`` is one of ``ts``)."""
    order = np.argsort(ts)
    ts, v = ts[order], np.stack(values)[order]
    flat = v.reshape(len(ts), -1)
    lin = np.stack([np.interp(t, ts, flat[:, k]) for k in range(flat.shape[1])], axis=-1).reshape(t.size, *v.shape[1:])
    if ts.size < 3:
        near = v[np.abs(t[:, None] - ts[None, :]).argmin(axis=1)]
        return lin, lin - near
    quad = np.zeros_like(lin)
    for j in range(3):
        a, b = (ts[k] for k in range(3) if k != j)
        quad += ((t - a) * (t - b) / ((ts[j] - a) * (ts[j] - b)))[:, None, None] * v[j][None]
    return quad, quad - lin


def _moved(sol: FieldSolution, freq: np.ndarray, rel: np.ndarray, base) -> tuple[dict, dict]:
    """``D_r`` at each frequency's eps' where the regions' eps' change unlike, and the
    interpolation's bar (dicts by region). The finest grid is solved at the band's lowest,
    geometric-middle and highest frequencies (or at each, if there are at most three); between
    them ``D_r / (eps'_r / er_r)`` (constant where nothing moves) is interpolated in the
    relative change ``u`` of the region whose eps' changes most, quadratically: the
    Djordjevic-Sarkar eps' of every region is an affine function of one shape of f, so all the
    regions' eps' are affine in ``u``."""
    held = [i for i, *_ in base]
    lead = held[int(np.argmax(np.ptp(rel.real[held], axis=1)))]
    fs = np.unique(freq)
    picks = fs if fs.size <= 3 else np.array([fs[0], math.sqrt(fs[0] * fs[-1]), fs[-1]])
    samples: dict[float, dict[int, np.ndarray]] = {}
    for f in picks:
        ratio = np.array([p.real for p in _ratios(sol, float(f))])
        if ratio[lead] - 1.0 not in samples:
            D = _at(sol, ratio)
            samples[ratio[lead] - 1.0] = {i: D[i] / ratio[i] for i in held}
    ts = np.array(list(samples))
    u = rel.real[lead] - 1.0
    D, gap = {}, {}
    for i in held:
        e, bar = _interpolate(u, ts, [s[i] for s in samples.values()])
        D[i], gap[i] = rel.real[i][:, None, None] * e, rel.real[i][:, None, None] * bar
    return D, gap


def _shunt(sol: FieldSolution, c: np.ndarray, freq: np.ndarray) -> Shunt:
    w = 2 * np.pi * freq
    c_fine = 0.5 * (sol.dielectric.capacitance + sol.dielectric.capacitance.T)
    scale = EPS0 * np.divide(c, c_fine, out=np.ones_like(c), where=c_fine != 0)
    base = _energies(sol)
    n = len(_regions(sol.section))
    rel = np.ones((n, freq.size), dtype=complex)
    for i, er, perm, _ in base:
        rel[i] = perm(freq) / er
    held = [i for i, *_ in base]
    tan = -rel.imag / rel.real
    spread = np.ptp(rel.real[held], axis=0) if held else np.zeros(freq.size)
    # D_r at each frequency's eps'; D_quad - D_lin, the interpolation's bar
    D = {i: rel.real[i][:, None, None] * d[None] for i, _, _, d in base}
    gap = {i: np.zeros_like(D[i]) for i in held}
    if len(held) > 1 and np.any(spread > ALIKE):
        D, gap = _moved(sol, freq, rel, base)
    G = np.zeros((freq.size, *c.shape))
    C = np.zeros((freq.size, *c.shape))
    g_model = np.zeros_like(G)
    c_model = np.zeros_like(C)
    for i in held:
        G += (w * tan[i])[:, None, None] * D[i] * scale
        C += D[i] * scale
        g_model += (w * tan[i])[:, None, None] * np.abs(gap[i]) * np.abs(scale)
        c_model += np.abs(gap[i]) * np.abs(scale)
    # second order in the loss tangents: zero where they are alike (a homogeneous loss scales C)
    t2 = (np.ptp(tan[held], axis=0) ** 2 if held else np.zeros(freq.size))[:, None, None]
    if not held:
        C = np.repeat(c[None], freq.size, axis=0)
    return Shunt(G, C, g_model + t2 * np.abs(G), c_model + t2 * np.abs(C))


def _ratios(sol: FieldSolution, f: float) -> list[complex]:
    """Each region's permittivity at ``f`` over its static er."""
    return [complex(perm(np.array([f]))[0]) / er for er, perm, _ in _regions(sol.section)]


def shunt_uncertainty(
    sol: FieldSolution, coarse: FieldSolution, c: np.ndarray, freq: np.ndarray, static_uncertainty: float, order: float
) -> tuple[np.ndarray, np.ndarray]:
    """Absolute error bars of G and C (F, N, N) from :func:`shunt_admittance` on the finest static
    grid ``sol``, with ``coarse`` the same section on a grid of ``1/sqrt 2`` its density. The sum of

    * grid: the change of G and C between the two grids (each scaled to the same ``c``) times
      ``1 / (sqrt 2^p - 1)``, the step a sequence of the statics' formal order p
      (``refine.formal_order``: 2, or 1 with curved dielectric interfaces) would still take;
    * the capacitance: twice the static values' largest relative estimate, as a bar of each
      modal capacitance, gives ``|dC_ij| <= 2 u sqrt(C_ii C_jj)`` (Cauchy-Schwarz over the modes);
      G and C(f) are scaled by C entry by entry, so each takes that relative bar of its entry;
    * the model: where the regions' eps' change unlike, the difference between the quadratic
      and the piecewise-linear interpolation of ``D_r`` between the frequencies solved; and the
      neglected second order in the loss tangents, ``(max_r tan_r - min_r tan_r)^2`` of |G| and
      |C| (zero where every region has the same tangent: then C scales exactly; for layers in
      series the term is the tangents' variance over the energy, at most a quarter of this)."""
    s = _shunt(sol, c, freq)
    coarse_s = _shunt(coarse, c, freq)
    k = 1.0 / (math.sqrt(2) ** order - 1.0)
    d = np.sqrt(np.abs(np.diag(c)))
    c_bar = 2 * static_uncertainty * np.outer(d, d)
    ratio = np.divide(c_bar, np.abs(c), out=np.zeros_like(c), where=c != 0)[None]
    dG = k * np.abs(s.G - coarse_s.G) + ratio * np.abs(s.G) + s.g_model
    dC = k * np.abs(s.C - coarse_s.C) + ratio * np.abs(s.C) + s.c_model
    return dG, dC


def coarse_solution(section: CrossSection, options: MeshOptions | None, density: float) -> FieldSolution:
    """The dielectric solve alone on the grid of ``1/sqrt 2`` the density ``density`` (relative
    to ``options``'): the statics' level before the finest."""
    base = options or MeshOptions()
    grid = make_grid(section, replace(base, density=base.density * density / math.sqrt(2)))
    raster = rasterize(section, grid)
    med = solve_medium(grid, raster, "dielectric")
    return FieldSolution(section, grid, raster, med, med, {})
