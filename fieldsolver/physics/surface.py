"""Round conductors at high frequency: surface impedance with the exact cylindrical factor.

Where the skin is thinner than the cells the magnetic grid can give a round surface (a wire, a
coax's inner conductor or shield), the conductor is described by its surface instead. Each round
surface s adds to the series impedance

    Z_s(f) = zeta_s(f) G_s,     G_s[i, j] = closed integral over s of H_i H_j dl

with ``H_i`` the tangential magnetic field of unit current on signal i (perfect conductors), and
``zeta_s`` the surface impedance of that surface (ohm): for a solid wire of radius a,
``(gamma / sigma) I0(gamma a) / I1(gamma a)``; for the inner surface of a tube (radii b < c) with
the field inside it, ``(gamma / sigma) (I0(gb) K1(gc) + K0(gb) I1(gc)) / (I1(gc) K1(gb) - I1(gb) K1(gc))``
and for its outer surface with the field outside the same with b and c exchanged in the numerator
(``gamma = sqrt(j w mu0 sigma)``; S. A. Schelkunoff, "The electromagnetic theory of coaxial
transmission lines and cylindrical shields", Bell Syst. Tech. J. 13, 1934). For a current spread
evenly around the surface (a coax) this is exact at every frequency; where proximity makes it
uneven, the cylindrical factor is exact for the even part and right to second order in
``delta / radius`` for the rest (this is Wheeler's incremental inductance rule, H. A. Wheeler,
"Formulas for the skin effect", Proc. IRE 30, 1942, with the cylinder's exact surface impedance).
``G_s`` comes from the electrostatic vacuum solution (see :func:`surface_matrices`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import ive, kve

from ..constants import EPS0, MU0
from ..geometry.model import Circle, CrossSection, Polygon, Ring, Trapezoid
from ..geometry.roughness import FaceRoughness
from ..numerics.raster import rasterize
from ..numerics.solver import FieldSolution, solve_medium


@dataclass(frozen=True)
class Surface:
    """A surface: its conductor's index, ``kind`` ("wire", "inner" or "outer": of a tube; "faces":
    the straight faces of a polygon or trapezoid) and the radii (a wire's radius; a tube's inner
    and outer radii; none for faces). ``faces``: of a polygon, the face labels it holds (0 top, 1
    bottom, 2 sides, as :meth:`~fieldsolver.geometry.roughness.FaceRoughness.face_index`)."""

    conductor: int
    kind: str
    radii: tuple[float, ...]
    faces: tuple[int, ...] = ()


def round_surfaces(section: CrossSection, lossy: list[bool]) -> list[Surface]:
    out = []
    for i, (c, loss) in enumerate(zip(section.conductors, lossy, strict=True)):
        s = c.shape
        if not loss:
            continue
        if isinstance(s, Circle):
            out.append(Surface(i, "wire", (s.r,)))
        elif isinstance(s, Ring):
            out += [Surface(i, "inner", (s.r_in, s.r_out)), Surface(i, "outer", (s.r_in, s.r_out))]
    return out


def surface_impedance(surface: Surface, freq: np.ndarray, sigma: float) -> np.ndarray:
    """``zeta`` (ohm) of a surface at each frequency: a flat face's ``gamma / sigma =
    (1 + j) / (sigma delta)``; a round surface's with its cylindrical factor (exponentially scaled
    Bessel functions keep it finite at any skin depth)."""
    g = np.sqrt(1j * 2 * np.pi * np.asarray(freq, float) * MU0 * sigma)
    if surface.kind == "faces":
        return g / sigma
    if surface.kind == "wire":
        x = g * surface.radii[0]
        return g / sigma * ive(0, x) / ive(1, x)
    b, c = surface.radii
    xb, xc = g * b, g * c
    # ive(v, x) = I_v(x) e^(-|Re x|), kve(v, x) = K_v(x) e^x: the factors between b and c
    damp = np.exp((xb + xb.real) - (xc + xc.real))
    i0b, i1b, k0b, k1b = ive(0, xb), ive(1, xb), kve(0, xb), kve(1, xb)
    i0c, i1c, k0c, k1c = ive(0, xc), ive(1, xc), kve(0, xc), kve(1, xc)
    den = i1c * k1b - damp * i1b * k1c
    if surface.kind == "inner":
        num = damp * i0b * k1c + k0b * i1c
    else:
        num = i0c * k1b + damp * i1b * k0c
    return g / sigma * num / den


HARMONICS = 16  # Fourier harmonics of the field around a round surface


def surface_matrices(
    sol: FieldSolution, surfaces: list[Surface], c_vac: np.ndarray, offset: float = 1.5
) -> list[np.ndarray]:
    """``G_s`` (N, N, 1/m) of each surface from the vacuum solution ``sol`` (with ``c_vac`` its
    reported Maxwell matrix).

    Unit currents on the signals carry the charges ``C0^-1``-weighted potentials of the vacuum
    solve divide by c (TEM: ``J_s = c rho_s``), so ``G = eps0^2 C0^-1 M C0^-1`` with
    ``M[k, l] = closed integral of E_k E_l dl`` over the surface for the unit-voltage excitations.
    Near a round conductor the potential of a charge-free region is
    ``V + c0 ln(r/a) + sum_m (a_m cos m t + b_m sin m t)(rho^m - rho^-m)``, ``rho = r / a``; it
    is fitted (least squares) to the grid's potentials on an annulus a few cells from the surface
    (where the grid's solution is second-order accurate) and differentiated at the surface.
    ``offset``: the annulus starts this many cells from the surface.
    """
    g, raster = sol.grid, sol.raster
    X, Y = np.meshgrid(g.x, g.y)
    pots = sol.vacuum.potentials
    inv = np.linalg.inv(c_vac)
    out = []
    for s in surfaces:
        c = sol.section.conductors[s.conductor]
        shape = c.shape
        a = s.radii[0] if s.kind in ("wire", "inner") else s.radii[1]
        r = np.hypot(X - shape.cx, Y - shape.cy)
        t = np.arctan2(Y - shape.cy, X - shape.cx)
        free = raster.net < 0
        others = (raster.net >= 0) & (raster.owner != s.conductor)
        outward = s.kind != "inner"
        side = (r > a) if outward else (r < a)
        h = _cell_near(g, shape.cx, shape.cy, a)
        gap = float(np.min(np.abs(r[others & side] - a))) if np.any(others & side) else math.inf
        width = min(10.0 * h, 0.5 * gap)
        near = free & side & (np.abs(r - a) >= offset * h) & (np.abs(r - a) <= offset * h + width)
        m_max = int(min(HARMONICS, max(1, (near.sum() - 1) // 4)))
        rho, th = r[near] / a, t[near]
        cols = [np.log(rho)]
        for m in range(1, m_max + 1):
            radial = rho**m - rho ** (-m)
            cols += [radial * np.cos(m * th), radial * np.sin(m * th)]
        A = np.column_stack(cols)
        inside = raster.owner == s.conductor
        M_coef = []
        for p in pots:
            v = float(np.median(p[inside])) if np.any(inside) else 0.0
            coef, *_ = np.linalg.lstsq(A, p[near] - v, rcond=None)
            M_coef.append(coef)
        # d phi / dr at r = a: c0 / a for ln, 2 m / a per unit of (rho^m - rho^-m)
        scale = np.concatenate([[1.0], np.repeat(2.0 * np.arange(1, m_max + 1), 2)]) / a
        weight = np.concatenate([[2 * np.pi], np.full(2 * m_max, np.pi)]) * a  # integral of cos^2 dl
        d = np.array(M_coef) * scale  # (excitations, coefficients)
        M = (d * weight) @ d.T
        G = EPS0**2 * inv @ M @ inv
        out.append(0.5 * (G + G.T))
    return out


def slanted(shape) -> bool:
    """Whether a shape has faces off the grid's lines: a polygon, or a trapezoid that is not a
    rectangle."""
    if isinstance(shape, Trapezoid):
        return shape.xb0 != shape.xt0 or shape.xb1 != shape.xt1
    return isinstance(shape, Polygon)


def polygon_surfaces(section: CrossSection, lossy: list[bool]) -> list[Surface]:
    """The lossy conductors with slanted faces: one surface each, or one per face label (top,
    bottom, sides) where their roughness differs between faces."""
    out = []
    for i, (c, loss) in enumerate(zip(section.conductors, lossy, strict=True)):
        if not loss or not slanted(c.shape):
            continue
        _, _, labels, exposed = _edges(section, i)
        present = tuple(sorted({int(v) for v in labels[exposed]}))
        r = c.roughness
        if r.top == r.bottom == r.sides:
            out.append(Surface(i, "faces", (), present))
        else:
            out += [Surface(i, "faces", (), (v,)) for v in present]
    return out


def _edges(section: CrossSection, index: int):
    """A polygonal conductor's vertices (m, 2, counter-clockwise, no collinear ones), its edges'
    outward unit normals (m, 2: edge k from vertex k to k + 1), face labels (m,) and whether each
    edge is a surface (not shared with another conductor it touches)."""
    shape = section.conductors[index].shape
    p = np.asarray(shape.outline((-math.inf, math.inf, -math.inf, math.inf))[0], float)[:-1]
    size = math.hypot(*(np.ptp(p, axis=0)))
    keep = []
    for k in range(len(p)):  # drop repeated and collinear vertices
        a, b, c = p[k - 1], p[k], p[(k + 1) % len(p)]
        cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
        if np.hypot(*(b - a)) > 1e-12 * size and abs(cross) > 1e-12 * size * size:
            keep.append(k)
    p = p[keep]
    if 0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]) < 0:
        p = p[::-1]
    d = np.roll(p, -1, axis=0) - p
    normals = np.column_stack([d[:, 1], -d[:, 0]]) / np.hypot(d[:, 0], d[:, 1])[:, None]
    labels = FaceRoughness.face_index(normals[:, 0], normals[:, 1])
    probe = p + 0.5 * d + 1e-6 * size * normals
    exposed = np.ones(len(p), bool)
    for j, other in enumerate(section.conductors):
        if j != index:
            exposed &= ~np.asarray(other.shape.contains(probe[:, 0], probe[:, 1]), bool)
    return p, normals, labels, exposed


def _thickness(p: np.ndarray) -> float:
    """``2 area / perimeter`` of a polygon: a long strip's thickness, a square's half side."""
    d = np.roll(p, -1, axis=0) - p
    area = 0.5 * abs(np.sum(p[:, 0] * d[:, 1] - p[:, 1] * d[:, 0]))
    return 2.0 * area / float(np.hypot(d[:, 0], d[:, 1]).sum())


def _receded(p: np.ndarray, normals: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The polygon ``p`` with edge k moved inward by ``shift[k]`` (its corners where the moved
    edges meet)."""
    c = np.sum(normals * p, axis=1) - shift  # edge k: normals[k] . x = c[k]
    out = np.empty_like(p)
    for k in range(len(p)):
        A = np.array([normals[k - 1], normals[k]])
        out[k] = np.linalg.solve(A, [c[k - 1], c[k]])
    return out


SKIN_DEPTHS = 4.0  # a flat face's surface impedance is used where the conductor is this many skin depths thick


def flat_from(section: CrossSection, surfaces: list[Surface]) -> float:
    """The frequency (Hz) above which the polygon surfaces' flat-face impedance holds: where every
    such conductor's thickness (``2 area / perimeter``, the width of a long strip) is
    :data:`SKIN_DEPTHS` skin depths (0 without polygon surfaces). Below it, the skin of the faces
    on both sides of a trace overlaps and ``(1 + j) / (sigma delta)`` no longer describes a face."""
    f = 0.0
    for s in surfaces:
        if s.kind != "faces":
            continue
        c = section.conductors[s.conductor]
        delta = _thickness(_edges(section, s.conductor)[0]) / SKIN_DEPTHS
        f = max(f, 1.0 / (np.pi * MU0 * c.sigma * delta * delta))
    return f


# the steps of the faces' recession: six from 1 to 4 times the largest cell of the static grid
# at the conductor (at most a quarter of its thickness, 2 area / perimeter), the same for every
# face so that the faces' shares add up. The central differences are fitted with ``G + a n^2``
# (the step's own error), which also averages the grid's error as the faces cross its lines:
# single steps below a cell scatter by about 1 % and fall short by up to 2 %; the fit is within
# 0.35 % of a square's exact value in a coax (at 0, 30 and 45 degrees) and of separate solves of
# an etched microstrip with its surfaces receded
RECESSION_CELLS = (1.0, 4.0, 6)  # from, to (cells), how many


def face_matrices(sol: FieldSolution, surfaces: list[Surface]) -> list[np.ndarray]:
    """``G_s`` (N, N, 1/m) of each polygon surface from vacuum solves on the grid of ``sol``:
    Wheeler's incremental-inductance rule, ``G_s = (1 / mu0) dL / dn`` with ``n`` the recession
    of the surface's faces into the conductor (H. A. Wheeler, Proc. IRE 30, 1942: the change of
    the external inductance as a perfect conductor's surface recedes is ``mu0`` times the
    integral of ``H_i H_j`` over it), from central differences of ``L = mu0 eps0 C0^-1`` with the
    faces moved by ``+-n`` on the same grid (see :data:`RECESSION_CELLS`). The field is singular at a
    convex corner (``r^(pi / (2 pi - a) - 1)``, interior angle ``a``), its square integrable for
    every ``a > 0``; moving the faces integrates it, the corner included."""
    section, grid = sol.section, sol.grid
    guess = sol.vacuum.potentials  # the unmoved faces' solution: a close start
    out = []
    for s in surfaces:
        p, normals, labels, exposed = _edges(section, s.conductor)
        move = exposed & np.isin(labels, s.faces)
        lo, hi, count = RECESSION_CELLS
        (x0, y0), (x1, y1) = p.min(axis=0), p.max(axis=0)
        sx = np.diff(grid.x)[(grid.x[1:] > x0) & (grid.x[:-1] < x1)]
        sy = np.diff(grid.y)[(grid.y[1:] > y0) & (grid.y[:-1] < y1)]
        h = float(max(sx.max(initial=0.0), sy.max(initial=0.0)))  # the largest cell across it
        steps = np.linspace(lo, hi, count) * min(h, 0.25 * _thickness(p) / hi)
        diffs = []
        for n in steps:
            inv = []
            for sign in (1.0, -1.0):
                shape = Polygon(tuple(map(tuple, _receded(p, normals, sign * n * move))))
                conductors = list(section.conductors)
                conductors[s.conductor] = replace(conductors[s.conductor], shape=shape)
                # no dielectrics: the vacuum solve does not see them (their cut cells cost time)
                moved = replace(section, conductors=tuple(conductors), dielectrics=())
                c = solve_medium(grid, rasterize(moved, grid), "vacuum", guess=guess).capacitance
                inv.append(np.linalg.inv(0.5 * (c + c.T)))
            diffs.append(EPS0 * (inv[0] - inv[1]) / (2.0 * n))
        A = np.column_stack([np.ones(steps.size), steps**2])
        coef, *_ = np.linalg.lstsq(A, np.array(diffs).reshape(steps.size, -1), rcond=None)
        G = coef[0].reshape(diffs[0].shape)
        out.append(0.5 * (G + G.T))
    return out


def _cell_near(grid, cx: float, cy: float, r: float) -> float:
    """The largest cell side within the box of a circle of radius ``r``."""
    sx = np.diff(grid.x)[(grid.x[1:] > cx - r) & (grid.x[:-1] < cx + r)]
    sy = np.diff(grid.y)[(grid.y[1:] > cy - r) & (grid.y[:-1] < cy + r)]
    return float(max(sx.max(initial=0.0), sy.max(initial=0.0)))


def smoothstep(freq: np.ndarray, f_lo: float, f_hi: float) -> np.ndarray:
    """0 below ``f_lo``, 1 above ``f_hi``, a smooth cubic in log f between."""
    if not f_hi > f_lo:
        return (np.asarray(freq) >= f_hi).astype(float)
    t = np.clip((np.log(freq) - math.log(f_lo)) / (math.log(f_hi) - math.log(f_lo)), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
