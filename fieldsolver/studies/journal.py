"""The results file of a batch: a CSV file that each finished point is appended to, one whole line
at a time, so an interrupted run (Ctrl-C, a killed worker or client) loses no finished point;
``resume`` reads it back and only the missing (or failed) points are run again.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..post.output import write_text

ID = "id"
STATUS = "status"  # ok | failed
ERROR = "error"


class OutputExistsError(InputError):
    """The results file is there already: resume that run or choose another file (it is never
    overwritten)."""

    def __init__(self, path: Path):
        super().__init__(f"{path} exists: resume that run or choose another file")
        self.path = path


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _parse(v: str) -> Any:
    if v == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return v
    return f if math.isfinite(f) or v.lower() in ("inf", "-inf", "nan") else v


@dataclass
class Journal:
    """The results file of a batch, appended a whole line per finished point."""

    path: Path
    columns: list[str]

    def open(self, resume: bool) -> dict[str, dict]:
        """The rows (by id) finished by an earlier run, when resuming; nothing is written yet.
        Without ``resume`` an existing file is an error (:class:`OutputExistsError`), never overwritten."""
        if not self.path.parent.is_dir():
            raise InputError(f"{self.path}: folder {self.path.parent} does not exist")
        if self.path.exists() and not resume:
            raise OutputExistsError(self.path)
        if not self.path.exists():
            return {}
        # failed points are tried again
        return {k: r for k, r in self._read().items() if r.get(STATUS) == "ok"}

    def begin(self, rows: Iterable[dict]) -> None:
        """Start the file with the header and the ``rows`` kept from an earlier run."""
        self._rewrite(rows)

    def _read(self) -> dict[str, dict]:
        text = self.path.read_text(encoding="utf-8")
        if not text.endswith("\n"):  # a line cut short by a crash: drop it
            text = text[: text.rfind("\n") + 1]
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header != self.columns:
            raise InputError(
                f"{self.path}: its columns ({', '.join(header or [])}) are not this run's "
                f"({', '.join(self.columns)}): it was written by a different command"
            )
        rows = {}
        for cells in reader:
            if len(cells) == len(header):
                row = dict(zip(header, cells, strict=True))
                rows[row[ID]] = {k: (v if k in (ID, STATUS, ERROR) else _parse(v)) for k, v in row.items()}
        return rows

    def _rewrite(self, rows: Iterable[dict]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in self.columns])
        write_text(self.path, buf.getvalue())

    def append(self, row: dict) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([_cell(row.get(c)) for c in self.columns])
        # one write of a whole line with O_APPEND: a crash leaves whole lines (or a cut last line)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, buf.getvalue().encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
