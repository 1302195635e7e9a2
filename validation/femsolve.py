"""An independent 2D electrostatic solver for the validation references: high-order finite
elements (scikit-fem) on curved, graded triangle meshes (gmsh), a different method from the
package's finite differences on a rectilinear grid.

Given a :class:`~fieldsolver.geometry.model.CrossSection`, it builds the exact geometry with
gmsh's OpenCASCADE kernel (circles as true arcs, rectangles as rectangles), meshes it with
second-order (curved) triangles graded toward every corner and interface, solves Laplace's
equation ``div(eps grad u) = 0`` with quadratic Lagrange elements on that isoparametric
geometry and returns the capacitance matrices ``C`` (with the dielectrics) and ``C0`` (vacuum)
from the field energy, ``C_jk = eps0 * integral(eps grad u_j . grad u_k)``, which converges at
twice the rate of the potential.

Open structures are truncated by a grounded circle (a half circle on an infinite ground plane)
of radius ``radius``; the caller extrapolates in the radius (the truncation error of a
structure with no net charge toward infinity falls as ``1/radius**2``). Closed structures (a
ring shield around everything) need no truncation. Conductors are meshed and every degree of
freedom of an element inside conductor k is held at its potential, so no boundary has to be
identified by hand. Supported shapes: ``Rect`` (finite, or infinite planes and layers),
``Circle`` and a ``Ring`` shield that encloses the rest.
"""

from __future__ import annotations

import math

import numpy as np

from fieldsolver.constants import EPS0
from fieldsolver.geometry.model import Circle, CrossSection, Rect, Ring


def _plane_level(section: CrossSection) -> float | None:
    """The top of an infinite ground plane under the structure (None: none)."""
    tops = [
        c.shape.y1
        for c in section.conductors
        if isinstance(c.shape, Rect) and math.isinf(c.shape.x0) and math.isinf(c.shape.x1)
    ]
    return max(tops) if tops else None


def _shield(section: CrossSection) -> Ring | None:
    rings = [c.shape for c in section.conductors if isinstance(c.shape, Ring)]
    return rings[0] if rings else None


def _finite_extent(section: CrossSection) -> tuple[float, float, float, float]:
    """Bounding box of everything finite (conductors and dielectrics)."""
    boxes = []
    for s in [c.shape for c in section.conductors] + [d.shape for d in section.dielectrics]:
        x0, x1, y0, y1 = s.bbox()
        xs = [v for v in (x0, x1) if math.isfinite(v)]
        ys = [v for v in (y0, y1) if math.isfinite(v)]
        if xs and ys:
            boxes.append((min(xs), max(xs), min(ys), max(ys)))
    b = np.array(boxes)
    return float(b[:, 0].min()), float(b[:, 1].max()), float(b[:, 2].min()), float(b[:, 3].max())


class _Domain:
    """The meshed region: a disk (open, or inside a shield), cut at a ground plane's top."""

    def __init__(self, section: CrossSection, radius: float | None):
        ring, plane = _shield(section), _plane_level(section)
        x0, x1, y0, y1 = _finite_extent(section)
        if ring is not None:
            self.cx, self.cy, self.r = ring.cx, ring.cy, ring.r_in
        else:
            self.cx = 0.5 * (x0 + x1)
            self.cy = plane if plane is not None else 0.5 * (y0 + y1)
            self.r = radius
        self.plane = plane
        self.reach = max(math.hypot(x - self.cx, y - self.cy) for x in (x0, x1) for y in (y0, y1))

    def inside(self, x, y):
        ok = (x - self.cx) ** 2 + (y - self.cy) ** 2 < self.r**2
        if self.plane is not None:
            ok &= y > self.plane
        return ok


def scaled(section: CrossSection, k: float) -> CrossSection:
    """The section with every length times k (gmsh's geometry tolerances want lengths near 1)."""
    import dataclasses

    def shape(s):
        if isinstance(s, Rect):
            return Rect(s.x0 * k, s.x1 * k, s.y0 * k, s.y1 * k)
        if isinstance(s, Circle):
            return Circle(s.cx * k, s.cy * k, s.r * k)
        if isinstance(s, Ring):
            return Ring(s.cx * k, s.cy * k, s.r_in * k, s.r_out * k)
        raise NotImplementedError(f"shape {type(s).__name__} in the reference solver")

    return dataclasses.replace(
        section,
        conductors=tuple(dataclasses.replace(c, shape=shape(c.shape)) for c in section.conductors),
        dielectrics=tuple(dataclasses.replace(d, shape=shape(d.shape)) for d in section.dielectrics),
    )


