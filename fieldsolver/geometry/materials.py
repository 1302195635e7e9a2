"""Materials: the complex permittivity of dielectrics, the roughness of conductor surfaces, and a
small library of the materials boards and cables are made of, each number with its source.

Sign convention: time dependence ``e^{j w t}``, so a lossy permittivity is ``eps' - j eps''`` with
``eps'' > 0`` (its imaginary part is negative). All permittivities are relative (to ``eps0``).

:class:`Medium` is one dielectric: ``er`` and ``tand`` as a data sheet gives them, at the frequency
``f_ref``, a dispersion model, and an optional conductivity. Its ``permittivity(freq)``:

* ``"constant"``: ``er (1 - j tand)`` at every frequency;
* ``"djordjevic-sarkar"``: the wideband Debye model of A. R. Djordjevic, R. M. Biljic,
  V. D. Likar-Smiljanic and T. K. Sarkar, "Wideband frequency-domain characterization of FR-4 and
  time-domain causality", IEEE Transactions on Electromagnetic Compatibility 43(4), 662-667, 2001:
  a continuous spread of Debye relaxations with frequencies evenly spread on a log scale between
  ``f1 = 10^m1`` and ``f2 = 10^m2`` Hz (a loss tangent nearly constant in between),
  ``eps(f) = eps_inf + d_eps / (m2 - m1) * log10((f2 + j f) / (f1 + j f))``, with ``eps_inf`` and
  ``d_eps`` fitted so that ``eps(f_ref) = er (1 - j tand)`` exactly. It is causal (it satisfies the
  Kramers-Kronig relations), so wherever ``tand > 0`` ``eps'`` falls with frequency. The corners
  are ``m1 = 3``, ``m2 = 12`` (1 kHz and 1 THz, frequencies in Hz), the values scikit-rf, KiCad and
  Keysight ADS use by default; the paper writes the same expression with angular frequencies.

Both add the conductivity term ``-j sigma / (w eps0)``: ``tand`` is the loss of polarisation,
``sigma`` (S/m) a conduction current on top of it (0 for every laminate here).

The static solve uses ``er`` (the value at ``f_ref``); nothing here changes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..constants import EPS0
from ..errors import InputError
from .roughness import FACES, SMOOTH, FaceRoughness, Groisse, HammerstadJensen, Huray, Roughness, skin_depth

__all__ = [
    "COPPER_SIGMA",
    "DIELECTRICS",
    "DISPERSIONS",
    "DS_M1",
    "DS_M2",
    "FACES",
    "MATERIALS",
    "METALS",
    "SMOOTH",
    "DielectricMaterial",
    "FaceRoughness",
    "Groisse",
    "HammerstadJensen",
    "Huray",
    "Medium",
    "Metal",
    "Roughness",
    "dielectric",
    "dispersion_name",
    "metal",
    "overridden",
    "skin_depth",
]

COPPER_SIGMA = 5.8e7  # S/m: annealed copper, 100 % IACS (IEC 60028), the default of every conductor
DISPERSIONS = ("constant", "djordjevic-sarkar")
DS_M1, DS_M2 = 3.0, 12.0  # Djordjevic-Sarkar corners: log10 of 1 kHz and 1 THz


_DISPERSION_ALIASES = {"ds": "djordjevic-sarkar", "djordjevicsarkar": "djordjevic-sarkar", "none": "constant"}


def dispersion_name(name: str) -> str:
    """The dispersion model called ``name`` (without case; "ds" is Djordjevic-Sarkar)."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = _DISPERSION_ALIASES.get(key, key)
    if key not in DISPERSIONS:
        raise InputError(f"unknown dispersion {name!r}; choose from {', '.join(DISPERSIONS)}")
    return key


def _ds_shape(freq) -> np.ndarray:
    """``log10((f2 + j f)/(f1 + j f)) / (m2 - m1)``: 1 at 0 Hz, 0 at infinite frequency."""
    f = np.asarray(freq, dtype=float)
    f1, f2 = 10.0**DS_M1, 10.0**DS_M2
    return np.log10((f2 + 1j * f) / (f1 + 1j * f)) / (DS_M2 - DS_M1)


