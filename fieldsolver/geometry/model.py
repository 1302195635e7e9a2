"""Cross-section model: shapes, conductors, dielectrics, boundary. All lengths in metres.

Every object here is a frozen dataclass; :meth:`CrossSection.validate` is the one place where a
cross-section is checked for physical sense (sizes, overlaps, shorts). Problems raise
:class:`InputError` with a ``where`` prefix (``file.yaml:12: conductors[1]``) so that a user sees
one line that says what is wrong and where.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from ..errors import InputError as InputError  # the model's mistakes are input errors
from .limits import MAX_COORDINATE, MAX_PERMITTIVITY
from .materials import COPPER_SIGMA, SMOOTH, FaceRoughness, Medium
from .units import DEFAULT_UNITS

# signal: driven (one excitation each); ground: the 0 V reference; floating: an isolated conductor
# with no net charge, whose potential the field decides (a lifted ground wire, an unconnected
# shield or copper pour)
Role = Literal["signal", "ground", "floating"]
ROLES: tuple[str, ...] = ("signal", "ground", "floating")


def _fail(where: str, msg: str) -> InputError:
    return InputError(f"{where}: {msg}" if where else msg)


def _finite(where: str, name: str, *values: float) -> None:
    for v in values:
        if not math.isfinite(v):
            raise _fail(where, f"{name} must be a finite number, got {v}")


# --------------------------------------------------------------------------------------- shapes
class Shape:
    """Closed point set in the (x, y) plane.

    ``contains`` is vectorised and includes the boundary, so that grid nodes placed exactly on an
    edge (the mesher snaps grid lines to every edge) belong to the shape.
    """

    curved = False  # True where the boundary is not made of grid-aligned segments
    cornered = True  # True where the boundary has corners (where the field is singular)

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def bbox(self) -> tuple[float, float, float, float]:
        raise NotImplementedError

    def key_x(self) -> list[float]:
        """Finite x coordinates that grid lines must pass through."""
        raise NotImplementedError

    def key_y(self) -> list[float]:
        raise NotImplementedError

    def outline(self, clip: tuple[float, float, float, float]) -> list[np.ndarray]:
        """Closed outlines as (n, 2) arrays, infinite extents clipped to ``clip``."""
        raise NotImplementedError

    def check(self, where: str) -> None:
        raise NotImplementedError


def _clip_box(b: tuple[float, float, float, float], clip: tuple[float, float, float, float]):
    return (max(b[0], clip[0]), min(b[1], clip[1]), max(b[2], clip[2]), min(b[3], clip[3]))


@dataclass(frozen=True)
class Rect(Shape):
    """Axis-aligned rectangle ``x0 <= x <= x1, y0 <= y <= y1``.

    ``y0 == y1`` (or ``x0 == x1``) is a zero-thickness strip; infinite bounds make a plane.
    """

    x0: float
    x1: float
    y0: float
    y1: float

    def contains(self, x, y):
        return (x >= self.x0) & (x <= self.x1) & (y >= self.y0) & (y <= self.y1)

    def bbox(self):
        return (self.x0, self.x1, self.y0, self.y1)

    def key_x(self):
        return [v for v in (self.x0, self.x1) if math.isfinite(v)]

    def key_y(self):
        return [v for v in (self.y0, self.y1) if math.isfinite(v)]

    def outline(self, clip):
        x0, x1, y0, y1 = _clip_box(self.bbox(), clip)
        return [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])]

    def check(self, where):
        for name, v in (("x0", self.x0), ("x1", self.x1), ("y0", self.y0), ("y1", self.y1)):
            if math.isnan(v):
                raise _fail(where, f"{name} is not a number")
        if self.x0 > self.x1 or self.y0 > self.y1:
            raise _fail(where, "ranges must be given as [low, high]")
        if self.x0 == self.x1 and self.y0 == self.y1:
            raise _fail(where, "rectangle has zero width and zero height")
        if (math.isinf(self.x0) and self.x0 == self.x1) or (math.isinf(self.y0) and self.y0 == self.y1):
            raise _fail(where, "a range cannot lie entirely at infinity")


@dataclass(frozen=True)
class Trapezoid(Shape):
    """Trapezoid with horizontal bottom ``[xb0, xb1]`` at ``y0`` and top ``[xt0, xt1]`` at ``y1``."""

    xb0: float
    xb1: float
    xt0: float
    xt1: float
    y0: float
    y1: float

    curved = True  # slanted sides are not grid-aligned

    def _edges_at(self, y):
        f = np.clip((y - self.y0) / (self.y1 - self.y0), 0.0, 1.0)
        return self.xb0 + f * (self.xt0 - self.xb0), self.xb1 + f * (self.xt1 - self.xb1)

    def contains(self, x, y):
        lo, hi = self._edges_at(y)
        return (y >= self.y0) & (y <= self.y1) & (x >= lo) & (x <= hi)

    def bbox(self):
        return (min(self.xb0, self.xt0), max(self.xb1, self.xt1), self.y0, self.y1)

    def key_x(self):
        return [self.xb0, self.xb1, self.xt0, self.xt1]

    def key_y(self):
        return [self.y0, self.y1]

    def outline(self, clip):
        p = [[self.xb0, self.y0], [self.xb1, self.y0], [self.xt1, self.y1], [self.xt0, self.y1]]
        return [np.array([*p, p[0]])]

    def check(self, where):
        _finite(where, "trapezoid coordinates", self.xb0, self.xb1, self.xt0, self.xt1, self.y0, self.y1)
        if not self.y1 > self.y0:
            raise _fail(where, "trapezoid height must be > 0")
        if not (self.xb1 > self.xb0 and self.xt1 >= self.xt0):
            raise _fail(where, "trapezoid bottom width must be > 0 and top width >= 0")


@dataclass(frozen=True)
class Circle(Shape):
    cx: float
    cy: float
    r: float

    curved = True
    cornered = False

    def contains(self, x, y):
        return (x - self.cx) ** 2 + (y - self.cy) ** 2 <= self.r**2

    def bbox(self):
        return (self.cx - self.r, self.cx + self.r, self.cy - self.r, self.cy + self.r)

    def key_x(self):
        return [self.cx - self.r, self.cx, self.cx + self.r]

    def key_y(self):
        return [self.cy - self.r, self.cy, self.cy + self.r]

    def outline(self, clip):
        t = np.linspace(0.0, 2.0 * np.pi, 257)
        return [np.column_stack([self.cx + self.r * np.cos(t), self.cy + self.r * np.sin(t)])]

    def check(self, where):
        _finite(where, "circle centre and radius", self.cx, self.cy, self.r)
        if not self.r > 0:
            raise _fail(where, "radius must be > 0")


@dataclass(frozen=True)
class Ring(Shape):
    """Annulus ``r_in <= distance <= r_out`` (a coax outer conductor or a cable shield)."""

    cx: float
    cy: float
    r_in: float
    r_out: float

    curved = True
    cornered = False

    def contains(self, x, y):
        d2 = (x - self.cx) ** 2 + (y - self.cy) ** 2
        return (d2 >= self.r_in**2) & (d2 <= self.r_out**2)

    def bbox(self):
        return (self.cx - self.r_out, self.cx + self.r_out, self.cy - self.r_out, self.cy + self.r_out)

    def key_x(self):
        return [self.cx - self.r_out, self.cx - self.r_in, self.cx, self.cx + self.r_in, self.cx + self.r_out]

    def key_y(self):
        return [self.cy - self.r_out, self.cy - self.r_in, self.cy, self.cy + self.r_in, self.cy + self.r_out]

    def outline(self, clip):
        t = np.linspace(0.0, 2.0 * np.pi, 257)
        c, s = np.cos(t), np.sin(t)
        return [np.column_stack([self.cx + r * c, self.cy + r * s]) for r in (self.r_in, self.r_out)]

    def check(self, where):
        _finite(where, "ring centre and radii", self.cx, self.cy, self.r_in, self.r_out)
        if not (0 < self.r_in < self.r_out):
            raise _fail(where, "ring needs 0 < inner_radius < outer_radius")


@dataclass(frozen=True)
class Polygon(Shape):
    """Simple polygon given by its vertices (closed implicitly)."""

    points: tuple[tuple[float, float], ...]

    curved = True

    @cached_property
    def _shapely(self):
        import shapely

        return shapely.Polygon(self.points)

    def contains(self, x, y):
        import shapely

        return shapely.intersects_xy(self._shapely, np.asarray(x, float), np.asarray(y, float))

    def bbox(self):
        p = np.asarray(self.points)
        return (p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max())

    def key_x(self):
        return [p[0] for p in self.points]

    def key_y(self):
        return [p[1] for p in self.points]

    def outline(self, clip):
        p = np.asarray(self.points, float)
        return [np.vstack([p, p[:1]])]

    def check(self, where):
        if len(self.points) < 3:
            raise _fail(where, "a polygon needs at least 3 points")
        for p in self.points:
            _finite(where, "polygon points", *p)
        poly = self._shapely
        if not poly.is_valid or poly.area <= 0:
            raise _fail(where, "polygon is self-intersecting or has zero area")
        x0, x1, y0, y1 = self.bbox()
        if poly.area <= 1e-9 * ((x1 - x0) ** 2 + (y1 - y0) ** 2):
            raise _fail(where, "polygon has (almost) zero area: its points lie on a line")


def to_shapely(shape: Shape, clip: tuple[float, float, float, float]):
    """A shapely geometry for overlap checks; infinite extents clipped to ``clip``."""
    import shapely

    if isinstance(shape, Polygon):
        return shape._shapely
    if isinstance(shape, Circle):
        return shapely.Point(shape.cx, shape.cy).buffer(shape.r, quad_segs=64)
    if isinstance(shape, Ring):
        outer = shapely.Point(shape.cx, shape.cy).buffer(shape.r_out, quad_segs=64)
        return outer.difference(shapely.Point(shape.cx, shape.cy).buffer(shape.r_in, quad_segs=64))
    if isinstance(shape, Rect):
        x0, x1, y0, y1 = _clip_box(shape.bbox(), clip)
        if x0 == x1 or y0 == y1:
            return shapely.LineString([(x0, y0), (x1, y1)])
        return shapely.box(x0, y0, x1, y1)
    (outline,) = shape.outline(clip)
    return shapely.Polygon(outline[:-1])


def _within_limits(where: str, shape: Shape) -> None:
    """Every finite coordinate within :data:`~.limits.MAX_COORDINATE` of the origin."""
    far = max((abs(v) for v in shape.bbox() if math.isfinite(v)), default=0.0)
    if far > MAX_COORDINATE:
        raise _fail(where, f"a coordinate {far:.3g} m from the origin: at most {MAX_COORDINATE:g} m")


# ---------------------------------------------------------------------------------- the section
@dataclass(frozen=True)
class Conductor:
    """A conductor: ``sigma`` in S/m (``math.inf``: lossless), ``roughness`` of each face (see
    :class:`~fieldsolver.geometry.materials.FaceRoughness`; default smooth)."""

    name: str
    shape: Shape
    role: Role = "ground"
    where: str = ""
    sigma: float = COPPER_SIGMA
    roughness: FaceRoughness = SMOOTH


@dataclass(frozen=True)
class Dielectric:
    """A dielectric region: ``er`` and ``tand`` at ``f_ref`` (Hz), a ``dispersion`` model and a
    conductivity ``sigma`` (S/m); see :class:`~fieldsolver.geometry.materials.Medium`. The static
    solve uses ``er``."""

    shape: Shape
    er: float
    tand: float = 0.0
    name: str = ""
    where: str = ""
    f_ref: float = 1e9
    dispersion: str = "constant"
    sigma: float = 0.0

    @classmethod
    def of(cls, shape: Shape, medium: Medium, name: str = "", where: str = "") -> Dielectric:
        """The region ``shape`` filled with ``medium``."""
        m = medium
        return cls(shape, m.er, m.tand, name, where, m.f_ref, m.dispersion, m.sigma)

    @property
    def medium(self) -> Medium:
        return Medium(self.er, self.tand, self.f_ref, self.dispersion, self.sigma)

    def permittivity(self, freq) -> np.ndarray:
        """Relative complex permittivity ``eps' - j eps''`` at each frequency (Hz, > 0)."""
        return self.medium.permittivity(freq)


