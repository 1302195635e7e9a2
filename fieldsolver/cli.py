"""Command line: ``fieldsolver solve FILE.yaml`` and ``fieldsolver calc TEMPLATE key=value ...``.

A user mistake prints one line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from .api import MAX_NODES, TOL
from .model import CrossSection, InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors: one line, exit 2
        raise InputError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="fieldsolver", description="2D field solver for transmission-line impedance.")
    sub = p.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    s = sub.add_parser("solve", help="solve a cross-section described in YAML")
    s.add_argument("file", help="cross-section YAML file")
    c = sub.add_parser("calc", help="solve a parametric template, e.g. calc microstrip w=0.3 h=0.2 er=4.3")
    c.add_argument("template")
    c.add_argument("params", nargs="*", metavar="key=value")
    c.add_argument("--units", default="mm", help="length units of the parameters (mm, um, mil, in)")
    for q in (s, c):
        q.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
        q.add_argument("--plot", metavar="PNG", help="write the field map (PNG, SVG or PDF by extension)")
        q.add_argument(
            "--tol",
            type=_tol,
            default=TOL,
            help=f"relative error target of every value (default {TOL:g}); 'none': one grid, no error estimate",
        )
        q.add_argument(
            "--max-nodes",
            type=_count,
            default=MAX_NODES,
            help=f"node budget of the finest grid (default {MAX_NODES:,})",
        )
    return p


def _tol(text: str) -> float | None:
    if text.lower() == "none":
        return None
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (math.isfinite(v) and 0 < v < 1):
        raise argparse.ArgumentTypeError(f"expected a relative tolerance such as 1e-3 (or none), got {text!r}")
    return v


def _count(text: str) -> int:
    try:
        f = float(text)
    except ValueError:
        f = math.nan
    if not (math.isfinite(f) and f >= 1 and f == int(f)):
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(f)


def _calc_params(items: list[str]) -> dict[str, object]:
    import yaml

    out: dict[str, object] = {}
    for it in items:
        key, sep, text = it.partition("=")
        if not sep or not key:
            raise InputError(f"calc: expected key=value, got {it!r}")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        out[key] = value
    return out


def _section(args: argparse.Namespace) -> tuple[CrossSection, str]:
    if args.verb == "solve":
        from .loader import load

        return load(args.file), str(args.file)
    from .templates import build

    params = _calc_params(args.params)
    section = build(args.template, params, args.units, where="calc", param_where={k: f"calc: {k}" for k in params})
    shown = " ".join(args.params)
    return section.validate(), f"{args.template} {shown} ({args.units})"


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        section, title = _section(args)
        if args.plot:
            plot_path = Path(args.plot)
            if plot_path.suffix.lower() not in (".png", ".svg", ".pdf"):
                raise InputError(f"--plot {args.plot}: use a .png, .svg or .pdf file name")
            if not plot_path.parent.is_dir():
                raise InputError(f"--plot {args.plot}: folder {plot_path.parent} does not exist")
        from .api import solve

        result = solve(section, tol=args.tol, max_nodes=args.max_nodes)
    except InputError as e:
        print(f"fieldsolver: error: {e}", file=sys.stderr)
        return 2
    if args.plot:
        from .plot import save_field_map

        save_field_map(result, args.plot, title=Path(title.split()[0]).name)
    if args.json:
        print(result.to_json(indent=1))
    else:
        from .report import format_result

        print(format_result(result, title=title))
        if args.plot:
            print(f"\nfield map written to {args.plot}")
    return 0


def entry_point() -> int:
    """The installed ``fieldsolver`` command."""
    try:
        return main()
    except BrokenPipeError:  # output piped into a reader that closed early (e.g. `head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(entry_point())
