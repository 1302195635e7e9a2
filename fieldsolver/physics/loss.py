"""Loss and dispersion: the per-unit-length R, L, G, C matrices of the signals at each frequency.

R(f) and L(f) come from the magnetoquasistatic solution inside and around the conductors
(:mod:`fieldsolver.numerics.magnetic`): from DC, where the current is uniform, through the
skin-effect transition to the skin limit, with proximity effect and the ground return's share.
The external part of L (what is left at infinite frequency) is also the static answer
``L = mu0 eps0 C0^-1``, which the electrostatic solve gives more accurately than the magnetic
grid; so ``L(f) = L_static + (L_mqs(f) - L_mqs(inf))``, with ``L_mqs(inf)`` the magnetic grid's own
value with perfect conductors. That removes the magnetic grid's error of the external inductance
and keeps its internal inductance.

G(f) and C(f) come from the complex permittivity of every dielectric at each frequency and the
field energy in each (:mod:`fieldsolver.physics.shunt`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from ..constants import EPS0, MU0
from ..geometry.model import CrossSection, InputError
from ..numerics.grid import MeshOptions, make_grid
from ..numerics.magnetic import REDUCED_TOL, MagneticProblem, make_magnetic_grid
from ..numerics.mqs_limits import dc_face_resistance, perfect_inductance
from ..numerics.raster import rasterize
from ..numerics.refine import formal_order
from ..numerics.solver import FieldSolution, solve_medium
from .shunt import coarse_solution, shunt_admittance, shunt_uncertainty
from .surface import (
    face_matrices,
    flat_from,
    polygon_surfaces,
    round_surfaces,
    smoothstep,
    surface_impedance,
    surface_matrices,
)
from .transmission import (
    Attenuation,
    LineUncertainty,
    PairModes,
    Propagation,
    pair,
    propagation,
    propagation_uncertainty,
)

MAGNETIC_DENSITY = 0.5  # the magnetic grid's density relative to the mesh options'
# the reduced-model tolerance of the error estimate's coarser grid: its sweep only sets the error
# bars. On the USB pair's coarse grid (51k nodes) the sweep at 1e-5 is within 2e-6 of full
# solves in R and jwL (relative to R), at 13 of the 61 frequencies of 1 MHz-100 GHz: a change
# of the error bar below 1e-5 of R, against error bars of 0.1-3 % of R; it takes 6 shifts
# (about 8 at the main grid's 1e-6, as measured before the main grid moved from 1e-7)
ESTIMATE_TOL = 1e-5


def _complex(a: np.ndarray) -> list:
    """Complex values as ``[re, im]`` pairs (JSON has no complex numbers)."""
    return np.stack([np.real(a), np.imag(a)], axis=-1).tolist()


def _attenuation_db(a: Attenuation) -> dict[str, list]:
    a = a.to("dB/m")
    return {"conductor": a.conductor.tolist(), "dielectric": a.dielectric.tolist(), "total": a.total.tolist()}


def _mode_dict(z, gamma, att: Attenuation, eps) -> dict[str, Any]:
    return {
        "z_c": _complex(z),
        "gamma": _complex(gamma),
        "attenuation_db_per_m": _attenuation_db(att),
        "eps_eff": eps.tolist(),
    }


def _column(a: Attenuation, k: int) -> Attenuation:
    return Attenuation(a.total[:, k], a.conductor[:, k], a.dielectric[:, k], a.unit)


def _line_bars(u: LineUncertainty) -> dict[str, Any]:
    """The JSON of a line's error bars, keyed as the values they belong to."""
    d: dict[str, Any] = {
        "modes": [
            _mode_dict(u.z_mode[:, k], u.gamma[:, k], _column(u.attenuation, k), u.eps_eff[:, k])
            for k in range(u.z_mode.shape[1])
        ]
    }
    if u.z_diff is not None and u.z_common is not None:
        assert u.attenuation_diff is not None and u.attenuation_common is not None
        d["z_diff"] = _complex(u.z_diff)
        d["z_common"] = _complex(u.z_common)
        d["attenuation_diff_db_per_m"] = _attenuation_db(u.attenuation_diff)
        d["attenuation_common_db_per_m"] = _attenuation_db(u.attenuation_common)
    return d


