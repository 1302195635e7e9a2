"""What one input may ask for. Each limit is checked before the work or memory it would cost
(reading, parsing, expanding YAML aliases, evaluating an expression, building a polygon or a
batch), and going past it is one :class:`InputError` line naming the limit, never a traceback, a
hang or a memory blow-up. The values are far above any real cross-section or study."""

from __future__ import annotations

from ..errors import InputError

MAX_INPUT_BYTES = 4 * 2**20  # a cross-section file (the shipped ones are under 5 kB)
MAX_YAML_NODES = 100_000  # values in a file, with every YAML alias expanded
MAX_YAML_DEPTH = 64  # mappings and lists inside each other
MAX_NUMBER_DIGITS = 300  # an integer literal (a float holds up to about 1e308)
MAX_EXPRESSION_CHARS = 1_000  # an expression of a file's parameters
MAX_EXPRESSION_DEPTH = 100  # operators inside each other in one expression
MAX_POLYGON_POINTS = 1_000  # vertices of one polygon
MAX_SHAPES = 2_000  # conductors + dielectrics (+ stackup entries and traces) of one section
MAX_PERMITTIVITY = 1e6  # a relative permittivity (ceramics reach 1e4); beyond, the solve is singular
MAX_COORDINATE = 100.0  # metres: the largest finite coordinate (a cable is millimetres across)
MAX_BATCH_POINTS = 100_000  # the points of one sweep or Monte Carlo run (each a field solve)


def check_count(what: str, n: int, limit: int, where: str = "") -> None:
    """``n`` of ``what`` within ``limit``, else one line."""
    if n > limit:
        at = f"{where}: " if where else ""
        raise InputError(f"{at}{n:,} {what}: at most {limit:,} are allowed")
