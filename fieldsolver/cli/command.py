"""Command line: ``fieldsolver solve FILE.yaml``, ``calc TEMPLATE key=value ...``, ``plot``, and the
design studies (``synth``, ``sweep``, ``sensitivity``, ``tolerance``: see :mod:`.study`).

A user mistake prints one line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import signal
import sys
from pathlib import Path

from ..api import MAX_NODES, TOL
from ..errors import InputError, optional
from ..geometry.model import CrossSection
from ..geometry.units import DEFAULT_UNITS

# every verb: the module of this package that defines and runs it ("" for this one) and its line
# in the top-level help. A command imports only its verb's module (each loads the solver, or
# scipy's optimizers, or more), so --help and calc do not wait for the others;
# tests/test_cold_start.py holds these lines to the modules' own
VERBS: dict[str, tuple[str, str]] = {
    "solve": ("", "solve a cross-section described in YAML"),
    "calc": ("", "solve a parametric template, e.g. calc microstrip w=0.3 h=0.2 er=4.3"),
    "plot": ("", "solve and write the field map (and more plots and exports)"),
    "templates": ("catalogue", "list the templates, or one template's parameters with units and defaults"),
    "synth": ("study", "find the parameter(s) that hit target impedance(s): target=z_diff:90 vary=s"),
    "sweep": ("study", "solve over ranges of parameters: w=0.1:0.3:21 s=0.1,0.15,0.2"),
    "sensitivity": ("study", "how much each parameter's fab tolerance moves the impedances, ranked"),
    "tolerance": ("study", "fab-tolerance Monte Carlo: spread, yield against a spec, histogram"),
    "check": (
        "check",
        "a calculator's claim against the field solution and the closed forms: "
        "check coupled_microstrip w=0.27 s=0.15 h=0.2 t=0.035 er=4.4 --claim z_diff=100",
    ),
    "board": (
        "board",
        "a KiCad board's impedance table, widths for targets, fab report and rules: "
        "board BOARD.kicad_pcb --target USB=90diff+-10%%",
    ),
    "serve": ("serve", "the calculator page on a local web server (http://127.0.0.1:8000/)"),
}


def _module(name: str):
    """The verb module ``name`` of this package (cli.study, cli.check, ...), imported on use."""
    return importlib.import_module(f".{name}", __package__)


def _verb_of(argv: list[str]) -> str:
    """The verb of a command line: its first word that is not an option ("" if none)."""
    return next((a for a in argv if not a.startswith("-")), "")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors: one line, exit 2
        raise InputError(message)


def _parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The command's parser: every verb's options (``verb`` None), or only those of ``verb``'s
    module, the other verbs listed by name and help line (enough for --help and for parsing
    ``verb``)."""
    p = _Parser(prog="fieldsolver", description="2D field solver for transmission-line impedance.")
    p.add_argument(DEBUG, action="store_true", help="on an unexpected error, the traceback (anywhere on the line)")
    sub = p.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    wanted = {m for m, _ in VERBS.values()} if verb is None else {VERBS[verb][0]} if verb in VERBS else set()
    added: set[str] = set()
    for name, (module, line) in VERBS.items():
        if module not in wanted:
            sub.add_parser(name, help=line)
        elif module not in added:
            added.add(module)
            (_own_parsers if module == "" else _module(module).add_parsers)(sub)
    return p