@dataclass(frozen=True)
class RLGC:
    """Per-unit-length matrices of the N signals at F frequencies, SI units, and the line they
    make (:mod:`fieldsolver.physics.transmission` defines every quantity).

    ``freq`` (F,) Hz; ``R`` ohm/m, ``L`` H/m, ``G`` S/m, ``C`` F/m, each (F, N, N); ``r_dc``
    (N, N) ohm/m, the DC resistance (each signal's ``1 / (sigma A)`` on the diagonal plus the
    grounds' in every entry, the return path they share); ``propagation``: the modes, ``Zc`` and
    the attenuation at each frequency; ``pair``: a pair's differential and common modes.
    """

    freq: np.ndarray
    R: np.ndarray
    L: np.ndarray
    G: np.ndarray
    C: np.ndarray
    r_dc: np.ndarray
    propagation: Propagation
    pair: PairModes | None = None
    notes: tuple[str, ...] = ()
    R_smooth: np.ndarray | None = None  # R with smooth faces, where a face is rough
    # absolute error estimates of R, L, G and C (F, N, N), when solved with a tolerance
    uncertainty: dict[str, np.ndarray] | None = None
    line_uncertainty: LineUncertainty | None = None  # and of the modes (and a pair's) from them

    def to_dict(self) -> dict[str, Any]:
        p = self.propagation
        d: dict[str, Any] = {
            "R": self.R.tolist(),
            "L": self.L.tolist(),
            "G": self.G.tolist(),
            "C": self.C.tolist(),
            "r_dc": self.r_dc.tolist(),
            "modes": [
                _mode_dict(p.z_mode[:, k], p.gamma[:, k], _column(p.attenuation, k), p.eps_eff[:, k])
                for k in range(p.n_lines)
            ],
        }
        if self.pair is not None:
            d["z_diff"] = _complex(self.pair.z_diff)
            d["z_common"] = _complex(self.pair.z_common)
            d["attenuation_diff_db_per_m"] = _attenuation_db(self.pair.attenuation_diff)
            d["attenuation_common_db_per_m"] = _attenuation_db(self.pair.attenuation_common)
        if self.uncertainty is not None:
            d["uncertainty"] = {k: v.tolist() for k, v in self.uncertainty.items()}
        if self.line_uncertainty is not None:
            d.setdefault("uncertainty", {}).update(_line_bars(self.line_uncertainty))
        d["notes"] = list(self.notes)
        return d


def check_frequencies(freq) -> np.ndarray:
    f = np.atleast_1d(np.asarray(freq, float))
    if f.ndim != 1 or f.size == 0:
        raise InputError("frequencies must be a non-empty list")
    if not np.all(np.isfinite(f)) or np.any(f <= 0):
        raise InputError("frequencies must be finite and above 0 Hz")
    return f


class Series(NamedTuple):
    """The series part: R and L (F, N, N); ``R_smooth``: R with every face smooth (None when
    every conductor is smooth); notes on what limits them."""

    R: np.ndarray
    L: np.ndarray
    notes: tuple[str, ...]
    R_smooth: np.ndarray | None = None
    # absolute, of R and L (from ``_series``: the surfaces' own bars alone, see _surface_part)
    uncertainty: tuple[np.ndarray, np.ndarray] | None = None


