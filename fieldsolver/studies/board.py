"""A KiCad board's controlled-impedance table: for each net class with a target and each copper
layer it is routed on, the structure between that layer's reference planes
(:func:`fieldsolver.geometry.kicad.layer_stack`), the impedance of the class's width (and gap),
the routed nets whose widths miss the target, and the width that hits it
(:func:`fieldsolver.studies.synthesis.synthesize`, the gap kept at the class's).

Each (class, layer) is a YAML ``stackup:`` design with parameters ``w`` (and ``s``): the model a
hand-typed stackup file of the same board gives. A mistake that concerns one class or layer (a
class never routed, a differential target on a class without a diff pair, a dielectric without
er) is reported in ``BoardResult.errors`` and the rest of the board is still solved.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .. import api
from ..errors import InputError
from ..geometry.kicad import Board, LayerStack, layer_stack, routed_pairs
from ..numerics.grid import MeshOptions
from . import batch
from .design import Design
from .points import Task, solve_point
from .synthesis import Target as SynthTarget
from .synthesis import Vary, synthesize

DEFAULT_TOLERANCE = 0.10  # a target without +-: 10 %, the usual fab tolerance
METRE_PER_INCH = 0.0254


@dataclass(frozen=True)
class Target:
    """``NETCLASS=VALUE[diff|se][+-TOL[%]]``: e.g. ``USB=90diff+-10%``, ``RF=50se+-5%``."""

    netclass: str
    value: float
    mode: str  # "diff" | "se"
    tolerance: float = DEFAULT_TOLERANCE  # relative

    @property
    def quantity(self) -> str:
        return "z_diff" if self.mode == "diff" else "z0"

    def __str__(self) -> str:
        return f"{self.value:g} ohm {self.mode} +-{100 * self.tolerance:g} %"

    @staticmethod
    def parse(text: str) -> Target:
        m = re.fullmatch(
            r"\s*([^=]+?)\s*=\s*([0-9.eE+]+)\s*(diff|se)?\s*(?:\+-|±)?\s*(?:([0-9.]+)\s*(%|ohm)?)?\s*", text
        )
        if not m or (m.group(4) is None and "+-" in text):
            raise InputError(f"--target {text!r}: expected NETCLASS=VALUE[diff|se][+-TOL%], e.g. USB=90diff+-10%")
        name, value, mode, tol, tol_unit = m.groups()
        try:
            z = float(value)
        except ValueError:
            raise InputError(f"--target {text!r}: {value!r} is not a number") from None
        if not (math.isfinite(z) and z > 0):
            raise InputError(f"--target {text!r}: the impedance must be > 0")
        rel = DEFAULT_TOLERANCE
        if tol is not None:
            rel = float(tol) / 100 if tol_unit in (None, "%") else float(tol) / z
            if not 0 < rel < 1:
                raise InputError(f"--target {text!r}: the tolerance must be between 0 and 100 %")
        return Target(name, z, mode or "se", rel)


@dataclass(frozen=True)
class RoutedNet:
    """A routed net's width on a layer that gives an impedance outside the target."""

    net: str  # a pair: "P/N"
    width: float
    length: float  # mm routed at that width (and gap)
    value: float
    uncertainty: float
    gap: float | None = None  # a pair's gap as routed


@dataclass
class Row:
    """One (net class, layer)."""

    netclass: str
    layer: str
    structure: str
    references: tuple[str, ...]
    heights: tuple[tuple[str, float, float], ...]  # (dielectric, h mm, er) from the bottom up
    mask: dict[str, float] | None
    quantity: str  # z0 | z_diff
    width: float
    gap: float | None
    w_top: float
    value: float
    uncertainty: float  # relative
    delay: float  # s/m of the mode the target is on
    target: Target | None = None
    synthesized_width: float | None = None
    synthesized_gap: float | None = None
    synthesized_value: float | None = None
    synthesized_uncertainty: float | None = None
    width_range: tuple[float, float] | None = None  # widths within the target's tolerance (linearised)
    synthesis_note: str = ""  # why no width was synthesized
    outside: list[RoutedNet] = field(default_factory=list)
    nets: tuple[str, ...] = ()

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return abs(self.value / self.target.value - 1) <= self.target.tolerance

    def to_dict(self) -> dict[str, Any]:
        t = self.target
        return {
            "netclass": self.netclass,
            "layer": self.layer,
            "structure": self.structure,
            "references": list(self.references),
            "dielectrics": [{"name": n, "h": h, "er": er} for n, h, er in self.heights],
            "mask": self.mask,
            "width": self.width,
            "gap": self.gap,
            "w_top": self.w_top,
            "quantity": self.quantity,
            "value": self.value,
            "uncertainty": self.uncertainty,
            "delay_per_inch": self.delay * METRE_PER_INCH,
            "target": None if t is None else t.value,
            "tolerance": None if t is None else t.tolerance,
            "pass": self.passed,
            "synthesized_width": self.synthesized_width,
            "synthesized_gap": self.synthesized_gap,
            "synthesized_value": self.synthesized_value,
            "width_range": None if self.width_range is None else list(self.width_range),
            "synthesis_note": self.synthesis_note,
            "nets": list(self.nets),
            "outside": [
                {
                    "net": n.net,
                    "width": n.width,
                    "gap": n.gap,
                    "length": n.length,
                    "value": n.value,
                    "uncertainty": n.uncertainty,
                }
                for n in self.outside
            ],
        }