@dataclass(frozen=True)
class Medium:
    """A dielectric's material: ``er`` and ``tand`` at ``f_ref`` (Hz), a dispersion model
    (:data:`DISPERSIONS`) and a conductivity ``sigma`` (S/m)."""

    er: float
    tand: float = 0.0
    f_ref: float = 1e9
    dispersion: str = "constant"
    sigma: float = 0.0

    @property
    def debye(self) -> tuple[float, float]:
        """``(eps_inf, d_eps)`` of the Djordjevic-Sarkar fit (``d_eps = eps(0) - eps_inf``)."""
        k = complex(_ds_shape(self.f_ref))
        d_eps = -self.er * self.tand / k.imag
        return self.er - d_eps * k.real, d_eps

    def permittivity(self, freq) -> np.ndarray:
        """Relative complex permittivity ``eps' - j eps''`` at each frequency (Hz, > 0)."""
        f = np.asarray(freq, dtype=float)
        if not np.all(np.isfinite(f) & (f > 0)):
            raise ValueError("frequencies must be finite and > 0 Hz")
        if self.dispersion == "constant":
            eps = np.full(f.shape, self.er * complex(1.0, -self.tand))
        elif self.dispersion == "djordjevic-sarkar":
            eps_inf, d_eps = self.debye
            eps = eps_inf + d_eps * _ds_shape(f)
        else:
            raise ValueError(f"unknown dispersion {self.dispersion!r}; choose from {', '.join(DISPERSIONS)}")
        if self.sigma:
            eps = eps - 1j * self.sigma / (2.0 * np.pi * f * EPS0)
        return eps

    def check(self, where: str) -> None:
        """Raise :class:`InputError` (prefixed with ``where``) for values that make no sense."""
        pre = f"{where}: " if where else ""
        for name, v in (("er", self.er), ("tand", self.tand), ("f_ref", self.f_ref), ("sigma", self.sigma)):
            if not math.isfinite(v):
                raise InputError(f"{pre}{name} must be a finite number, got {v}")
        if self.er < 1:
            raise InputError(f"{pre}er must be >= 1, got {self.er}")
        if self.tand < 0:
            raise InputError(f"{pre}tand must be >= 0, got {self.tand}")
        if self.f_ref <= 0:
            raise InputError(f"{pre}f_ref must be > 0 Hz, got {self.f_ref}")
        if self.sigma < 0:
            raise InputError(f"{pre}sigma (the dielectric's conductivity) must be >= 0 S/m, got {self.sigma}")
        if self.dispersion not in DISPERSIONS:
            raise InputError(f"{pre}dispersion must be one of {', '.join(DISPERSIONS)}, got {self.dispersion!r}")
        if self.dispersion == "djordjevic-sarkar":
            if not 10.0**DS_M1 < self.f_ref < 10.0**DS_M2:
                raise InputError(
                    f"{pre}djordjevic-sarkar needs f_ref between its corners, 1 kHz and 1 THz; got {self.f_ref:g} Hz"
                )
            eps_inf = self.debye[0]
            if eps_inf < 1:
                raise InputError(
                    f"{pre}djordjevic-sarkar: er {self.er} with tand {self.tand} at {self.f_ref:g} Hz gives "
                    f"eps_inf = {eps_inf:.3g} < 1: the loss is too large for that er"
                )


# ------------------------------------------------------------------------------------ library
@dataclass(frozen=True)
class DielectricMaterial:
    """A library dielectric: its :class:`Medium` and where the numbers come from."""

    name: str
    medium: Medium
    source: str
    description: str = ""


@dataclass(frozen=True)
class Metal:
    """A library metal: conductivity ``sigma`` (S/m, at 20 C unless the source says otherwise)."""

    name: str
    sigma: float
    source: str
    description: str = ""


def _ds(er: float, tand: float, f_ref: float) -> Medium:
    return Medium(er, tand, f_ref, "djordjevic-sarkar")


