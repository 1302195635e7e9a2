"""Imported once by the fork server of the solve processes (``multiprocessing``'s forkserver
preload, see :mod:`.jobs`): it solves a tiny line so that the solver's kernels are loaded (or
compiled) there, and every solve process forked from it starts warm."""

try:
    from .work import warm

    warm()
except Exception:  # a cold start is slower, not wrong: each process then loads the kernels itself
    pass
