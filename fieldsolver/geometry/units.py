"""Units of cross-section files, templates and the command line: lengths (name -> metres) and
frequencies (:func:`parse_frequency`)."""

from __future__ import annotations

import math
import re

from ..errors import InputError

UNITS = {"mm": 1e-3, "um": 1e-6, "mil": 25.4e-6, "in": 25.4e-3, "m": 1.0}
DEFAULT_UNITS = "mm"

MAX_FREQUENCY = 1e15  # Hz: far above where a quasi-TEM line means anything (light at 300 nm)
FREQUENCY_UNITS = {"hz": 1.0, "khz": 1e3, "mhz": 1e6, "ghz": 1e9, "thz": 1e12}  # matched without case
_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Z\u00b5\u03bc]+)\s*")
_FREQUENCY = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Z]*)\s*")


def parse_frequency(text: str | float) -> float:
    """A frequency in Hz from a number (Hz) or text: "2.5e9", "1GHz", "10 MHz", "100kHz".

    Units Hz, kHz, MHz, GHz, THz, in any case ("mhz" is MHz: nobody here means millihertz).
    :class:`InputError` for anything that is not a frequency > 0 Hz and at most 1 PHz.
    """
    if isinstance(text, bool):
        raise InputError(f"expected a frequency, got {text!r}")
    if isinstance(text, int | float):
        value = float(text)
    else:
        found = _FREQUENCY.fullmatch(str(text))
        if not found:
            raise InputError(f"{text!r} is not a frequency: give a number in Hz or with a unit, e.g. 1GHz, 10 MHz")
        unit = found.group(2).lower() or "hz"
        if unit not in FREQUENCY_UNITS:
            raise InputError(f"{text!r}: unknown frequency unit {found.group(2)!r}; use Hz, kHz, MHz, GHz or THz")
        value = float(found.group(1)) * FREQUENCY_UNITS[unit]
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"a frequency must be finite and > 0 Hz, got {text!r}")
    if value > MAX_FREQUENCY:
        raise InputError(f"a frequency of at most {MAX_FREQUENCY:g} Hz (1 PHz), got {text!r}")
    return value


def parse_length(text: str) -> float | None:
    """Metres of a length written with its unit ("1.2um", "0.5 um", "0.05 mil"; "µm" is um), or
    None if ``text`` is not a number followed by a unit. :class:`InputError` for an unknown unit."""
    found = _LENGTH.fullmatch(text)
    if not found:
        return None
    unit = found.group(2).replace("\u00b5", "u").replace("\u03bc", "u")
    if unit not in UNITS:
        raise InputError(f"{text!r}: unknown length unit {found.group(2)!r}; use {', '.join(UNITS)}")
    return float(found.group(1)) * UNITS[unit]
