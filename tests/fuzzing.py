"""The fuzz worker: hypothesis strategies over the command line and the YAML model, each example
run through the installed command's entry point in this process, its outcome checked against the
contract and counted. Run by tests/test_fuzz.py in a subprocess with resource limits (memory, CPU
time); prints one JSON summary line last:

    python tests/fuzzing.py --examples 60 [--seed 1] [--random] [--budget SECONDS]

The contract for every input: exit code 0 or 2; on 2, exactly one line on stderr, starting
``fieldsolver: error:``; never a traceback; on 0 (``--json``), every impedance finite and > 0,
every eps_eff >= 1 and the capacitance matrix symmetric positive definite; each example within
:data:`EXAMPLE_SECONDS`. A failure is shrunk by hypothesis to a small input and printed.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import math
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
GEOMETRIES = sorted((ROOT / "geometries").glob("*.yaml"))
EXAMPLE_SECONDS = 30  # CPU seconds of one example, solve included (the solves are capped at MAX_NODES)
MAX_NODES = "300000"  # every solve's node budget (one grid at the default density fits): fuzzing is about the input

OUTCOMES: Counter = Counter()  # (strategy, outcome) -> count
BREACHES: dict[str, list[str]] = {}  # "strategy: outcome" -> the first few inputs that broke the contract
SURVEY = [False]  # True: record breaches and go on (counts every input); False: stop and shrink the first
STARTED = time.monotonic()


class HangError(Exception):
    pass


def _alarm(signum, frame):
    raise HangError(f"an example ran past {EXAMPLE_SECONDS} s of CPU time")


# ------------------------------------------------------------------------------ the contract
def run_command(argv: list[str]) -> tuple[int, str, str]:
    """``fieldsolver ARGV`` through the entry point (what the installed command runs)."""
    from fieldsolver.cli import entry_point

    out, err = io.StringIO(), io.StringIO()
    # CPU time of the process (every thread), not the wall clock: a busy shared machine is no hang
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, EXAMPLE_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = entry_point(argv)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return code, out.getvalue(), err.getvalue()


def check(strategy: str, argv: list[str], code: int, out: str, err: str) -> None:
    """The contract (module docstring): counts the outcome; a breach is recorded (the first few
    of each kind, in :data:`BREACHES`) and raised as AssertionError unless surveying."""
    shown = " ".join(a if len(a) < 80 else a[:77] + "..." for a in argv)
    outcome, breach = _outcome(argv, code, out, err)
    OUTCOMES[strategy, outcome] += 1
    if breach is None:
        return
    message = f"{breach} for {shown}"
    if len(BREACHES.setdefault(f"{strategy}: {outcome}", [])) < 3:
        BREACHES[f"{strategy}: {outcome}"].append(message[:3000])
    if not SURVEY[0]:
        raise AssertionError(message)


def _outcome(argv: list[str], code: int, out: str, err: str) -> tuple[str, str | None]:
    """(the outcome's name, what breaks the contract or None)."""
    if code == 2:
        lines = err.splitlines()
        ok = len(lines) == 1 and lines[0].startswith("fieldsolver: error: ") and "Traceback" not in err
        return ("clean error", None) if ok else ("bad error", f"exit 2 without one clean line: {err[:2000]!r}")
    if code != 0:
        kind = "hang" if "HangError" in err else "out of memory" if "out of memory" in err else f"exit {code}"
        return kind, f"exit {code}: {err[:2000]!r}"
    if "Traceback" in err or any(not line.startswith("fieldsolver: warning: ") for line in err.splitlines()):
        return "noise on stderr", f"exit 0 with this on stderr: {err[:2000]!r}"
    if "--json" not in argv:
        return ("warned" if err else "solved"), None
    bad = _physical(json.loads(out))
    if bad:
        return "nonsense result", bad
    return ("warned" if err else "solved"), None


def _physical(d: dict) -> str | None:
    """What is wrong with a result's numbers (a solve's, or every solved row of a study), or None."""
    if "rows" in d:
        for row in d["rows"]:
            bad = _values(row) if row.get("status") == "ok" else None
            if bad:
                return f"row {row.get('id')}: {bad}"
        return None
    return _values(d) or _capacitance(d)


def _values(d: dict) -> str | None:
    for k, v in d.items():
        if isinstance(v, bool) or v is None:
            continue
        if k.startswith("z") and isinstance(v, int | float) and not (math.isfinite(v) and v > 0):
            return f"{k} = {v}"
        if k.startswith("eps_eff") and isinstance(v, int | float) and not (math.isfinite(v) and v >= 1 - 1e-9):
            return f"{k} = {v}"
    return None


def _capacitance(d: dict) -> str | None:
    c = np.asarray(d["capacitance"], float)
    if not np.all(np.isfinite(c)) or not np.allclose(c, c.T, rtol=1e-9, atol=0):
        return "capacitance not finite or not symmetric"
    if np.linalg.eigvalsh(0.5 * (c + c.T)).min() <= 0:
        return "capacitance not positive definite"
    return None


# ---------------------------------------------------------------------------------- strategies
EDGE_NUMBERS = st.sampled_from(
    [0, -1, 1, 1e-300, 1e-12, 1e-9, 1e-7, 1e-3, 0.5, 2, 1e3, 1e9, 1e300, math.inf, -math.inf, math.nan, 10**310]
)
SCALES = st.sampled_from([0.0, -1.0, 1e-9, 1e-7, 1e-3, 0.5, 0.999, 0.9999999, 1.0000001, 1.001, 2.0, 10.0, 1e6])
NUMBERS = st.one_of(
    EDGE_NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(10**6), max_value=10**6),
)
JUNK = st.one_of(
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.sampled_from(["x", "y", "er", "name", "rect"]), st.integers(-2, 2), max_size=2),
    st.just("(-1)**0.5"),
    st.just("1/0"),
    st.just("w*" * 200 + "1"),
)


