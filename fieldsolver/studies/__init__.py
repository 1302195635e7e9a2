"""Design studies on many solves: designs with parameters, sweeps, sensitivity, Monte Carlo and
synthesis, run in batches on Dask with a resumable journal. May import everything below it
(geometry, numerics, physics, post and the solve entry point); never the command line.

One concept per module: :mod:`.design` (what to solve), :mod:`.points` (solving its points, one
or a batch), :mod:`.batch` (where they run: Dask, progress), :mod:`.journal` (the resumable results file), :mod:`.sweep`,
:mod:`.tolerance` (spreads, sensitivity, Monte Carlo) and :mod:`.synthesis` (goal seek)."""

from .batch import Runner, SchedulerUnreachableError
from .design import Design
from .journal import OutputExistsError
from .points import Batch, PointSolver, Task, run_points, solve_point
from .sweep import sweep_points
from .synthesis import Synthesis, Target, Vary, synthesize
from .tolerance import (
    Sensitivity,
    Spec,
    Spread,
    Stats,
    sample_points,
    sensitivities,
    sensitivity_points,
    statistics,
    typical_spread,
)

__all__ = [
    "Batch",
    "Design",
    "OutputExistsError",
    "PointSolver",
    "Runner",
    "SchedulerUnreachableError",
    "Sensitivity",
    "Spec",
    "Spread",
    "Stats",
    "Synthesis",
    "Target",
    "Task",
    "Vary",
    "run_points",
    "sample_points",
    "sensitivities",
    "sensitivity_points",
    "solve_point",
    "statistics",
    "sweep_points",
    "synthesize",
    "typical_spread",
]
