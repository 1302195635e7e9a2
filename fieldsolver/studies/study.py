"""Design studies on the field solver: synthesis (goal seek), sweeps, sensitivity and
fab-tolerance Monte Carlo. Every batch runs through :class:`fieldsolver.batch.Runner` (Dask).

A :class:`Design` is a template with parameters, or a YAML file with a ``parameters:`` section
(values in the file may be expressions of them); a study changes some parameters and solves.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import api
from ..geometry import templates
from ..geometry.model import CrossSection, InputError
from ..geometry.units import UNITS
from ..physics import lines
from . import batch

DEFAULT_TOL = 1e-3
SYNTH_TOL = 5e-3  # synthesis: hit the target within 0.5 % (or the solver's error bar, if larger)


# ------------------------------------------------------------------------------------------ design
@dataclass(frozen=True)
class Design:
    """What to solve: ``name`` is a template, or a file whose YAML ``text`` is carried along (so
    that workers on other machines need not see the file). ``params``: the template's given
    parameters, or the file's parameter values."""

    name: str
    params: dict[str, Any]
    units: str = "mm"
    text: str | None = None

    @staticmethod
    def of(source: str, params: dict[str, Any] | None = None, units: str = "mm", check: bool = True) -> Design:
        """A template name with its parameters, or a YAML file (``params`` override its
        ``parameters:``). ``check``: build the section now, so that mistakes show before a batch."""
        params = dict(params or {})
        if source.lower().endswith((".yaml", ".yml")) or Path(source).is_file():
            from ..geometry import loader

            path = Path(source)
            text = loader.read_text(path)
            names = loader.parameters(loader.yaml_data(text, path), str(path))
            for k in params:
                if k not in names:
                    have = ", ".join(names) if names else "none (add a 'parameters:' section)"
                    raise InputError(f"{path}: {k!r} is not a parameter of this file; its parameters: {have}")
            d = Design(str(path), {**names, **params}, units, text)
        else:
            d = Design(source, params, units)
        if check:
            d.section()
        return d

    @property
    def is_template(self) -> bool:
        return self.text is None

    def values(self, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value with ``changes`` applied (a template's defaults included)."""
        given = {**self.params, **(changes or {})}
        if self.is_template:
            return templates.values(self.name, given, where=f"template {self.name}")
        return given

    def names(self) -> list[str]:
        """Every parameter's name (given or not)."""
        return list(templates.TEMPLATES[self.name][1]) if self.is_template else list(self.params)

    def numeric(self) -> dict[str, float]:
        """The parameters a study can vary: finite numbers."""
        return {
            k: float(v)
            for k, v in self.values().items()
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        }

    def section(self, changes: dict[str, Any] | None = None) -> CrossSection:
        changes = dict(changes or {})
        if self.is_template:
            bad = sorted(set(changes) - set(templates.TEMPLATES[self.name][1]))
            if bad:
                raise InputError(f"template {self.name} has no parameter {bad[0]!r}")
            return templates.build(
                self.name, {**self.params, **changes}, self.units, where=f"template {self.name}"
            ).validate()
        from ..geometry import loader

        data = loader.yaml_data(self.text, self.name)
        return loader.parse(data, self.name, {**self.params, **changes}).validate()

    @property
    def file_units(self) -> str:
        return self.units if self.is_template else self.section().units

    def value_keys(self, changes: dict[str, Any] | None = None) -> tuple[str, ...]:
        return lines.value_keys(self.section(changes))


# ----------------------------------------------------------------------------------- one solve
@dataclass(frozen=True)
class Task:
    """One point of a batch (what a worker receives)."""

    design: Design
    id: str
    changes: dict[str, float]
    tol: float
    max_nodes: int
    threads: int = 0


def solve_point(task: Task) -> dict:
    """The row of one point: its id and parameters, each value and its relative uncertainty
    (``u_<key>``), and ``status`` ok; or ``failed`` with the ``error`` (the batch goes on)."""
    row: dict[str, Any] = {batch.ID: task.id, **task.changes}
    t = time.perf_counter()
    try:
        if task.threads:
            from ..numerics import kernels

            kernels.set_thread_count(task.threads)
        r = api.solve(task.design.section(task.changes), tol=task.tol, max_nodes=task.max_nodes)
        for k, v in r.values.items():
            row[k] = v
            row[f"u_{k}"] = (r.uncertainty or {}).get(k)
        row["converged"] = None if r.accuracy is None else int(bool(r.accuracy["converged"]))
        row[batch.STATUS] = "ok"
    except Exception as e:  # any failure is this point's, reported with its parameters
        row[batch.STATUS] = "failed"
        row[batch.ERROR] = str(e) if isinstance(e, InputError) else f"{type(e).__name__}: {e}"
    row["seconds"] = time.perf_counter() - t
    return row


def columns(design: Design, params: Sequence[str], points: Sequence[tuple[str, dict]] = ()) -> list[str]:
    """The table's columns: the values of the first point that builds (a failing point must not
    stop the batch), else of the design itself."""
    keys = None
    for _, ch in points:
        try:
            keys = design.value_keys(ch)
            break
        except InputError:
            continue
    keys = keys if keys is not None else design.value_keys()
    return [
        batch.ID,
        *params,
        *keys,
        *(f"u_{k}" for k in keys),
        "converged",
        batch.STATUS,
        batch.ERROR,
        "seconds",
    ]


# ---------------------------------------------------------------------------------------- batches
@dataclass
class Batch:
    """The rows of a batch (in the order of its points) and how it went."""

    rows: list[dict]
    columns: list[str]
    params: list[str]  # the varied parameters' columns
    resumed: int = 0  # points read back from the journal, not solved again
    seconds: float = 0.0

    @property
    def ok(self) -> list[dict]:
        return [r for r in self.rows if r.get(batch.STATUS) == "ok"]

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r.get(batch.STATUS) != "ok"]


def run_points(
    design: Design,
    points: list[tuple[str, dict[str, float]]],
    runner: batch.Runner,
    *,
    tol: float = DEFAULT_TOL,
    max_nodes: int = api.MAX_NODES,
    out: Path | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Batch:
    """Solve every (id, changes) point; with ``out``, append each finished row to it (CSV) as it
    comes, and with ``resume`` read back the finished ones instead of solving them again."""
    params = list(dict.fromkeys(k for _, ch in points for k in ch))
    cols = columns(design, params, points)
    t0 = time.perf_counter()
    journal = None
    done: dict[str, dict] = {}
    if out is not None:
        journal = batch.Journal(_journal_path(out), cols)
        done = journal.open(resume)
        stale = [i for i, ch in points if i in done and not _same(done[i], ch)]
        if stale:
            raise InputError(f"{journal.path}: point {stale[0]} has other parameters there: it is from a different run")
        journal.begin(done.values())
    todo = [Task(design, i, ch, tol, max_nodes, runner.threads) for i, ch in points if i not in done]
    bar = batch.Progress(len(points), len(points) - len(todo)) if progress and todo else None
    got: dict[str, dict] = dict(done)
    for task, res in runner.map(solve_point, todo):
        if isinstance(res, BaseException):  # the worker died, or the task could not run
            res = {
                batch.ID: task.id,
                **task.changes,
                batch.STATUS: "failed",
                batch.ERROR: f"{type(res).__name__}: {res}",
            }
        got[task.id] = res
        if journal is not None:
            journal.append(res)
        if bar is not None:
            bar.step(res.get(batch.STATUS) == "ok")
    rows = [got[i] for i, _ in points]
    if out is not None:  # complete: the table in the points' order (the journal has them as they came)
        batch.write_table(rows, cols, out)
        if journal.path != out:
            journal.path.unlink()
    return Batch(rows, cols, params, resumed=len(done), seconds=time.perf_counter() - t0)


def _journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".part.csv") if out.suffix.lower() == ".parquet" else out


def _same(row: dict, changes: dict[str, float]) -> bool:
    return all(
        isinstance(row.get(k), float) and math.isclose(row[k], v, rel_tol=1e-12, abs_tol=1e-15)
        for k, v in changes.items()
    )


# ------------------------------------------------------------------------------------------ sweeps
def parse_values(text: str, where: str = "") -> list[float]:
    """``a:b:n`` (n values from a to b) or ``a,b,c``."""
    try:
        if ":" in text:
            a, b, n = text.split(":")
            count = int(n)
            if count < 1:
                raise ValueError
            return [float(v) for v in np.linspace(float(a), float(b), count)]
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(
            f"{where}{text!r}: expected start:stop:count (e.g. 0.1:0.3:21) or a list (0.1,0.15,0.2)"
        ) from None


def sweep_points(axes: dict[str, list[float]]) -> list[tuple[str, dict[str, float]]]:
    """Every combination of the axes' values (the last axis varying fastest), numbered."""
    names = list(axes)
    return [(str(i), dict(zip(names, combo, strict=True))) for i, combo in enumerate(itertools.product(*axes.values()))]


# -------------------------------------------------------------------------------------- tolerances
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


def parse_spread(text: str) -> Spread:
    """``w=+-0.025``, ``h=+-10%``, ``er=0.2`` (+- optional)."""
    name, sep, amount = text.partition("=")
    body = amount.strip().removeprefix("+-").removeprefix("±").strip()
    rel = body.endswith("%")
    try:
        v = float(body.removesuffix("%"))
    except ValueError:
        v = math.nan
    if not sep or not name or not (math.isfinite(v) and v > 0):
        raise InputError(f"--spread {text}: expected NAME=+-AMOUNT or NAME=+-PERCENT%, e.g. w=+-0.025 or h=+-10%")
    return Spread(name.strip(), v / 100 if rel else v, rel)


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


# ----------------------------------------------------------------------------------- sensitivity
@dataclass(frozen=True)
class Sensitivity:
    param: str
    value: float
    delta: float
    spread: Spread
    derivative: dict[str, float]  # d(quantity)/d(param), per quantity
    change: dict[str, float]  # relative change for +-delta (the larger of the two sides)


def _spread_values(design: Design, spreads: list[Spread]) -> dict[str, float]:
    """The design's numeric parameters, once every spread is checked to name one of them."""
    vals = design.numeric()
    for sp in spreads:
        if sp.name not in vals:
            raise InputError(f"--spread {sp.name}: not a numeric parameter; choose from {', '.join(vals)}")
    return vals


def sensitivity_points(design: Design, spreads: list[Spread]) -> list[tuple[str, dict[str, float]]]:
    vals = _spread_values(design, spreads)
    pts: list[tuple[str, dict[str, float]]] = [("base", {})]
    for sp in spreads:
        d = sp.delta(vals[sp.name])
        pts += [(f"{sp.name}+", {sp.name: vals[sp.name] + d}), (f"{sp.name}-", {sp.name: vals[sp.name] - d})]
    return pts


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
    if dist not in ("normal", "uniform"):
        raise InputError(f"--dist {dist}: choose normal or uniform")
    if n < 1:
        raise InputError(f"--n must be at least 1, got {n}")
    vals = _spread_values(design, spreads)
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


def parse_spec(text: str) -> Spec:
    """``z_diff=90+-15%`` or ``z0=50+-2.5`` or ``z0=45:55``."""
    q, sep, rest = text.partition("=")
    try:
        if ":" in rest:
            lo, hi = (float(v) for v in rest.split(":"))
            return Spec(q, 0.5 * (lo + hi), lo, hi)
        target, _, tol = rest.replace("±", "+-").partition("+-")
        t = float(target)
        d = t * float(tol.removesuffix("%")) / 100 if tol.endswith("%") else float(tol)
        if not sep or not q or d <= 0:
            raise ValueError
        return Spec(q, t, t - d, t + d)
    except ValueError:
        raise InputError(
            f"--spec {text}: expected QUANTITY=TARGET+-TOL (TOL absolute or %), e.g. z_diff=90+-15%"
        ) from None


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
        y, ci = k / v.size, _wilson(k, v.size)
    return Stats(
        quantity,
        int(v.size),
        float(v.mean()) if v.size else math.nan,
        float(v.std(ddof=1)) if v.size > 1 else 0.0,
        pct,
        y,
        ci,
    )


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


# -------------------------------------------------------------------------------------- synthesis
@dataclass(frozen=True)
class Target:
    quantity: str
    value: float


@dataclass(frozen=True)
class Vary:
    param: str
    low: float
    high: float


def parse_target(text: str) -> Target:
    q, sep, v = text.partition(":")
    try:
        value = float(v)
    except ValueError:
        value = math.nan
    if not sep or not q or not (math.isfinite(value) and value > 0):
        raise InputError(f"target={text}: expected QUANTITY:VALUE, e.g. z0:50 or z_diff:90")
    return Target(q, value)


def parse_vary(text: str, design: Design) -> Vary:
    """``w`` (bounds: a third to three times its value) or ``w:0.05:0.5``."""
    name, *rest = text.split(":")
    vals = design.numeric()
    if name not in vals:
        raise InputError(f"vary={text}: {name!r} is not a numeric parameter; choose from {', '.join(vals)}")
    if rest:
        try:
            lo, hi = (float(v) for v in rest)
        except ValueError:
            raise InputError(f"vary={text}: expected NAME or NAME:LOW:HIGH") from None
    else:
        lo, hi = vals[name] / 3, vals[name] * 3
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"vary={text}: bounds must be LOW < HIGH, got {lo:g}, {hi:g}")
    return Vary(name, lo, hi)


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