def _paths(data, prefix=()):
    """Every path to a node of the YAML data (mappings by key, lists by index)."""
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _get(data, path):
    for p in path:
        data = data[p]
    return data


@st.composite
def mutated_geometry(draw) -> str:
    """A shipped cross-section file with one to three mutations of its values and structure."""
    path = draw(st.sampled_from(GEOMETRIES))
    data = copy.deepcopy(yaml.safe_load(path.read_text()))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        where = draw(st.sampled_from(paths))
        parent, key = _get(data, where[:-1]), where[-1]
        value = parent[key]
        op = draw(st.sampled_from(["scale", "number", "junk", "delete", "duplicate", "role", "swap"]))
        if op == "scale" and isinstance(value, int | float) and not isinstance(value, bool):
            parent[key] = value * draw(SCALES)
        elif op == "number":
            parent[key] = draw(NUMBERS)
        elif op == "junk":
            parent[key] = draw(JUNK)
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif op == "role":
            parent[key] = draw(st.sampled_from(["signal", "ground", "floating", "bogus"]))
        elif op == "swap" and isinstance(value, list) and len(value) >= 2:
            value[0], value[-1] = value[-1], value[0]
    return yaml.safe_dump(data, sort_keys=False)


SCHEMA_KEYS = st.sampled_from(
    [
        "units", "conductors", "dielectrics", "boundary", "background", "template", "params", "parameters",
        "stackup", "traces", "mask", "name", "role", "rect", "trapezoid", "circle", "ring", "polygon", "layer",
        "x", "y", "center", "radius", "points", "er", "tand", "plane", "dielectric", "signal", "t", "h", "w",
        "c1", "c2", "box", "inner_radius", "outer_radius", "bottom", "top", "material", "sigma",
    ]
)  # fmt: skip
SCALARS = st.one_of(NUMBERS, st.sampled_from(["signal", "ground", "mm", "open", "microstrip", "w+1", ".inf"]))


@st.composite
def random_model(draw) -> str:
    """A YAML document of the model's own words in random arrangement."""
    tree = draw(
        st.recursive(
            SCALARS,
            lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(SCHEMA_KEYS, kids, max_size=4)),
            max_leaves=25,
        )
    )
    return yaml.safe_dump(tree)


