"""Length units of cross-section files, templates and the command line: name -> metres."""

UNITS = {"mm": 1e-3, "um": 1e-6, "mil": 25.4e-6, "in": 25.4e-3, "m": 1.0}
DEFAULT_UNITS = "mm"
