"""The command line's values: argparse types (a bad value is argparse's one-line usage error)
and the parsers of the ``key=value`` texts the verbs take, each failing with an
:class:`InputError` that names the option as the user typed it."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..geometry.limits import MAX_BATCH_POINTS, check_count
from ..numerics.grid import MeshOptions

if TYPE_CHECKING:  # the studies' types are imported where a study's option is parsed, not by calc
    from ..studies.design import Design
    from ..studies.synthesis import Target, Vary
    from ..studies.tolerance import Spec, Spread

MAX_FREQUENCIES = 10_000  # --freq: frequencies of one solve


# --------------------------------------------------------------------------------- argparse types
def number(text: str) -> float:
    """The number the text says, or nan (the caller's check then rejects it in its own words)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def positive(text: str) -> float:
    v = number(text)
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


MAX_DENSITY = 32.0  # --density: every cell divided 32 times each way (the node budget binds long before)


def density(text: str) -> float:
    v = number(text)
    if not (math.isfinite(v) and 0 < v <= MAX_DENSITY):
        raise argparse.ArgumentTypeError(f"expected a density above 0 and at most {MAX_DENSITY:g}, got {text!r}")
    return v


def extent(text: str) -> tuple[float, float, float, float]:
    v = tuple(number(t) for t in text.split(","))
    if len(v) != 4 or not all(map(math.isfinite, v)) or not (v[0] < v[1] and v[2] < v[3]):
        raise argparse.ArgumentTypeError(f"expected x0,x1,y0,y1 with x0 < x1 and y0 < y1, got {text!r}")
    return v  # type: ignore[return-value]


def image_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    small = sep and w.isdigit() and h.isdigit() and len(w) <= 5 and len(h) <= 5
    if not (small and 100 <= int(w) <= 10000 and 100 <= int(h) <= 10000):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels (100 to 10000), e.g. 1600x700, got {text!r}")
    return int(w), int(h)


def growth(text: str) -> float:
    v = number(text)
    if not (math.isfinite(v) and 1 < v <= 2):
        raise argparse.ArgumentTypeError(f"expected a cell-size ratio above 1 and at most 2, e.g. 1.1, got {text!r}")
    return v


def frequencies(text: str, limit: int = MAX_FREQUENCIES) -> np.ndarray:
    """``--freq``: ``START:STOP:COUNT`` (log-spaced, both ends included), a comma-separated list,
    or one frequency; each a number in Hz or with a unit (``1MHz:100GHz:61``, ``1GHz,2.5GHz``).
    At most ``limit`` frequencies, refused before any array is made."""
    from ..geometry.units import parse_frequency

    try:
        parts = text.split(":")
        if len(parts) == 3:
            lo, hi = parse_frequency(parts[0].strip()), parse_frequency(parts[1].strip())
            n = parts[2].strip()
            if not (n.isdigit() and len(n) <= 6 and 2 <= int(n) <= limit and hi > lo):
                raise InputError(f"{text!r}: START:STOP:COUNT needs STOP > START and COUNT >= 2 (at most {limit:,})")
            return np.geomspace(lo, hi, int(n))
        if len(parts) != 1:
            raise InputError(f"{text!r}: give START:STOP:COUNT, a list f1,f2,... or one frequency")
        items = text.split(",")
        if len(items) > limit:
            raise InputError(f"{len(items):,} frequencies: at most {limit:,}")
        return np.array(sorted(parse_frequency(t.strip()) for t in items))
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def line_length(text: str) -> float:
    """``--length``: a length with its unit (m, mm, um, in, mil), e.g. ``0.1m``, ``4in``, ``100mm``."""
    from ..geometry.units import UNITS, parse_length

    try:
        v = parse_length(text)
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if v is None:
        raise argparse.ArgumentTypeError(
            f"expected a length with its unit ({', '.join(UNITS)}), e.g. 100mm or 4in, got {text!r}"
        )
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"expected a length > 0, got {text!r}")
    return v


TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}


def rise_time(text: str) -> float:
    """``--rise``: a time with its unit (s, ms, us, ns, ps, fs), e.g. ``35ps``."""
    body = text.strip()
    unit = next((u for u in sorted(TIME_UNITS, key=len, reverse=True) if body.lower().endswith(u)), None)
    v = number(body[: -len(unit)]) * TIME_UNITS[unit] if unit else math.nan
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(
            f"expected a time > 0 with its unit ({', '.join(TIME_UNITS)}), e.g. 35ps, got {text!r}"
        )
    return v