# BLAS (numpy's and scipy's OpenBLAS: the sparse LU, the reduced model's dense products) on one
# thread: its threads spin while they wait for work, and on a busy 2-core machine a 21-point
# microstrip sweep took 85 s (58 s CPU) with the default threads against 11 s (5 s CPU) with one;
# the products here are too small to gain from two.
@threadpool_limits.wrap(limits=1, user_api="blas")
def series_impedance(
    section: CrossSection,
    freq: np.ndarray,
    l_static: np.ndarray,
    options: MeshOptions | None = None,
    vacuum: tuple[FieldSolution, np.ndarray] | None = None,
    estimate: bool = False,
) -> Series:
    """R (F, N, N) and L (F, N, N) of the signals; ``l_static`` (N, N): the external inductance
    from the electrostatic solve, which replaces the magnetic grid's own where every conductor's
    faces lie on grid lines (with round conductors, perfect nodes would not trace the same
    surface as the lossy cells, so there the magnetic grid's L is kept).

    Round conductors (wires, tubes): where the magnetic grid resolves their skin (below
    ``MagneticGrid.resolved_to``), they are part of it; a factor of 4 in frequency above that,
    their surfaces' exact cylindrical impedance takes over (:mod:`fieldsolver.physics.surface`,
    from ``vacuum``: the static solution and its vacuum Maxwell matrix), blended smoothly in log f
    between. Without ``vacuum`` the grid's answer is kept, with a note above that frequency.

    Roughness multiplies each face's share of the loss by the face's factor ``K(f)``
    (:mod:`fieldsolver.geometry.roughness`): the loss in every conductor node is counted to the
    face nearest to it (top, bottom or sides by that face's outward normal); a round conductor's
    surface takes its factor where its roughness is the same on every face. The internal
    reactance gains ``(Kx(f) - 1) Rs W`` on each rough face (``Kx``: the model's reactance factor,
    from the causal forms of the Hammerstad and Huray models; Groisse: ``Kx = K``), with the
    face's field weight ``W`` estimated from its resistance (see :func:`_reactance_ratio`), times
    how skin-like the face's current is (:func:`_skin_weight`: 0 at DC, so toward DC the rough
    line's R and L are the smooth line's); on a round surface, ``Kx`` times its exact cylindrical
    reactance.

    ``estimate``: also solve on a grid of ``1/sqrt 2`` the density, and give ``uncertainty``:
    the change between the two times ``UNCERTAINTY_FACTOR``, the step a first-order convergence
    would still take. The round surfaces' fields then come from vacuum solves of their own, at 2
    (the answer) and sqrt 2 (the coarse level) times the density of the options, and their bar
    also holds :data:`SURFACE_FIT` of their share.
    """
    o = options or MeshOptions()
    o = replace(o, density=o.density * MAGNETIC_DENSITY)
    if not estimate:
        return _series(section, freq, l_static, o, vacuum, SURFACE_OFFSET)._replace(uncertainty=None)
    base = options or MeshOptions()
    fine_vacuum = coarse_vacuum = None
    if vacuum is not None and round_surfaces(section, [math.isfinite(c.sigma) for c in section.conductors]):
        # the round surfaces' fields from vacuum solves at 2 and sqrt 2 times the density
        fine_vacuum = _vacuum(section, replace(base, density=2 * base.density))
        coarse_vacuum = _vacuum(section, replace(base, density=math.sqrt(2) * base.density))
    # the coarse level's round surfaces from the coarser vacuum solve; polygons' from the same
    # solution as the fine level's (their recession fit averages the grid's error already)
    fine_v = fine_vacuum or vacuum
    both = (fine_v, coarse_vacuum) if coarse_vacuum is not None else fine_v
    faces: dict = {}  # the polygon surfaces' matrices, found once for both levels on the same grid
    fine = _series(section, freq, l_static, o, fine_v, SURFACE_OFFSET, faces=faces)
    coarse_o = replace(o, density=o.density / math.sqrt(2))
    coarse = _series(section, freq, l_static, coarse_o, both, SURFACE_OFFSET, ESTIMATE_TOL, faces)
    fit = fine.uncertainty or (0.0, 0.0)
    unc = (
        UNCERTAINTY_FACTOR * np.abs(fine.R - coarse.R) + fit[0],
        UNCERTAINTY_FACTOR * np.abs(fine.L - coarse.L) + fit[1],
    )
    return fine._replace(uncertainty=unc)