class _Hit(Exception):  # noqa: N818 (control flow, not an error)
    """Raised inside the root finder when a point is within tolerance."""

    def __init__(self, row: dict):
        self.row = row


def synthesize(
    design: Design,
    targets: list[Target],
    varies: list[Vary],
    runner: batch.Runner,
    *,
    tol: float = DEFAULT_TOL,
    max_nodes: int = api.MAX_NODES,
    rel: float = SYNTH_TOL,
) -> Synthesis:
    """Find the parameters that hit the targets, by bracketing and Brent's method (never blind
    Newton); each target is matched by the parameter at the same position. One target: from the
    parameter's present value, walk downhill in growing steps until the difference changes sign,
    then refine the bracket. Two: the same walk on the second parameter, where each step first
    solves the first parameter for the first target (starting from its last solution). A point
    counts as a hit within ``rel`` (or the solver's error bar, if larger). When no sign change
    is found before a bound (or where the first target cannot be met), the target is reported
    unreachable with the closest point."""
    if len(targets) != len(varies) or len(targets) not in (1, 2):
        raise InputError("give one target and one vary, or two of each (matched in order)")
    keys = design.value_keys()
    for t in targets:
        if t.quantity not in keys:
            raise InputError(f"target {t.quantity}: not a value of this structure; choose from {', '.join(keys)}")
    history: list[dict] = []
    counter = itertools.count()

    def solve(changes: dict[str, float]) -> dict:
        row = runner.one(solve_point, Task(design, str(next(counter)), changes, tol, max_nodes, runner.threads))
        history.append(row)
        if row.get(batch.STATUS) != "ok":
            raise InputError(f"the point {_show(changes)} failed: {row.get(batch.ERROR)}")
        return row

    def solve_soft(changes: dict[str, float]) -> dict | None:
        """A failed point (e.g. a width that makes traces overlap) is infeasible, not fatal."""
        try:
            return solve(changes)
        except InputError:
            return None

    def within(row: dict, t: Target) -> float:
        """The tolerance met (relative) if the row hits t, else 0."""
        u = row.get(f"u_{t.quantity}") or 0.0
        return max(rel, u) if abs(row[t.quantity] / t.value - 1) <= max(rel, u) else 0.0

    def seek(t: Target, v: Vary, point: Callable[[float], dict | None], start: float) -> tuple[bool, dict | None]:
        """Solve point(x)[t] = t.value for x in [v.low, v.high]: walk from ``start`` downhill in
        growing steps until the sign changes (a bracket), then Brent's method. ``point`` returns
        None where x is infeasible (the walk then closes in on the feasible edge). Returns
        (reached, the row reached or the closest)."""
        from scipy.optimize import brentq

        rows: list[tuple[float, dict]] = []

        def f(x: float) -> float | None:
            r = point(x)
            if r is None:
                return None
            rows.append((x, r))
            if within(r, t):
                raise _Hit(r)
            return r[t.quantity] - t.value

        def closest() -> dict | None:
            return min(rows, key=lambda e: abs(e[1][t.quantity] - t.value))[1] if rows else None

        x0 = min(max(start, v.low), v.high)
        try:
            f0 = f(x0)
            if f0 is None:  # infeasible start: the nearest feasible point of a scan of the range
                for x in sorted(np.linspace(v.low, v.high, 9), key=lambda x: abs(x - x0)):
                    if (f0 := f(x)) is not None:
                        x0 = x
                        break
                else:
                    return False, None
            step = 0.1 * (v.high - v.low)
            x1 = x0 + step if x0 + step <= v.high else x0 - step
            f1 = f(x1)
            if f1 is not None and f1 * f0 > 0 and abs(f1) > abs(f0):  # uphill: turn round
                x1, f1, step = x0, f0, -step
            elif x1 < x0:
                step = -step
            bracket = (x0, x1) if f1 is not None and f0 * f1 < 0 else None
            xa, fa = (x1, f1) if f1 is not None else (x0, f0)
            edge = 0
            while bracket is None:
                step *= 1.6
                xb = min(max(xa + step, v.low), v.high)
                if xb == xa:  # at a bound: not reachable
                    return False, closest()
                fb = f(xb)
                if fb is None:  # infeasible: close in on the feasible edge
                    edge += 1
                    if edge > 4:
                        return False, closest()
                    step /= 1.6 * 3
                    continue
                if fa * fb < 0:
                    bracket = (xa, xb)
                xa, fa = xb, fb
            lo, hi = sorted(bracket)

            def g(x: float) -> float:
                val = f(x)
                if val is None:
                    raise _Hit(None)  # infeasible inside a bracket: give up with the closest
                return val

            x = brentq(g, lo, hi, xtol=1e-9 * (hi - lo), maxiter=40)
            r = point(x)
            return bool(r is not None and within(r, t)), r or closest()
        except _Hit as h:
            return (True, h.row) if h.row is not None else (False, closest())

    base_vals = design.numeric()

    def one_dim(t: Target, v: Vary, fixed: dict[str, float], start: float | None = None) -> tuple[bool, dict | None]:
        def point(x: float) -> dict | None:
            r = solve_soft({**fixed, v.param: x})
            return r if r is not None and r.get(t.quantity) is not None else None

        return seek(t, v, point, base_vals[v.param] if start is None else start)

    if len(targets) == 1:
        ok, row = one_dim(targets[0], varies[0], {})
        if row is None:
            raise InputError(f"the base point failed: {history[-1].get(batch.ERROR)}")
    else:
        t0, t1 = targets
        v0, v1 = varies
        last = {"x0": base_vals[v0.param]}

        def inner(x1: float) -> dict | None:
            reached, r = one_dim(t0, v0, {v1.param: x1}, last["x0"])
            if not reached:
                return None
            last["x0"] = r[v0.param]
            return r

        ok, row = seek(t1, v1, inner, base_vals[v1.param])
        if row is None:
            raise InputError(
                f"{t0.quantity} {t0.value:g} cannot be reached with {v0.param} in [{v0.low:g}, {v0.high:g}] "
                f"at {v1.param} = {base_vals[v1.param]:g}"
            )
    params = {v.param: float(row[v.param]) for v in varies}
    met = {t.quantity: within(row, t) for t in targets}
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
