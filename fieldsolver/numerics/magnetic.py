"""The magnetoquasistatic problem: current and magnetic field inside and around lossy conductors.

A line's series impedance per unit length ``Z(f) = R(f) + j w L(f)`` is set by how the current
spreads over each conductor's cross-section: uniformly at DC, crowded into a skin of depth
``delta = 1 / sqrt(pi f mu0 sigma)`` at high frequency, and toward the other conductors of a
pair or the ground (proximity effect). It follows from the longitudinal vector potential ``A_z``
(the field is transverse, every material non-magnetic):

    -div grad A + j w mu0 sigma A = mu0 sigma u_k     (inside conductor k, 0 outside)

where ``u_k = -dV_k/dz`` is the conductor's applied field (one number per conductor) and the
current density is ``J = sigma (u_k - j w A)``. The same finite-volume discretisation as the
statics (:mod:`fieldsolver.numerics.kernels`, with permittivity 1) gives at each node

    sum_links g (A_n - A_m) + j w mu0 m_n A_n = mu0 sum_k m_kn u_k,

with ``m_kn`` the conductance of conductor k in the node's dual cell (sigma times the part of the
dual cell the conductor covers) and ``A = 0`` on the outer boundary. Solving for each conductor
group at ``u = 1`` gives the admittance ``I = Y u`` (symmetric), and imposing the return path
(the grounds, all one net, carry the return current; floating conductors carry no net current)
reduces it to the signals' ``Z = Y_s^-1``.

Grid. The interiors of the conductors are part of the problem, so infinite ground planes, which
bound the electrostatic domain, are cut at the edges of an open domain around the whole
structure (``open_factor`` times its size away on every side), and the field is computed on
both sides of them. Where a conductor face lies on a grid line (rectangles, trapezoids' top and
bottom), lines are added inside the conductor and outside it, graded from a spacing of
``delta(f_max) / RESOLUTION`` at the face, so the skin, and the field near corners, are resolved
up to ``f_max``. A curved face is resolved only
where the skin depth exceeds the cells it cuts: :attr:`MagneticGrid.resolved_to` says up to which
frequency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..constants import MU0
from ..geometry.model import Boundary, Circle, CrossSection, Rect, Ring, Shape, to_shapely
from ..geometry.roughness import FaceRoughness, skin_depth
from . import kernels
from .grid import Grid, MeshOptions, make_grid
from .reduced import MOMENTS, REDUCED_TOL, ReducedModel
from .solver import assemble

SIDES = ("left", "right", "bottom", "top")
RESOLUTION = 12.0  # cells per skin depth at a face at the highest frequency, at density 1 (loss runs 0.5)
GROWTH = 1.25  # ratio of neighbouring cells inside a conductor, away from a face
CURVED_CELLS = 4.0  # a curved face is resolved while delta >= this many of its cells


@dataclass(frozen=True)
class MagneticGrid:
    """The discrete MQS problem of a cross-section: grid, conductance per cell, groups.

    ``groups``: per conductor, its group (0 the grounds, 1..N the signals, then the floating
    conductors); ``cell_sigma`` (ny - 1, nx - 1): conductivity times covered fraction of each cell,
    ``cell_group``: the group of the conductor covering it (-1 none). ``pec``: groups that are
    perfect conductors (sigma = inf), whose nodes are fixed.
    """

    grid: Grid
    cell_sigma: np.ndarray
    cell_group: np.ndarray
    node_group: np.ndarray  # (ny, nx): group of a perfect conductor's node, else -1
    n_groups: int
    n_signals: int
    has_ground: bool
    resolved_to: float  # Hz: the skin is resolved on every face up to this frequency
    node_conductor: np.ndarray  # (ny, nx): group of any conductor covering the node, else -1
    curved: bool  # whether a lossy conductor's face is not on grid lines
    # (ny, nx): 3 k + face for a node in lossy conductor k (face 0 top, 1 bottom, 2 sides: the
    # direction of the outward normal of the conductor's nearest face), else -1
    node_face: np.ndarray | None = None

    def perfect(self) -> MagneticGrid:
        """The same grid with every conductor perfect (its nodes fixed): the external field."""
        return replace(
            self,
            cell_sigma=np.zeros_like(self.cell_sigma),
            cell_group=np.full_like(self.cell_group, -1),
            node_group=self.node_conductor,
            resolved_to=math.inf,
        )

    def node_mass(self) -> np.ndarray:
        """(n_groups, ny, nx): each group's conductance in each node's dual cell (S m)."""
        g = self.grid
        area = np.diff(g.y)[:, None] * np.diff(g.x)[None, :]
        out = np.zeros((self.n_groups, g.ny, g.nx))
        for k in range(self.n_groups):
            q = 0.25 * np.where(self.cell_group == k, self.cell_sigma, 0.0) * area
            m = out[k]
            m[:-1, :-1] += q
            m[:-1, 1:] += q
            m[1:, :-1] += q
            m[1:, 1:] += q
        return out


def _groups(section: CrossSection) -> list[int]:
    index = {c.name: k + 1 for k, c in enumerate(section.signals + section.floating)}
    return [index.get(c.name, 0) for c in section.conductors]


def _domain(section: CrossSection, open_factor: float) -> tuple[float, float, float, float]:
    if section.boundary.kind == "box":
        assert section.boundary.box is not None
        return section.boundary.box
    x0, x1, y0, y1 = section.finite_extent()
    pad = open_factor * max(x1 - x0, y1 - y0)
    return (x0 - pad, x1 + pad, y0 - pad, y1 + pad)


def _clip(shape: Shape, dom) -> Shape:
    """An infinite plane cut just beyond the domain, so that its cut ends are not features."""
    if isinstance(shape, Rect):
        wx, wy = dom[1] - dom[0], dom[3] - dom[2]
        return Rect(
            max(shape.x0, dom[0] - wx),
            min(shape.x1, dom[1] + wx),
            max(shape.y0, dom[2] - wy),
            min(shape.y1, dom[3] + wy),
        )
    return shape


def _faces(shape: Shape, axis: int) -> list[tuple[float, float, float]]:
    """Grid-aligned faces of a shape on one axis: (coordinate, inward direction, depth)."""
    if isinstance(shape, Rect):
        lo, hi = (shape.x0, shape.x1) if axis == 0 else (shape.y0, shape.y1)
        return [(lo, 1.0, hi - lo), (hi, -1.0, hi - lo)]
    if axis == 1 and hasattr(shape, "xb0"):  # a trapezoid's bottom and top
        return [(shape.y0, 1.0, shape.y1 - shape.y0), (shape.y1, -1.0, shape.y1 - shape.y0)]
    return []


def _skin_lines(lines: np.ndarray, faces, keep: np.ndarray, lo: float, hi: float, growth: float) -> np.ndarray:
    """``lines`` with lines added inside and outside each face: ``(coordinate, direction, depth, h0)``."""
    add, zones = [], []
    for k, s, depth, h0 in faces:
        if not (lo < k < hi):
            continue  # a face on the outer boundary (a plane cut by the domain)
        j = int(np.argmin(np.abs(lines - k)))
        inner = lines[j + 1] - lines[j] if s > 0 and j + 1 < lines.size else lines[j] - lines[max(j - 1, 0)]
        h, d, pts = h0, 0.0, []
        while h < inner and d + h < 0.5 * depth:
            d += h
            pts.append(k + s * d)
            h *= growth
        if pts:
            add += pts
            zones.append((min(k, pts[-1]), max(k, pts[-1])))
        # and outside it, up to the spacing there: near a corner the field outside the conductor
        # varies on the scale of the skin depth too (without these lines a microstrip's R at 100 GHz
        # was 2.8 % high at the default density, and the error estimate missed its 10 GHz error)
        outer = lines[j] - lines[j - 1] if s > 0 and j > 0 else (lines[min(j + 1, lines.size - 1)] - lines[j])
        h, d, pts = h0, 0.0, []
        while h < outer:
            d += h
            pts.append(k - s * d)
            h *= growth
        if pts:
            add += pts
            zones.append((min(k, pts[-1]), max(k, pts[-1])))
    if not add:
        return lines
    drop = np.zeros(lines.size, bool)
    for a, b in zones:
        drop |= (lines > a) & (lines < b)
    merged = np.unique(np.concatenate([lines[~drop | keep], add]))
    tol = 1e-12 * (hi - lo)
    return merged[np.concatenate([[True], np.diff(merged) > tol])]


def make_magnetic_grid(
    section: CrossSection, sigma: list[float], f_max: float, options: MeshOptions | None = None
) -> MagneticGrid:
    """The MQS grid of ``section`` for frequencies up to ``f_max``; ``sigma`` per conductor (S/m,
    ``inf`` for a perfect conductor)."""
    o = options or MeshOptions()
    dom = _domain(section, o.open_factor)
    conductors = tuple(replace(c, shape=_clip(c.shape, dom)) for c in section.conductors)
    for c, s in zip(conductors, sigma, strict=True):
        b = c.shape.bbox()
        if math.isfinite(s) and (b[0] == b[1] or b[2] == b[3]):
            raise ValueError(f"conductor {c.name!r} has zero thickness: it can only be perfect (sigma inf)")
    boxed = replace(section, conductors=conductors, boundary=Boundary("box", dom))
    grid = make_grid(boxed, o)
    lines = [grid.x, grid.y]
    for axis in (0, 1):
        faces = []
        for c, s in zip(conductors, sigma, strict=True):
            if math.isfinite(s):
                h0 = float(skin_depth(f_max, s)) / (RESOLUTION * o.density)
                faces += [(k, d, depth, h0) for k, d, depth in _faces(c.shape, axis)]
        keys = np.unique([k for c in conductors for k in (c.shape.key_x() if axis == 0 else c.shape.key_y())])
        keep = np.isin(lines[axis], keys)
        lo, hi = (dom[0], dom[1]) if axis == 0 else (dom[2], dom[3])
        lines[axis] = _skin_lines(lines[axis], faces, keep, lo, hi, 1.0 + (GROWTH - 1.0) / o.density)
    grid = Grid(x=lines[0], y=lines[1], domain=dom, open_sides=(False,) * 4)
    return _rasterize(section, conductors, sigma, grid)


def _coverage(shape: Shape, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """Fraction of each cell (ny - 1, nx - 1) inside ``shape``, and whether any cell is cut."""
    if isinstance(shape, Rect):
        fx = np.clip((np.minimum(x[1:], shape.x1) - np.maximum(x[:-1], shape.x0)) / np.diff(x), 0.0, 1.0)
        fy = np.clip((np.minimum(y[1:], shape.y1) - np.maximum(y[:-1], shape.y0)) / np.diff(y), 0.0, 1.0)
        return fy[:, None] * fx[None, :], False
    import shapely

    if isinstance(shape, Circle | Ring):
        # fine polygons: the area of a 2048-gon is within 2e-6 of the circle's
        c = shapely.Point(shape.cx, shape.cy)
        geom = c.buffer(shape.r if isinstance(shape, Circle) else shape.r_out, quad_segs=512)
        if isinstance(shape, Ring):
            geom = geom.difference(c.buffer(shape.r_in, quad_segs=512))
    else:
        geom = to_shapely(shape, (x[0], x[-1], y[0], y[-1]))
    xc, yc = 0.5 * (x[1:] + x[:-1]), 0.5 * (y[1:] + y[:-1])
    frac = shape.contains(xc[None, :], yc[:, None]).astype(float)
    bx0, bx1, by0, by1 = shape.bbox()
    ci = np.nonzero((x[1:] > bx0) & (x[:-1] < bx1))[0]
    cj = np.nonzero((y[1:] > by0) & (y[:-1] < by1))[0]
    jj, ii = np.meshgrid(cj, ci, indexing="ij")
    boxes = shapely.box(x[ii], y[jj], x[ii + 1], y[jj + 1])
    cut = shapely.intersects(boxes, shapely.boundary(geom))
    if np.any(cut):
        inter = shapely.area(shapely.intersection(boxes[cut], geom))
        frac[jj[cut], ii[cut]] = inter / shapely.area(boxes[cut])
    return frac, bool(np.any(cut))


def _rasterize(section, conductors, sigma, grid: Grid) -> MagneticGrid:
    groups = _groups(section)
    ny, nx = grid.ny, grid.nx
    cell_sigma = np.zeros((ny - 1, nx - 1))
    cell_group = np.full((ny - 1, nx - 1), -1, np.int32)
    node_group = np.full((ny, nx), -1, np.int32)
    node_conductor = np.full((ny, nx), -1, np.int32)
    node_face = np.full((ny, nx), -1, np.int32)
    resolved, curved = math.inf, False
    X, Y = np.meshgrid(grid.x, grid.y)
    for k, (c, s, g) in enumerate(zip(conductors, sigma, groups, strict=True)):
        node_conductor[c.shape.contains(X, Y) & (node_conductor < 0)] = g
        if not math.isfinite(s):
            node_group[c.shape.contains(X, Y) & (node_group < 0)] = g
            continue
        frac, cut = _coverage(c.shape, grid.x, grid.y)
        mine = (frac > 0) & (cell_group < 0)
        cell_sigma[mine] = s * frac[mine]
        cell_group[mine] = g
        touched = np.zeros((ny, nx), bool)  # nodes whose dual cell the conductor covers in part
        touched[:-1, :-1] |= mine
        touched[:-1, 1:] |= mine
        touched[1:, :-1] |= mine
        touched[1:, 1:] |= mine
        touched &= node_face < 0
        nxy = _outward_normal(c.shape, X[touched], Y[touched])
        node_face[touched] = 3 * k + FaceRoughness.face_index(*nxy)
        if cut:
            curved = True
            # the largest cell its boundary cuts must be within the skin depth
            dx, dy = np.diff(grid.x), np.diff(grid.y)
            edge = (frac > 0) & (frac < 1)
            # a polygon whose faces all lie on grid lines cuts no cell: then all of its cells
            size = np.maximum(dy[:, None], dx[None, :])[edge if edge.any() else frac > 0]
            h = float(size.max()) * CURVED_CELLS
            resolved = min(resolved, 1.0 / (np.pi * MU0 * s * h * h))
    n_groups = 1 + len(section.signals) + len(section.floating)
    return MagneticGrid(
        grid=grid,
        cell_sigma=cell_sigma,
        cell_group=cell_group,
        node_group=node_group,
        n_groups=n_groups,
        n_signals=len(section.signals),
        has_ground=bool(section.grounds),
        resolved_to=resolved,
        node_conductor=node_conductor,
        curved=curved,
        node_face=node_face,
    )


def _outward_normal(shape: Shape, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outward normal of the face of ``shape`` nearest to each point (inside the shape)."""
    if isinstance(shape, Circle | Ring):
        dx, dy = x - shape.cx, y - shape.cy
        if isinstance(shape, Ring):
            inner = np.hypot(dx, dy) - shape.r_in < shape.r_out - np.hypot(dx, dy)
            dx, dy = np.where(inner, -dx, dx), np.where(inner, -dy, dy)
        return dx, dy
    b = shape.bbox()
    pts = shape.outline((b[0] - 1.0, b[1] + 1.0, b[2] - 1.0, b[3] + 1.0))[0]
    a, e = pts[:-1], pts[1:]
    area = 0.5 * np.sum(a[:, 0] * e[:, 1] - e[:, 0] * a[:, 1])
    d = e - a
    normals = np.column_stack([d[:, 1], -d[:, 0]]) * (1.0 if area > 0 else -1.0)  # outward
    # distance from each point to each edge segment
    px, py = x[:, None] - a[None, :, 0], y[:, None] - a[None, :, 1]
    length2 = np.maximum(np.sum(d * d, axis=1), 1e-300)
    t = np.clip((px * d[:, 0] + py * d[:, 1]) / length2, 0.0, 1.0)
    dist = np.hypot(px - t * d[:, 0], py - t * d[:, 1])
    nearest = np.argmin(dist, axis=1)
    return normals[nearest, 0], normals[nearest, 1]