def _vacuum(section: CrossSection, options: MeshOptions) -> tuple[FieldSolution, np.ndarray]:
    """A vacuum solve alone (the round surfaces' fields): the solution and its Maxwell matrix."""
    grid = make_grid(section, options)
    raster = rasterize(section, grid)
    med = solve_medium(grid, raster, "vacuum")
    return FieldSolution(section, grid, raster, med, med, {}), 0.5 * (med.capacitance + med.capacitance.T)


UNCERTAINTY_FACTOR = 1.0 / (math.sqrt(2) - 1)  # a first-order sequence's remaining step
SURFACE_OFFSET = 1.5  # cells between a round surface and the field samples its fit uses
# the round surfaces' G_s fit, against the exact proximity factor of a twin lead (D/d = 2) and of
# a wire over a plane (h/a = 1.2 and 4), at 1 to 5.7 times the default density and annulus
# offsets of 1 to 2.5 cells: within 0.04 %, scattering by about 0.01 % from one density to the
# next (so that the two levels' change alone can miss it, and a first-order extrapolation of
# two levels doubled it); their share of R and L is held to this relative bar at least
SURFACE_FIT = 1e-3
# the polygon surfaces' share of R and L (above the hand-over): the recession fit of G_s, within
# 0.15 % of a square's exact Rs / (pi s) in a coax at 0-45 degrees and 0.5 % of separate static
# solves with the faces receded (FACE_FIT), and Wheeler's rule itself, which holds for smooth
# surfaces and overestimates the loss at sharp corners: a rectangular trace's by 1.4-1.7 % at
# 1-100 GHz against its grid converged at 8 times the density (SHARP_CORNERS; tests/test_loss_slant.py)
FACE_FIT = 5e-3
SHARP_CORNERS = 2e-2


def _series(section, freq, l_static, o, vacuum, offset, tol: float = REDUCED_TOL, faces=None) -> Series:
    """:func:`series_impedance` on the grids of options ``o`` (already scaled)."""
    sigma = [c.sigma for c in section.conductors]
    notes = []
    thin = [i for i, c in enumerate(section.conductors) if _thin(c) and math.isfinite(c.sigma)]
    for i in thin:
        sigma[i] = math.inf
    if thin:
        names = ", ".join(repr(section.conductors[i].name) for i in thin)
        verb = "has" if len(thin) == 1 else "have"
        notes.append(
            f"{names} {verb} no thickness, so no resistance: treated as lossless (give it a thickness; in a template, tg for the planes)"
        )
    n = len(section.signals)
    if all(math.isinf(s) for s in sigma):
        return Series(np.zeros((freq.size, n, n)), np.repeat(l_static[None], freq.size, axis=0), tuple(notes))
    mg = make_magnetic_grid(section, sigma, float(freq.max()), o)
    lossy = [math.isfinite(s) for s in sigma]
    surfaces = round_surfaces(section, lossy) + polygon_surfaces(section, lossy) if vacuum is not None else []
    # the grid up to where it resolves the skin, the surfaces from where they hold (a polygon's
    # flat-face impedance: from where it is a few skin depths thick), blended between
    f_hi = max(mg.resolved_to, SURFACE_BLEND * flat_from(section, surfaces))
    if not surfaces or freq.max() <= f_hi / SURFACE_BLEND:
        R, L, R_smooth = _volume(section, mg, sigma, freq, l_static, tol)
        if mg.resolved_to < freq.max():
            notes.append(
                f"R and L above {mg.resolved_to / 1e6:.3g} MHz are not resolved on slanted or polygon "
                "conductor surfaces (the skin is thinner than their cells): treat them as estimates"
            )
        return Series(R, L, tuple(notes), R_smooth)
    notes += _surface_notes(section, surfaces, mg.resolved_to, f_hi, freq)
    assert vacuum is not None
    flat = [math.inf if any(s.conductor == i for s in surfaces) else v for i, v in enumerate(sigma)]
    weight = smoothstep(freq, f_hi / SURFACE_BLEND, f_hi)
    low = weight < 1.0
    # where the blend starts, the grid's L is anchored to the surfaces': the grid traces round
    # surfaces less well than the statics, and the difference is a constant external part
    f_lo = np.array([min(f_hi / SURFACE_BLEND, float(freq[low].max()) if np.any(low) else math.inf)])
    both = np.concatenate([freq, f_lo])
    R_s, L_s, smooth_s, surface_notes, fit = _surface_part(
        section, surfaces, vacuum, both, flat, l_static, o, offset, tol, faces
    )
    notes += surface_notes
    L_anchor = L_s[-1]
    R_s, L_s, smooth_s = R_s[:-1], L_s[:-1], smooth_s[:-1]
    fit = (weight[:, None, None] * fit[0][:-1], weight[:, None, None] * fit[1][:-1])
    R, L, R_smooth = R_s, L_s, smooth_s
    if np.any(low):
        R_v, L_v, smooth_v = _volume(section, mg, sigma, np.concatenate([freq[low], f_lo]), l_static, tol)
        R_v, L_v = R_v[:-1], L_v[:-1] + (L_anchor - L_v[-1])
        smooth_v = R_v if smooth_v is None else smooth_v[:-1]
        wl = weight[low][:, None, None]
        R, L, R_smooth = R.copy(), L.copy(), R_smooth.copy()
        R[low] = (1 - wl) * R_v + wl * R_s[low]
        L[low] = (1 - wl) * L_v + wl * L_s[low]
        R_smooth[low] = (1 - wl) * smooth_v + wl * smooth_s[low]
    rough_any = any(not c.roughness.smooth for c in section.conductors)
    return Series(R, L, tuple(notes), R_smooth if rough_any else None, fit)


