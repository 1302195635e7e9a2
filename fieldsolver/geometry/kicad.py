"""KiCad boards: the stackup, net classes and routed tracks of a ``.kicad_pcb`` (KiCad 6 to 9,
read with kiutils, the ``board`` extra) and its ``.kicad_pro`` (JSON), and the cross-section of
a net class on a copper layer as a ``stackup:`` document: the same model a hand-typed stackup
file gives (:mod:`.stackup` builds both, through :mod:`.loader`).

KiCad lists the stackup top to bottom, heights between copper (as :mod:`.stackup` does, bottom to
top): solder mask, copper layers with their thickness, dielectrics (``core`` or ``prepreg``, with
thickness, ``epsilon_r``, ``loss_tangent`` and material, and sub-layers: a pressed stack of
several sheets). All lengths are in mm.

The structure of a copper layer: its reference planes are the nearest copper layers above and
below it; where the board marks planes (KiCad's layer type ``power``), the nearest such layers,
so that a stripline routed beside another signal layer sees the planes past it (an empty copper
layer in between is kept, filled by its neighbouring prepreg). An outer layer is a microstrip
under its solder mask (one thickness over the laminate and the traces: KiCad gives one). An
inner layer's traces are surrounded by the prepreg beside them (it flows when the board is
pressed), or by the dielectric above where both or neither neighbour is prepreg.
"""

from __future__ import annotations

import fnmatch
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, optional

MASK_TYPES = {"Top Solder Mask": "top", "Bottom Solder Mask": "bottom"}


@dataclass(frozen=True)
class Copper:
    name: str  # F.Cu, In1.Cu, ..., B.Cu
    t: float
    kind: str = "signal"  # KiCad's layer type: signal, power, mixed, jumper


@dataclass(frozen=True)
class Sheet:
    """One dielectric sheet (a stackup layer, or one of its sub-layers)."""

    name: str
    kind: str  # core | prepreg
    h: float
    er: float | None
    tand: float
    material: str | None = None


@dataclass(frozen=True)
class SolderMask:
    t: float
    er: float
    tand: float = 0.0


@dataclass(frozen=True)
class NetClass:
    name: str
    track_width: float | None
    diff_pair_width: float | None = None
    diff_pair_gap: float | None = None


@dataclass(frozen=True)
class Track:
    net: str
    layer: str
    width: float
    length: float
    start: tuple[float, float] = (0.0, 0.0)
    end: tuple[float, float] = (0.0, 0.0)
    straight: bool = True  # a segment (an arc is not)


@dataclass(frozen=True)
class Board:
    path: str
    version: int
    stack: tuple[Copper | Sheet, ...]  # top to bottom, copper and dielectrics only
    masks: dict[str, SolderMask]  # "top", "bottom"
    netclasses: dict[str, NetClass]
    net_class: dict[str, str]  # net -> its class
    tracks: tuple[Track, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def copper(self) -> tuple[Copper, ...]:
        return tuple(c for c in self.stack if isinstance(c, Copper))

    def layer(self, name: str) -> Copper:
        for c in self.copper:
            if c.name == name:
                return c
        raise InputError(f"{self.path}: no copper layer {name!r}; copper layers: {', '.join(self.layer_names)}")

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.copper)

    def nets_of(self, netclass: str) -> list[str]:
        nets = {t.net for t in self.tracks}
        return sorted(n for n in nets if self.net_class.get(n, "Default") == netclass)

    def routed_layers(self, netclass: str) -> list[str]:
        """The copper layers the class's nets are routed on, top to bottom."""
        nets = set(self.nets_of(netclass))
        used = {t.layer for t in self.tracks if t.net in nets}
        return [n for n in self.layer_names if n in used]