DIELECTRICS: dict[str, DielectricMaterial] = {
    d.name: d
    for d in (
        DielectricMaterial(
            "fr4",
            _ds(4.6, 0.014, 1e9),
            "Panasonic R-1755M (standard FR-4, Tg 150 C) data sheet No. 14110738, Nov. 2014: Dk 4.6, Df 0.014 at "
            "1 GHz (IPC-TM-650 2.5.5.9, 0.8 mm 7628 core, 42 % resin); resin-rich prepregs are lower (about 4.0-4.3)",
            "generic E-glass/epoxy FR-4 laminate",
        ),
        DielectricMaterial(
            "fr408",
            _ds(3.67, 0.012, 2e9),
            "Isola FR408 data sheet: Dk 3.67, Df 0.012 at 2 GHz (Bereskin stripline)",
            "Isola FR408, mid-loss epoxy",
        ),
        DielectricMaterial(
            "isola370hr",
            _ds(4.04, 0.021, 2e9),
            "Isola 370HR data sheet: Dk 4.04, Df 0.021 at 2 GHz (Bereskin stripline, the values Isola quotes first)",
            "Isola 370HR, high-Tg FR-4",
        ),
        DielectricMaterial(
            "megtron6",
            _ds(3.71, 0.002, 1e9),
            "Panasonic MEGTRON 6 (R-5775) catalogue: Dk 3.71, Df 0.002 at 1 GHz (IPC-TM-650 2.5.5.9)",
            "Panasonic MEGTRON 6 R-5775, low-loss",
        ),
        DielectricMaterial(
            "ro4350b",
            _ds(3.66, 0.0037, 10e9),
            "Rogers RO4000 series data sheet: design Dk 3.66 (8-40 GHz, differential phase length; process Dk "
            "3.48 +- 0.05 at 10 GHz), Df 0.0037 at 10 GHz",
            "Rogers RO4350B, hydrocarbon/ceramic",
        ),
        DielectricMaterial(
            "ro4003c",
            _ds(3.55, 0.0027, 10e9),
            "Rogers RO4000 series data sheet: design Dk 3.55 (8-40 GHz; process Dk 3.38 +- 0.05 at 10 GHz), "
            "Df 0.0027 at 10 GHz",
            "Rogers RO4003C, hydrocarbon/ceramic",
        ),
        DielectricMaterial(
            "ro3003",
            _ds(3.00, 0.0010, 10e9),
            "Rogers RO3000 series data sheet: design Dk 3.00 (8-40 GHz; process Dk 3.00 +- 0.04 at 10 GHz), "
            "Df 0.0010 at 10 GHz",
            "Rogers RO3003, ceramic-filled PTFE",
        ),
        DielectricMaterial(
            "rt5880",
            _ds(2.20, 0.0009, 10e9),
            "Rogers RT/duroid 5870/5880 data sheet: Dk 2.20 +- 0.02, Df 0.0009 at 10 GHz",
            "Rogers RT/duroid 5880, glass-microfibre PTFE",
        ),
        DielectricMaterial(
            "ptfe",
            Medium(2.1, 0.00015, 3e9),
            "A. R. von Hippel (ed.), Dielectric Materials and Applications, MIT Press 1954, tables: Teflon (PTFE) "
            "at 25 C: eps' 2.1, tan delta 1.5e-4 at 3 GHz",
            "solid PTFE, cable insulation",
        ),
        DielectricMaterial(
            "polyethylene",
            Medium(2.26, 0.00031, 3e9),
            "A. R. von Hippel (ed.), Dielectric Materials and Applications, MIT Press 1954, tables: polyethylene "
            "at 25 C: eps' 2.26, tan delta 3.1e-4 at 3 GHz",
            "solid polyethylene, cable insulation",
        ),
    )
}

METALS: dict[str, Metal] = {
    m.name: m
    for m in (
        Metal(
            "copper",
            COPPER_SIGMA,
            "IEC 60028 (International Standard of Resistance for Copper): annealed copper, 1/58 ohm mm^2/m at 20 C "
            "(100 % IACS); pure or electrodeposited foil is within a few % of it",
            "annealed copper (IACS)",
        ),
        Metal(
            "aluminium",
            1 / 2.650e-8,
            "CRC Handbook of Chemistry and Physics, 'Electrical resistivity of pure metals': 2.650 uohm cm at 293 K; "
            "alloys (foil shields, EC-grade wire) are lower",
            "pure aluminium",
        ),
        Metal(
            "gold",
            1 / 2.214e-8,
            "CRC Handbook of Chemistry and Physics, 'Electrical resistivity of pure metals': 2.214 uohm cm at 293 K; "
            "plated gold is lower",
            "pure gold",
        ),
        Metal(
            "silver",
            1 / 1.587e-8,
            "CRC Handbook of Chemistry and Physics, 'Electrical resistivity of pure metals': 1.587 uohm cm at 293 K",
            "pure silver",
        ),
    )
}

MATERIALS: dict[str, DielectricMaterial | Metal] = {**DIELECTRICS, **METALS}

_ALIASES = {"aluminum": "aluminium", "teflon": "ptfe", "pe": "polyethylene", "370hr": "isola370hr", "r5775": "megtron6"}


def _key(name: str) -> str:
    """Library names are matched without case, spaces, dashes or underscores ("RO4350B", "Megtron-6")."""
    key = "".join(ch for ch in name.lower() if ch not in " -_/")
    return _ALIASES.get(key, key)


def dielectric(name: str) -> DielectricMaterial:
    """The library dielectric called ``name``; :class:`InputError` listing the known ones if none."""
    key = _key(name)
    if key in DIELECTRICS:
        return DIELECTRICS[key]
    what = "a metal, not a dielectric" if key in METALS else "not a dielectric of the library"
    raise InputError(f"{name!r} is {what}; dielectrics: {', '.join(DIELECTRICS)}")


def metal(name: str) -> Metal:
    """The library metal called ``name``; :class:`InputError` listing the known ones if none."""
    key = _key(name)
    if key in METALS:
        return METALS[key]
    what = "a dielectric, not a metal" if key in DIELECTRICS else "not a metal of the library"
    raise InputError(f"{name!r} is {what}; metals: {', '.join(METALS)}")


def overridden(base: Medium, **changes: float | str | None) -> Medium:
    """``base`` with the given fields replaced (``None``: keep the base's)."""
    return replace(base, **{k: v for k, v in changes.items() if v is not None})
