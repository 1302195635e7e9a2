"""A command loads only what it uses: ``fieldsolver --help`` neither the solver (numba, scipy) nor
the verbs' modules, ``calc`` not the design tools, the board reader or scipy's optimizers, and
``import fieldsolver`` not the solver until a name needs it. Each is checked in a fresh process
by the modules it ends up with (timings depend on the machine; these do not)."""

import json
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
        "fieldsolver.studies.check",
        "fieldsolver.post.plot",
        "fieldsolver.physics.formulas",
    }
    assert not unused & mods, unused & mods


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