@dataclass
class BoardResult:
    board: Board
    rows: list[Row]
    errors: list[str]  # one line per class or layer that could not be solved (a user mistake)

    def to_dict(self) -> dict[str, Any]:
        return {
            "board": self.board.path,
            "kicad_version": self.board.version,
            "layers": list(self.board.layer_names),
            "rows": [r.to_dict() for r in self.rows],
            "errors": list(self.errors),
            "notes": list(self.board.notes),
        }


@dataclass(frozen=True)
class Solve:
    tol: float | None = api.TOL
    max_nodes: int = api.MAX_NODES
    options: MeshOptions | None = None


# ------------------------------------------------------------------------------------ designs
def design(
    board: Board, stack: LayerStack, width: float, gap: float | None = None, name: str = "", etch: float | None = None
) -> Design:
    """The cross-section of ``stack`` with one trace of ``width`` (or a pair at ``gap``) as a
    ``stackup:`` design with parameters ``w`` (and ``s``), mm; ``etch``: the fab's etch factor
    (copper thickness over the undercut of each side: ``w_top = w - 2 t / etch``), else
    rectangular traces."""
    doc = dict(stack.document)
    params: dict[str, float] = {"w": width} if gap is None else {"w": width, "s": gap}
    doc["parameters"] = params
    if gap is None:
        doc["traces"] = [{"name": "line", "layer": stack.layer, "x": 0.0, "w": "w"}]
    else:
        doc["traces"] = [
            {"name": "P", "layer": stack.layer, "x": "-(s + w) / 2", "w": "w"},
            {"name": "N", "layer": stack.layer, "x": "(s + w) / 2", "w": "w"},
        ]
    if etch is not None:
        for tr in doc["traces"]:
            tr["etch"] = etch
    text = yaml.safe_dump(doc, sort_keys=False)
    return Design(name or f"{board.path} {stack.layer}", params, "mm", text)


def _point(d: Design, changes: dict[str, float], how: Solve) -> dict:
    row = solve_point(Task(d, "0", changes, how.tol, how.max_nodes, 0, how.options))
    if row.get(batch.STATUS) != "ok":
        raise InputError(f"{d.name}: {row.get(batch.ERROR)}")
    return row


# ---------------------------------------------------------------------------------- the table
def board_table(
    board: Board,
    targets: list[Target] | None = None,
    *,
    planes: dict[str, tuple[str, ...]] | None = None,
    how: Solve | None = None,
    synthesize_widths: bool = True,
    etch: float | None = None,
) -> BoardResult:
    """Solve every (net class with a target, layer it is routed on); without targets, every
    routed class with its track width (and its diff pair, if it has one), no pass or fail.
    ``etch``: the fab's etch factor (see :func:`design`)."""
    if etch is not None and not (math.isfinite(etch) and etch > 0):
        raise InputError(f"etch factor must be > 0, got {etch}")
    how = how or Solve()
    planes = planes or {}
    errors: list[str] = []
    for layer in planes:
        board.layer(layer)
    jobs: list[tuple[str, str, Target | None]] = []  # (class, mode, target)
    if targets:
        for t in targets:
            cls = board.netclasses.get(t.netclass)
            if cls is None:
                known = ", ".join(board.netclasses) or "none (no project file)"
                errors.append(f"--target {t.netclass}: no such net class; classes: {known}")
            elif t.mode == "diff" and (cls.diff_pair_width is None or cls.diff_pair_gap is None):
                errors.append(
                    f"--target {t.netclass}: a differential target, but net class {t.netclass} has no diff pair width and gap"
                )
            elif t.mode == "se" and cls.track_width is None:
                errors.append(f"--target {t.netclass}: net class {t.netclass} has no track width")
            else:
                jobs.append((t.netclass, t.mode, t))
    else:
        for name, cls in board.netclasses.items():
            if cls.track_width is not None:
                jobs.append((name, "se", None))
            if cls.diff_pair_width is not None and cls.diff_pair_gap is not None:
                jobs.append((name, "diff", None))
    rows: list[Row] = []
    for name, mode, target in jobs:
        layers = board.routed_layers(name)
        if not layers:
            if target is not None:
                errors.append(f"net class {name}: never routed on this board (no track of its nets)")
            continue
        for layer in layers:
            try:
                rows.append(_row(board, name, mode, target, layer, planes.get(layer), how, synthesize_widths, etch))
            except InputError as e:
                errors.append(f"net class {name} on {layer}: {e}")
    return BoardResult(board, rows, errors)