def _surface_part(section, surfaces, vacuum, freq, flat, l_static, o, offset, tol=REDUCED_TOL, faces=None):
    """R, L, smooth R, notes and the surfaces' own bars (R, L: :data:`SURFACE_FIT` of the round
    ones' share, :data:`FACE_FIT` and :data:`SHARP_CORNERS` of the polygons') with the round
    conductors as surfaces (their exact cylindrical impedance) and the other conductors on a grid
    where the round ones are perfect (``flat``)."""
    n = len(section.signals)
    w = 2 * np.pi * freq
    notes = []
    if all(math.isinf(v) for v in flat):
        R_s, L_s, smooth_s = np.zeros((freq.size, n, n)), np.repeat(l_static[None], freq.size, axis=0), None
    else:
        mg_flat = make_magnetic_grid(section, flat, float(freq.max()), o)
        R_s, L_s, smooth_s = _volume(section, mg_flat, flat, freq, l_static, tol)
    smooth_s = R_s.copy() if smooth_s is None else smooth_s.copy()
    R_s, L_s = R_s.copy(), L_s.copy()
    fit_R, fit_L = np.zeros_like(R_s), np.zeros_like(L_s)
    for s, G in zip(surfaces, _matrices(surfaces, vacuum, offset, faces), strict=True):
        c = section.conductors[s.conductor]
        zeta = surface_impedance(s, freq, c.sigma)
        rough = c.roughness
        k = kx = np.ones(freq.size)
        if s.kind == "faces":  # one face label, or every face alike
            model = (rough.top, rough.bottom, rough.sides)[s.faces[0]]
            if model is not None:
                k, kx = model.factor(freq, c.sigma), model.reactance_factor(freq, c.sigma)
        elif rough.top is not None and rough.top == rough.bottom == rough.sides:
            k, kx = rough.top.factor(freq, c.sigma), rough.top.reactance_factor(freq, c.sigma)
        elif not rough.smooth:
            notes.append(f"{c.name!r}: a round conductor's roughness is applied only when it is the same on every face")
        R_s += (k * zeta.real)[:, None, None] * G[None]
        smooth_s += zeta.real[:, None, None] * G[None]
        L_s += (kx * zeta.imag / w)[:, None, None] * G[None]
        bar = SURFACE_FIT if s.kind != "faces" else FACE_FIT + SHARP_CORNERS
        fit_R += bar * (k * zeta.real)[:, None, None] * np.abs(G)[None]
        fit_L += bar * (kx * zeta.imag / w)[:, None, None] * np.abs(G)[None]
    return R_s, L_s, smooth_s, notes, (fit_R, fit_L)