def _own_parsers(sub) -> None:
    """solve, calc and plot."""
    from .arguments import (
        add_mesh_options,
        add_network_options,
        count,
        extent,
        frequencies,
        image_size,
        positive,
        solver_tol,
    )

    s = sub.add_parser("solve", help=VERBS["solve"][1])
    s.add_argument("file", help="cross-section YAML file")
    c = sub.add_parser("calc", help=VERBS["calc"][1])
    c.add_argument("template")
    c.add_argument("params", nargs="*", metavar="key=value")
    pl = sub.add_parser("plot", help=VERBS["plot"][1])
    pl.add_argument("source", help="cross-section YAML file, or a template name followed by key=value")
    pl.add_argument("params", nargs="*", metavar="key=value")
    pl.add_argument(
        "-o", "--output", "--plot", dest="output", help="the field map (PNG, SVG or PDF by extension; default NAME.png)"
    )
    for q in (c, pl):
        q.add_argument(
            "--units", default=DEFAULT_UNITS, help="length units of template parameters (mm, um, mil, in, m)"
        )
    for q in (s, c, pl):
        q.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
        if q is not pl:
            q.add_argument("--plot", metavar="FILE", help="write the field map (PNG, SVG or PDF by extension)")
        q.add_argument(
            "--tol",
            type=solver_tol,
            default=TOL,
            help=f"relative error target of every value (default {TOL:g}); 'none': one grid, no error estimate",
        )
        q.add_argument(
            "--max-nodes",
            type=count,
            default=MAX_NODES,
            help=f"node budget of the finest grid (default {MAX_NODES:,})",
        )
        add_mesh_options(q)
        q.add_argument(
            "--freq",
            type=frequencies,
            metavar="F",
            help="also R, L, G, C, Zc and loss at these frequencies: START:STOP:COUNT (log-spaced), "
            "f1,f2,... or one; Hz or with a unit, e.g. 1MHz:100GHz:61",
        )
        if q is not pl:
            add_network_options(q)
        g = q.add_argument_group("plots (beside the field map: NAME-charge.png, NAME-convergence.png, NAME-grid.png)")
        g.add_argument("--mode", help="one panel: odd or even (pairs), a signal's name or number, or modeK")
        g.add_argument("--field-lines", action="store_true", help="draw E field lines on the field map")
        g.add_argument("--zoom", type=positive, default=1.0, help="show more (> 1) or less (< 1) around the signals")
        g.add_argument(
            "--extent",
            type=extent,
            metavar="X0,X1,Y0,Y1",
            help="the region to show, in the file's units (--extent=-1,1,0,1 when it starts negative)",
        )
        g.add_argument("--size", type=image_size, metavar="WxH", help="image size in pixels at 100 dpi, e.g. 1600x700")
        g.add_argument("--charge", action="store_true", help="also plot the surface charge along each conductor")
        g.add_argument("--convergence", action="store_true", help="also plot each impedance against the grid size")
        g.add_argument("--grid", action="store_true", help="also plot the grid over the geometry")
        e = q.add_argument_group("exports")
        e.add_argument("--vtk", metavar="FILE", help="potential, E, er and conductor ids on the grid (.vtu or .vtk)")
        e.add_argument("--csv", metavar="FILE", help="the results table as CSV")


def _section(args: argparse.Namespace) -> tuple[CrossSection, str]:
    if args.verb == "solve" or (args.verb == "plot" and _is_file(args.source)):
        from ..geometry.loader import load

        path = args.file if args.verb == "solve" else args.source
        if args.verb == "plot" and args.params:
            raise InputError(f"plot {path}: key=value parameters go with a template, not a YAML file")
        return load(path), str(path)
    from ..geometry.templates import build
    from .arguments import parse_params

    name = args.template if args.verb == "calc" else args.source
    params = parse_params(args.params, args.verb)
    section = build(name, params, args.units, where=args.verb, param_where={k: f"{args.verb}: {k}" for k in params})
    shown = " ".join(args.params)
    return section.validate(), f"{name} {shown} ({args.units})"


def _is_file(source: str) -> bool:
    if source.lower().endswith((".yaml", ".yml")) or os.sep in source:
        return True
    try:
        return Path(source).is_file()
    except (OSError, ValueError):  # a name too long for a file is a template name (and unknown)
        return False


