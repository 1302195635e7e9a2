"""Shared solves: each shipped example solved once per test run, at the default tolerance."""

from pathlib import Path

import pytest

import fieldsolver as fs

GEOMETRIES = Path(__file__).parents[1] / "geometries"


class Examples:
    """``examples[name]``: the Result of ``geometries/NAME.yaml`` at the default tolerance."""

    def __init__(self):
        self._solved: dict[str, fs.Result] = {}

    def __getitem__(self, name: str) -> fs.Result:
        if name not in self._solved:
            self._solved[name] = fs.solve(GEOMETRIES / f"{name}.yaml")
        return self._solved[name]


@pytest.fixture(scope="session")
def examples() -> Examples:
    return Examples()
