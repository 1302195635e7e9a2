"""A command loads only what it uses: ``fieldsolver --help`` neither the solver (numba, scipy) nor
the verbs' modules, ``calc`` not the design tools, the board reader, scipy's optimizers, plotting
or Dask, and ``import fieldsolver`` not the solver until a name needs it. Each is checked in a
fresh process by the modules it ends up with (timings depend on the machine; these do not).

scipy.linalg is loaded by every solve and is not checked here: numba imports it on its first
compiled call, cached or not (numba.np.arraymath looks for scipy's BLAS), and the multigrid's
coarsest level is solved with scipy.sparse.linalg's LU, which imports it too."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldsolver.cli import command

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after ``code`` (its output is discarded)."""
    script = (
        "import contextlib, io, json, sys\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        + "".join(f"    {line}\n" for line in code.splitlines())
        + "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_help_loads_neither_the_solver_nor_the_verbs():
    mods = _modules_after("from fieldsolver.cli import entry_point\nassert entry_point(['--help']) == 0")
    heavy = {"numba", "scipy", "matplotlib", "fieldsolver.numerics.kernels", "fieldsolver.studies.design"}
    assert not heavy & mods, heavy & mods
    verbs = {"fieldsolver.cli.study", "fieldsolver.cli.check", "fieldsolver.cli.board", "fieldsolver.cli.arguments"}
    assert not verbs & mods, verbs & mods


def test_calc_loads_the_solver_but_not_the_other_verbs():
    mods = _modules_after(
        "from fieldsolver.cli import entry_point\n"
        "assert entry_point(['calc', 'coax', 'd=1', 'D=2.3', 'er=2.2', '--tol', 'none']) == 0"
    )
    assert "fieldsolver.numerics.kernels" in mods  # it did solve
    unused = {
        "scipy.optimize",  # closed forms and mode matching only
        "fieldsolver.cli.study",
        "fieldsolver.cli.check",
        "fieldsolver.cli.board",
        "fieldsolver.cli.catalogue",
        "fieldsolver.studies",  # the design tools: cli.arguments imports them where a study parses
        "fieldsolver.studies.design",
        "fieldsolver.studies.synthesis",
        "fieldsolver.studies.tolerance",
        "fieldsolver.studies.batch",
        "fieldsolver.studies.check",
        "fieldsolver.post.plot",
        "fieldsolver.physics.formulas",
        "fieldsolver.physics.loss",  # no --freq
        "fieldsolver.numerics.magnetic",
        "fieldsolver.web",
        "matplotlib",
        "dask",
        "distributed",
        "meshio",
        "skrf",
    }
    assert not unused & mods, unused & mods


def test_the_report_module_does_not_load_the_solver():
    # the command imports the report after the solve; a program that formats a saved result
    # does not wait for numba
    mods = _modules_after("import fieldsolver.post.report")
    assert not {"numba", "fieldsolver.numerics.kernels", "fieldsolver.numerics.refine"} & mods


def test_the_command_line_collector_setting_ends_with_the_command():
    # entry_point collects young objects less often while it runs, then restores the setting;
    # at exit (after the handlers registered later, which run first) it freezes what is left
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit', gc.get_freeze_count() > 0))\n"
        "before = gc.get_threshold()\n"
        "from fieldsolver.cli import command\n"
        "seen = []\n"
        "real = command._entry\n"
        "command._entry = lambda argv: seen.append(gc.get_threshold()) or real(argv)\n"
        "assert command.entry_point(['templates']) == 0\n"
        "assert seen[0][0] == command.GC_YOUNG, seen\n"
        "assert gc.get_threshold() == before, (gc.get_threshold(), before)\n"
        "assert gc.get_freeze_count() == 0\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.splitlines()[-1] == "frozen at exit True"


def test_import_fieldsolver_defers_the_solver_until_a_name_needs_it():
    assert "numba" not in _modules_after("import fieldsolver")
    assert "fieldsolver.api" in _modules_after("import fieldsolver\nfieldsolver.solve")
    import fieldsolver

    assert {"solve", "load", "CrossSection", "MeshOptions", "Result", "template"} <= set(dir(fieldsolver))
    assert fieldsolver.InputError is command.InputError
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = fieldsolver.nothing


def test_the_top_level_help_lines_are_the_verbs_own():
    # the command lists every verb from its table without importing the verbs' modules: each line
    # must be the one the verb's module gives its parser
    full = command._parser()  # every verb's module
    (sub,) = [a for a in full._actions if a.dest == "verb"]
    own = {a.dest: a.help for a in sub._choices_actions}
    assert list(own) == list(command.VERBS)
    assert own == {verb: line for verb, (_, line) in command.VERBS.items()}


@pytest.mark.parametrize("verb", list(command.VERBS))
def test_each_verb_parses_its_help_alone(verb, capsys):
    # --help of each verb, with only that verb's module behind the parser
    with pytest.raises(SystemExit) as done:
        command.main([verb, "--help"])
    assert done.value.code == 0
    assert f"usage: fieldsolver {verb}" in capsys.readouterr().out


@pytest.mark.slow
def test_warm_compiles_every_kernel_into_an_empty_cache(tmp_path):
    # the install-time step the README names: afterwards nothing is compiled again, neither by a
    # second warm-up nor by a solve (every kernel it calls is a cache hit)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    warm = [sys.executable, "-m", "fieldsolver.numerics.warm"]
    first = subprocess.run(warm, capture_output=True, text=True, cwd=ROOT, env=env)
    assert first.returncode == 0, first.stderr
    assert " 0 compiled now" not in first.stdout, first.stdout
    second = subprocess.run(warm, capture_output=True, text=True, cwd=ROOT, env=env)
    assert second.returncode == 0 and " 0 compiled now" in second.stdout, second.stdout
    check = (
        "from fieldsolver.cli import main\n"
        "from fieldsolver.numerics import kernels, warm\n"
        "assert main(['calc', 'coupled_microstrip', 'w=0.2', 's=0.2', 'h=0.2', 'er=4.3', '--tol', '1e-2']) == 0\n"
        "used = {n: d.stats for n, d in warm._dispatchers().items() if d.signatures}\n"
        "assert used and all(sum(s.cache_hits.values()) and not s.cache_misses for s in used.values()), used\n"
    )
    subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