def _outputs(args: argparse.Namespace, name: str, section: CrossSection) -> dict[str, Path]:
    """Every file the command will write, checked before solving: kind -> path."""
    out: dict[str, Path] = {}
    field_map = args.output if args.verb == "plot" else args.plot
    if args.verb == "plot" and field_map is None:
        field_map = f"{Path(name).stem}.png"
    if field_map is not None:
        out["field map"] = Path(field_map)
    extra = [k for k in ("charge", "convergence", "grid") if getattr(args, k)]
    if args.convergence and args.tol is None:
        raise InputError("--convergence needs the refinement levels: solve with a tolerance (not --tol none)")
    if extra and "field map" not in out:
        raise InputError(f"--{extra[0]} writes beside the field map: give --plot FILE")
    if "field map" in out:
        from ..post.plot import FORMATS

        base = out["field map"]
        if base.suffix.lower() not in FORMATS:
            raise InputError(f"{base}: use a .png, .svg or .pdf file name for plots")
        for k in extra:
            out[k] = base.with_name(f"{base.stem}-{k}{base.suffix}")
    if args.vtk:
        from ..post.export import VTK_FORMATS

        out["vtk"] = Path(args.vtk)
        if out["vtk"].suffix.lower() not in VTK_FORMATS:
            raise InputError(f"--vtk {args.vtk}: use a .vtu or .vtk file name")
    if args.csv:
        out["csv"] = Path(args.csv)
    if args.verb != "plot":
        out.update(_network_outputs(args, section))
    from ..post.output import check_target

    for path in out.values():  # a missing folder, a directory named like the file: now, not after the solve
        check_target(path)
    # what writing them needs, before a long solve
    if out.keys() & {"field map", "loss plot", "S-parameter plot"}:
        optional("matplotlib", "plot", "plotting")
    if "touchstone" in out:
        optional("skrf", "networks", "S-parameter networks")
    if "vtk" in out:
        optional("meshio", "vtk", "the VTK export")
    return out


def _network_outputs(args: argparse.Namespace, section: CrossSection) -> dict[str, Path]:
    """The options of a length of line checked against each other and the section (before the
    solve): the files they write."""
    n = len(section.signals)
    ports = 2 * n
    needs = {
        "--touchstone": (args.touchstone, ("--freq", "--length")),
        "--plot-sparams": (args.plot_sparams, ("--freq", "--length")),
        "--z-ref": (args.z_ref, ("--freq", "--length")),
        "--plot-loss": (args.plot_loss, ("--freq",)),
        "--rise": (args.rise, ("--length",)),
        "--mixed-mode": (args.mixed_mode, ("--touchstone",)),
    }
    for flag, (given, wanted) in needs.items():
        missing = [w for w in wanted if getattr(args, w[2:].replace("-", "_")) is None]
        if given and missing:
            raise InputError(f"{flag} needs {' and '.join(missing)}")
    if args.length is not None and args.freq is None and args.rise is None:
        raise InputError("--length is used with --freq (S-parameters) or --rise (crosstalk): give one of them")
    if (args.crosstalk or args.rise is not None) and n < 2:
        raise InputError(
            f"--{'crosstalk' if args.crosstalk else 'rise'}: crosstalk needs two or more signals, this has {n}"
        )
    if args.mixed_mode and n != 2:
        raise InputError(f"--mixed-mode is for a pair (two signals), this has {n}")
    if args.z_ref is not None and len(args.z_ref) not in (1, ports):
        raise InputError(f"--z-ref: {len(args.z_ref)} values for a {ports}-port ({n} lines), expected 1 or {ports}")
    out: dict[str, Path] = {}
    if args.touchstone:
        from ..physics.network import touchstone_format

        path = out["touchstone"] = Path(args.touchstone)
        try:
            version, count = touchstone_format(path)
        except InputError as e:
            raise InputError(f"--touchstone {e}") from None
        if count is not None and count != ports:
            raise InputError(f"--touchstone {path}: {n} lines make a {ports}-port, name it .s{ports}p (or .ts)")
        if version == "1.0" and args.mixed_mode:
            raise InputError(
                "--mixed-mode: the differential and common ports' references differ (2 and 1/2 times --z-ref), "
                "which Touchstone 1.0 (.s4p) cannot hold: write a .ts file (Touchstone 2.0)"
            )
        if version == "1.0" and len(set(args.z_ref or ())) > 1:
            raise InputError("--z-ref with one value per port needs a .ts file: Touchstone 1.0 holds one reference")
    for kind, flag in (("loss plot", "plot_loss"), ("S-parameter plot", "plot_sparams")):
        if getattr(args, flag):
            from ..post.plot import FORMATS

            out[kind] = Path(getattr(args, flag))
            if out[kind].suffix.lower() not in FORMATS:
                raise InputError(f"--{flag.replace('_', '-')} {out[kind]}: use a .png, .svg or .pdf file name")
    return out


