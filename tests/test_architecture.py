"""The architecture is checked, not remembered: the import-linter contracts in pyproject.toml
(layers point down the pipeline; numba, matplotlib, meshio, Dask and pyarrow each in their one
module), and the core install works without the optional extras."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
EXTRAS = ("matplotlib", "meshio", "dask", "distributed", "pyarrow")


def test_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def _without_extras(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter where the optional extras cannot be imported."""
    block = f"import sys\nfor m in {EXTRAS!r}: sys.modules[m] = None\n"
    return subprocess.run([sys.executable, "-c", block + code], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_core_solves_and_reports_without_the_extras():
    out = _without_extras(
        "import fieldsolver as fs\n"
        "from fieldsolver.cli import main\n"
        "r = fs.solve(fs.template('coax', d=1, D=3, er=1), tol=None)\n"
        "print(round(r.z0, 1))\n"
        "sys.exit(main(['calc', 'coax', 'd=1', 'D=3', 'er=1', '--tol', 'none', '--json']))\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "65.9"  # exact: eta0 / (2 pi) ln(D/d) = 65.87 ohm (one grid)


def test_a_missing_extra_is_one_line_naming_it(tmp_path):
    out = _without_extras(
        "from fieldsolver.cli import main\n"
        f"sys.exit(main(['calc', 'coax', 'd=1', 'D=3', 'er=1', '--tol', 'none', '--plot', r'{tmp_path / 'c.png'}']))\n"
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "fieldsolver: error: plotting needs matplotlib, which is not installed: pip install 'fieldsolver[plot]'"
    ]
    assert not list(tmp_path.iterdir())


def test_a_missing_extra_is_named_before_any_solve(tmp_path):
    # a solve that would take minutes: the missing extras are named at once
    slow = "['calc', 'coax', 'd=1', 'D=3', 'er=1', '--tol', '1e-6', '--max-nodes', '100000000'"
    for extra, args, want in (
        ("plot", f"{slow}, '--plot', r'{tmp_path / 'c.png'}']", "plotting needs matplotlib"),
        ("vtk", f"{slow}, '--vtk', r'{tmp_path / 'c.vtu'}']", "the VTK export needs meshio"),
        (
            "studies",
            "['sweep', 'coax', 'D=3', 'er=1', 'd=0.5,1', '--workers', '2', '--quiet']",
            "running on Dask needs distributed",
        ),
        (
            "studies",
            f"['sweep', 'coax', 'D=3', 'er=1', 'd=0.5,1', '--workers', '0', '-o', r'{tmp_path / 't.parquet'}']",
            "a Parquet table needs pyarrow",
        ),
    ):
        out = _without_extras(f"from fieldsolver.cli import main\nsys.exit(main({args}))\n")
        assert out.returncode == 2, out.stderr
        assert (
            out.stderr.strip()
            == f"fieldsolver: error: {want}, which is not installed: pip install 'fieldsolver[{extra}]'"
        )
    assert not list(tmp_path.iterdir())