@dataclass(frozen=True)
class Impedance:
    """Series impedance of the signals per unit length at each frequency: ``z`` (F, N, N) complex
    ohm/m, ``R = z.real``, ``L = z.imag / w``."""

    freq: np.ndarray
    z: np.ndarray
    # with faces: the labels of MagneticGrid.node_face and the resistance of each (F, labels, N, N)
    face_labels: np.ndarray | None = None
    face_resistance: np.ndarray | None = None


class _Factor:
    """A sparse LU of a symmetrically permuted matrix (``perm``; None: not permuted)."""

    def __init__(self, lu, perm: np.ndarray | None, dtype):
        self.lu, self.perm, self.dtype = lu, perm, dtype

    def solve(self, b: np.ndarray) -> np.ndarray:
        if self.perm is None:
            return self.lu.solve(np.asfortranarray(b))
        x = np.empty_like(b, dtype=np.result_type(b, self.dtype))  # (lu.L would copy the factor)
        x[self.perm] = self.lu.solve(np.asfortranarray(b[self.perm]))
        return x


class MagneticProblem:
    """The assembled MQS system of one grid, solved at any frequency.

    ``_solve_full`` solves the full system (a sparse complex LU per frequency).
    :meth:`impedance` sweeps a band with a reduced model: the solutions at a few frequencies
    (shifts) span a basis, the system is projected on it (Galerkin, which keeps it symmetric),
    and every frequency is then a small dense solve. Shifts are added where the reduced solution's
    residual in the full system is above the tolerance (``REDUCED_TOL`` by default); the tests
    compare the sweep with full solves.
    """

    def __init__(self, mg: MagneticGrid, magnetic_walls: tuple[str, ...] = ()):
        self.mg = mg
        g = mg.grid
        ones_h, ones_v = np.ones((g.ny, g.nx - 1)), np.ones((g.ny - 1, g.nx))
        gh, gv = kernels.link_conductances(g.x, g.y, ones_h, ones_v, ones_h, ones_v)
        K = assemble(gh, gv).tocsr()
        boundary = np.zeros((g.ny, g.nx), bool)
        # the outer boundary is a perfect electric wall (A = 0), except ``magnetic_walls``
        # ("left", "right", "bottom", "top"): flux-parallel walls, for tests of 1-D fields
        for side, edge in zip(SIDES, (np.s_[:, 0], np.s_[:, -1], np.s_[0, :], np.s_[-1, :]), strict=True):
            if side not in magnetic_walls:
                boundary[edge] = True
        pec = mg.node_group.ravel()
        fixed = boundary.ravel() | (pec >= 0)
        free = ~fixed
        self.free = free
        n = mg.n_groups
        mass = mg.node_mass().reshape(n, -1)
        self.n = n
        self.mass_all = mass
        self.mass_total = mass.sum(axis=0)
        self.node_owner = np.argmax(mass, axis=0)  # the group whose conductor covers the node
        self.K_ff = K[free][:, free].tocsc()
        self.mass_f = mass[:, free]  # (groups, free nodes)
        self.mass_sum = mass.sum(axis=1)
        self.mass_x = mass[:, fixed]
        # a perfect conductor's nodes are fixed at A = u / (j w): E = u - j w A = 0 inside it
        onpec = np.zeros((int(fixed.sum()), n))
        pf = pec[fixed]
        for k in range(n):
            onpec[pf == k, k] = 1.0
        self.onpec = onpec
        self.B1 = MU0 * self.mass_f.T  # right-hand side: B1 + B2 / (j w)
        self.B2 = -(K[free][:, fixed] @ onpec)
        # a perfect conductor's current: the flux of H out of its nodes, (K a) / mu0 there
        sel = np.zeros((n, pec.size))
        for k in range(n):
            sel[k, pec == k] = 1.0
        self.pec_f = (sp.csr_matrix(sel) @ K[:, free]) / MU0  # (groups, free)
        self.pec_x = (sp.csr_matrix(sel) @ K[:, fixed] @ onpec) / MU0  # (groups, groups)
        self.has_pec = bool(np.any(pec >= 0))
        self._order: np.ndarray | None = None  # the factorizations' ordering, from the first
        self._permuted: tuple = ()  # K_ff and the mass diagonal in that ordering

    def _rhs(self, w: float) -> np.ndarray:
        return self.B1 + self.B2 / (1j * w)

    def _y(self, w: float, a_free: np.ndarray) -> np.ndarray:
        """Admittance ``Y`` (groups x groups, ``I = Y u``) from the free nodes' solution (free
        nodes x groups)."""
        return self._y_from(w, self.mass_f @ a_free, self.pec_f @ a_free)

    def _y_from(self, w: float, mf: np.ndarray, pf: np.ndarray) -> np.ndarray:
        """:meth:`_y` from the solution's products with ``mass_f`` and ``pec_f``."""
        fixed = self.onpec / (1j * w)
        y = np.diag(self.mass_sum).astype(complex) - 1j * w * (mf + self.mass_x @ fixed)
        if self.has_pec:
            y += pf + self.pec_x / (1j * w)
        return 0.5 * (y + y.T)

    def _factor(self, w: float) -> _Factor:
        """The factorization of ``K + j w M`` (complex symmetric; real at ``w = 0``). Every
        factorization has the same sparsity, so the fill-reducing ordering of the first (SuperLU's
        minimum degree on ``A + A^T``) is kept and reused: about 15 % of each later one's time
        (and K and M are kept in that order, so that a later one permutes no matrix)."""
        if self._order is None:
            m = MU0 * np.asarray(self.mass_f.sum(axis=0)).ravel()
            A_mat = (self.K_ff + sp.diags(1j * w * m)).tocsc() if w else self.K_ff.tocsc()
            lu = splu(A_mat, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options={"SymmetricMode": True})
            self._order = p = np.argsort(lu.perm_c)
            self._permuted = (self.K_ff[p][:, p].tocsc(), m[p])
            return _Factor(lu, None, A_mat.dtype)
        p, (K, mp) = self._order, self._permuted
        A_mat = (K + sp.diags(1j * w * mp)).tocsc() if w else K
        lu = splu(A_mat, permc_spec="NATURAL", diag_pivot_thresh=0.0, options={"SymmetricMode": True})
        return _Factor(lu, p, A_mat.dtype)

    def _solve_full(self, w: float) -> np.ndarray:
        if not np.any(self.mass_f):  # perfect conductors only: K x = B2 / (j w), a real system
            return self._factor(0.0).solve(self.B2) / (1j * w)
        return self._factor(w).solve(self._rhs(w))

    def shift_solutions(self, w: float) -> list[np.ndarray]:
        """The solution at ``w`` and the next moments ``(A^-1 M)^k x`` from one factorization
        (each column scaled to unit norm before the next solve)."""
        lu = self._factor(w)
        m = MU0 * np.asarray(self.mass_f.sum(axis=0)).ravel()
        x = lu.solve(self._rhs(w))
        out = [x]
        for _ in range(MOMENTS - 1):
            x = x / np.maximum(np.linalg.norm(x, axis=0), 1e-300)
            x = lu.solve(np.asfortranarray(m[:, None] * x))
            out.append(x)
        return out

    def face_losses(self, w: float, a_free: np.ndarray, fields: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The resistance matrix split by face: (labels, (L, N, N)) with ``labels`` the values of
        ``MagneticGrid.node_face``: ``Re(E^H diag(m) E)`` over each label's nodes, with ``E`` the
        field ``u - j w A`` at the nodes for unit signal currents (``fields``: groups x signals)."""
        mg = self.mg
        a = np.zeros((self.mass_all.shape[1], self.n), complex)
        a[self.free] = a_free
        a[~self.free] = self.onpec / (1j * w)
        node_u = fields[self.node_owner]  # (nodes, N): each node's own conductor's field
        e = node_u - 1j * w * (a @ fields)
        labels = np.unique(mg.node_face[mg.node_face >= 0])
        flat = mg.node_face.ravel()
        out = []
        for lab in labels:
            sel = flat == lab
            m = self.mass_total[sel]
            es = e[sel]
            out.append(np.real(es.conj().T @ (m[:, None] * es)))
        return labels, np.array(out)

    def impedance(self, freq, reduced: bool = True, faces: bool = False, tol: float | None = None) -> Impedance:
        """The signals' impedance at each frequency (a reduced-model sweep, or full solves);
        ``faces``: also the resistance split by face (see :meth:`face_losses`); ``tol``: the
        reduced model's residual tolerance (``REDUCED_TOL`` by default)."""
        freq = np.atleast_1d(np.asarray(freq, float))
        # a reduced model starts from about one full solve per decade: worth it for more points
        decades = float(np.log10(freq.max() / freq.min())) if freq.size > 1 else 0.0
        model = (
            ReducedModel(self, freq, tol=tol or REDUCED_TOL)
            if reduced and freq.size > max(8, 2 * (decades + 1))
            else None
        )
        if model is not None:
            return self._reduced_sweep(model, freq, faces)
        zs, parts, labels = [], [], None
        for f in freq:
            w = 2 * np.pi * f
            a_free = self._solve_full(w)
            z, fields = reduce_fields(self._y(w, a_free), self.mg.n_signals, self.mg.has_ground)
            zs.append(z)
            if faces:
                labels, r = self.face_losses(w, a_free, fields)
                parts.append(r)
        return Impedance(
            freq=freq,
            z=np.array(zs),
            face_labels=labels,
            face_resistance=np.array(parts) if faces else None,
        )

    def _reduced_sweep(self, model: ReducedModel, freq: np.ndarray, faces: bool) -> Impedance:
        """:meth:`impedance` from a reduced model: every output is a product of the basis with
        something fixed (computed once), so no frequency touches an array of the grid's size."""
        mv = np.hstack([self.mass_f @ b for b in model.blocks])  # (groups, basis)
        pv = np.hstack([self.pec_f @ b for b in model.blocks])
        labels, terms = self._face_terms(model) if faces else (None, [])
        zs, parts = [], []
        for f in freq:
            w = 2 * np.pi * f
            c = model._coefficients(w)
            z, fields = reduce_fields(self._y_from(w, mv @ c, pv @ c), self.mg.n_signals, self.mg.has_ground)
            zs.append(z)
            if faces:
                parts.append([_face_loss(w, c @ fields, fields, t) for t in terms])
        return Impedance(
            freq=freq,
            z=np.array(zs),
            face_labels=labels,
            face_resistance=np.array(parts) if faces else None,
        )

    def _face_terms(self, model: ReducedModel) -> tuple[np.ndarray, list]:
        """Per face label, what :meth:`face_losses` needs of a reduced solution ``V c``: for the
        free nodes of each owner k, the sum of the masses and their mass-weighted sum of basis
        rows, and the label's Gram matrix ``V^T diag(m) V``; for its fixed nodes (on the outer
        boundary, or touching a perfect conductor) their masses, owners and ``onpec`` rows."""
        flat = self.mg.node_face.ravel()
        labels = np.unique(flat[flat >= 0])
        lab_free, m_free = flat[self.free], self.mass_total[self.free]
        own_free = self.node_owner[self.free]
        lab_fixed, m_fixed = flat[~self.free], self.mass_total[~self.free]
        own_fixed = self.node_owner[~self.free]
        r = model.size
        terms = []
        for lab in labels:
            idx = np.nonzero((lab_free == lab) & (m_free > 0))[0]
            owners, G = [], np.zeros((r, r))
            for k in np.unique(own_free[idx]):
                j = idx[own_free[idx] == k]
                s = np.zeros(r)
                for part in np.array_split(j, max(1, j.size // 8192)):
                    rows = model.rows(part)
                    mk = m_free[part]
                    s += mk @ rows
                    G += rows.T @ (mk[:, None] * rows)
                owners.append((int(k), float(m_free[j].sum()), s))
            fx = np.nonzero((lab_fixed == lab) & (m_fixed > 0))[0]
            terms.append((owners, G, (m_fixed[fx], own_fixed[fx], self.onpec[fx])))
        return labels, terms


def _face_loss(w: float, cf: np.ndarray, fields: np.ndarray, term) -> np.ndarray:
    """One label's ``Re(E^H diag(m) E)`` (N, N) from :meth:`MagneticProblem._face_terms`'s
    ``term``, with ``cf = c @ fields`` (basis, N): at a free node of owner k, ``E = u_k - j w V_i
    cf``, so the sum is ``S u_k^H u_k - j w u_k^H (s cf) + j w (s cf)^H u_k + w^2 cf^H G cf``."""
    owners, G, (m_x, own_x, onpec_x) = term
    acc = (w * w) * (cf.conj().T @ (G @ cf))
    for k, total, s in owners:
        u, sc = fields[k], s @ cf
        acc += total * np.outer(u.conj(), u) - 1j * w * np.outer(u.conj(), sc) + 1j * w * np.outer(sc.conj(), u)
    if m_x.size:  # fixed nodes: A = onpec u / (j w), so E = u_own - onpec u
        e = fields[own_x] - onpec_x @ fields
        acc += e.conj().T @ (m_x[:, None] * e)
    return np.real(acc)


def reduce(y: np.ndarray, n_signals: int, has_ground: bool) -> np.ndarray:
    """The signals' series impedance from the admittance of every group (ground, signals,
    floating): the grounds carry the return current (the outer boundary does, when there is no
    ground conductor) and floating conductors no net current."""
    return reduce_fields(y, n_signals, has_ground)[0]


def reduce_fields(y: np.ndarray, n_signals: int, has_ground: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`reduce`, and the applied field of every group (groups x signals) when each signal
    carries a unit current (its return in the grounds)."""
    n_all = y.shape[0]
    n = y.shape[0]
    sig = np.arange(1, 1 + n_signals)
    flo = np.arange(1 + n_signals, n)
    P = np.zeros((n, n_signals))
    P[sig, np.arange(n_signals)] = 1.0  # w: the signals' fields relative to the ground's
    cols, cons = [], []
    if has_ground:
        q = np.zeros(n)
        q[: 1 + n_signals] = 1.0  # the ground's field, added to every signal's
        cols.append(q)
        cons.append(np.ones(n))  # no net current
    for f in flo:
        e = np.zeros(n)
        e[f] = 1.0
        cols.append(e)
        cons.append(e)  # a floating conductor carries no net current
    if not has_ground:
        keep = np.arange(1, n)  # the ground group is empty: drop it
        y = y[np.ix_(keep, keep)]
        P = P[keep]
        cols = [c[keep] for c in cols]
        cons = [c[keep] for c in cons]
        sig = sig - 1
    if cols:
        Q, C = np.array(cols).T, np.array(cons).T
        zfree = -np.linalg.solve(C.T @ y @ Q, C.T @ y @ P)
        u = P + Q @ zfree
    else:
        u = P
    y_s = (y @ u)[sig]
    z = np.linalg.inv(y_s)
    fields = u @ z
    if not has_ground:
        fields = np.vstack([np.zeros((1, n_signals)), fields])
    assert fields.shape[0] == n_all
    return 0.5 * (z + z.T), fields
