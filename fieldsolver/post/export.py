"""Files for other tools: the field on the grid for ParaView (VTK through meshio) and the results
table as CSV. Both are written atomically (a temporary file, then a rename)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..errors import InputError, optional
from ..physics.result import Result
from . import fields
from .output import atomic_path, write_text

VTK_FORMATS = {".vtu": "vtu", ".vtk": "vtk"}


def field_arrays(r: Result) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per node: ``potential_K`` (V) and ``E_K`` (V/m, 3 components, z = 0) for every excitation K
    (the line; odd and even for a pair; each signal, then each propagation mode, for more), and
    ``conductor`` (0: dielectric, k: the k-th conductor of the section, -1: the outer boundary).
    Per cell: ``er``."""
    sol = r.solution
    g = sol.grid
    exc = fields.excitations(r)
    if len(r.signals) > 2:
        exc += [e for k in range(len(r.modes)) for e in fields.excitations(r, f"mode{k + 1}")]
    point: dict[str, np.ndarray] = {}
    for e in exc:
        ex, ey = fields.field_at_nodes(g.x, g.y, e.potential)
        point[f"potential_{e.key}"] = e.potential.ravel()
        point[f"E_{e.key}"] = np.stack([ex.ravel(), ey.ravel(), np.zeros(ex.size)], axis=1)
    owner = sol.raster.owner
    point["conductor"] = np.where(owner >= 0, owner + 1, np.where(owner == -1, 0, -1)).ravel().astype(np.int32)
    return point, {"er": sol.raster.eps.ravel()}


def write_vtk(r: Result, path: str | Path) -> None:
    """The finest grid as quads (x, y in metres, z = 0) with :func:`field_arrays`; ``.vtu``
    (VTK XML) or ``.vtk`` (legacy), which ParaView opens."""
    meshio = optional("meshio", "vtk", "the VTK export")
    path = Path(path)
    fmt = VTK_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: a VTK file is named .vtu or .vtk")
    g = r.solution.grid
    X, Y = np.meshgrid(g.x, g.y)
    points = np.stack([X.ravel(), Y.ravel(), np.zeros(X.size)], axis=1)
    ids = np.arange(g.nodes).reshape(g.ny, g.nx)
    quads = np.stack([ids[:-1, :-1], ids[:-1, 1:], ids[1:, 1:], ids[1:, :-1]], axis=-1).reshape(-1, 4)
    point, cell = field_arrays(r)
    mesh = meshio.Mesh(points, [("quad", quads)], point_data=point, cell_data={k: [v] for k, v in cell.items()})
    with atomic_path(path) as tmp:
        meshio.write(tmp, mesh, file_format=fmt)


UNIT = {"z": "ohm", "eps": "", "delay": "s/m"}


def results_rows(r: Result) -> list[tuple[str, float | None, str, float | None]]:
    """(quantity, value, unit, relative uncertainty) for every value, then the C and L matrices."""
    rows = []
    for key, v in r.values.items():
        unit = next((u for prefix, u in UNIT.items() if key.startswith(prefix)), "")
        rows.append((key, v, unit, (r.uncertainty or {}).get(key)))
    for name, m, unit in (("C", r.capacitance, "F/m"), ("L", r.inductance, "H/m")):
        for i, a in enumerate(r.signals):
            for j, b in enumerate(r.signals):
                rows.append((f"{name}[{a},{b}]", float(m[i, j]), unit, None))
    return rows


def write_csv(r: Result, path: str | Path) -> None:
    """The results table: quantity, value, unit, relative uncertainty (empty where undefined)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["quantity", "value", "unit", "uncertainty"])
    for key, v, unit, u in results_rows(r):
        w.writerow([key, "" if v is None else repr(float(v)), unit, "" if u is None else repr(float(u))])
    write_text(path, buf.getvalue())
