"""Fab tolerances: a parameter's spread, the sensitivity of the values to each spread (central
differences, ranked) and Monte Carlo samples with their statistics and yield against a spec."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..geometry.limits import MAX_BATCH_POINTS, check_count
from ..geometry.units import UNITS
from . import batch
from .design import Design

DISTRIBUTIONS = ("normal", "uniform")


@dataclass(frozen=True)
class Spread:
    """A parameter's fab tolerance: +-``amount`` (absolute, or relative when ``relative``)."""

    name: str
    amount: float
    relative: bool = False

    def delta(self, value: float) -> float:
        return abs(value) * self.amount if self.relative else self.amount

    def __str__(self) -> str:
        return f"{self.name} +-{100 * self.amount:g} %" if self.relative else f"{self.name} +-{self.amount:g}"


def typical_spread(name: str, units: str) -> Spread | None:
    """A fab's typical tolerance for a parameter known by its name: trace widths, gaps and
    offsets +-1 mil (etching), dielectric heights, copper and mask thickness +-10 %, er +-0.2
    (laminate data sheets), wire and insulation diameters +-2 %. None for other names."""
    mil = UNITS["mil"] / UNITS[units]
    base = name.rstrip("0123456789")
    if base in ("w", "w_top", "s", "g", "gw", "offset"):
        return Spread(name, mil)
    if base in ("h", "hs", "t", "c"):
        return Spread(name, 0.10, True)
    if base.startswith("er") or base == "mask_er":
        return Spread(name, 0.2)
    if base in ("d", "d_ins", "D"):
        return Spread(name, 0.02, True)
    return None


def spread_values(design: Design, spreads: list[Spread]) -> dict[str, float]:
    """The design's numeric parameters, once every spread is checked to name one of them."""
    vals = design.numeric()
    for sp in spreads:
        if sp.name not in vals:
            raise InputError(f"spread {sp.name}: not a numeric parameter of this design; choose from {', '.join(vals)}")
    return vals


# ----------------------------------------------------------------------------------- sensitivity
@dataclass(frozen=True)
class Sensitivity:
    param: str
    value: float
    delta: float
    spread: Spread
    derivative: dict[str, float]  # d(quantity)/d(param), per quantity
    change: dict[str, float]  # relative change for +-delta (the larger of the two sides)


def sensitivity_points(design: Design, spreads: list[Spread]) -> list[tuple[str, dict[str, float]]]:
    """The base point, and each spread's parameter moved by +delta and -delta alone (to 12
    significant digits: 0.3, not 0.30000000000000004)."""
    vals = spread_values(design, spreads)
    pts: list[tuple[str, dict[str, float]]] = [("base", {})]
    for sp in spreads:
        d = sp.delta(vals[sp.name])
        hi, lo = clean(vals[sp.name] + d), clean(vals[sp.name] - d)
        pts += [(f"{sp.name}+", {sp.name: hi}), (f"{sp.name}-", {sp.name: lo})]
    return pts


def clean(v: float) -> float:
    """``v`` to 12 significant digits: the decimal a person typed, without binary residue."""
    return float(f"{v:.12g}")


def structural(design: Design, spreads: list[Spread]) -> tuple[list[Spread], list[Spread]]:
    """(the spreads whose parameter changes the cross-section, those that do not): moving the
    parameter by +delta builds the same section when it has nothing to act on (``w_top`` of a
    zero-thickness trace, ``mask_er`` with no mask), or cannot be built (``w_top`` differing
    from ``w`` on a trace of no thickness)."""
    base = design.section()
    vals = spread_values(design, spreads)
    acting, idle = [], []
    for sp in spreads:
        try:
            moved = design.section({sp.name: clean(vals[sp.name] + sp.delta(vals[sp.name]))})
        except InputError:
            idle.append(sp)
            continue
        (acting if moved != base else idle).append(sp)
    return acting, idle


def sensitivities(
    design: Design, spreads: list[Spread], rows: dict[str, dict], keys: Sequence[str]
) -> list[Sensitivity]:
    """Central differences from the base and +-delta rows, ranked by the relative change of the
    first of ``keys`` (the headline value: Z0, or Zdiff for a pair)."""
    vals = design.numeric()
    base = rows["base"]
    out = []
    for sp in spreads:
        hi, lo = rows.get(f"{sp.name}+"), rows.get(f"{sp.name}-")
        if not (hi and lo and base) or "ok" not in (hi.get(batch.STATUS), lo.get(batch.STATUS)):
            continue
        d = sp.delta(vals[sp.name])
        if d == 0:
            continue
        der, chg = {}, {}
        for k in keys:
            if None in (base.get(k), hi.get(k), lo.get(k)):
                continue
            der[k] = (hi[k] - lo[k]) / (2 * d)
            chg[k] = max(abs(hi[k] - base[k]), abs(lo[k] - base[k])) / abs(base[k])
        out.append(Sensitivity(sp.name, vals[sp.name], d, sp, der, chg))
    return sorted(out, key=lambda s: -s.change.get(keys[0], 0.0))


# ------------------------------------------------------------------------------------ Monte Carlo
def sample_points(
    design: Design, spreads: list[Spread], n: int, dist: str = "normal", seed: int = 0
) -> list[tuple[str, dict[str, float]]]:
    """``n`` samples, each parameter drawn independently: ``normal`` with +-delta as 3 sigma (a
    fab's tolerance as a process limit; tails are kept) or ``uniform`` in [-delta, +delta].
    ``seed`` makes the samples, and so a resumed run, reproducible."""
    if dist not in DISTRIBUTIONS:
        raise InputError(f"distribution {dist!r}: choose {' or '.join(DISTRIBUTIONS)}")
    if n < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    check_count("samples", n, MAX_BATCH_POINTS)  # before drawing any
    vals = spread_values(design, spreads)
    rng = np.random.default_rng(seed)
    cols = {}
    for sp in spreads:
        d = sp.delta(vals[sp.name])
        draw = rng.normal(0.0, d / 3.0, n) if dist == "normal" else rng.uniform(-d, d, n)
        cols[sp.name] = vals[sp.name] + draw
    return [(str(i), {k: float(v[i]) for k, v in cols.items()}) for i in range(n)]


@dataclass(frozen=True)
class Spec:
    quantity: str
    target: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.quantity} in [{self.low:.4g}, {self.high:.4g}]"


@dataclass(frozen=True)
class Stats:
    quantity: str
    n: int
    mean: float
    std: float
    percentiles: dict[int, float]
    yield_: float | None = None
    yield_ci: tuple[float, float] | None = None  # 95 % (Wilson)


def statistics(values: Sequence[float], quantity: str, spec: Spec | None = None) -> Stats:
    v = np.asarray([x for x in values if x is not None], float)
    pct = {p: float(np.percentile(v, p)) for p in (1, 5, 50, 95, 99)} if v.size else {}
    y = ci = None
    if spec is not None and v.size:
        k = int(np.sum((v >= spec.low) & (v <= spec.high)))
        y, ci = k / v.size, wilson_interval(k, v.size)
    return Stats(
        quantity,
        int(v.size),
        float(v.mean()) if v.size else math.nan,
        float(v.std(ddof=1)) if v.size > 1 else 0.0,
        pct,
        y,
        ci,
    )


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (95 % for the default z)."""
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)