# ----------------------------------------------------------------------------------- reading
def read_board(path: str | Path, project: str | Path | None = None) -> Board:
    """The board at ``path`` and the net classes of its project (``project``, default the
    ``.kicad_pro`` beside it; without one, every net is in ``Default`` with no widths)."""
    path = Path(path)
    kiutils_board = optional("kiutils.board", "board", "reading KiCad boards")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        b = kiutils_board.Board.from_file(str(path))
    except Exception as e:  # kiutils raises bare Exceptions on malformed files
        raise InputError(f"{path}: not a KiCad board kiutils can read ({type(e).__name__}: {e})") from None
    version = int(b.version) if str(b.version).isdigit() else 0
    if b.setup.stackup is None or not b.setup.stackup.layers:
        raise InputError(
            f"{path}: the board has no stackup (KiCad 6 or later: Board Setup > Board Stackup > Physical Stackup)"
        )
    kinds = {lt.name: lt.type for lt in b.layers}
    stack, masks = _stack(b.setup.stackup.layers, kinds, str(path))
    nets = {n.number: n.name for n in b.nets}
    tracks = tuple(
        Track(
            nets.get(t.net, ""),
            t.layer,
            float(t.width),
            _length(t),
            (float(t.start.X), float(t.start.Y)),
            (float(t.end.X), float(t.end.Y)),
            type(t).__name__ == "Segment",
        )
        for t in b.traceItems
        if type(t).__name__ in ("Segment", "Arc") and nets.get(t.net)
    )
    notes: list[str] = []
    pro = Path(project) if project is not None else path.with_suffix(".kicad_pro")
    if project is not None or pro.is_file():
        classes, assign = _project(pro, {t.net for t in tracks})
    else:
        classes, assign = {}, {}
        notes.append(f"no project file {pro.name}: no net classes (they are in the .kicad_pro)")
    return Board(str(path), version, stack, masks, classes, assign, tracks, tuple(notes))


def _stack(layers, kinds: dict[str, str], where: str) -> tuple[tuple[Copper | Sheet, ...], dict[str, SolderMask]]:
    stack: list[Copper | Sheet] = []
    masks: dict[str, SolderMask] = {}
    for lay in layers:
        if lay.type == "copper":
            if lay.thickness is None:
                raise InputError(f"{where}: stackup layer {lay.name!r}: no thickness")
            stack.append(Copper(lay.name, float(lay.thickness), kinds.get(lay.name, "signal")))
        elif lay.type in ("core", "prepreg"):
            sheets = [(lay.thickness, lay.epsilonR, lay.lossTangent, lay.material)]
            sheets += [(s.thickness, s.epsilonR, s.lossTangent, s.material) for s in lay.subLayers]
            for i, (h, er, tand, mat) in enumerate(sheets):
                name = lay.name if i == 0 else f"{lay.name} ({i + 1})"
                # a missing thickness or er is an error only where a structure needs the sheet
                h_value = float(h) if h is not None and math.isfinite(h) and h > 0 else math.nan
                er_value = None if er is None else float(er)
                stack.append(Sheet(name, lay.type, h_value, er_value, float(tand or 0.0), mat))
        elif lay.type in MASK_TYPES and lay.thickness:
            masks[MASK_TYPES[lay.type]] = SolderMask(
                float(lay.thickness), float(lay.epsilonR or 3.3), float(lay.lossTangent or 0.0)
            )
    if not any(isinstance(s, Copper) for s in stack):
        raise InputError(f"{where}: the stackup has no copper layers")
    return tuple(stack), masks


def _length(t) -> float:
    return math.hypot(t.end.X - t.start.X, t.end.Y - t.start.Y)