def _network_options(args: argparse.Namespace) -> dict:
    """The options of format_result and Result.to_dict that the command line sets."""
    z = getattr(args, "z_ref", None) or [50.0]
    return {
        "length": getattr(args, "length", None),
        "z_ref": z[0] if len(z) == 1 else z,
        "rise": getattr(args, "rise", None),
        "crosstalk": getattr(args, "crosstalk", False),
    }


def _write_network(result, args: argparse.Namespace, outputs: dict[str, Path], name: str) -> None:
    opts = _network_options(args)
    if "touchstone" in outputs:
        from ..physics.network import touchstone, touchstone_format
        from ..post.output import write_text

        path = outputs["touchstone"]
        net = result.network(opts["length"], z_ref=opts["z_ref"], name=name)
        text = touchstone(net, version=touchstone_format(path)[0], mixed=args.mixed_mode)
        write_text(path, text)
    if outputs.keys() & {"loss plot", "S-parameter plot"}:
        from ..post import plot

        if "loss plot" in outputs:
            plot.save(plot.loss_plot(result, title=name), outputs["loss plot"])
        if "S-parameter plot" in outputs:
            fig = plot.sparams_plot(result, opts["length"], z_ref=opts["z_ref"], title=name)
            plot.save(fig, outputs["S-parameter plot"])


def _write(result, args: argparse.Namespace, outputs: dict[str, Path], title: str) -> None:
    if "vtk" in outputs:
        from ..post.export import write_vtk

        write_vtk(result, outputs["vtk"])
    if "csv" in outputs:
        from ..post.export import write_csv

        write_csv(result, outputs["csv"])
    if args.verb != "plot":
        _write_network(result, args, outputs, Path(title.split()[0]).stem)
    if "field map" not in outputs:
        return
    from ..post import plot

    opts = {"zoom": args.zoom, "extent": args.extent}
    name = Path(title.split()[0]).name if args.verb == "solve" or _is_file(title.split()[0]) else title
    size = None if args.size is None else (args.size[0] / 100, args.size[1] / 100)
    dpi = 100 if args.size else 110
    figures = {
        "field map": lambda: plot.field_map(
            result, mode=args.mode, field_lines=args.field_lines, size=size, title=name, **opts
        ),
        "charge": lambda: plot.charge_plot(result, mode=args.mode, size=size, title=name, **opts),
        "convergence": lambda: plot.convergence_plot(result, size=size, title=name),
        "grid": lambda: plot.grid_plot(result, size=size, title=name, **opts),
    }
    for kind, make in figures.items():
        if kind in outputs:
            plot.save(make(), outputs[kind], dpi=dpi, exact_size=args.size is not None)


