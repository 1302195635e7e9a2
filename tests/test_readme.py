"""The Python examples a user copies first run as written: every ```python block of README.md and
the example in the package docstring (fieldsolver/__init__.py).

Each block is run top to bottom like a notebook cell (the value of every bare expression is kept,
print output captured), with the repository root as the working directory when it reads a file
from geometries/, else in an empty temporary directory. Besides running without error, the values
they show are checked against sources of their own:

* README: the pair is the USB 2.0 board's L1 pair (geometries/usb2_diff_microstrip.yaml: the L2
  plane shields the layers below it), so its Zdiff and Zcommon must lie within their error bars
  of that board solved to tol 2e-4 (tests/test_examples.py); RG-58 at tol 1e-4 must lie within
  1e-4 of the exact coax formula, with d, D and er read from the YAML file.
* docstring: a zero-thickness microstrip, within 0.3 % of Hammerstad-Jensen (the reference's
  stated accuracy, as in tests/test_exact.py).

The docstring example has ``>>>`` lines without expected output, so it cannot run as a doctest:
it is run here the same way as the README blocks.
"""

import ast
import contextlib
import io
import json
import re
from pathlib import Path

import pytest
import yaml

import fieldsolver
from fieldsolver.physics import formulas as F

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)

# Zdiff, Zcommon of the USB board solved to tol 2e-4: (ohm, bar in ohm), see tests/test_examples.py
USB_TIGHT = {"z_diff": (90.3362, 0.0116), "z_common": (33.9521, 0.0034)}


def _docstring_example() -> str:
    lines = [ln.strip() for ln in (fieldsolver.__doc__ or "").splitlines()]
    return "\n".join(ln[4:] for ln in lines if ln.startswith((">>> ", "... ")))


def run_cell(code: str, cwd: Path, monkeypatch) -> tuple[dict[str, object], list[tuple[str, object]], str]:
    """Run ``code`` statement by statement in a fresh namespace; return the namespace, the
    (source, value) of every bare expression other than a print(), and what it printed."""
    monkeypatch.chdir(cwd)
    tree = ast.parse(code)
    ns: dict[str, object] = {"__name__": "__readme__"}
    shown: list[tuple[str, object]] = []
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for node in tree.body:
            src = ast.get_source_segment(code, node)
            printing = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and _name(node.value) == "print"
            if isinstance(node, ast.Expr) and not printing:
                shown.append((src, eval(compile(ast.Expression(node.value), "<readme>", "eval"), ns)))
            else:
                exec(compile(ast.Module([node], []), "<readme>", "exec"), ns)
    return ns, shown, out.getvalue()


def _name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _cwd(code: str, tmp_path: Path) -> Path:
    return ROOT if "geometries/" in code else tmp_path


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 1
    assert _docstring_example().startswith("import fieldsolver")


@pytest.fixture(scope="module")
def readme_runs(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        return [run_cell(code, _cwd(code, tmp_path_factory.mktemp("readme")), mp) for code in BLOCKS]
    finally:
        mp.undo()


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_readme_block_runs(readme_runs, i):
    _, shown, _ = readme_runs[i]
    # every bare expression of the examples shows something: no None, no empty tuple
    assert all(v is not None and v != () for _, v in shown)


def _shown(shown, source):
    (value,) = [v for s, v in shown if s.startswith(source)]
    return value


def test_readme_quick_start_values(readme_runs):
    (ns, shown, out) = next(run for run, code in zip(readme_runs, BLOCKS, strict=True) if "coax_rg58" in code)
    z_diff, z_common, c = _shown(shown, "r.z_diff, r.z_common, r.capacitance")
    u, converged = _shown(shown, 'r.uncertainty["z_diff"], r.accuracy')
    assert converged is True and 0 < u <= 1e-3
    assert c.shape == (2, 2)
    value, bar = USB_TIGHT["z_diff"]
    assert abs(z_diff - value) <= u * z_diff + bar
    # Zcommon's own bar is not shown; converged, it is at most the default tol
    value, bar = USB_TIGHT["z_common"]
    assert abs(z_common - value) <= 1e-3 * z_common + bar

    rg58 = yaml.safe_load((ROOT / "geometries" / "coax_rg58.yaml").read_text())
    (inner, braid) = rg58["conductors"]
    exact = F.coax_z0(2 * inner["circle"]["radius"], 2 * braid["ring"]["inner_radius"], rg58["background"]["er"])
    r = ns["r"]
    z0, _, _ = _shown(shown, "r.z0, r.eps_eff, r.delay")
    assert r.accuracy.tol == 1e-4 and r.accuracy.converged
    # within the tol asked for (measured 0.0038 %); its bar (0.0027 %) falls short of that, like
    # the coax's in tests/test_exact.py
    assert abs(z0 / exact - 1) < 1e-4 and r.uncertainty["z0"] <= 1e-4
    printed = json.loads(out)
    assert printed["z0"] == z0 and printed["accuracy"]["tol"] == 1e-4


def test_docstring_example_runs(tmp_path, monkeypatch):
    _, shown, _ = run_cell(_docstring_example(), tmp_path, monkeypatch)
    ((_, (z0, eps_eff)),) = shown
    z_hj, e_hj = F.microstrip_hammerstad_jensen(0.3, 0.17, 4.3)
    assert abs(z0 / z_hj - 1) < 3e-3
    assert abs(eps_eff / e_hj - 1) < 3e-3
