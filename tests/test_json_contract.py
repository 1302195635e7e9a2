"""The JSON of every shipped example is a public contract: the same keys, and the same numbers to
1e-9 (relative), as the files in tests/data/examples (written by `fieldsolver solve FILE --json`).
Timings are the only values allowed to differ.

A number that is zero but for round-off (the second conductor's share of a symmetric mode, the
uncertainty of a value that does not depend on the grid) is compared to 1e-9 of the largest
number beside it (in its list or object), not to itself: the order of the solver's sums (one
thread or several) moves it by far less than any error bar, but by more than 1e-9 of its own size.
A mode's voltages are compared with their sign: the first entry that is not negligible is
positive (physics/extract.py), whatever round-off does where two lines are alike. An error estimate (the relative
``uncertainty`` of a value) is compared to 1e-9 absolute, i.e. the error bar to 1e-9 of its value
like the value itself: it is a difference of nearly equal values from two grids, so a change of
1e-12 in where a link leaves a round conductor (bisection before, closed form now) moves its
eighth digit.
"""

import io
import json
import math
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from fieldsolver.cli import main

ROOT = Path(__file__).parents[1]
EXPECTED = sorted((ROOT / "tests" / "data" / "examples").glob("*.json"))
TIMES = {"timings", "seconds"}


def _scale(values) -> float:
    """The largest magnitude among sibling numbers (0 if there are none)."""
    return max((abs(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)), default=0.0)


def _compare(got, want, where="$", scale=0.0):
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        assert sorted(got) == sorted(want), f"{where}: keys {sorted(got)} != {sorted(want)}"
        siblings = _scale(v for k, v in want.items() if k not in TIMES)
        for k in want:
            if k not in TIMES:
                _compare(got[k], want[k], f"{where}.{k}", siblings)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        siblings = _scale(want)
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _compare(g, w, f"{where}[{i}]", siblings)
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, int | float) and not isinstance(got, bool), where
        tol = max(1e-30, 1e-9 * scale, 1e-9 if ".uncertainty." in where else 0.0)
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=tol), f"{where}: {got!r} != {want!r}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def test_every_example_has_its_expected_json():
    assert {p.stem for p in EXPECTED} == {p.stem for p in (ROOT / "geometries").glob("*.yaml")}


@pytest.mark.parametrize("expected", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_example_json_is_unchanged(examples, expected):
    # the library's JSON of the shared solve (the command line prints the same: checked below)
    got = json.loads(examples[expected.stem].to_json())
    _compare(got, json.loads(expected.read_text()))


def test_the_command_line_prints_that_json():
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["solve", str(ROOT / "geometries" / "twin_wire.yaml"), "--json"]) == 0
    _compare(json.loads(buf.getvalue()), json.loads((ROOT / "tests/data/examples/twin_wire.json").read_text()))


def _parallel(bars, values, where="$"):
    """``bars`` has the keys and list shapes of ``values`` (the values it has bars of)."""
    if isinstance(bars, dict):
        assert isinstance(values, dict) and set(bars) <= set(values), where
        for k in bars:
            _parallel(bars[k], values[k], f"{where}.{k}")
    elif isinstance(bars, list):
        assert isinstance(values, list) and len(bars) == len(values), where
        for i, (b, v) in enumerate(zip(bars, values, strict=True)):
            _parallel(b, v, f"{where}[{i}]")
    else:
        assert isinstance(bars, float) and isinstance(values, float) and bars >= 0, where


def test_the_loss_error_estimates_mirror_the_values_they_belong_to():
    # rlgc.uncertainty: every key is a value's key in rlgc, with the same shape (the README names
    # each): R, L, G, C, the modes' z_c, gamma, attenuation, eps_eff, and a pair's mixed-mode values
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["solve", str(ROOT / "geometries" / "twin_wire.yaml"), "--freq", "1GHz,10GHz", "--json"]) == 0
    x = json.loads(buf.getvalue())["rlgc"]
    u = x["uncertainty"]
    expected = {"R", "L", "G", "C", "modes", "z_diff", "z_common"}
    expected |= {"attenuation_diff_db_per_m", "attenuation_common_db_per_m"}
    assert set(u) == expected
    _parallel(u, x)
    assert {k for m in u["modes"] for k in m} == {"z_c", "gamma", "attenuation_db_per_m", "eps_eff"}
