"""What a solution's potentials say beyond the numbers: the potential of each excitation a plot
or an export shows, the electric field, and the surface charge on each conductor.

Everything is per volt of excitation and in SI (V/m per V, C/m^2 per V). Plots (``plot``) and
exports (``export``) draw on this module; it needs neither matplotlib nor meshio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import EPS0
from ..geometry.model import InputError, to_shapely
from ..numerics.solver import conductances
from ..physics.result import Result


@dataclass(frozen=True)
class Excitation:
    key: str  # short name for files and arrays: "z0", "odd", "even", "p", "mode1"
    title: str
    voltages: tuple[float, ...]  # per signal
    potential: np.ndarray  # (ny, nx), V


def _combine(r: Result, key: str, title: str, v) -> Excitation:
    pots = r.solution.dielectric.potentials
    return Excitation(key, title, tuple(float(a) for a in v), np.einsum("k,kyx->yx", np.asarray(v, float), pots))


def excitations(r: Result, mode: str | None = None) -> list[Excitation]:
    """The excitations to show: the line at 1 V; for a pair, odd (+1 V, -1 V) and even (+1 V,
    +1 V); for N signals, each signal at 1 V (the others at 0 V). ``mode`` picks one: ``odd``,
    ``even``, a signal's name or its number (1-based), or ``modeK``: the voltage pattern of the
    K-th propagation mode (``Result.modes``)."""
    if r.solution is None:
        raise ValueError("the result carries no field solution")
    names = r.signals
    n = len(names)
    unit = [tuple(1.0 if j == k else 0.0 for j in range(n)) for k in range(n)]
    each = [
        _combine(r, nm, f"{nm} at 1 V, others at 0 V" if n > 1 else f"{nm} at 1 V", unit[k])
        for k, nm in enumerate(names)
    ]
    if mode is None:
        if n == 2:
            return [
                _combine(r, "odd", "odd mode (+1 V, -1 V)", (1, -1)),
                _combine(r, "even", "even mode (+1 V, +1 V)", (1, 1)),
            ]
        return each
    m = check_mode(names, mode)
    if m in ("odd", "even"):
        return [e for e in excitations(r) if e.key == m]
    if m.startswith("mode"):
        k = int(m[4:])
        v = np.asarray(r.modes[k - 1].voltages, float)
        v = v / np.max(np.abs(v))
        shown = ", ".join(f"{a:+.3g} V" for a in v)
        return [_combine(r, m, f"propagation mode {k} ({shown}), eps_eff {r.modes[k - 1].eps_eff:.4g}", v)]
    return [each[int(m) - 1]]


def check_mode(names: tuple[str, ...], mode: str) -> str:
    """``mode`` as :func:`excitations` reads it for signals ``names``: ``odd``, ``even``,
    ``modeK`` or the signal's number as text; an :class:`InputError` if it names none."""
    n = len(names)
    m = mode.strip().lower()
    if n == 2 and m in ("odd", "even"):
        return m
    if m.startswith("mode") and m[4:].isdigit() and 1 <= int(m[4:]) <= n:
        return f"mode{int(m[4:])}"
    if m.isdigit() and 1 <= int(m) <= n:
        return str(int(m))
    if mode in names:
        return str(names.index(mode) + 1)
    choices = (["odd", "even"] if n == 2 else []) + list(names) + [f"1..{n}", f"mode1..mode{n}"]
    raise InputError(f"mode {mode}: choose from {', '.join(choices)}")