def _row(board, name, mode, target, layer, planes, how: Solve, synth: bool, etch: float | None) -> Row:
    cls = board.netclasses[name]
    stack = layer_stack(board, layer, planes)
    width = cls.diff_pair_width if mode == "diff" else cls.track_width
    gap = cls.diff_pair_gap if mode == "diff" else None
    q = "z_diff" if mode == "diff" else "z0"
    d = design(board, stack, width, gap, f"{name} on {layer}", etch)
    t = board.layer(layer).t
    base = _point(d, {}, how)
    row = Row(
        netclass=name,
        layer=layer,
        structure=stack.structure,
        references=stack.references,
        heights=stack.heights,
        mask=stack.document.get("mask"),
        quantity=q,
        width=width,
        gap=gap,
        w_top=width if etch is None else width - 2 * t / etch,
        value=base[q],
        uncertainty=base.get(f"u_{q}") or 0.0,
        delay=base["delay_odd" if mode == "diff" else "delay"],
        target=target,
        nets=tuple(n for n in board.nets_of(name) if any(t.net == n and t.layer == layer for t in board.tracks)),
    )
    if target is None:
        return row
    row.outside = _outside(board, d, row, target, how)
    if synth:
        _synthesize(d, row, target, how)
    return row


def _outside(board: Board, d: Design, row: Row, target: Target, how: Solve) -> list[RoutedNet]:
    """The routed widths of the class's nets on this layer that miss the target (a pair's width
    and gap as routed, where its two nets run side by side)."""
    lengths: dict[tuple[str, float, float | None], float] = {}
    if row.gap is None:
        for t in board.tracks:
            if t.layer == row.layer and t.net in row.nets:
                key = (t.net, round(t.width, 6), None)
                lengths[key] = lengths.get(key, 0.0) + t.length
    else:
        lengths.update(routed_pairs(board, list(row.nets), row.layer))
    q = row.quantity
    solved = {(round(row.width, 6), row.gap): {q: row.value, f"u_{q}": row.uncertainty}}
    out = []
    for (net, width, gap), length in sorted(lengths.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)):
        if (width, gap) not in solved:
            solved[width, gap] = _point(d, {"w": width} if gap is None else {"w": width, "s": gap}, how)
        p = solved[width, gap]
        if abs(p[q] / target.value - 1) > target.tolerance:
            out.append(RoutedNet(net, width, length, p[q], p.get(f"u_{q}") or 0.0, gap))
    return out


def _synthesize(d: Design, row: Row, target: Target, how: Solve) -> None:
    """The width that hits the target (the gap kept), and the widths within its tolerance."""
    q = row.quantity
    s = synthesize(
        d,
        [SynthTarget(q, target.value)],
        [Vary("w", row.width / 4, row.width * 4)],
        lambda changes: solve_point(Task(d, "0", changes, how.tol, how.max_nodes, 0, how.options)),
    )
    if not s.reached:
        row.synthesis_note = s.message
        return
    w = s.params["w"]
    row.synthesized_width, row.synthesized_gap = w, row.gap
    row.synthesized_value, row.synthesized_uncertainty = s.row[q], s.row.get(f"u_{q}")
    # the widths within the tolerance, from the slope at the solution (one more solve)
    p = _point(d, {"w": w * 1.05}, how)
    slope = (p[q] - s.row[q]) / (0.05 * w)
    if slope < 0:
        half = target.tolerance * target.value / -slope
        row.width_range = (max(w - half, 0.25 * w), w + half)
