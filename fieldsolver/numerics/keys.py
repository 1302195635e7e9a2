"""The grid's keys on one axis: the conductor edge coordinates that grid lines pass through, with
near-coincident ones merged.

Which keys may merge. A rectangle's edge must be a grid line (the raster takes a rectangle's
nodes by their lines), so a *hard* key (a rectangle's) is always kept. The keys of curved and
slanted shapes (circles, rings, trapezoids, polygons) are *soft*: the raster finds their boundary
exactly between lines (``frac_h``/``frac_v``), so a line through such a key only aligns the grid
with a vertex. Two neighbouring keys merge into one line when

* their gap is below ``MERGE`` times the local feature size (the gaps to the keys or walls on
  either side of the pair), so the vertex is off its line by far less than the finest cell the
  mesher puts there (a corner cell is 1/50 of the local feature at the default density);
* at most one of them is hard (the merged line is then the hard key, else the middle of the
  merged keys); and
* they do not face each other across a gap between two different conductors (the extents of the
  two conductors on the other axis overlap). Such a gap holds a field that depends on its width,
  however narrow, so it stays a feature and the grid is graded down to it.

So a 0.1 um undercut of a 0.3 mm trace, or polygon vertices a rounding apart, cost no lines and
leave the geometry itself untouched, while a wire 0.1 um above a plane is resolved. Merging
depends only on the geometry, never on the density, so the grids of one refinement sequence
stay similar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..geometry.model import Circle, CrossSection, InputError, Polygon, Rect, Ring, Shape
from ..geometry.units import UNITS

MERGE = 1e-3  # a gap below this fraction of the local feature size merges its keys
# a polygon's vertex where its outline turns by less than this is no corner (the field there goes
# like r^(-theta / (pi + theta)), r^-0.1 at 20 degrees): it gets no grid line of its own
SHARP_TURN = math.radians(20.0)


def shape_keys(shape: Shape, axis: int) -> list[float]:
    """The coordinates of ``shape`` on one axis that grid lines pass through: its edges, and for a
    polygon its extent and its sharp vertices only (a polygon drawn as a circle of 100 points is
    resolved like a circle, not with a line through every vertex)."""
    keys = shape.key_x() if axis == 0 else shape.key_y()
    if not isinstance(shape, Polygon):
        return keys
    p = np.asarray(shape.points, float)
    a, b = p - np.roll(p, 1, axis=0), np.roll(p, -1, axis=0) - p
    turn = np.abs(np.arctan2(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], np.sum(a * b, axis=1)))
    v = p[:, axis]
    return sorted({float(v.min()), float(v.max()), *(float(k) for k in v[turn >= SHARP_TURN])})


@dataclass(frozen=True)
class AxisKeys:
    """Merged keys of one axis: line positions, and for each the conductors whose edges it holds."""

    values: np.ndarray
    owners: tuple[frozenset[int], ...]
    raw_cluster: dict[tuple[int, float], int]  # (conductor index, raw key) -> index into values
    # round conductors across a narrow gap from another conductor: (conductor index, its centre
    # on the other axis, the width of the gap's field along that axis), see ``contacts``
    contacts: tuple[tuple[int, float, float], ...] = ()
    hard: tuple[float, ...] = ()  # the rectangles' edges among the values


@dataclass
class _Cluster:
    lo: float
    hi: float
    hard: float | None
    # (conductor, key, extent on the other axis, whether the key is on the outline: a circle's
    # centre is not)
    members: list[tuple[int, float, tuple[float, float], bool]]
    merged: bool = False  # holds keys merged for their small gap (not only coincident ones)

    @property
    def value(self) -> float:
        if self.hard is not None:
            return self.hard
        return 0.5 * (self.lo + self.hi) if self.merged else self.lo


def _facing(a: _Cluster, b: _Cluster) -> bool:
    """True where the pair holds edges of two different conductors that overlap on the other axis."""
    gap = b.lo - a.hi
    for ca, _, (p0, p1), edge_a in a.members:
        for cb, _, (q0, q1), edge_b in b.members:
            if ca != cb and edge_a and edge_b and p0 <= q1 + gap and q0 <= p1 + gap:
                return True
    return False


def _too_close(section: CrossSection, axis: int, c: _Cluster, v: float, member) -> None:
    """Refuse a gap between two conductors (not both grounds) that is not zero but below the
    resolution of the grid's coordinates: solved on one line, they would touch."""
    i, _, (p0, p1), edge = member
    for j, k, (q0, q1), other_edge in c.members:
        gap = abs(v - k)
        a, b = section.conductors[i], section.conductors[j]
        facing = edge and other_edge and p0 <= q1 and q0 <= p1
        if i != j and gap > 0 and facing and "ground" not in {a.role} & {b.role}:
            scale = UNITS.get(section.units, 1.0)
            raise InputError(
                f"conductors {b.name!r} and {a.name!r} are {gap / scale:.3g} {section.units} apart at "
                f"{'xy'[axis]} = {k / scale:.6g} {section.units}: too close for the grid to tell apart "
                "(under 1e-9 of the domain); widen the gap or join them"
            )