def field_at_cells(x: np.ndarray, y: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E = -grad(phi) at cell centres (ny - 1, nx - 1): each cell's mean difference quotients."""
    gx = np.diff(phi, axis=1) / np.diff(x)[None, :]
    gy = np.diff(phi, axis=0) / np.diff(y)[:, None]
    return -0.5 * (gx[1:] + gx[:-1]), -0.5 * (gy[:, 1:] + gy[:, :-1])


def field_at_nodes(x: np.ndarray, y: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E = -grad(phi) at the nodes (ny, nx): second-order differences on the non-uniform grid."""
    gy, gx = np.gradient(phi, y, x)
    return -gx, -gy


@dataclass(frozen=True)
class SurfaceCharge:
    """Charge density on one conductor's surface, one sample per grid link that leaves it."""

    name: str
    role: str
    x: np.ndarray  # where the link meets the surface (m)
    y: np.ndarray
    s: np.ndarray  # arc length along the outline from its first vertex, counter-clockwise (m); x on a plane
    sigma: np.ndarray  # C/m^2 per V of excitation
    total: float  # C/m: the conductor's charge (the sum of every link's flux)
    perimeter: float  # of the outline the samples were projected on (m)
    corners: np.ndarray  # arc positions of the outline's corners (empty for curved shapes)
    plane: bool  # an infinite plane (its outline is clipped: plot it against x instead)


def _density(s: np.ndarray, flux: np.ndarray, closed_length: float | None, half: int = 2) -> np.ndarray:
    """Charge per length along the arc. Each sample's flux is spread over the arc from halfway to
    the previous sample to halfway to the next, and averaged over ``half`` samples either side:
    where a surface is not a grid line, the staircase grid shares the flux unevenly between
    neighbouring links (the sum over any stretch stays exact). ``closed_length``: the perimeter
    of a closed outline, whose ends join."""
    n = s.size
    if n < 2:
        return np.zeros_like(s)
    if closed_length is not None and n > 2 * half + 1:
        pad = np.concatenate([s[-half - 1 :] - closed_length, s, s[: half + 1] + closed_length])
        return _density(pad, np.concatenate([flux[-half - 1 :], flux, flux[: half + 1]]), None, half)[
            half + 1 : -half - 1
        ]
    mid = 0.5 * (s[1:] + s[:-1])
    bounds = np.concatenate([[2 * s[0] - mid[0]], mid, [2 * s[-1] - mid[-1]]])
    q = np.concatenate([[0.0], np.cumsum(flux)])
    lo, hi = np.maximum(np.arange(n) - half, 0), np.minimum(np.arange(n) + half + 1, n)
    return (q[hi] - q[lo]) / np.maximum(bounds[hi] - bounds[lo], 1e-300)


def _outline_path(geom):
    """The path arc lengths are measured on: a polygon's outer boundary counter-clockwise from its
    lowest (then leftmost) vertex, then any hole; a zero-thickness strip's line."""
    import shapely
    from shapely.geometry.polygon import orient

    if not isinstance(geom, shapely.Polygon):
        return geom
    geom = orient(geom, 1.0)
    ring = np.asarray(geom.exterior.coords)[:-1]
    k = min(range(len(ring)), key=lambda i: (ring[i, 1], ring[i, 0]))
    ring = np.roll(ring, -k, axis=0)
    outer = shapely.LineString(np.vstack([ring, ring[:1]]))
    if not geom.interiors:
        return outer
    return shapely.MultiLineString([outer, *(shapely.LineString(h.coords) for h in geom.interiors)])


def corners(path) -> np.ndarray:
    """Arc positions of the vertices of a path from :func:`_outline_path` (its corners)."""
    import shapely

    first = path.geoms[0] if hasattr(path, "geoms") else path
    xy = np.asarray(first.coords)
    return np.asarray(shapely.line_locate_point(path, shapely.points(xy[:, 0], xy[:, 1])))


def surface_charge(r: Result, phi: np.ndarray, clip: tuple[float, float, float, float]) -> list[SurfaceCharge]:
    """Surface charge density of every conductor for the potential ``phi`` (of the dielectric
    medium): each link from a conductor node to a node off that conductor carries the flux
    ``eps0 g (phi_a - phi_b)``, spread over the face it crosses. The fluxes of a conductor sum to
    its charge exactly (Gauss's law on the grid). Samples outside ``clip`` are dropped (the charge
    total counts them); the arc length is measured on the outline clipped to ``clip``."""
    import shapely

    sol = r.solution
    g, raster, sec = sol.grid, sol.raster, sol.section
    gh, gv = conductances(sol.grid, sol.raster)
    dx, dy = np.diff(g.x), np.diff(g.y)
    0.5 * (np.concatenate([[0.0], dy]) + np.concatenate([dy, [0.0]]))
    0.5 * (np.concatenate([[0.0], dx]) + np.concatenate([dx, [0.0]]))
    owner = raster.owner
    out = []
    for ci, c in enumerate(sec.conductors):
        xs, ys, fluxes = [], [], []
        total = 0.0
        for links, frac, axis in ((gh, raster.frac_h, 1), (gv, raster.frac_v, 0)):
            a = (slice(None), slice(None, -1)) if axis == 1 else (slice(None, -1), slice(None))
            b = (slice(None), slice(1, None)) if axis == 1 else (slice(1, None), slice(None))
            lines, spans = (g.x, dx) if axis == 1 else (g.y, dy)
            for sign, here, there in ((1.0, a, b), (-1.0, b, a)):
                jj, ii = np.nonzero((owner[here] == ci) & (owner[there] != ci) & (links > 0))
                flux = EPS0 * links[jj, ii] * (phi[here][jj, ii] - phi[there][jj, ii])
                total += float(flux.sum())
                k = ii if axis == 1 else jj  # the link's index along its axis
                # the surface lies (1 - frac) of the link away from the conductor's node
                start = lines[k] if sign > 0 else lines[k + 1]
                surface = start + sign * (1.0 - frac[jj, ii]) * spans[k]
                xs.append(surface if axis == 1 else g.x[ii])
                ys.append(g.y[jj] if axis == 1 else surface)
                fluxes.append(flux)
        x, y, flux = (np.concatenate(v) if v else np.zeros(0) for v in (xs, ys, fluxes))
        path = _outline_path(to_shapely(c.shape, clip))
        plane = not all(np.isfinite(c.shape.bbox()))
        if plane:  # position along a plane: x
            s = x.copy()
        else:
            s = shapely.line_locate_point(path, shapely.points(x, y)) if x.size else np.zeros(0)
        keep = (x >= clip[0]) & (x <= clip[1]) & (y >= clip[2]) & (y <= clip[3])
        x, y, s, flux = x[keep], y[keep], np.asarray(s)[keep], flux[keep]
        order = np.argsort(s, kind="stable")
        x, y, s, flux = x[order], y[order], s[order], flux[order]
        closed = path.length if isinstance(path, shapely.LineString) and path.is_closed and not plane else None
        kinks = corners(path) if c.shape.cornered and not c.shape.curved and not plane else np.zeros(0)
        out.append(SurfaceCharge(c.name, c.role, x, y, s, _density(s, flux, closed), total, path.length, kinks, plane))
    return out