def background_fields(medium: Medium) -> dict[str, float | str]:
    """The ``background_*`` arguments of :class:`CrossSection` for a background of ``medium``."""
    m = medium
    return {
        "background_er": m.er,
        "background_tand": m.tand,
        "background_f_ref": m.f_ref,
        "background_dispersion": m.dispersion,
        "background_sigma": m.sigma,
    }


@dataclass(frozen=True)
class Boundary:
    """``open``: the solver places a grounded outer boundary far away (see ``grid``);
    ``box``: a grounded rectangular enclosure ``x0..x1, y0..y1``."""

    kind: Literal["open", "box"] = "open"
    box: tuple[float, float, float, float] | None = None
    where: str = ""


@dataclass(frozen=True)
class CrossSection:
    conductors: tuple[Conductor, ...]
    dielectrics: tuple[Dielectric, ...] = ()
    boundary: Boundary = field(default_factory=Boundary)
    background_er: float = 1.0  # the medium wherever no dielectric is painted (as Dielectric's fields)
    units: str = DEFAULT_UNITS  # the unit lengths are shown in; the model itself is in metres
    source: str = ""
    background_tand: float = 0.0
    background_f_ref: float = 1e9
    background_dispersion: str = "constant"
    background_sigma: float = 0.0

    @property
    def background(self) -> Medium:
        return Medium(
            self.background_er,
            self.background_tand,
            self.background_f_ref,
            self.background_dispersion,
            self.background_sigma,
        )

    def background_permittivity(self, freq) -> np.ndarray:
        """Relative complex permittivity of the background at each frequency (Hz, > 0)."""
        return self.background.permittivity(freq)

    @property
    def signals(self) -> tuple[Conductor, ...]:
        return tuple(c for c in self.conductors if c.role == "signal")

    @property
    def grounds(self) -> tuple[Conductor, ...]:
        return tuple(c for c in self.conductors if c.role == "ground")

    @property
    def floating(self) -> tuple[Conductor, ...]:
        return tuple(c for c in self.conductors if c.role == "floating")

    def finite_extent(self) -> tuple[float, float, float, float]:
        """Bounding box of every finite coordinate of every shape (conductors and dielectrics)."""
        xs = [v for c in self.conductors for v in c.shape.key_x()]
        ys = [v for c in self.conductors for v in c.shape.key_y()]
        xs += [v for d in self.dielectrics for v in d.shape.key_x()]
        ys += [v for d in self.dielectrics for v in d.shape.key_y()]
        return (min(xs), max(xs), min(ys), max(ys))

    def validate(self) -> CrossSection:
        """Raise :class:`InputError` for anything that cannot be solved; return self."""
        src = self.source
        if not self.conductors:
            raise _fail(src, "no conductors")
        names: dict[str, str] = {}
        for c in self.conductors:
            if c.role not in ROLES:
                raise _fail(c.where, f"role must be one of {', '.join(ROLES)}, got {c.role!r}")
            if c.name in names:
                raise _fail(c.where, f"conductor name {c.name!r} is used twice")
            names[c.name] = c.where
            c.shape.check(c.where)
            if not c.sigma > 0:  # NaN fails this too
                raise _fail(c.where, f"sigma must be > 0 S/m (or .inf for a perfect conductor), got {c.sigma}")
            c.roughness.check(c.where)
            _within_limits(c.where or src, c.shape)
            if c.role == "signal" and not all(map(math.isfinite, c.shape.bbox())):
                raise _fail(
                    c.where,
                    "a signal conductor must be finite: an infinite or half-infinite plane is a ground "
                    "(role: ground) or floating",
                )
        if not self.signals:
            raise _fail(src, "no conductor has role: signal")
        for d in self.dielectrics:
            d.shape.check(d.where)
            _within_limits(d.where or src, d.shape)
            d.medium.check(d.where)  # er >= 1, tand >= 0, f_ref, dispersion, sigma
            if d.medium.er > MAX_PERMITTIVITY:
                raise _fail(
                    d.where or src, f"dielectric {d.name!r}: er {d.medium.er:.3g}: at most {MAX_PERMITTIVITY:g}"
                )
        if not math.isfinite(self.background_er) or not 1 <= self.background_er <= MAX_PERMITTIVITY:
            raise _fail(src, f"background er must be a number from 1 to {MAX_PERMITTIVITY:g}, got {self.background_er}")
        self.background.check(f"{src}: background" if src else "background")
        b = self.boundary
        if b.kind == "box":
            if b.box is None:
                raise _fail(b.where, "box boundary needs x and y ranges")
            _finite(b.where, "box bounds", *b.box)
            x0, x1, y0, y1 = b.box
            if not (x1 > x0 and y1 > y0):
                raise _fail(b.where, "box must have positive width and height")
            for c in self.conductors:
                cx0, cx1, cy0, cy1 = c.shape.bbox()
                inside = cx0 > x0 and cx1 < x1 and cy0 > y0 and cy1 < y1
                if c.role == "signal" and not inside:
                    raise _fail(c.where, "signal conductor must lie inside the boundary box, not touch it")
        elif len(self.signals) == 1 and not self.grounds:
            raise _fail(src, "a single signal needs a ground conductor (or a box boundary) to return to")
        self._check_overlaps()
        return self

    def _check_overlaps(self) -> None:
        x0, x1, y0, y1 = self.finite_extent()
        size = max(x1 - x0, y1 - y0, 1e-12)
        clip = (x0 - 10 * size, x1 + 10 * size, y0 - 10 * size, y1 + 10 * size)
        geoms = [to_shapely(c.shape, clip) for c in self.conductors]
        for i, a in enumerate(self.conductors):
            for j in range(i):
                b = self.conductors[j]
                if a.role == "ground" and b.role == "ground":
                    continue  # grounds are one net: touching or overlapping is fine
                if geoms[i].intersects(geoms[j]):
                    what = "overlaps" if geoms[i].intersection(geoms[j]).area > 0 else "touches"
                    roles = {a.role, b.role}
                    if roles == {"floating", "ground"}:
                        kind = "a floating conductor touching a ground is grounded: make it role: ground"
                    elif "floating" in roles:
                        kind = "conductors that touch are one: merge them or separate them"
                    elif "ground" in roles:
                        kind = "signal touching a ground"
                    else:
                        kind = "short"
                    raise _fail(a.where, f"conductor {a.name!r} {what} {b.name!r} ({kind})")