def _surface_notes(section, surfaces, resolved_to: float, f_hi: float, freq: np.ndarray) -> list[str]:
    """What limits the polygon surfaces' R and L: where the grid is used beyond its resolution
    (below the blend), and the flat-face impedance's sharp corners (above it)."""
    names = sorted({repr(section.conductors[s.conductor].name) for s in surfaces if s.kind == "faces"})
    if not names:
        return []
    out = []
    if resolved_to < min(f_hi, float(freq.max())):
        out.append(
            f"R and L of {', '.join(names)} between {resolved_to / 1e6:.3g} and {f_hi / 1e6:.3g} MHz blend the "
            "magnetic grid, which does not resolve the skin on slanted faces there, with their surface "
            "impedance: estimates (a trace with 1 um of slant: within 2.1 % of the rectangle's R there)"
        )
    if float(freq.max()) > f_hi / SURFACE_BLEND:
        out.append(
            f"R and L of {', '.join(names)} above {f_hi / 1e6:.3g} MHz: flat-face surface impedance (Wheeler's "
            "rule), which overestimates the loss at sharp corners (by 1.4-1.7 % for a rectangular trace)"
        )
    return out


def _matrices(surfaces, vacuum, offset, faces: dict | None = None) -> list[np.ndarray]:
    """``G_s`` of each surface: round ones fitted to the field, polygons' by their faces'
    recession (kept in ``faces`` by surface and solution, when given, for the next call on the
    same solution). ``vacuum``: a solution and its vacuum Maxwell matrix, or two of them (the
    polygons' and the round surfaces')."""
    round_ = [s for s in surfaces if s.kind != "faces"]
    two = isinstance(vacuum[0], tuple)
    sol = vacuum[0][0] if two else vacuum[0]
    known = {} if faces is None else faces
    missing = [s for s in surfaces if s.kind == "faces" and (s, id(sol)) not in known]
    known |= {(s, id(sol)): G for s, G in zip(missing, face_matrices(sol, missing), strict=True)}
    found = {s: known[(s, id(sol))] for s in surfaces if s.kind == "faces"}
    if round_:
        v = vacuum[1] if two else vacuum
        found |= dict(zip(round_, surface_matrices(v[0], round_, v[1], offset), strict=True))
    return [found[s] for s in surfaces]


SURFACE_BLEND = 4.0  # round conductors: the band (ratio of frequencies) over which grid and surfaces blend