@st.composite
def garbled_text(draw) -> str:
    """A shipped file's text with characters inserted, deleted or replaced."""
    text = draw(st.sampled_from(GEOMETRIES)).read_text()
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(
            st.sampled_from(["[", "]", "{", "}", ":", "-", "&a", "*a", "!!", "\t", "\n  ", "'", "9" * 400, "\0"])
        )
        if op == "insert":
            text = text[:i] + chunk + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 20)) :]
        else:
            text = text[:i] + chunk + text[i + len(chunk) :]
    return text


def _template_names() -> list[str]:
    from fieldsolver.geometry import templates

    return sorted(templates.TEMPLATES)


def _template_params(name: str) -> list[str]:
    from fieldsolver.geometry import templates

    return list(templates.TEMPLATES[name][1])


VALUE_TEXT = st.one_of(
    st.floats(min_value=1e-3, max_value=5.0).map(lambda v: f"{v:.4g}"),
    st.floats(min_value=1.0, max_value=12.0).map(lambda v: f"{v:.3g}"),
    st.sampled_from(["0", "-1", "inf", ".nan", "1e400", "1e-12", "abc", "", "9" * 400, "1,2", "[1]", "true", "0.1um"]),
)
OPTIONS = st.sampled_from(
    [
        [], ["--units", "mil"], ["--units", "um"], ["--units", "m"], ["--units", "furlong"],
        ["--tol", "0.05"], ["--tol", "0"], ["--tol", "abc"], ["--max-nodes", "500"], ["--max-nodes", "-3"],
        ["--density", "0.5"], ["--density", "-1"], ["--density", "nan"], ["--growth", "1.5"], ["--growth", "3"],
        ["--open-factor", "10"], ["--open-factor", "0"], ["--mode", "odd"], ["--mode", "nope"],
        ["--zoom", "0"], ["--extent=-1,1,0,1"], ["--freq", "1GHz"], ["--freq", "abc"], ["--bogus"],
        ["--length", "1in"], ["--crosstalk"], ["--rise", "35ps"],
    ]
)  # fmt: skip


LENGTH_TEXT = st.floats(min_value=0.02, max_value=2.0).map(lambda v: f"{v:.3g}")


@st.composite
def calc_command(draw) -> list[str]:
    """``calc TEMPLATE key=value ...``: the template's required lengths and er, drawn sensible,
    then some replaced or added with hostile values, and options (some of them wrong)."""
    name = draw(st.sampled_from([*_template_names(), "nosuch"]))
    params = {k: draw(LENGTH_TEXT) for k in _required(name)}
    params["er"] = draw(st.floats(min_value=1.0, max_value=12.0).map(lambda v: f"{v:.3g}"))
    names = _template_params(name) if name != "nosuch" else ["w"]
    for k in draw(st.lists(st.sampled_from([*names[:10], "bogus"]), max_size=2)):
        params[k] = draw(VALUE_TEXT)
    options = draw(st.one_of(st.just([]), OPTIONS))
    return ["calc", name, *(f"{k}={v}" for k, v in params.items()), *options]


def _required(name: str) -> list[str]:
    from fieldsolver.geometry import templates

    if name not in templates.TEMPLATES:
        return ["w", "h"]
    return [
        k for k, p in templates.TEMPLATES[name][1].items() if p.default is None and not p.optional and p.like is None
    ]


OUTPUTS = st.sampled_from(
    [
        [], ["--csv", "{tmp}/x.csv"], ["--csv", "{tmp}"], ["--csv", "/dev/null"], ["--csv", "{tmp}/no/x.csv"],
        ["--plot", "{tmp}/x.png"], ["--plot", "{tmp}/x.txt"], ["--vtk", "{tmp}/x.vtu"], ["--json"],
    ]
)  # fmt: skip


@st.composite
def solve_command(draw) -> list[str]:
    """``solve GEOMETRY`` with options and outputs (some of them wrong)."""
    path = draw(st.sampled_from(GEOMETRIES))
    return ["solve", str(path), *draw(st.one_of(st.just([]), OPTIONS)), *draw(OUTPUTS)]


