"""The ``fieldsolver`` command: parse the arguments, call the library, print. Library errors
(:class:`fieldsolver.InputError`) become one line on stderr and exit code 2."""

from .command import entry_point, main

__all__ = ["entry_point", "main"]