def _raw(section: CrossSection, axis: int, lo: float, hi: float, tol: float) -> list[_Cluster]:
    """One cluster per distinct key (keys within ``tol`` of each other are one already)."""
    entries = []
    for i, c in enumerate(section.conductors):
        s = c.shape
        b = s.bbox()
        other = (b[2], b[3]) if axis == 0 else (b[0], b[1])
        hard = isinstance(s, Rect)
        centre = (s.cx if axis == 0 else s.cy) if isinstance(s, Circle | Ring) else math.nan
        for k in shape_keys(s, axis):
            if lo - tol <= k <= hi + tol:
                entries.append((min(max(k, lo), hi), hard, (i, k, other, k != centre)))
    entries.sort(key=lambda e: e[0])
    out: list[_Cluster] = []
    for v, hard, member in entries:
        if out and v - out[-1].hi <= tol:
            c = out[-1]
            _too_close(section, axis, c, v, member)
            c.members.append(member)
            if hard and c.hard is None:
                c.hard = c.lo  # within tol of its first key: the line stays where it was
        else:
            out.append(_Cluster(v, v, v if hard else None, [member]))
    return out


def _merge_pass(cl: list[_Cluster], lo: float, hi: float) -> list[_Cluster]:
    """Merge every pair that qualifies (module doc) and is the smallest gap among its neighbours."""
    n = len(cl)
    if n < 2:
        return cl
    gaps = np.array([cl[j + 1].lo - cl[j].hi for j in range(n - 1)])
    outer = np.concatenate([[cl[0].lo - lo], gaps, [hi - cl[-1].hi]])
    local = np.minimum(outer[:-2], outer[2:])  # per gap: the gaps beside the pair
    ok = [
        bool(gaps[j] < MERGE * local[j])
        and (cl[j].hard is None or cl[j + 1].hard is None)
        and not _facing(cl[j], cl[j + 1])
        for j in range(n - 1)
    ]
    out: list[_Cluster] = []
    j = 0
    while j < n:
        if j < n - 1 and ok[j] and (j == 0 or not ok[j - 1] or gaps[j] <= gaps[j - 1]):
            a, b = cl[j], cl[j + 1]
            out.append(_Cluster(a.lo, b.hi, a.hard if a.hard is not None else b.hard, a.members + b.members, True))
            j += 2
        else:
            out.append(cl[j])
            j += 1
    return out


def axis_keys(section: CrossSection, axis: int, lo: float, hi: float, tol: float) -> AxisKeys:
    """The conductors' keys on one axis inside [lo, hi], merged as the module doc says."""
    cl = _raw(section, axis, lo, hi, tol)
    while True:
        merged = _merge_pass(cl, lo, hi)
        if len(merged) == len(cl):
            break
        cl = merged
    values = np.array([c.value for c in cl])
    owners = tuple(frozenset(m[0] for m in c.members) for c in cl)
    raw = {(m[0], m[1]): j for j, c in enumerate(cl) for m in c.members}
    hard = tuple(c.hard for c in cl if c.hard is not None)
    return AxisKeys(values, owners, raw, contacts(section, axis, cl), hard)


def contacts(section: CrossSection, axis: int, cl: list[_Cluster]) -> tuple[tuple[int, float, float], ...]:
    """Where a circle or ring faces another conductor across a gap ``g`` on this axis, the field
    fills the gap over a width of about ``sqrt(2 r g)`` along the other axis, around the circle's
    centre (the gap is at most twice as wide there): that width must be resolved too, or a wire
    near a plane loses most of its capacitance (-44 % at 1e-4 of the radius)."""
    out = []
    for a, b in pairwise(cl):
        if not _facing(a, b):
            continue
        g = b.lo - a.hi
        for i, k, _, _ in a.members + b.members:
            s = section.conductors[i].shape
            if isinstance(s, Circle | Ring):
                c, centre = (s.cx, s.cy) if axis == 0 else (s.cy, s.cx)
                radii = (s.r,) if isinstance(s, Circle) else (s.r_in, s.r_out)
                for r in radii:
                    if math.isclose(abs(k - c), r):
                        out.append((i, centre, math.sqrt(2.0 * r * g)))
    return tuple(out)


