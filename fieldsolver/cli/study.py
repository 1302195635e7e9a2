"""Command line of the design studies: ``synth``, ``sweep``, ``sensitivity``, ``tolerance``.

A thin layer over :mod:`fieldsolver.studies`: parse (:mod:`.arguments`), call, print; the
library's errors that concern an option are put in the option's words here. Batches run on
Dask (:mod:`fieldsolver.studies.batch`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import sys
from pathlib import Path

from ..api import MAX_NODES, TOL
from ..errors import InputError, optional
from ..geometry.limits import MAX_BATCH_POINTS, check_count
from ..geometry.units import DEFAULT_UNITS
from ..physics.lines import headline_keys
from ..post.output import check_target
from ..post.plot import FORMATS
from ..studies import batch, sweep, tolerance
from ..studies.design import Design
from ..studies.points import Batch, PointSolver, columns, run_points
from ..studies.synthesis import SYNTH_TOL, synthesize
from ..studies.tolerance import DISTRIBUTIONS
from .arguments import (
    add_mesh_options,
    count,
    mesh_options,
    parse_spec,
    parse_spread,
    parse_target,
    parse_value,
    parse_values,
    parse_vary,
    samples,
    scheduler_address,
    solver_tol,
    workers,
)

VERBS = ("synth", "sweep", "sensitivity", "tolerance")


def add_parsers(sub) -> None:
    helps = {
        "synth": "find the parameter(s) that hit target impedance(s): target=z_diff:90 vary=s",
        "sweep": "solve over ranges of parameters: w=0.1:0.3:21 s=0.1,0.15,0.2",
        "sensitivity": "how much each parameter's fab tolerance moves the impedances, ranked",
        "tolerance": "fab-tolerance Monte Carlo: spread, yield against a spec, histogram",
    }
    for verb in VERBS:
        q = sub.add_parser(verb, help=helps[verb])
        q.add_argument("source", help="a template name or a YAML file with a 'parameters:' section")
        q.add_argument("params", nargs="*", metavar="key=value", help=_param_help(verb))
        q.add_argument(
            "--units", default=DEFAULT_UNITS, help="length units of template parameters (mm, um, mil, in, m)"
        )
        q.add_argument("--tol", type=solver_tol, default=TOL, help=f"solver tolerance of each point (default {TOL:g})")
        q.add_argument("--max-nodes", type=count, default=MAX_NODES, help="node budget of each point's grid")
        add_mesh_options(q)
        q.add_argument(
            "--workers",
            type=workers,
            default=None,
            help="local Dask worker processes (default: all cores; 0: in this process)",
        )
        q.add_argument(
            "--scheduler",
            type=scheduler_address,
            metavar="tcp://HOST:PORT",
            help="run on an existing Dask cluster instead",
        )
        q.add_argument("--quiet", action="store_true", help="no progress bar")
        q.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
        if verb != "synth":
            q.add_argument(
                "-o",
                "--output",
                "--csv",
                dest="output",
                help="results table, CSV or Parquet; each point is appended as it finishes (--csv: the same)",
            )
            q.add_argument("--resume", action="store_true", help="continue an interrupted run from its output file")
            q.add_argument("--plot", metavar="FILE", help="plot (PNG, SVG or PDF)")
        if verb in ("sensitivity", "tolerance"):
            q.add_argument(
                "--spread",
                action="append",
                default=[],
                metavar="NAME=+-AMOUNT",
                help="a parameter's tolerance: w=+-0.025, h=+-10%%",
            )
        if verb == "synth":
            q.add_argument(
                "--match",
                type=float,
                default=SYNTH_TOL,
                help=f"relative tolerance on the target (default {SYNTH_TOL:g})",
            )
        if verb == "tolerance":
            q.add_argument("--n", type=samples, default=500, help="samples (default 500)")
            q.add_argument("--dist", default="normal", choices=DISTRIBUTIONS, help="normal: +-AMOUNT is 3 sigma")
            q.add_argument("--seed", type=int, default=0, help="random seed (a resumed run needs the same one)")
            q.add_argument("--spec", action="append", default=[], metavar="Q=TARGET+-TOL", help="e.g. z_diff=90+-15%%")


def _param_help(verb: str) -> str:
    return {
        "synth": "base parameters, target=QUANTITY:VALUE and vary=NAME[:LOW:HIGH] (one or two of each)",
        "sweep": "base parameters; NAME=START:STOP:COUNT or NAME=A,B,C sweeps NAME",
    }.get(verb, "base parameters")


def _split(tokens: list[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """key=value tokens -> (parameters as text, targets, varies), in order."""
    params: dict[str, str] = {}
    targets, varies = [], []
    for tok in tokens:
        k, sep, v = tok.partition("=")
        if not sep or not k:
            raise InputError(f"expected key=value, got {tok!r}")
        if k == "target":
            targets.append(v)
        elif k == "vary":
            varies.append(v)
        elif k in params:
            raise InputError(f"{k} given twice")
        else:
            params[k] = v
    return params, targets, varies


def _output(args) -> Path | None:
    if getattr(args, "output", None) is None:
        return None
    out = Path(args.output)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"-o {args.output}: use a .csv or .parquet file name")
    try:
        check_target(out)
    except InputError as e:
        raise InputError(f"-o {e}") from None
    return out


def _plot_path(args) -> Path | None:
    if getattr(args, "plot", None) is None:
        return None
    p = Path(args.plot)
    if p.suffix.lower() not in FORMATS:
        raise InputError(f"--plot {args.plot}: use a .png, .svg or .pdf file name")
    try:
        check_target(p)
    except InputError as e:
        raise InputError(f"--plot {e}") from None
    optional("matplotlib", "plot", "plotting")
    return p


def run(args: argparse.Namespace) -> int:
    """Run a study verb; the library's errors about an option are said in the option's words."""
    try:
        return _run(args)
    except batch.OutputExistsError as e:
        raise InputError(f"{e.path} exists: add --resume to continue that run, or choose another file") from None
    except batch.SchedulerUnreachableError as e:
        raise InputError(f"--scheduler {e.address}: cannot connect: {e.reason}") from None


def _run(args: argparse.Namespace) -> int:
    text, targets, varies = _split(args.params)
    if args.verb != "synth" and (targets or varies):
        raise InputError("target= and vary= belong to synth")
    axes: dict[str, list[float]] = {}
    base: dict[str, object] = {}
    for k, v in text.items():
        if args.verb == "sweep" and (":" in v or "," in v):
            axes[k] = parse_values(v, f"{k}=")
        else:
            base[k] = parse_value(v, f"{k}=")
    # a sweep is checked point by point: its base alone may lack the swept parameters
    design = Design.of(args.source, base, args.units, check=args.verb != "sweep")
    out, plot_path = _output(args), _plot_path(args)
    runner = batch.Runner(args.workers, args.scheduler)
    title = f"{Path(design.name).name} " + " ".join(args.params)
    data: dict = {"verb": args.verb, "design": design.name, "units": design.file_units}
    if args.verb == "synth":
        run = lambda: _synth(design, targets, varies, runner, args, data)  # noqa: E731
    elif args.verb == "sweep":
        run = lambda: _sweep(design, axes, runner, args, out, plot_path, title, data)  # noqa: E731
    else:
        spreads = [parse_spread(s) for s in args.spread]
        try:
            tolerance.spread_values(design, spreads)
        except InputError as e:  # the library's "spread NAME: ..." is the option --spread
            raise InputError(f"--{e}") from None
        verb = _sensitivity if args.verb == "sensitivity" else _tolerance
        run = lambda: verb(design, spreads, runner, args, out, plot_path, title, data)  # noqa: E731
    if not args.json:
        return run()
    with contextlib.redirect_stdout(io.StringIO()):  # the tables: not printed
        code = run()
    print(json.dumps(_plain(data), indent=1))
    return code


def _plain(v):
    """JSON's values: numbers (non-finite: null), text, lists and objects."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | float):
        return float(v) if math.isfinite(v) and not isinstance(v, int) else (int(v) if isinstance(v, int) else None)
    return str(v)