def _volume(section: CrossSection, mg, sigma, freq: np.ndarray, l_static: np.ndarray, tol: float = REDUCED_TOL):
    """R, L and (with roughness) the smooth R from the magnetic grid ``mg``."""
    rough = any(not c.roughness.smooth and math.isfinite(s) for c, s in zip(section.conductors, sigma, strict=True))
    problem = MagneticProblem(mg)
    imp = problem.impedance(freq, faces=rough, tol=tol)
    z = imp.z
    w = 2 * np.pi * freq
    R, L = z.real, z.imag / w[:, None, None]
    R_smooth = None
    # the same grid with perfect conductors: the magnetic grid's own external inductance
    l_inf = None
    if rough or not mg.curved:
        l_inf = perfect_inductance(mg)  # multigrid-CG: the LU's answer within 1e-11 of L, in a third of its time
    if rough:
        assert imp.face_labels is not None and imp.face_resistance is not None and l_inf is not None
        R_smooth, R, L = R, R.copy(), L.copy()
        ratio = _reactance_ratio(R_smooth, L - l_inf, w)
        skin = _skin_weight(imp.face_resistance, _dc_face_resistance(section, sigma, problem))
        for i, label in enumerate(imp.face_labels):
            c = section.conductors[label // 3]
            model = (c.roughness.top, c.roughness.bottom, c.roughness.sides)[label % 3]
            if model is not None:
                k, k0 = model.factor(freq, c.sigma), float(model.factor(0.0, c.sigma))
                # K(0) > 1 (Huray's flat_ratio) only where the current is skin-like
                R += (k - k0 + (k0 - 1.0) * skin[:, i])[:, None, None] * imp.face_resistance[:, i]
                kx, kx0 = model.reactance_factor(freq, c.sigma), float(model.reactance_factor(0.0, c.sigma))
                kx = ((kx - kx0) * np.sqrt(ratio) + (kx0 - 1.0) * ratio) * skin[:, i] / w
                L += kx[:, None, None] * imp.face_resistance[:, i]
    if not mg.curved:
        # the external part from the statics: the magnetic grid's own is subtracted
        L = L - l_inf + l_static
    return R, L, R_smooth


def _dc_face_resistance(section: CrossSection, sigma, problem: MagneticProblem) -> np.ndarray:
    """Each face's DC resistance (labels, N, N): from the node masses and the DC current division
    (no solve; within 1e-8 of a full solve at :func:`_dc_frequency`), or where a conductor is
    perfect from that solve."""
    dc = dc_face_resistance(problem)
    if dc is not None:
        return dc[1]
    return problem.impedance(_dc_frequency(section, sigma), reduced=False, faces=True).face_resistance[0]


def _reactance_ratio(R: np.ndarray, L_internal: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The smooth line's internal reactance over its resistance at each frequency, ``rho``
    (traces of the (F, N, N) matrices): 1 in the skin limit, falling to 0 at DC.

    A surface model adds ``(Kx - 1) Rs W`` to a face's reactance, ``W`` the integral of the
    squared tangential field over the face (per unit current squared). ``R_face / Rs`` is ``W``
    only where the skin is thin (it grows without bound toward DC), and ``rho R_face / Rs`` only
    there too (it falls to 0); their geometric mean ``sqrt(rho) R_face / Rs`` is taken: exact in
    the skin limit, and for a round wire also at DC (``1 / (2 pi a)``: its internal inductance
    ``mu0 / (8 pi)`` and ``R_dc = 1 / (sigma pi a^2)``). Alone it would carry the causal models'
    low-frequency inductance (Bracken's ``surface_ratio a mu0`` per unit width) to DC: the
    caller also weights by :func:`_skin_weight`."""
    x = w * np.trace(L_internal, axis1=1, axis2=2)
    r = np.trace(R, axis1=1, axis2=2)
    return np.clip(np.divide(x, r, out=np.zeros_like(x), where=r > 0), 0.0, None)


SKIN_POWER = 3.0  # the power of the face's DC-to-present resistance ratio in _skin_weight


def _dc_frequency(section: CrossSection, sigma) -> float:
    """A frequency whose skin depth is 100 times the largest conductor's extent, in its best
    conductor: its current is uniform there (to about 1e-8 of the resistance)."""
    spans = [
        d
        for c, s in zip(section.conductors, sigma, strict=True)
        if math.isfinite(s)
        for d in np.diff(np.reshape(c.shape.bbox(), (2, 2)), axis=1).ravel()
        if math.isfinite(d)
    ]
    best = max(s for s in sigma if math.isfinite(s))
    size = max(spans, default=1.0)
    return 1.0 / (np.pi * MU0 * best * (100.0 * size) ** 2)


def _skin_weight(face_r: np.ndarray, face_r_dc: np.ndarray) -> np.ndarray:
    """How skin-like each face's current is, (F, labels): ``1 - (R_dc / R)^SKIN_POWER`` of the
    traces of the face's resistance at DC and at each frequency, 0 at DC and 1 in the skin limit.

    A surface roughness model holds only where the current is confined to a skin thin against
    the conductor; at DC the current is uniform, the texture carries a negligible share of it and
    R and L are the smooth conductor's. The weight multiplies a face's added reactance (and the
    part of its added loss that does not vanish at DC, Huray's ``flat_ratio - 1``). Measured on a
    0.3 mm, 35 um microstrip (Huray ``a = 0.5 um``, ``surface_ratio = 2.9``; Hammerstad 1 um):
    with the power 1, 2, 3 or 4 the internal L still falls from 1 kHz to 100 GHz and the added L
    dies as ``f^2`` toward DC; ``R_dc / R`` falls only as ``2 delta / t``, so the power 1 takes
    7 % off the added L at 1 GHz, the power 3 under 1e-3 (the power 2 and more also need the
    ``flat_ratio`` part's reactance weighted by ``X/R`` rather than its square root, or with
    ``flat_ratio = 1.2`` L rises near 10 kHz). With the power 3, ``1 -`` the weight at 1 GHz is
    6.5e-4 on the strip's bottom face and 1e-5 on the ground's top face, 1.6 % on the strip's top
    face (which carries little current: its share of R is far below its DC share). The weight is not causal in itself: in the band
    where it moves from 0 to 1 the added impedance only approximately obeys Kramers-Kronig."""
    r = np.trace(face_r, axis1=2, axis2=3)
    r0 = np.trace(face_r_dc, axis1=1, axis2=2)[None, :]
    q = np.clip(np.divide(r0, r, out=np.ones_like(r), where=r > 0), 0.0, 1.0)
    return 1.0 - q**SKIN_POWER


def _thin(c) -> bool:
    b = c.shape.bbox()
    return b[0] == b[1] or b[2] == b[3]


def dc_resistance(section: CrossSection) -> np.ndarray:
    """DC resistance matrix (N, N): ``1 / (sigma A)`` of each signal, plus the grounds' (in
    parallel) in every entry. Infinite planes and perfect conductors have none."""
    import shapely

    from ..geometry.model import to_shapely

    def resistance(cs) -> float:
        g = 0.0
        for c in cs:
            b = c.shape.bbox()
            if math.isinf(c.sigma) or _thin(c) or not all(map(math.isfinite, b)):
                return 0.0
            g += c.sigma * shapely.area(to_shapely(c.shape, b))
        return 1.0 / g if g > 0 else math.inf

    r_sig = [resistance([c]) for c in section.signals]
    r_gnd = resistance(section.grounds) if section.grounds else 0.0
    return np.diag(r_sig) + r_gnd


def rlgc(
    section: CrossSection,
    sol: FieldSolution,
    c: np.ndarray,
    c_vac: np.ndarray,
    freq,
    options: MeshOptions | None = None,
    estimate: bool = False,
    static_uncertainty: float = 0.0,
    static_density: float = 1.0,
) -> RLGC:
    """RLGC(f) of ``section``, from its (finest) static solution ``sol`` and the reported
    capacitance matrices ``c`` and ``c_vac``. ``estimate``: give the error estimates of R and L
    (:func:`series_impedance`), L's including ``static_uncertainty``, the largest relative
    uncertainty of the static values; of G and C (:func:`shunt_uncertainty`, from a dielectric
    solve on the grid of ``1/sqrt 2`` the density of ``sol``'s, which is ``static_density`` times
    the options'); and of the line's modes (:func:`~fieldsolver.physics.transmission.propagation_uncertainty`)."""
    freq = check_frequencies(freq)
    l_static = MU0 * EPS0 * np.linalg.inv(c_vac)
    R, L, notes, R_smooth, unc = series_impedance(section, freq, l_static, options, (sol, c_vac), estimate)
    G, C = shunt_admittance(sol, c, freq)
    p = propagation(freq, R, L, G, C)
    bars, line = None, None
    if unc is not None:
        coarse = coarse_solution(section, options, static_density)
        dG, dC = shunt_uncertainty(sol, coarse, c, freq, static_uncertainty, formal_order(section))
        # the static inductance's own error (2x the static values' relative estimate bounds it)
        bars = {"R": unc[0], "L": unc[1] + 2 * static_uncertainty * np.abs(l_static), "G": dG, "C": dC}
        line = propagation_uncertainty(p, (R, L, G, C), (bars["R"], bars["L"], dG, dC))
    return RLGC(
        freq=freq,
        R=R,
        L=L,
        G=G,
        C=C,
        r_dc=dc_resistance(section),
        propagation=p,
        pair=pair(p) if len(section.signals) == 2 else None,
        notes=notes,
        R_smooth=R_smooth,
        uncertainty=bars,
        line_uncertainty=line,
    )
