"""Synthesis (goal seek): the parameters that give target values, by bracketing and Brent's
method, never blind Newton. Each target is matched by the parameter at the same position.

One target: from the parameter's present value, walk downhill in growing steps (x1.6) until the
difference from the target changes sign, closing in on the feasible edge where a point fails;
then Brent's method on the bracket. Two targets: the same walk on the second parameter, where
each step first solves the first parameter for the first target (starting from its last
solution). A point within the tolerance ends the search at once.

The points come from ``evaluate(changes) -> row`` (the rows of
:func:`fieldsolver.studies.points.solve_point`: each value, its relative uncertainty
``u_<key>`` and ``status``), so that the search does not care what solves them. Every point is
evaluated once: the root Brent's method ends on is read back, not solved again.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from ..errors import InputError
from . import batch
from .design import Design

SYNTH_TOL = 5e-3  # hit the target within 0.5 % (or the solver's error bar, if larger)
GROW = 1.6  # the walk's step grows by this factor each step
EDGE_TRIES = 4  # failed points the walk closes in on before it gives up on that side

Evaluate = Callable[[dict[str, float]], dict]
Residual = Callable[[float], float | None]


@dataclass(frozen=True)
class Target:
    quantity: str
    value: float


@dataclass(frozen=True)
class Vary:
    param: str
    low: float
    high: float


@dataclass
class Synthesis:
    reached: bool
    params: dict[str, float]  # the solution (or the closest point when not reached)
    row: dict  # its solved values
    targets: list[Target]
    tolerance: dict[str, float]  # the relative tolerance each target was met to
    evaluations: int
    message: str
    history: list[dict] = field(default_factory=list)


# ------------------------------------------------------------------------------------ the search
def synthesize(
    design: Design, targets: list[Target], varies: list[Vary], evaluate: Evaluate, *, rel: float = SYNTH_TOL
) -> Synthesis:
    """Find the parameters that hit the targets (one, or two matched in order with the
    ``varies``). ``evaluate(changes)`` gives the row of a point; a point counts as a hit within
    ``rel`` (or its own ``u_<key>`` error bar, if larger). When no sign change is found before a
    bound (or where the first target cannot be met), the targets are reported unreachable with
    the closest point."""
    if len(targets) != len(varies) or len(targets) not in (1, 2):
        raise InputError("give one target and one vary, or two of each (matched in order)")
    keys = design.value_keys()
    for t in targets:
        if t.quantity not in keys:
            raise InputError(f"target {t.quantity}: not a value of this structure; choose from {', '.join(keys)}")
    points = _Evaluations(evaluate)
    base = design.numeric()
    if len(targets) == 1:
        (t,), (v,) = targets, varies
        ok, row = _Seek(t, v, partial(_feasible, points, {}, v.param, t.quantity), rel).solve(base[v.param])
        if row is None:
            raise InputError(f"the base point failed: {points.history[-1].get(batch.ERROR)}")
    else:
        curve = _Curve(points, targets[0], varies[0], varies[1].param, base[varies[0].param], rel)
        ok, row = _Seek(targets[1], varies[1], curve, rel).solve(base[varies[1].param])
        if row is None:
            t0, v0, v1 = targets[0], varies[0], varies[1]
            raise InputError(
                f"{t0.quantity} {t0.value:g} cannot be reached with {v0.param} in [{v0.low:g}, {v0.high:g}] "
                f"at {v1.param} = {base[v1.param]:g}"
            )
    return _outcome(ok, row, targets, varies, rel, points.history)


class _Evaluations:
    """``evaluate`` with a memory: each point (its changes) is evaluated once, in ``history``."""

    def __init__(self, evaluate: Evaluate):
        self.evaluate = evaluate
        self.rows: dict[tuple[tuple[str, float], ...], dict] = {}
        self.history: list[dict] = []

    def __call__(self, changes: dict[str, float]) -> dict:
        key = tuple(sorted(changes.items()))
        if key not in self.rows:
            row = {**changes, **self.evaluate(dict(changes))}  # the row carries its parameters
            self.history.append(row)
            self.rows[key] = row
        return self.rows[key]


def _feasible(points: _Evaluations, fixed: dict[str, float], param: str, quantity: str, x: float) -> dict | None:
    """The row with ``param`` at x (and ``fixed``), or None where the point failed (e.g. a width
    that makes traces overlap: infeasible, not fatal) or lacks the quantity."""
    row = points({**fixed, param: x})
    return row if row.get(batch.STATUS) == "ok" and row.get(quantity) is not None else None


def within(row: dict, target: Target, rel: float) -> float:
    """The relative tolerance met (``rel``, or the row's error bar if larger) if the row hits
    the target, else 0."""
    tol = max(rel, row.get(f"u_{target.quantity}") or 0.0)
    return tol if abs(row[target.quantity] / target.value - 1) <= tol else 0.0


@dataclass
class _Seek:
    """One equation: ``point(x)[quantity] = value`` for x in [low, high]. ``point`` gives None
    where x is infeasible. Every x tried is kept (``tried``): none is asked for twice."""

    target: Target
    vary: Vary
    point: Callable[[float], dict | None]
    rel: float
    tried: dict[float, dict | None] = field(default_factory=dict)

    def residual(self, x: float) -> float | None:
        """row - target at x; exactly 0 within the tolerance (a hit ends the search); None
        where x is infeasible."""
        if x not in self.tried:
            self.tried[x] = self.point(x)
        row = self.tried[x]
        if row is None:
            return None
        return 0.0 if within(row, self.target, self.rel) else row[self.target.quantity] - self.target.value

    def closest(self) -> dict | None:
        rows = [r for r in self.tried.values() if r is not None]
        return min(rows, key=lambda r: abs(r[self.target.quantity] - self.target.value), default=None)

    def solve(self, start: float) -> tuple[bool, dict | None]:
        """(reached, the row reached or the closest; None when no x was feasible)."""
        bracket = walk(self.residual, self.vary.low, self.vary.high, start)
        if bracket is None:
            return False, self.closest()
        a, b = sorted(bracket)
        x = a if a == b else brent(self.residual, a, b, xtol=1e-9 * abs(b - a))
        if x is None:  # infeasible inside the bracket
            return False, self.closest()
        row = self.tried[x]
        return bool(within(row, self.target, self.rel)), row


@dataclass
class _Curve:
    """The first target's solution curve along the second parameter: at each value x of
    ``along``, the row where ``vary`` meets ``target`` (warm-started from the last solution),
    or None where it cannot."""

    points: _Evaluations
    target: Target
    vary: Vary
    along: str
    start: float
    rel: float

    def __call__(self, x: float) -> dict | None:
        point = partial(_feasible, self.points, {self.along: x}, self.vary.param, self.target.quantity)
        reached, row = _Seek(self.target, self.vary, point, self.rel).solve(self.start)
        if not reached:
            return None
        self.start = row[self.vary.param]
        return row


# ------------------------------------------------------------------------------ 1-D root finding
def walk(f: Residual, low: float, high: float, start: float) -> tuple[float, float] | None:
    """A bracket (a, b) of a root of f in [low, high]: f(a) and f(b) of opposite signs, or a == b
    where f is exactly 0. From ``start`` (moved to the nearest feasible point of a scan where f
    is None), step downhill, each step 1.6 times the last, until the sign changes; where f is
    None (infeasible), close in on the feasible edge. None when a bound (or the feasible edge)
    comes first."""
    begun = _feasible_start(f, low, high, min(max(start, low), high))
    if begun is None:
        return None
    x0, f0 = begun
    if f0 == 0:
        return x0, x0
    step = 0.1 * (high - low)
    x1 = x0 + step if x0 + step <= high else x0 - step
    f1 = f(x1)
    if f1 == 0:
        return x1, x1
    if f1 is not None and f1 * f0 < 0:
        return x0, x1
    if f1 is not None and abs(f1) > abs(f0):  # uphill: turn round
        x1, f1, step = x0, f0, -step
    elif x1 < x0:
        step = -step
    xa, fa = (x1, f1) if f1 is not None else (x0, f0)
    edge = 0
    while True:
        step *= GROW
        xb = min(max(xa + step, low), high)
        if xb == xa:  # at a bound
            return None
        fb = f(xb)
        if fb is None:  # infeasible: close in on the feasible edge
            edge += 1
            if edge > EDGE_TRIES:
                return None
            step /= GROW * 3
            continue
        if fb == 0:
            return xb, xb
        if fa * fb < 0:
            return xa, xb
        xa, fa = xb, fb


def _feasible_start(f: Residual, low: float, high: float, x0: float) -> tuple[float, float] | None:
    """(x, f(x)) at x0, or at the point nearest x0 of nine across [low, high] where f is
    feasible; None when none is."""
    f0 = f(x0)
    if f0 is not None:
        return x0, f0
    scan = [low + i * ((high - low) / 8) for i in range(8)] + [high]
    for x in sorted(scan, key=lambda x: abs(x - x0)):
        fx = f(x)
        if fx is not None:
            return x, fx
    return None


def brent(
    f: Residual, a: float, b: float, *, xtol: float, rtol: float = 4 * sys.float_info.epsilon, maxiter: int = 40
) -> float | None:
    """Brent's method (Brent, *Algorithms for Minimization without Derivatives*, 1973, ch. 4;
    the steps of scipy's ``brentq``) for a root of f in [a, b], f(a) f(b) < 0: inverse quadratic
    or secant steps kept inside the bracket, else bisection. Ends where f is exactly 0 or the
    bracket is shorter than ``xtol + rtol |x|``; the x returned was evaluated. None where f is
    None (infeasible) inside the bracket."""
    xpre, xcur = a, b
    fpre, fcur = f(a), f(b)
    if fpre is None or fcur is None:
        return None
    if fpre == 0:
        return xpre
    xblk, fblk, spre, scur = xpre, fpre, 0.0, 0.0
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and (fpre < 0) != (fcur < 0):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):  # xcur: the best estimate so far
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        spre, scur = _brent_step(xpre, xcur, xblk, fpre, fcur, fblk, spre, scur, sbis, delta)
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else math.copysign(delta, sbis)
        fcur = f(xcur)
        if fcur is None:
            return None
    return xcur


def _brent_step(xpre, xcur, xblk, fpre, fcur, fblk, spre, scur, sbis, delta) -> tuple[float, float]:
    """The next (previous step, step) of Brent's method: interpolation where it is safe, else
    bisection."""
    if abs(spre) > delta and abs(fcur) < abs(fpre):
        if xpre == xblk:  # secant
            stry = -fcur * (xcur - xpre) / (fcur - fpre)
        else:  # inverse quadratic
            dpre = (fpre - fcur) / (xpre - xcur)
            dblk = (fblk - fcur) / (xblk - xcur)
            stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
        if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
            return scur, stry
    return sbis, sbis


# --------------------------------------------------------------------------------------- outcome
def _outcome(
    ok: bool, row: dict, targets: list[Target], varies: list[Vary], rel: float, history: list[dict]
) -> Synthesis:
    params = {v.param: float(row[v.param]) for v in varies}
    met = {t.quantity: within(row, t, rel) for t in targets}
    if ok and all(met.values()):
        msg = "reached: " + ", ".join(
            f"{t.quantity} = {row[t.quantity]:.4g} (target {t.value:g}, within {100 * met[t.quantity]:.2g} %)"
            for t in targets
        )
        return Synthesis(True, params, row, targets, met, len(history), msg, history)
    msg = (
        "NOT reachable within the bounds ("
        + "; ".join(f"{v.param} in [{v.low:g}, {v.high:g}]" for v in varies)
        + "); closest: "
        + ", ".join(f"{t.quantity} = {row[t.quantity]:.4g} (target {t.value:g})" for t in targets)
        + " at "
        + _show(params)
    )
    return Synthesis(False, params, row, targets, met, len(history), msg, history)


def _show(changes: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:.6g}" for k, v in changes.items()) or "the base values"