SPREADS = st.sampled_from(["w=+-0.01", "w=+-10%", "h=+-0", "q=+-1", "w=", "er=+-0.2"])


@st.composite
def study_command(draw) -> list[str]:
    """``sweep`` or ``tolerance`` of a stripline, small batches in this process."""
    verb = draw(st.sampled_from(["sweep", "tolerance", "sensitivity"]))
    argv = [verb, "stripline", "h1=0.5", "h2=0.5", "er=1", "--workers", "0", "--quiet", "--json"]
    if verb == "sweep":
        argv.append(draw(st.sampled_from(["w=0.1,0.2", "w=0.1:0.3:3", "w=0.3:0.1:2", "w=0:1:2", "w=a:b:c", "h9=1,2"])))
    else:
        argv += ["w=0.3", "--spread", draw(SPREADS)]
        if verb == "tolerance":
            argv += [
                "--n",
                draw(st.sampled_from(["3", "0", "1e9", "x"])),
                "--spec",
                draw(st.sampled_from(["z0=90+-50%", "zz=1", "z0=1+-0"])),
            ]
    return argv + draw(
        st.sampled_from(
            [[], ["--tol", "0.05"], ["--max-nodes", "300"], ["--units", "mil"], ["-o", "{tmp}/r.csv"], ["-o", "{tmp}"]]
        )
    )


def _command(strategy: str, argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        argv = [a.replace("{tmp}", tmp) for a in argv]
        argv += ["--max-nodes", MAX_NODES] if "--max-nodes" not in argv else []
        if argv[0] in ("solve", "calc") and "--tol" not in argv:
            argv += ["--tol", "none"]
        check(strategy, argv, *run_command(argv))


def _solve(strategy: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.yaml"
        path.write_text(text)
        argv = ["solve", str(path), "--tol", "none", "--json", "--max-nodes", MAX_NODES]
        try:
            check(strategy, argv, *run_command(argv))
        except (AssertionError, HangError) as e:
            raise AssertionError(f"{e}\n--- the file:\n{text[:3000]}") from None


def _calc(argv: list[str]) -> None:
    argv = [*argv, "--json", "--max-nodes", MAX_NODES]
    if "--tol" not in argv:
        argv += ["--tol", "none"]
    check("command line (calc)", argv, *run_command(argv))


# ---------------------------------------------------------------------------------------- driver
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=50, help="examples per strategy")
    ap.add_argument("--random", action="store_true", help="a new random run (default: the same examples)")
    ap.add_argument("--survey", action="store_true", help="record every breach and go on (no shrinking)")
    args = ap.parse_args()
    SURVEY[0] = args.survey
    common = {
        "max_examples": args.examples,
        "deadline": None,
        "database": None,
        "derandomize": not args.random,
        "suppress_health_check": list(HealthCheck),
        "print_blob": False,
    }
    runs = {
        "mutated geometries": given(mutated_geometry())(lambda text: _solve("mutated geometries", text)),
        "random model": given(random_model())(lambda text: _solve("random model", text)),
        "garbled text": given(garbled_text())(lambda text: _solve("garbled text", text)),
        "command line (calc)": given(calc_command())(_calc),
        "command line (solve)": given(solve_command())(lambda argv: _command("command line (solve)", argv)),
        "command line (design tools)": given(study_command())(
            lambda argv: _command("command line (design tools)", argv)
        ),
    }
    failures = {}
    for name, test in runs.items():
        try:
            settings(**common)(test)()
        except BaseException as e:  # the shrunk failing example, reported in the summary
            if isinstance(e, KeyboardInterrupt):
                raise
            failures[name] = f"{type(e).__name__}: {e}"[:3000]
    summary = {
        "inputs": sum(OUTCOMES.values()),
        "outcomes": {f"{s}: {o}": n for (s, o), n in sorted(OUTCOMES.items())},
        "failures": failures,
        "breaches": BREACHES,
        "seconds": round(time.monotonic() - STARTED, 1),
        "max_rss_mb": round(_max_rss_mb(), 1),
    }
    print(json.dumps(summary))
    return 1 if failures or BREACHES else 0


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