def _project(path: Path, nets: set[str]) -> tuple[dict[str, NetClass], dict[str, str]]:
    """Net classes and each net's class, from a KiCad 6-9 project file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the project file: {e.strerror or e}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not a KiCad project file (JSON): {e.msg}") from None
    settings = data.get("net_settings") if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        raise InputError(f"{path}: no net_settings: not a KiCad 6 or later project file")
    classes: dict[str, NetClass] = {}
    listed: dict[str, str] = {}
    for c in settings.get("classes") or []:
        name = c.get("name")
        if not isinstance(name, str):
            continue
        classes[name] = NetClass(name, _mm(c, "track_width"), _mm(c, "diff_pair_width"), _mm(c, "diff_pair_gap"))
        for n in c.get("nets") or []:  # KiCad 6 and 7
            listed[n] = name
    assign: dict[str, str] = {}
    explicit = settings.get("netclass_assignments") or {}
    patterns = settings.get("netclass_patterns") or []
    for net in nets:
        cls = explicit.get(net)
        if isinstance(cls, list):  # KiCad 9: several classes, the first wins
            cls = cls[0] if cls else None
        if cls is None:
            cls = next(
                (p.get("netclass") for p in patterns if fnmatch.fnmatchcase(net, str(p.get("pattern", "")))), None
            )
        assign[net] = cls or listed.get(net) or "Default"
    return classes, assign


def _mm(c: dict[str, Any], key: str) -> float | None:
    v = c.get(key)
    return float(v) if isinstance(v, int | float) and v > 0 else None


# ------------------------------------------------------------------------- routed pairs
def partner(net: str) -> str | None:
    """The other net of a differential pair, by KiCad's naming (``+``/``-`` or ``P``/``N`` last)."""
    for a, b in (("+", "-"), ("P", "N")):
        if net.endswith(a):
            return net[: -len(a)] + b
    return None


def routed_pairs(board: Board, nets: list[str], layer: str) -> dict[tuple[str, float, float], float]:
    """The pairs among ``nets`` as routed on ``layer``: (``P/N``, width, gap) -> the length routed
    so (mm). Two straight segments of a pair count where they run parallel side by side: the gap
    is the distance between their centre lines less half of each width (their mean width is the
    pair's), up to five widths apart; the length is where they overlap."""
    segs: dict[str, list[Track]] = {}
    for t in board.tracks:
        if t.layer == layer and t.straight and t.net in nets and t.length > 0:
            segs.setdefault(t.net, []).append(t)
    out: dict[tuple[str, float, float], float] = {}
    for p in sorted(segs):
        n = partner(p)
        if n is None or n not in segs:
            continue
        for a in segs[p]:
            ux, uy = (a.end[0] - a.start[0]) / a.length, (a.end[1] - a.start[1]) / a.length
            for b in segs[n]:
                vx, vy = (b.end[0] - b.start[0]) / b.length, (b.end[1] - b.start[1]) / b.length
                if abs(ux * vy - uy * vx) > 1e-3:  # not parallel
                    continue
                dist = abs(ux * (b.start[1] - a.start[1]) - uy * (b.start[0] - a.start[0]))
                t0, t1 = sorted(ux * (q[0] - a.start[0]) + uy * (q[1] - a.start[1]) for q in (b.start, b.end))
                overlap = min(a.length, t1) - max(0.0, t0)
                width = 0.5 * (a.width + b.width)
                gap = dist - width
                if overlap <= 1e-9 or not 0 < gap <= 5 * width:
                    continue
                key = (f"{p}/{n}", round(width, 6), round(gap, 6))
                out[key] = out.get(key, 0.0) + overlap
    return out


# ----------------------------------------------------------------------- a layer's structure
@dataclass(frozen=True)
class LayerStack:
    """The cross-section of signal layer ``layer`` between its reference planes."""

    layer: str
    structure: str  # microstrip | stripline | offset stripline
    references: tuple[str, ...]
    document: dict[str, Any]  # a ``stackup:`` YAML document without traces or parameters
    heights: tuple[tuple[str, float, float], ...]  # (dielectric, h, er), from the trace outwards...
    masked: bool