def own_mask(keys: AxisKeys, conductor: int, raw_keys: list[float]) -> np.ndarray:
    """Which merged keys hold the edges ``raw_keys`` of conductor number ``conductor``."""
    mask = np.zeros(keys.values.shape, bool)
    for k in raw_keys:
        j = keys.raw_cluster.get((conductor, k))
        if j is not None:
            mask[j] = True
    return mask


def own_spacing(values: list[float]) -> float:
    """A shape's own feature size on one axis: the smallest gap between its keys once those
    closer than ``MERGE`` of their neighbours' gaps are merged (its extent if it has one key)."""
    v = np.unique(np.asarray(values, float))
    if v.size < 2:
        return 0.0
    extent = v[-1] - v[0]
    while v.size > 2:
        g = np.diff(v)
        beside = np.minimum(np.concatenate([[extent], g[:-1]]), np.concatenate([g[1:], [extent]]))
        j = int(np.argmin(g / beside))
        if g[j] >= MERGE * beside[j]:
            break
        v = np.delete(v, j + 1)
    return float(np.min(np.diff(v)))


def finest_feature(section: CrossSection, keys: list[AxisKeys], lfs: list[np.ndarray]) -> str:
    """The feature that sets the finest cells, in the section's units, e.g. "the 0.0001 mm gap
    between conductors 'wire' and 'gnd' at y = 0.0001 mm"."""
    best = None
    for axis in (0, 1):
        if keys[axis].values.size and (best is None or float(np.min(lfs[axis])) < best[0]):
            j = int(np.argmin(lfs[axis]))
            best = (float(lfs[axis][j]), axis, j)
    if best is None:
        return ""
    size, axis, j = best
    k = keys[axis]
    v = float(k.values[j])
    near = [i for i in (j - 1, j + 1) if 0 <= i < k.values.size and math.isclose(abs(k.values[i] - v), size)]
    scale = UNITS.get(section.units, 1.0)
    names = [section.conductors[i].name for i in sorted(k.owners[j])]
    if not near:
        what = f"gap between conductor {names[0]!r} and the boundary"
    elif common := k.owners[j] & k.owners[near[0]]:
        what = f"feature of conductor {section.conductors[min(common)].name!r}"
    else:
        other = section.conductors[min(k.owners[near[0]])].name
        what = f"gap between conductors {names[0]!r} and {other!r}"
    return f"the {size / scale:.3g} {section.units} {what} at {'xy'[axis]} = {v / scale:.6g} {section.units}"


def check_resolution(
    section: CrossSection, keys: list[AxisKeys], lines: list[np.ndarray], finest: str, tol: float, is_open: bool
) -> None:
    """Refuse a grid with a line within ``tol`` of a rectangle's edge: the raster takes a
    rectangle's nodes to ``tol`` (1e-9 of the domain), so such a line would join the rectangle
    and move its edge by a cell; across a gap of a few such cells, that is no small error (a
    microstrip 10 mm wide and 1 um over its plane was 0.5 % off, NOT CONVERGED at 2.2 %, through
    its 4x-domain boundary grid, which numerics/refine.py now plans, and so refuses, first)."""
    for axis in (0, 1):
        hard = np.asarray(keys[axis].hard)
        if not hard.size:
            continue
        x = np.concatenate([[-np.inf], lines[axis], [np.inf]])
        below = hard - x[np.searchsorted(x, hard, "left") - 1]  # the nearest line on either side
        above = x[np.searchsorted(x, hard, "right")] - hard
        beside = np.minimum(below, above)
        if np.min(beside) <= tol:
            scale = UNITS.get(section.units, 1.0)
            hint = ", or a smaller open_factor (a mesh option) makes the domain smaller" if is_open else ""
            raise InputError(
                f"{finest or 'a feature'} needs cells of {np.min(beside) / scale:.2g} {section.units} beside "
                f"a conductor's edge, finer than the grid's coordinates hold there (1e-9 of the domain, "
                f"{tol / scale:.2g} {section.units}); widen it{hint}"
            )
