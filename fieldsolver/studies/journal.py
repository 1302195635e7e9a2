"""The results file of a batch: a CSV file that each finished point is appended to, one whole line
at a time, so an interrupted run (Ctrl-C, a killed worker or client) loses no finished point;
``resume`` reads it back and only the missing (or failed) points are run again.

Every row carries the fingerprint of the design it was solved for (column ``design``: a hash of
the template or the file's content, the fixed parameters, units, tolerance, node budget and grid
options), so a resumed run never takes another design's results: a file written for a different
design, by an older fieldsolver (no ``design`` column), or that is not a results file at all
(binary, not UTF-8, a cut or garbled row before the last) is refused in one line.
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
DESIGN = "design"  # the fingerprint of the design a row was solved for
MAX_BYTES = 256 * 2**20  # a results file read back (100,000 points take about 50 MB)
TEXT = (ID, STATUS, ERROR, DESIGN)  # columns kept as text (the others are numbers where they parse)


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
    design: str | None = None  # the fingerprint every row read back must carry (None: not checked)

    def open(self, resume: bool) -> dict[str, dict]:
        """The rows (by id) finished by an earlier run, when resuming; nothing is written yet.
        Without ``resume`` an existing file is an error (:class:`OutputExistsError`), never overwritten."""
        if not self.path.parent.is_dir():
            raise InputError(f"{self.path}: folder {self.path.parent} does not exist")
        if self.path.exists() and not self.path.is_file():
            raise InputError(
                f"{self.path}: not a regular file; the results table is appended to as points finish "
                "and read back by --resume: give a file name"
            )
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
        if self.path.stat().st_size > MAX_BYTES:
            raise InputError(f"{self.path}: larger than {MAX_BYTES // 2**20} MiB: not a results file of fieldsolver")
        try:
            text = self.path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{self.path}: not a results file of fieldsolver (binary or not UTF-8)") from None
        except OSError as e:
            raise InputError(f"{self.path}: cannot read: {e.strerror}") from None
        if "\0" in text:
            raise InputError(f"{self.path}: not a results file of fieldsolver (binary)")
        if not text.endswith("\n"):  # a line cut short by a crash: drop it
            text = text[: text.rfind("\n") + 1]
        reader = csv.reader(io.StringIO(text))
        try:
            header = next(reader, None)
            body = list(reader)
        except csv.Error as e:
            raise InputError(f"{self.path}:{reader.line_num}: not a results file of fieldsolver ({e})") from None
        if header != self.columns:
            older = header and DESIGN in self.columns and header == [c for c in self.columns if c != DESIGN]
            why = (
                "it was written by an older fieldsolver, whose results do not say which design they are of"
                if older
                else "it was written by a different command"
            )
            raise InputError(
                f"{self.path}: its columns ({', '.join(header or [])}) are not this run's "
                f"({', '.join(self.columns)}): {why}; choose another file"
            )
        rows = {}
        for n, cells in enumerate(body, start=2):
            if len(cells) != len(header):
                raise InputError(
                    f"{self.path}:{n}: {len(cells)} cells where the header has {len(header)}: "
                    "not a results file of fieldsolver, or edited; choose another file"
                )
            row = dict(zip(header, cells, strict=True))
            if self.design is not None and row.get(DESIGN) != self.design:
                raise InputError(
                    f"{self.path}:{n}: its results are of a different design (another template or file, "
                    "fixed parameters, units, --tol, --max-nodes or grid options): resume with the same "
                    "command, or choose another file"
                )
            rows[row[ID]] = {k: (v if k in TEXT else _parse(v)) for k, v in row.items()}
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