def _template_help(argv: list[str]) -> str | None:
    """``calc TEMPLATE --help`` (or plot): the verb's options, then the template's parameters."""
    from ..geometry.templates import TEMPLATES

    if len(argv) < 3 or argv[0] not in ("calc", "plot") or not {"-h", "--help"} & set(argv):
        return None
    name = argv[1]
    if name not in TEMPLATES:
        return None
    from .catalogue import table

    units = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--units"), DEFAULT_UNITS)
    sub = _parser(argv[0])._subparsers._group_actions[0].choices[argv[0]]  # type: ignore[union-attr]
    return sub.format_help() + "\n" + table(name, units if units in ("mm", "um", "mil", "in", "m") else DEFAULT_UNITS)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    shown = _template_help(argv)
    if shown is not None:
        print(shown)
        return 0
    try:
        parser = _parser(_verb_of(argv))
        args, extra = parser.parse_known_args(argv)
        # key=value parameters may also come after the options
        if extra and hasattr(args, "params") and all("=" in t and not t.startswith("-") for t in extra):
            args.params += extra
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if VERBS[args.verb][0]:
            return _module(VERBS[args.verb][0]).run(args)
        from .arguments import in_flags, mesh_options

        section, title = _section(args)
        outputs = _outputs(args, title.split()[0], section)
        if args.mode is not None:
            from ..post.fields import check_mode

            try:
                check_mode(tuple(c.name for c in section.signals), args.mode)
            except InputError as e:
                raise InputError(f"--{e}") from None  # the library's "mode X: ..." is the option --mode
        from ..api import solve

        result = solve(section, tol=args.tol, max_nodes=args.max_nodes, options=mesh_options(args), freq=args.freq)
        _write(result, args, outputs, title)
    except InputError as e:
        print(f"fieldsolver: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(result.to_json(indent=1, **_network_options(args)))
    else:
        from ..post.report import format_result

        print(in_flags(format_result(result, title=title, **_network_options(args))))
        if outputs:
            print()
            for kind, path in outputs.items():
                print(f"{kind} written to {path}")
    return 0


class _Terminated(SystemExit):
    """SIGTERM: an exit, so that files being written are cleaned up."""


def _terminate(signum, frame):
    raise _Terminated(128 + signum)


DEBUG = "--debug"  # anywhere on the command line: the traceback of an unexpected error


def _unexpected(e: BaseException) -> str:
    """One line for an error that is not the user's input mistake (exit code 1)."""
    hint = f"run again with {DEBUG} for the traceback"
    if isinstance(e, MemoryError):
        return f"out of memory ({hint}); lower --max-nodes or --density, or simplify the structure"
    if isinstance(e, RecursionError):
        return f"the input is nested too deeply to process ({hint})"
    if isinstance(e, OSError) and e.strerror:
        where = f"{e.filename}: " if e.filename else ""
        return f"{where}{e.strerror} ({hint})"
    text = " ".join(str(e).split())[:300]
    return f"internal error: {type(e).__name__}: {text} (a bug in fieldsolver: {hint} and report it)"


def _warning_lines(caught: list) -> list[str]:
    """Library warnings (numpy's RuntimeWarning and friends), one line each, repeats once."""
    lines = []
    for w in caught:
        text = " ".join(str(w.message).split())[:200]
        line = f"fieldsolver: warning: {w.category.__name__}: {text} (in {Path(w.filename).name}:{w.lineno})"
        if line not in lines:
            lines.append(line)
    return lines[:5]


# The cyclic garbage collector during a command: a collection of the young objects after this many
# new ones (with Python's default, 700, the start-up's 120,000 long-lived objects, numba's typing
# tables and scipy's namespaces, pass through 240 young, 22 middle and 2 full collections). Measured on
# 2 shared cores, cold `calc microstrip`: 0.15 s of CPU in the collector, 0.06 s with 50,000; and
# 0.2-0.3 s at exit, when the interpreter collects and frees them all again, saved by gc.freeze()
# (their memory goes back with the process's).
GC_YOUNG = 50_000


def entry_point(argv: list[str] | None = None) -> int:
    """The installed ``fieldsolver`` command: every way it can end is one line on stderr (a user
    mistake: exit code 2; anything else: 1, with ``--debug`` for the traceback)."""
    # at exit, after the other exit handlers (registered later, run first): the objects left are
    # the process's to its end, not to be walked and freed one by one again
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, *thresholds[1:])
    try:
        return _entry(argv)
    finally:
        gc.set_threshold(*thresholds)


def _entry(argv: list[str] | None) -> int:
    import logging
    import warnings

    argv = sys.argv[1:] if argv is None else list(argv)
    debug = DEBUG in argv
    argv = [a for a in argv if a != DEBUG]
    signal.signal(signal.SIGTERM, _terminate)
    # Dask's workers and nannies log a dying worker with its traceback: the batch reports the point
    logging.getLogger("distributed").setLevel(logging.CRITICAL if not debug else logging.WARNING)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical" if not debug else "warning")
    code = 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            code = main(argv)
        except BrokenPipeError:  # output piped into a reader that closed early (e.g. `head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except KeyboardInterrupt:
            print("fieldsolver: interrupted", file=sys.stderr)
            return 130
        except _Terminated as e:
            print("fieldsolver: terminated", file=sys.stderr)
            return int(e.code or 143)
        except SystemExit as e:  # argparse's --help (0), Ctrl-C in a batch (130)
            if e.code is None or isinstance(e.code, int):
                return e.code or 0
            print(f"fieldsolver: error: {e.code}", file=sys.stderr)
            return 1
        except Exception as e:
            if debug:
                raise
            print(f"fieldsolver: error: {_unexpected(e)}", file=sys.stderr)
            code = 1
    if code == 0 or debug:  # after an error, the one line says it: the warnings were its echo
        for line in _warning_lines(caught):
            print(line, file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(entry_point())
