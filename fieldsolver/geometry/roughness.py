"""Conductor surface roughness: how much a rough surface multiplies the loss of a smooth one.

Every model here is a frozen dataclass with ``factor(freq, sigma)``: the ratio ``K(f) >= 1`` of the
power a rough surface dissipates to the power the same surface would dissipate if it were smooth,
for the same tangential magnetic field. A surface-impedance solver multiplies the smooth surface
resistance ``Rs = 1 / (sigma delta)`` of each face by the ``K`` of that face. Lengths are in metres,
conductivities in S/m, frequencies in Hz; the skin depth is ``delta = 1 / sqrt(pi f mu0 sigma)``
(a non-magnetic metal: ``mu_r != 1``, e.g. nickel, is not modelled).

``reactance_factor(freq, sigma)`` is the matching ratio ``Kx(f) >= 1`` of the rough surface's
internal reactance to the smooth one's. Together they are the rough surface impedance
``Zs = (K + j Kx) Rs`` against the smooth ``(1 + j) Rs`` (time convention ``exp(j w t)``), and
``surface_factor = (K + j Kx) / (1 + j)`` is the complex factor on the smooth surface impedance.
Where a causal form of the model is published, ``Kx`` is its imaginary part and its real part is
exactly the model's ``K`` (Hammerstad: Dmitriev-Zdorov, Simonovich and Kochikov, Signal Integrity
Journal 2018; Huray: Bracken, DesignCon 2012): ``K + j Kx`` is then analytic in the right half of
the ``s = j w`` plane, so R(f) and L(f) satisfy the Kramers-Kronig relations. Elsewhere (Groisse)
``Kx = K``: the real factor multiplies the whole surface impedance, as COMSOL's RF Module does
with its roughness models ("proportional to the ratio between the impedance of a rough surface and
that of a smooth surface", RF Module User's Guide, Surface Roughness); that is not causal.
(The two causal forms are taken as tidy3d implements and cites them, flexcompute/tidy3d pull
request 2324, converted from its ``exp(-i w t)`` convention; the papers' own text was not at hand.)

:class:`FaceRoughness` says which model applies to which face of a conductor: ``top`` (outward
normal mostly +y), ``bottom`` (mostly -y) and ``sides`` (mostly +-x). On a board the two copper
faces differ: the foil's treated side, bonded to the core, is usually rougher than the side that
faces the prepreg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..constants import MU0
from ..errors import InputError

FACES = ("top", "bottom", "sides")


def skin_depth(freq, sigma: float, mu_r: float = 1.0) -> np.ndarray:
    """Skin depth ``1 / sqrt(pi f mu0 mu_r sigma)`` in metres (``inf`` at 0 Hz, 0 for ``sigma = inf``)."""
    f = np.asarray(freq, dtype=float)
    with np.errstate(divide="ignore"):
        return 1.0 / np.sqrt(np.pi * f * MU0 * mu_r * sigma)


def _positive(where: str, what: str, **values: float) -> None:
    for name, v in values.items():
        if not (math.isfinite(v) and v > 0):
            raise InputError(f"{where}: {what} {name} must be a finite length > 0, got {v}")


@dataclass(frozen=True)
class Roughness:
    """A roughness model: ``factor(freq, sigma)`` is the loss multiplier ``K(f) >= 1``."""

    model: ClassVar[str] = ""  # its name in files
    parameters: ClassVar[tuple[str, ...]] = ()  # the required fields, then the optional ones
    required: ClassVar[int] = 0  # how many of the parameters are required
    lengths: ClassVar[tuple[str, ...]] = ()  # the parameters that are lengths (metres)

    def factor(self, freq, sigma: float) -> np.ndarray:
        raise NotImplementedError

    def reactance_factor(self, freq, sigma: float) -> np.ndarray:
        """``Kx(f)``: the rough surface's internal reactance over the smooth one's (by default
        ``K``: the real factor on the whole surface impedance)."""
        return self.factor(freq, sigma)

    def surface_factor(self, freq, sigma: float) -> np.ndarray:
        """``(K + j Kx) / (1 + j)``: the complex factor on the smooth surface impedance."""
        return (self.factor(freq, sigma) + 1j * self.reactance_factor(freq, sigma)) / (1 + 1j)

    def check(self, where: str) -> None:
        """Raise :class:`InputError` (prefixed with ``where``) for parameters that make no sense."""
        raise NotImplementedError


@dataclass(frozen=True)
class HammerstadJensen(Roughness):
    """``K = 1 + (2/pi) atan(1.4 (rms/delta)^2)``: rises from 1 and saturates at 2.

    E. Hammerstad and O. Jensen, "Accurate models for microstrip computer-aided design", IEEE MTT-S
    International Microwave Symposium Digest, 1980, pp. 407-409 (the conductor-loss correction for
    an rms surface roughness ``rms``). It is a fit to S. P. Morgan, "Effect of surface roughness on
    eddy current losses at microwave frequencies", Journal of Applied Physics 20(4), 352-362, 1949
    (grooves transverse to the current). ``rms``: the rms height of the profile, in metres.
    """

    rms: float
    model: ClassVar[str] = "hammerstad"
    parameters, required, lengths = ("rms",), 1, ("rms",)

    def factor(self, freq, sigma):
        return 1.0 + (2.0 / np.pi) * np.arctan(1.4 * self._ratio2(freq, sigma))

    def _ratio2(self, freq, sigma):
        return self.rms**2 * np.pi * np.asarray(freq, dtype=float) * MU0 * sigma  # (rms/delta)^2

    def reactance_factor(self, freq, sigma):
        """The causal Hammerstad model's reactance: with ``s = j 1.4 (rms/delta)^2`` and
        ``q = sqrt(s)``, the factor on the smooth surface impedance is
        ``1 + (ln(1 + 2 q / (1 + s)) + 2 atan(q)) / pi`` (V. Dmitriev-Zdorov, B. Simonovich and
        I. Kochikov, "A causal conductor roughness model and its effect on transmission line
        characteristics", Signal Integrity Journal, 2018, with the roughness factor 2 of the
        classic model). Times ``1 + j`` its real part is exactly ``K`` above; ``Kx`` is its
        imaginary part: ``1 + 2.13 rms/delta`` while rms << delta, a peak of 2.09 near
        rms = delta, then 2 (the constant ``2 (4/pi) sqrt(0.7)`` is the small-``s`` limit)."""
        s = 1j * 1.4 * self._ratio2(freq, sigma)
        q = np.sqrt(s)
        with np.errstate(invalid="ignore"):
            k = 1.0 + (np.log(1.0 + 2.0 * q / (1.0 + s)) + 2.0 * np.arctan(q)) / np.pi
        return np.where(np.isfinite(s), ((1 + 1j) * k).imag, 2.0)  # sigma = inf: the limit 2

    def check(self, where):
        _positive(where, "hammerstad", rms=self.rms)


@dataclass(frozen=True)
class Huray(Roughness):
    """Huray's "snowball" model: ``K = flat_ratio + surface_ratio / (1 + delta/a + delta^2/(2 a^2))``.

    P. G. Huray, S. Hall, S. Pytel, F. Oluwafemi, R. Mellitz, D. Hua and P. Ye, "Fundamentals of a
    3-D 'snowball' model for surface roughness power losses", IEEE Workshop on Signal Propagation on
    Interconnects (SPI), 2007; P. G. Huray, O. Oluwafemi, J. Loyer, E. Bogatin and X. Ye, "Impact of
    copper surface texture on loss: a model that works", DesignCon 2010.

    The surface is modelled as ``N`` copper spheres of radius ``a`` (``radius``, metres) on each
    hexagonal tile of flat area ``A_hex`` of a matte base of area ``A_matte``. In the papers'
    notation ``K = A_matte/A_flat + (N 4 pi a^2 / A_hex) / (1 + delta/a + delta^2/(2 a^2))``, so here

    * ``flat_ratio = A_matte / A_flat`` (the base's own area excess; 1 for a flat base, >= 1),
    * ``surface_ratio = N 4 pi a^2 / A_hex``: the total surface of the spheres on a tile over the
      tile's flat area (what solvers call the Huray "surface ratio").

    ``K`` is ``flat_ratio`` at low frequency and ``flat_ratio + surface_ratio`` when the skin depth
    is small against the spheres. Some texts carry a factor 3/2 from the single sphere's absorption
    cross-section into the coefficient: ``surface_ratio`` is the coefficient itself, so give the
    value for which ``K(inf) = flat_ratio + surface_ratio`` holds for the foil.
    """

    radius: float
    surface_ratio: float
    flat_ratio: float = 1.0
    model: ClassVar[str] = "huray"
    parameters, required, lengths = ("radius", "surface_ratio", "flat_ratio"), 2, ("radius",)

    def factor(self, freq, sigma):
        u = skin_depth(freq, sigma) / self.radius  # inf at 0 Hz: K = flat_ratio
        return self.flat_ratio + self.surface_ratio / (1.0 + u + 0.5 * u * u)

    def reactance_factor(self, freq, sigma):
        """Bracken's causal Huray model: the factor on the smooth surface impedance is
        ``flat_ratio + surface_ratio / (1 + (1 - j) delta / (2 a))`` (J. E. Bracken, "A causal
        Huray model for surface roughness", DesignCon 2012); times ``1 + j`` its real part is
        ``K`` above and its imaginary part ``Kx = flat_ratio + surface_ratio (1 + delta/a) /
        (1 + delta/a + delta^2/(2 a^2))``. While delta >> a the spheres add the reactance
        ``surface_ratio a w mu0`` per unit width: a constant inductance, where their loss fades.
        That holds on a half-space; where the skin depth nears the conductor's thickness the loss
        solve fades the added reactance out (toward DC the current is uniform and the texture
        carries none of it: see :func:`fieldsolver.physics.loss._skin_weight`)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            v = self.radius / skin_depth(freq, sigma)  # a / delta: 0 at 0 Hz, where Kx = flat_ratio
            k = self.flat_ratio + self.surface_ratio * (v * v + v) / (v * v + v + 0.5)
        return np.where(np.isfinite(v), k, self.flat_ratio + self.surface_ratio)

    def check(self, where):
        _positive(where, "huray", radius=self.radius)
        if not (math.isfinite(self.surface_ratio) and self.surface_ratio > 0):
            raise InputError(f"{where}: huray surface_ratio must be a finite number > 0, got {self.surface_ratio}")
        if not (math.isfinite(self.flat_ratio) and self.flat_ratio >= 1):
            raise InputError(
                f"{where}: huray flat_ratio (A_matte/A_flat) must be a finite number >= 1, got {self.flat_ratio}"
            )


@dataclass(frozen=True)
class Groisse(Roughness):
    """``K = 1 + exp(-(delta / (2 rms))^1.6)``: rises from 1 and saturates at 2.

    S. Groiss, I. Bardi, O. Biro, K. Preis and K. R. Richter, "Parameters of lossy cavity resonators
    calculated by the finite element method", IEEE Transactions on Magnetics 32(3), 894-897, 1996
    (the name is often spelled "Groisse" in circuit simulators). ``rms``: the rms height of the
    profile, in metres.
    """

    rms: float
    model: ClassVar[str] = "groisse"
    parameters, required, lengths = ("rms",), 1, ("rms",)

    def factor(self, freq, sigma):
        x = skin_depth(freq, sigma) / (2.0 * self.rms)
        return 1.0 + np.exp(-(x**1.6))

    def check(self, where):
        _positive(where, "groisse", rms=self.rms)


@dataclass(frozen=True)
class FaceRoughness:
    """The roughness of each face of a conductor (``None``: smooth).

    A face is chosen by its outward normal ``(nx, ny)`` (any length): ``top`` where ``|ny| > |nx|``
    and ``ny > 0``, ``bottom`` where ``|ny| > |nx|`` and ``ny < 0``, else ``sides`` (a 45 degree
    normal counts as a side). ``face(nx, ny)`` gives the model of one normal; ``factor(freq, sigma,
    nx, ny)`` the loss multiplier of many boundary pieces at many frequencies at once.
    """

    top: Roughness | None = None
    bottom: Roughness | None = None
    sides: Roughness | None = None

    @classmethod
    def uniform(cls, roughness: Roughness | None) -> FaceRoughness:
        """The same model on every face."""
        return cls(roughness, roughness, roughness)

    @property
    def smooth(self) -> bool:
        return self.top is None and self.bottom is None and self.sides is None

    @staticmethod
    def face_index(nx, ny) -> np.ndarray:
        """0 (top), 1 (bottom) or 2 (sides) for each normal: an index into :data:`FACES`."""
        nx, ny = np.broadcast_arrays(np.asarray(nx, float), np.asarray(ny, float))
        vertical = np.abs(ny) > np.abs(nx)
        return np.where(vertical, np.where(ny > 0, 0, 1), 2)

    def face(self, nx: float, ny: float) -> Roughness | None:
        """The model of the face whose outward normal is ``(nx, ny)``."""
        return (self.top, self.bottom, self.sides)[int(self.face_index(nx, ny))]

    def factor(self, freq, sigma: float, nx, ny) -> np.ndarray:
        """``K`` of each boundary piece (rows, one per normal) at each frequency (columns)."""
        f = np.atleast_1d(np.asarray(freq, float))
        index = np.atleast_1d(self.face_index(nx, ny))
        out = np.ones((index.size, f.size))
        for i, model in enumerate((self.top, self.bottom, self.sides)):
            if model is not None:
                out[index == i] = model.factor(f, sigma)
        return out

    def check(self, where: str) -> None:
        for name in FACES:
            model = getattr(self, name)
            if model is not None:
                model.check(f"{where}: roughness {name}" if where else f"roughness {name}")


SMOOTH = FaceRoughness()  # every face smooth: the default of every conductor

MODELS: dict[str, type[Roughness]] = {c.model: c for c in (HammerstadJensen, Huray, Groisse)}
_ALIASES = {"hammerstad-jensen": "hammerstad", "hj": "hammerstad", "groiss": "groisse"}


def model_class(name: str) -> type[Roughness]:
    """The model called ``name`` (without case: "Hammerstad", "huray", "groisse" or "groiss")."""
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in MODELS:
        raise InputError(f"unknown roughness model {name!r}; choose from {', '.join(MODELS)}")
    return MODELS[key]