def _batch_data(res: Batch) -> dict:
    """A batch in JSON: its counts and every row (the results table's columns)."""
    return {
        "points": len(res.rows),
        "solved": len(res.ok),
        "failed": len(res.failed),
        "resumed": res.resumed,
        "seconds": res.seconds,
        "columns": res.columns,
        "rows": res.rows,
    }


def _sweep(design, axes, runner, args, out, plot_path, title, data) -> int:
    if not axes:
        raise InputError("sweep: give at least one NAME=START:STOP:COUNT or NAME=A,B,C")
    unknown = sorted(set(axes) - set(design.names()))
    if unknown:
        raise InputError(f"sweep: {unknown[0]!r} is not a parameter; choose from {', '.join(design.names())}")
    total = math.prod(len(v) for v in axes.values())  # before listing any
    check_count(f"points in the sweep ({' x '.join(str(len(v)) for v in axes.values())})", total, MAX_BATCH_POINTS)
    points = sweep.sweep_points(axes)
    columns(design, [], points)  # some point must build: else its mistake, now
    with runner:
        res = _batch(design, points, runner, args, out)
    _report_sweep(res, axes)
    data.update(parameters=list(axes), **_batch_data(res))
    if plot_path is not None:
        from ..post import plot, study_plots

        plot.save(study_plots.sweep_plot(res.rows, list(axes), res.columns, title=title), plot_path)
        print(f"plot written to {plot_path}")
    return 0