def impedances(text: str) -> list[float]:
    """``--z-ref``: one reference impedance (ohm) for every port, or one per port, comma-separated."""
    v = [number(t) for t in text.split(",")]
    if not all(math.isfinite(z) and z > 0 for z in v):
        raise argparse.ArgumentTypeError(
            f"expected ohms > 0, one or one per port (e.g. 50 or 50,50,45,45), got {text!r}"
        )
    return v


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """A length of the line as a network, and crosstalk (see README, "A length of line")."""
    g = parser.add_argument_group("a length of line: S-parameters and crosstalk")
    g.add_argument(
        "--length",
        type=line_length,
        help="with --freq: the S-parameters of this length of line (a unit is required: m, mm, um, in, mil)",
    )
    g.add_argument(
        "--touchstone", metavar="FILE", help="write them: FILE.sNp (Touchstone 1.0, N = 2 x lines) or FILE.ts (2.0)"
    )
    g.add_argument(
        "--z-ref",
        type=impedances,
        metavar="OHM",
        help="ports' reference impedance: one for all (default 50) or one per port, near ends first, e.g. 50,50,45,45",
    )
    g.add_argument(
        "--mixed-mode",
        action="store_true",
        help="a pair: write the mixed-mode parameters (scikit-rf se2gmm: D1, D2, C1, C2) to the .ts file",
    )
    g.add_argument("--crosstalk", action="store_true", help="the crosstalk coefficients Kb, Kf between every two lines")
    g.add_argument("--rise", type=rise_time, help="with --length: NEXT and FEXT of a step of this rise time, e.g. 35ps")
    g.add_argument("--plot-loss", metavar="FILE", help="with --freq: R, L, |Zc| and loss against frequency")
    g.add_argument(
        "--plot-sparams", metavar="FILE", help="with --freq and --length: |S21|, |S11|, NEXT, FEXT against frequency"
    )


MESH = ("density", "growth", "open_factor")  # the mesh options the command line sets
# the command line's names of the library's settings, for its messages
FLAGS = {"open_factor": "--open-factor", "max_nodes": "--max-nodes"}


def add_mesh_options(parser: argparse.ArgumentParser) -> None:
    """--density, --growth and --open-factor: the grid of every solve (defaults: MeshOptions')."""
    d = MeshOptions()
    g = parser.add_argument_group("grid")
    g.add_argument(
        "--density", type=density, help=f"scale the grid's density: 2 halves every cell (default {d.density:g})"
    )
    g.add_argument(
        "--growth", type=growth, help=f"size ratio of neighbouring cells away from an edge (default {d.growth:g})"
    )
    g.add_argument(
        "--open-factor",
        type=positive,
        help=f"open sides: the grounded outer boundary this many structure sizes away (default {d.open_factor:g})",
    )


def mesh_options(args: argparse.Namespace) -> MeshOptions | None:
    """The MeshOptions of the grid options given (None when none is)."""
    given = {k: getattr(args, k) for k in MESH if getattr(args, k, None) is not None}
    return MeshOptions(**given) if given else None


def in_flags(text: str) -> str:
    """A library message with the settings it names spelled as this command's options."""
    for name, flag in FLAGS.items():
        text = text.replace(f"raise {name}", f"raise {flag}").replace(f"larger {name}", f"larger {flag}")
    return text


def solver_tol(text: str) -> float | None:
    if text.lower() == "none":
        return None
    v = number(text)
    if not (math.isfinite(v) and 0 < v < 1):
        raise argparse.ArgumentTypeError(f"expected a relative tolerance such as 1e-3 (or none), got {text!r}")
    return v


def count(text: str) -> int:
    """A whole number >= 1 (a node budget, a number of samples)."""
    f = number(text)
    if not (math.isfinite(f) and f >= 1 and f == int(f)):
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(f)


def samples(text: str) -> int:
    """``--n``: a number of Monte Carlo samples, 1 to :data:`MAX_BATCH_POINTS`."""
    n = count(text)
    if n > MAX_BATCH_POINTS:
        raise argparse.ArgumentTypeError(f"at most {MAX_BATCH_POINTS:,} samples (each a field solve), got {n:,}")
    return n


MAX_WORKERS = 1024  # local worker processes


def workers(text: str) -> int:
    """A number of worker processes: a whole number >= 0 (0: in this process)."""
    f = number(text)
    if not (math.isfinite(f) and f == int(f)):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if f < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {int(f)}")
    if f > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_WORKERS} local workers, got {int(f)}")
    return int(f)


SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def scheduler_address(text: str) -> str:
    """``--scheduler``: a Dask scheduler's address, ``[tcp://]HOST:PORT`` (or tls, ws, wss, ucx)."""
    from urllib.parse import urlsplit

    url = text if "://" in text else f"tcp://{text}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        port = None
        parts = None
    if parts is None or parts.scheme not in SCHEMES or not parts.hostname or port is None or not 0 < port < 65536:
        raise argparse.ArgumentTypeError(
            f"expected a scheduler address tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786, got {text!r}"
        )
    return url


# ------------------------------------------------------------------------------------ key=value
def parse_value(text: str, where: str = "") -> object:
    """A command-line value as YAML reads it (numbers, true/false, .inf), a number where the text
    is one, else the text (the template or file then says what it expected). Integers become
    floats; a number of more digits than a float holds is one line naming ``where``."""
    import yaml

    from ..geometry.limits import MAX_NUMBER_DIGITS

    at = f"{where}{text[:20]}{'...' if len(text) > 20 else ''}: "
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_NUMBER_DIGITS:
        raise InputError(f"{at}a number of {digits:,} digits: at most {MAX_NUMBER_DIGITS} (write 1.5e9)")
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        value = text
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            value = float(value)
        except OverflowError:
            raise InputError(f"{at}a number too large for a float") from None
    return value


def parse_params(items: list[str], verb: str = "calc") -> dict[str, object]:
    """``key=value`` items (of ``calc`` and ``plot``) -> parameters; a key given twice is an error."""
    out: dict[str, object] = {}
    for it in items:
        key, sep, text = it.partition("=")
        if not sep or not key:
            raise InputError(f"{verb}: expected key=value, got {it!r}")
        if key in out:
            raise InputError(f"{verb}: {key} given twice")
        out[key] = parse_value(text, f"{key}=")
    return out


def parse_values(text: str, where: str = "") -> list[float]:
    """A sweep's values: ``a:b:n`` (n values from a to b) or ``a,b,c``; at most
    :data:`MAX_BATCH_POINTS`, checked before any is made."""
    bad = InputError(f"{where}{text!r}: expected start:stop:count (e.g. 0.1:0.3:21) or a list (0.1,0.15,0.2)")
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3 or not parts[2].strip().isdigit() or len(parts[2].strip()) > 18:
            raise bad
        num = int(parts[2])
        check_count(f"points in {where}{text}", num, MAX_BATCH_POINTS)
        try:
            a, b = float(parts[0]), float(parts[1])
        except ValueError:
            raise bad from None
        if num < 1:
            raise bad
        return [float(f"{v:.12g}") for v in np.linspace(a, b, num)]  # 0.3, not 0.30000000000000004
    values = text.split(",")
    check_count(f"values in {where}", len(values), MAX_BATCH_POINTS)
    try:
        return [float(v) for v in values]
    except ValueError:
        raise bad from None


def parse_spread(text: str) -> Spread:
    """``--spread``: ``w=+-0.025``, ``h=+-10%``, ``er=0.2`` (+- optional)."""
    from ..studies.tolerance import Spread

    name, sep, amount = text.partition("=")
    body = amount.strip().removeprefix("+-").removeprefix("±").strip()
    rel = body.endswith("%")
    v = number(body.removesuffix("%"))
    if not sep or not name or not (math.isfinite(v) and v > 0):
        raise InputError(f"--spread {text}: expected NAME=+-AMOUNT or NAME=+-PERCENT%, e.g. w=+-0.025 or h=+-10%")
    return Spread(name.strip(), v / 100 if rel else v, rel)


def parse_spec(text: str) -> Spec:
    """``--spec``: ``z_diff=90+-15%`` or ``z0=50+-2.5`` or ``z0=45:55``."""
    from ..studies.tolerance import Spec

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


def parse_target(text: str) -> Target:
    """``target=QUANTITY:VALUE``."""
    from ..studies.synthesis import Target

    q, sep, v = text.partition(":")
    value = number(v)
    if not sep or not q or not (math.isfinite(value) and value > 0):
        raise InputError(f"target={text}: expected QUANTITY:VALUE, e.g. z0:50 or z_diff:90")
    return Target(q, value)


def parse_vary(text: str, design: Design) -> Vary:
    """``vary=w`` (bounds: a third to three times its value) or ``vary=w:0.05:0.5``."""
    from ..studies.synthesis import Vary

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
