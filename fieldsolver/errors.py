"""The errors a user can cause, and optional dependencies. Imports nothing of fieldsolver's:
every layer may use it."""

from __future__ import annotations

import importlib
from types import ModuleType


class InputError(ValueError):
    """A mistake in the user's input: reported as one line, exit code 2, no traceback."""


class MissingExtraError(InputError):
    """An optional part of fieldsolver is used whose dependencies are not installed."""


def optional(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module``, which the ``extra`` of the package provides; if it is missing, say in one
    line what to install (``purpose``: what it is needed for, e.g. "plotting")."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingExtraError(
            f"{purpose} needs {top}, which is not installed: pip install 'fieldsolver[{extra}]'"
        ) from None