def _sensitivity(design, spreads, runner, args, out, plot_path, title, data) -> int:
    if not spreads:
        vals = design.numeric()
        spreads = [sp for k in vals if (sp := tolerance.typical_spread(k, design.file_units)) and sp.delta(vals[k]) > 0]
        spreads, idle = tolerance.structural(design, spreads)  # no solves for parameters with no effect
        if idle:
            print(f"not varied (no effect on this structure, or not alone): {', '.join(sp.name for sp in idle)}")
        if not spreads:
            raise InputError("no parameter with a typical tolerance: give --spread NAME=+-AMOUNT")
    points = tolerance.sensitivity_points(design, spreads)
    with runner:
        res = _batch(design, points, runner, args, out)
    rows = {r[batch.ID]: r for r in res.rows}
    if rows["base"].get(batch.STATUS) != "ok":
        raise InputError(f"the base point failed: {rows['base'].get(batch.ERROR)}")
    keys = headline_keys(res.columns)
    sens = tolerance.sensitivities(design, spreads, rows, keys)
    _report_sensitivity(sens, rows["base"], keys, res)
    data.update(
        quantities=list(keys),
        base={k: rows["base"].get(k) for k in keys},
        sensitivities=[
            {
                "parameter": x.param,
                "value": x.value,
                "tolerance": str(x.spread),
                "delta": x.delta,
                "derivative": x.derivative,
                "change": x.change,
            }
            for x in sens
        ],
        **_batch_data(res),
    )
    if plot_path is not None:
        from ..post import plot, study_plots

        plot.save(study_plots.sensitivity_plot(sens, keys, title=title), plot_path)
        print(f"plot written to {plot_path}")
    return 0


def _tolerance(design, spreads, runner, args, out, plot_path, title, data) -> int:
    if not spreads:
        raise InputError("tolerance: give at least one --spread NAME=+-AMOUNT")
    specs = [parse_spec(s) for s in args.spec]
    keys = design.value_keys()
    for sp in specs:
        if sp.quantity not in keys:
            raise InputError(f"--spec {sp.quantity}: not a value of this structure; choose from {', '.join(keys)}")
    points = tolerance.sample_points(design, spreads, args.n, args.dist, args.seed)
    with runner:
        res = _batch(design, points, runner, args, out)
    shown = list(dict.fromkeys([sp.quantity for sp in specs] + list(headline_keys(keys))))
    stats = [
        tolerance.statistics([r.get(q) for r in res.ok], q, next((s for s in specs if s.quantity == q), None))
        for q in shown
    ]
    _report_tolerance(stats, specs, spreads, args, res)
    data.update(
        distribution=args.dist,
        samples=args.n,
        seed=args.seed,
        spreads=[str(sp) for sp in spreads],
        statistics=[
            {
                "quantity": st.quantity,
                "mean": st.mean,
                "std": st.std,
                "percentiles": {str(k): v for k, v in st.percentiles.items()},
                "yield": st.yield_,
                "yield_interval": list(st.yield_ci) if st.yield_ is not None else None,
                "spec": next((str(sp) for sp in specs if sp.quantity == st.quantity), None),
            }
            for st in stats
        ],
        **_batch_data(res),
    )
    if plot_path is not None:
        from ..post import plot, study_plots

        plot.save(
            study_plots.histogram_plot(res.ok, stats, specs, title=f"{title} ({args.dist}, n = {args.n})"), plot_path
        )
        print(f"plot written to {plot_path}")
    return 0