def layer_stack(board: Board, layer: str, planes: tuple[str, ...] | None = None) -> LayerStack:
    """The stackup between ``layer``'s reference planes (``planes``: their names, else the
    defaults of the module docstring), bottom to top as a ``stackup:`` document in mm: an outer
    layer at the top (the bottom layer is turned over), the mask from the board."""
    names = board.layer_names
    board.layer(layer)
    i = names.index(layer)
    if planes is None:
        marked = any(c.kind == "power" for c in board.copper)
        ok = [j for j, c in enumerate(board.copper) if j != i and (not marked or c.kind == "power")]
        # no marked plane on a side: the nearest copper there (only the outer layers are microstrips)
        above = max((j for j in ok if j < i), default=i - 1 if i > 0 else None)
        below = min((j for j in ok if j > i), default=i + 1 if i < len(names) - 1 else None)
    else:
        for p in planes:
            board.layer(p)
        idx = [names.index(p) for p in planes]
        if i in idx:
            raise InputError(f"--planes {layer}: a layer cannot be its own reference")
        above = max((j for j in idx if j < i), default=None)
        below = min((j for j in idx if j > i), default=None)
        if len(idx) > 2 or sum(j < i for j in idx) > 1 or sum(j > i for j in idx) > 1:
            raise InputError(f"--planes {layer}: give at most one plane above it and one below")
    if above is None and below is None:
        raise InputError(f"{board.path}: layer {layer} has no reference plane (no copper layer above or below it)")
    pos = {c.name: k for k, c in enumerate(board.stack) if isinstance(c, Copper)}
    lo = pos[names[above]] if above is not None else pos[layer]
    hi = pos[names[below]] if below is not None else pos[layer]
    part = list(board.stack[lo : hi + 1])  # top to bottom
    mask = None
    if above is None:  # the top layer: a microstrip, bottom to top as listed in reverse
        items, mask = part[::-1], board.masks.get("top")
    elif below is None:  # the bottom layer: turned over, so its traces face up
        items, mask = part, board.masks.get("bottom")
    else:
        items = part[::-1]
    doc = _document(items, layer, board.path)
    refs = tuple(names[j] for j in (above, below) if j is not None)
    if mask is not None:
        doc["mask"] = {"c1": mask.t, "c2": mask.t, "er": mask.er, "tand": mask.tand}
    kind = "microstrip" if len(refs) == 1 else _stripline_kind(items, layer)
    heights = tuple((s.name, s.h, s.er) for s in items if isinstance(s, Sheet))
    return LayerStack(layer, kind, refs, doc, heights, mask is not None)  # type: ignore[arg-type]


def _stripline_kind(items: list[Copper | Sheet], layer: str) -> str:
    k = next(j for j, s in enumerate(items) if isinstance(s, Copper) and s.name == layer)
    below = sum(s.h for s in items[:k] if isinstance(s, Sheet))
    above = sum(s.h for s in items[k + 1 :] if isinstance(s, Sheet))
    return "stripline" if math.isclose(below, above, rel_tol=1e-9) else "offset stripline"


def _document(items: list[Copper | Sheet], layer: str, where: str) -> dict[str, Any]:
    """Bottom-to-top ``items`` as a ``stackup:`` document: the ends are the planes."""
    out: list[dict[str, Any]] = []
    last = len(items) - 1
    for k, s in enumerate(items):
        if isinstance(s, Sheet):
            if s.er is None:
                raise InputError(f"{where}: stackup layer {s.name!r}: no epsilon_r (dielectric constant)")
            if not s.h > 0:
                raise InputError(f"{where}: stackup layer {s.name!r}: no thickness (or not > 0)")
            entry: dict[str, Any] = {"dielectric": s.name, "h": s.h, "er": s.er}
            if s.tand:
                entry["tand"] = s.tand
            out.append(entry)
        elif s.name != layer and k in (0, last):
            out.append({"plane": s.name, "t": s.t})
        else:
            entry = {"signal": s.name, "t": s.t}
            fill = _fill(items, k)
            if fill is not None:
                entry["fill"] = fill
            out.append(entry)
    return {"units": "mm", "stackup": out}


def _fill(items: list[Copper | Sheet], k: int) -> str | None:
    """The prepreg beside an inner copper layer, when exactly one neighbour is prepreg and it is
    not the one above (the stackup's default)."""
    if k == 0 or k == len(items) - 1:
        return None
    below, above = items[k - 1], items[k + 1]
    if not (isinstance(below, Sheet) and isinstance(above, Sheet)):
        return None
    if below.kind == "prepreg" and above.kind != "prepreg":
        return below.name
    return None
