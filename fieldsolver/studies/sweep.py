"""Sweeps: every combination of some parameters' values, as the points of a batch."""

from __future__ import annotations

import itertools


def sweep_points(axes: dict[str, list[float]]) -> list[tuple[str, dict[str, float]]]:
    """Every combination of the axes' values (the last axis varying fastest), numbered."""
    names = list(axes)
    return [(str(i), dict(zip(names, combo, strict=True))) for i, combo in enumerate(itertools.product(*axes.values()))]