def _batch(design, points, runner, args, out) -> Batch:
    try:
        res = run_points(
            design,
            points,
            runner,
            tol=args.tol,
            max_nodes=args.max_nodes,
            options=mesh_options(args),
            out=out,
            resume=args.resume,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        where = f"; the finished points are in {out}: add --resume to finish" if out else ""
        print(f"fieldsolver: interrupted{where}", file=sys.stderr)
        raise SystemExit(130) from None
    if res.resumed:
        print(f"resumed: {res.resumed} of {len(points)} points were already in {out}")
    print(f"{len(res.rows)} points in {res.seconds:.1f} s ({len(res.ok)} solved, {len(res.failed)} failed)")
    for r in res.failed:
        params = ", ".join(f"{k} = {r[k]:.6g}" for k in res.params if isinstance(r.get(k), float))
        print(f"  FAILED point {r[batch.ID]} ({params}): {r.get(batch.ERROR)}")
    if out is not None:
        print(f"table written to {out}")
    return res


def _num(v) -> str:
    """A value for people: 4 decimals for ordinary sizes (50.1234 ohm, eps_eff 3.1983), 5
    significant digits for tiny or huge ones (0.0041231, not 0.0041)."""
    if v is None or not math.isfinite(v):
        return "-" if v is None else f"{v}"
    return f"{v:.4f}" if v == 0 or 0.1 <= abs(v) < 1e5 else f"{v:.5g}"


def _fmt(v, u=None) -> str:
    if v is None:
        return "-"
    return _num(v) + (f" +- {abs(v) * u:.2g}" if u else "")


def _report_sweep(res: Batch, axes: dict[str, list[float]]) -> None:
    keys = headline_keys(res.columns)
    names = list(axes)
    print("  ".join(f"{n:>10}" for n in names) + "  " + "  ".join(f"{k:>18}" for k in keys))
    for r in res.rows:
        vals = "  ".join(f"{r[n]:>10.5g}" for n in names)
        if r.get(batch.STATUS) != "ok":
            print(f"{vals}  failed: {r.get(batch.ERROR)}")
            continue
        print(vals + "  " + "  ".join(f"{_fmt(r.get(k), r.get(f'u_{k}')):>18}" for k in keys))


def _report_sensitivity(sens, base: dict, keys, res) -> None:
    print("base: " + ", ".join(f"{k} = {_fmt(base.get(k))}" for k in keys))
    print(
        f"{'parameter':>10} {'value':>10} {'tolerance':>14}  "
        + "  ".join(f"{'d' + k + '/dp':>14} {'change':>8}" for k in keys)
    )
    for s in sens:
        cells = "  ".join(
            f"{s.derivative.get(k, math.nan):>14.4g} {100 * s.change.get(k, math.nan):>7.2f}%" for k in keys
        )
        print(
            f"{s.param:>10} {s.value:>10.5g} {('+-' + (f'{100 * s.spread.amount:g} %' if s.spread.relative else f'{s.delta:.4g}')):>14}  {cells}"
        )
    print(f"ranked by the change of {keys[0]} (the larger side of +- tolerance)")


def _report_tolerance(stats, specs, spreads, args, res) -> None:
    dist = "normal, +-tolerance = 3 sigma" if args.dist == "normal" else "uniform within +-tolerance"
    print(f"samples: {len(res.ok)} solved of {args.n} ({dist}); spreads: {', '.join(map(str, spreads))}")
    for st in stats:
        p = st.percentiles
        line = f"  {st.quantity:<10} mean {_num(st.mean)}  std {st.std:.4g}  " + "  ".join(
            f"p{q} {_num(p.get(q, math.nan))}" for q in (1, 5, 50, 95, 99)
        )
        print(line)
        if st.yield_ is not None:
            spec = next(s for s in specs if s.quantity == st.quantity)
            lo, hi = st.yield_ci
            print(
                f"  {'':<10} yield {100 * st.yield_:.2f} % within {spec} (95 % interval {100 * lo:.2f} - {100 * hi:.2f} %)"
            )


def _synth(design, targets, varies, runner, args, data) -> int:
    if not targets or not varies:
        raise InputError("synth: give target=QUANTITY:VALUE and vary=NAME[:LOW:HIGH]")
    ts = [parse_target(t) for t in targets]
    vs = [parse_vary(v, design) for v in varies]
    for what, names in (("target", [t.quantity for t in ts]), ("vary", [v.param for v in vs])):
        twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if twice is not None:
            raise InputError(f"{what}={twice} given twice")
    if not 0 < args.match < 0.5:
        raise InputError(f"--match {args.match:g}: expected a relative tolerance such as 0.005")
    with runner:
        solver = PointSolver(design, runner, tol=args.tol, max_nodes=args.max_nodes, options=mesh_options(args))
        s = synthesize(design, ts, vs, solver, rel=args.match)
    print(s.message)
    print(f"{s.evaluations} solves")
    print("parameters: " + ", ".join(f"{k} = {v:.6g}" for k, v in s.params.items()))
    keys = design.value_keys()
    print(
        "solved:     "
        + ", ".join(
            f"{k} = {_fmt(s.row.get(k), s.row.get(f'u_{k}'))}"
            for k in keys
            if k.startswith(("z", "eps")) and s.row.get(k) is not None
        )
    )
    data.update(
        reached=s.reached,
        message=s.message,
        evaluations=s.evaluations,
        parameters=s.params,
        values={k: s.row.get(k) for k in keys},
        uncertainty={k: s.row.get(f"u_{k}") for k in keys},
    )
    return 0 if s.reached else 1
