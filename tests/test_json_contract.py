"""The JSON of every shipped example is a public contract: the same keys, and the same numbers to
1e-9 (relative), as the files in tests/data/examples (written by `fieldsolver solve FILE --json`).
Timings are the only values allowed to differ."""

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


def _compare(got, want, where="$"):
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        assert sorted(got) == sorted(want), f"{where}: keys {sorted(got)} != {sorted(want)}"
        for k in want:
            if k not in TIMES:
                _compare(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _compare(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, int | float) and not isinstance(got, bool), where
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-30), f"{where}: {got!r} != {want!r}"
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