def classify(section: CrossSection, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(conductor index or -1, relative permittivity) at points, dielectrics painted in order."""
    cond = np.full(x.shape, -1)
    for i, c in enumerate(section.conductors):
        cond[c.shape.contains(x, y)] = i
    er = np.full(x.shape, float(section.background_er))
    for d in section.dielectrics:
        er[d.shape.contains(x, y)] = d.er
    return cond, er


def _occ_shapes(section: CrossSection, dom: _Domain, occ) -> list[tuple[int, int]]:
    """Every finite shape (conductors and dielectrics), clipped to a box around the domain."""
    big = 1.1 * dom.r
    tags = []
    for s in [c.shape for c in section.conductors] + [d.shape for d in section.dielectrics]:
        if isinstance(s, Circle):
            tags.append((2, occ.addDisk(s.cx, s.cy, 0.0, s.r, s.r)))
        elif isinstance(s, Rect):
            x0, x1 = max(s.x0, dom.cx - big), min(s.x1, dom.cx + big)
            y0, y1 = max(s.y0, dom.cy - big), min(s.y1, dom.cy + big)
            if x1 > x0 and y1 > y0:
                tags.append((2, occ.addRectangle(x0, y0, 0.0, x1 - x0, y1 - y0)))
        elif isinstance(s, Ring):
            continue  # the shield: its inner circle is the domain's edge
        else:
            raise NotImplementedError(f"shape {type(s).__name__} in the reference solver")
    return tags


def _corners(section: CrossSection, dom: _Domain) -> np.ndarray:
    """Rectangle corners inside the domain (where the field is singular or kinked)."""
    pts = []
    for s in [c.shape for c in section.conductors] + [d.shape for d in section.dielectrics]:
        if isinstance(s, Rect):
            for x in (s.x0, s.x1):
                for y in (s.y0, s.y1):
                    if math.isfinite(x) and math.isfinite(y):
                        pts.append((x, y))
    pts = np.array(pts).reshape(-1, 2)
    far = (pts[:, 0] - dom.cx) ** 2 + (pts[:, 1] - dom.cy) ** 2 < dom.r**2 if len(pts) else []
    return pts[far] if len(pts) else pts


def _size_field(dom: _Domain, section: CrossSection, *, size: float, feature: float) -> None:
    """Element size: ``feature/4`` on every interface and conductor surface, growing by 0.3 of
    the distance from them; toward each corner 0.35 of the distance down to ``feature/2000``
    (geometric grading that resolves the corner singularity); at most the domain radius / 6.
    Everything times ``size``."""
    import gmsh

    field = gmsh.model.mesh.field
    inner = []
    for _, c in gmsh.model.getEntities(1):
        lo, hi = gmsh.model.getParametrizationBounds(1, c)
        xyz = np.array(gmsh.model.getValue(1, c, [0.5 * (lo[0] + hi[0])]))
        r = math.hypot(xyz[0] - dom.cx, xyz[1] - dom.cy)
        on_plane = dom.plane is not None and abs(xyz[1] - dom.plane) < 1e-9 * dom.r
        if r < dom.r * (1 - 1e-9) and not on_plane:
            inner.append(c)
    f_curves = field.add("Distance")
    field.setNumbers(f_curves, "CurvesList", inner)
    field.setNumber(f_curves, "Sampling", 400)
    # away from the structure (radius ``reach`` around its centre) the size also grows with the
    # distance from it, so long interfaces (a substrate's surface) coarsen toward the far edge
    far = f"0.2*max(0, sqrt((x-{dom.cx})^2+(y-{dom.cy})^2)-{dom.reach})"
    expr = f"{size}*min(max({feature / 4}+0.3*F{f_curves}, {far}), {dom.r / 6})"
    corners = _corners(section, dom)
    if len(corners):
        tags = [gmsh.model.occ.addPoint(x, y, 0.0) for x, y in corners]
        gmsh.model.occ.synchronize()
        f_pts = field.add("Distance")
        field.setNumbers(f_pts, "PointsList", tags)
        expr = f"min({expr}, {size}*max({feature / 2000}, 0.35*F{f_pts}))"
    f = field.add("MathEval")
    field.setString(f, "F", expr)
    field.setAsBackgroundMesh(f)


def build_mesh(section: CrossSection, *, radius: float | None, size: float, feature: float):
    """Second-order triangles of the domain: (points (n, 2), triangles (m, 6) in gmsh's node order,
    the conductor index (-1: dielectric) and er of each triangle). ``size`` scales every element
    (halve it to refine everywhere); ``feature`` is the structure's smallest length; lengths in the section's
    own numbers (see :func:`scaled`)."""
    import gmsh

    dom = _Domain(section, radius)
    gmsh.initialize(["-noenv"], readConfigFiles=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.NumThreads", 1)
        occ = gmsh.model.occ
        disk = occ.addDisk(dom.cx, dom.cy, 0.0, dom.r, dom.r)
        if dom.plane is not None:
            cut = occ.addRectangle(dom.cx - 2 * dom.r, dom.plane - 2 * dom.r, 0.0, 4 * dom.r, 2 * dom.r)
            occ.cut([(2, disk)], [(2, cut)])
        occ.synchronize()
        domain = [(2, t) for _, t in gmsh.model.getEntities(2)]
        occ.fragment(domain, _occ_shapes(section, dom, occ))
        occ.synchronize()
        outside = []
        for _, t in gmsh.model.getEntities(2):
            x, y, _ = occ.getCenterOfMass(2, t)
            if not dom.inside(np.array(x), np.array(y)):
                outside.append((2, t))
        if outside:
            occ.remove(outside, recursive=True)
            occ.synchronize()
        _size_field(dom, section, size=size, feature=feature)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.option.setNumber("Mesh.Algorithm", 6)
        gmsh.model.mesh.generate(2)
        gmsh.model.mesh.setOrder(2)
        tags, xyz, _ = gmsh.model.mesh.getNodes()
        index = np.zeros(int(tags.max()) + 1, dtype=np.int64)
        index[tags.astype(np.int64)] = np.arange(len(tags))
        pts = xyz.reshape(-1, 3)[:, :2]
        tris, cond, er = [], [], []
        for _, t in gmsh.model.getEntities(2):
            etypes, _, enodes = gmsh.model.mesh.getElements(2, t)
            for et, en in zip(etypes, enodes, strict=True):
                if et != 9:  # 6-node triangles only
                    raise RuntimeError(f"unexpected gmsh element type {et}")
                tri = index[en.astype(np.int64)].reshape(-1, 6)
                cen = pts[tri[:, :3]].mean(axis=1)
                c, e = classify(section, cen[:, 0], cen[:, 1])
                # one region per surface: the majority of its element centroids decides
                tris.append(tri)
                cond.append(np.full(len(tri), np.bincount(c + 1).argmax() - 1))
                vals, counts = np.unique(e, return_counts=True)
                er.append(np.full(len(tri), vals[counts.argmax()]))
        return pts, np.vstack(tris), np.concatenate(cond), np.concatenate(er)
    finally:
        gmsh.finalize()


def capacitance(section: CrossSection, *, radius: float | None, size: float, feature: float):
    """(C, C0, degrees of freedom): the signals' Maxwell capacitance matrices (F/m) with the
    dielectrics and in vacuum; every ground, the plane and the truncation circle at 0 V. The
    section's lengths should be near 1 (see :func:`scaled`: 2D capacitance does not depend on
    the scale); ``radius`` and ``feature`` in the same numbers."""
    import skfem
    from scipy.sparse.linalg import splu
    from skfem.helpers import dot, grad

    pts, tri6, cond, er = build_mesh(section, radius=radius, size=size, feature=feature)
    # gmsh's 6-node triangle (vertices, then the mid nodes of edges 01, 12, 20) is the external
    # high-order format MeshTri2 accepts: it renumbers, keeps the element order
    mesh = skfem.MeshTri2(np.ascontiguousarray(pts.T), np.ascontiguousarray(tri6.T), sort_t=False)
    # isoparametric quadratic elements: the potential and the geometry both of degree 2
    basis = skfem.Basis(mesh, skfem.ElementTriP2(), intorder=4)
    b0 = basis.with_element(skfem.ElementTriP0())
    eps = b0.interpolate(np.where(cond >= 0, 1.0, er))

    @skfem.BilinearForm
    def a_eps(u, v, w):
        return w["e"] * dot(grad(u), grad(v))

    @skfem.BilinearForm
    def a_vac(u, v, w):
        return dot(grad(u), grad(v))

    a_mats = (a_eps.assemble(basis, e=eps), a_vac.assemble(basis))
    signals = [i for i, c in enumerate(section.conductors) if c.role == "signal"]
    fixed = {int(v) for v in basis.get_dofs().all()}  # the outer edge (circle, plane, shield)
    conductor_dofs = {}
    for i in range(len(section.conductors)):
        d = np.unique(basis.element_dofs[:, cond == i])
        conductor_dofs[i] = d
        fixed.update(int(v) for v in d)
    fixed_arr = np.array(sorted(fixed))
    free = np.setdiff1d(np.arange(basis.N), fixed_arr)
    # every signal's held potentials (one column each): the same fixed degrees of freedom, so one
    # factorisation of each matrix's free block serves all of them
    held = np.zeros((basis.N, len(signals)))
    for col, k in enumerate(signals):
        held[conductor_dofs[k], col] = 1.0
    out = []
    for a in a_mats:
        a = a.tocsr()
        lu = splu(a[free][:, free].tocsc())
        u = held.copy()
        u[free] = lu.solve(-(a[free][:, fixed_arr] @ held[fixed_arr]))
        out.append(EPS0 * (u.T @ (a @ u)))
    return out[0], out[1], int(basis.N)
