"""Hostile input: output targets that must not be replaced, journals from another design,
unexpected errors, and inputs too large to read, parse or solve. Each ends in one line."""

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fieldsolver.cli import main
from fieldsolver.errors import InputError
from fieldsolver.post import output

ROOT = Path(__file__).resolve().parent.parent
GEOMETRIES = ROOT / "geometries"
QUICK = ("calc", "coax", "d=1", "D=2.3", "er=2.2", "--tol", "none")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli(*argv, timeout=120, **kw):
    """The installed command in a subprocess (what a user sees: exit code, stdout, stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "fieldsolver.cli", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        **kw,
    )


# ------------------------------------------------------------------------------------ output files
def test_a_new_and_a_replaced_file_are_whole_and_keep_permissions(tmp_path):
    path = tmp_path / "a.csv"
    output.write_text(path, "one\n")
    assert path.read_text() == "one\n"
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    path.chmod(0o600)
    output.write_text(path, "two\n")
    assert path.read_text() == "two\n" and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def _umask() -> int:
    out = subprocess.run(["sh", "-c", "umask"], capture_output=True, text=True, check=True).stdout
    return int(out, 8)


def test_no_process_wide_umask_swap(tmp_path, monkeypatch):
    # os.umask changes the whole process (other threads' files): it must not be called
    def forbidden(mask):
        raise AssertionError("os.umask called")

    monkeypatch.setattr(output.os, "umask", forbidden)
    output.write_text(tmp_path / "a.csv", "x")
    with output.atomic_path(tmp_path / "b.png") as tmp:
        Path(tmp).write_bytes(b"png")
    assert (tmp_path / "b.png").read_bytes() == b"png"


def test_a_symlink_is_kept_and_its_file_replaced(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    output.write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    with output.atomic_path(link) as tmp:
        Path(tmp).write_text("newer")
    assert link.is_symlink() and real.read_text() == "newer"


def test_devices_and_fifos_are_written_through_never_replaced(tmp_path):
    assert output.target("/dev/null")[0] == output.THROUGH
    output.write_text("/dev/null", "discarded")
    assert Path("/dev/null").is_char_device()
    with output.atomic_path("/dev/null") as tmp:
        assert tmp == "/dev/null"
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    output.write_text(fifo, "through the pipe\n")
    assert reader.communicate(timeout=10)[0] == "through the pipe\n"
    assert fifo.is_fifo()


def test_csv_to_dev_stdout_reaches_stdout():
    out = cli(*QUICK, "--csv", "/dev/stdout")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("quantity,value,unit,uncertainty\nz0,")
    assert "Z0" in out.stdout  # and the table after it
    assert Path("/dev/stdout").is_symlink()


def test_a_directory_is_refused_before_the_solve(tmp_path, capsys, monkeypatch):
    from fieldsolver import api

    def no_solve(*a, **k):
        raise AssertionError("solved")

    monkeypatch.setattr(api, "solve", no_solve)
    (tmp_path / "d.png").mkdir()
    code, out, err = run(capsys, *QUICK, "--plot", str(tmp_path / "d.png"))
    assert code == 2 and out == ""
    assert err.strip() == f"fieldsolver: error: {tmp_path / 'd.png'}: is a directory; give a file name"
    code, _, err = run(capsys, *QUICK, "--csv", str(tmp_path))
    assert code == 2 and "is a directory" in err and len(err.splitlines()) == 1
    with pytest.raises(InputError, match=r"folder .* does not exist"):
        output.check_target(tmp_path / "nope" / "x.csv")


@pytest.mark.parametrize("named", [False, True])
def test_a_killed_write_leaves_nothing_beside_the_target(tmp_path, named):
    # the process dies (SIGKILL: no cleanup possible) in the middle of writing
    target = tmp_path / ("x.png" if named else "x.csv")
    target.write_text("old")
    code = textwrap.dedent(
        f"""
        import os, signal
        from fieldsolver.post import output
        if {named}:
            with output.atomic_path({str(target)!r}) as tmp:
                with open(tmp, "wb") as f:
                    f.write(b"half")
                    f.flush()
                    os.kill(os.getpid(), signal.SIGKILL)
        else:
            output._write_all = lambda fd, data: (os.write(fd, data[:4]), os.kill(os.getpid(), signal.SIGKILL))
            output.write_text({str(target)!r}, "new content")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert out.returncode == -signal.SIGKILL
    assert [p.name for p in tmp_path.iterdir()] == [target.name] and target.read_text() == "old"
    if named:  # its link folder in the system's temp is removed by the next named write
        import tempfile

        with output.atomic_path(tmp_path / "y.png") as tmp:
            Path(tmp).write_bytes(b"y")
        left = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("fieldsolver-link-")]
        assert all(output._alive(int(n.split("-")[2])) for n in left), left


def test_sigterm_during_a_write_removes_the_fallback_temporary(tmp_path, monkeypatch):
    # where O_TMPFILE is missing, the hidden temporary is removed when the write is interrupted
    monkeypatch.delattr(output.os, "O_TMPFILE", raising=False)
    target = tmp_path / "x.csv"
    with pytest.raises(KeyboardInterrupt), output.atomic_path(target) as tmp:
        assert Path(tmp).parent == tmp_path and Path(tmp).name.startswith(".x.csv.")
        Path(tmp).write_text("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    output.write_text(target, "whole")  # and the fallback writes whole files
    assert target.read_text() == "whole" and [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_fsync_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(output.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(output.os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    output.write_text(tmp_path / "a.csv", "x")
    assert calls[:2] == ["fsync", "replace"]


# ------------------------------------------------------------------------------------------ resume
STRIP = ["sweep", "stripline", "w=0.2,0.3", "h2=0.5", "er=1", "--workers", "0", "--quiet", "--tol", "none"]


def test_resume_refuses_another_designs_results(tmp_path, capsys):
    # the case: the same sweep journalled for h1 = 0.2, then resumed for h1 = 1.0
    out = tmp_path / "x.csv"
    assert main([*STRIP, "h1=0.2", "-o", str(out)]) == 0
    capsys.readouterr()
    before = out.read_text()
    for other in (["h1=1.0"], ["h1=0.2", "--tol", "1e-2"], ["h1=0.2", "--density", "2"], ["h1=0.2", "--units", "mil"]):
        code, stdout, err = run(capsys, *STRIP, *other, "-o", str(out), "--resume")
        assert code == 2 and "resumed" not in stdout, other
        assert err.strip() == (
            f"fieldsolver: error: {out}:2: its results are of a different design (another template or file, "
            "fixed parameters, units, --tol, --max-nodes or grid options): resume with the same command, "
            "or choose another file"
        )
        assert out.read_text() == before
    code, stdout, _ = run(capsys, *STRIP, "h1=0.2", "-o", str(out), "--resume")  # the same design resumes
    assert code == 0 and "resumed: 2 of 2" in stdout


def test_resume_refuses_a_changed_file(tmp_path, capsys):
    src = (GEOMETRIES / "stripline_template.yaml").read_text()
    design = tmp_path / "s.yaml"
    design.write_text(src)
    params = [p for p in _file_parameters(design)][:1]
    assert params, "the example has parameters to sweep"
    k, v = params[0]
    argv = ["sweep", str(design), f"{k}={v},{v * 1.1}", "--workers", "0", "--quiet", "--tol", "none"]
    out = tmp_path / "x.csv"
    assert main([*argv, "-o", str(out)]) == 0
    design.write_text(src + "\n# edited: the same parameters, another file\n")
    code, _, err = run(capsys, *argv, "-o", str(out), "--resume")
    assert code == 2 and "of a different design" in err


def _file_parameters(path):
    from fieldsolver.geometry import loader

    return list(loader.parameters(loader.read(path), str(path)).items())


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),  # binary
        b"id,w,z0\n\xff\xfe not utf-8\n",
        b"id,w\x00,z0\n0,1,2\n",  # a NUL byte
    ],
)
def test_resume_refuses_a_binary_journal(tmp_path, capsys, content):
    out = tmp_path / "x.csv"
    out.write_bytes(content)
    code, _, err = run(capsys, *STRIP, "h1=0.2", "-o", str(out), "--resume")
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"fieldsolver: error: {out}: not a results file of fieldsolver")
    assert out.read_bytes() == content


def test_resume_refuses_a_garbled_row_and_an_older_journal(tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main([*STRIP, "h1=0.2", "-o", str(out)]) == 0
    capsys.readouterr()
    lines = out.read_text().splitlines(keepends=True)
    out.write_text(lines[0] + "0,0.2\n" + "".join(lines[2:]))  # a row cut in the middle of the file
    code, _, err = run(capsys, *STRIP, "h1=0.2", "-o", str(out), "--resume")
    assert code == 2 and err.startswith(f"fieldsolver: error: {out}:2: 2 cells where the header has")
    # a journal of an older fieldsolver: the same columns without 'design'
    out.write_text("".join(",".join(line.rstrip("\n").split(",")[:-1]) + "\n" for line in lines))
    code, _, err = run(capsys, *STRIP, "h1=0.2", "-o", str(out), "--resume")
    assert code == 2 and len(err.splitlines()) == 1
    assert "written by an older fieldsolver, whose results do not say which design they are of" in err


def test_a_huge_journal_is_refused_unread(tmp_path, capsys):
    out = tmp_path / "x.csv"
    with open(out, "wb") as f:  # sparse: 300 MB on paper, nothing on disk
        f.truncate(300 * 2**20)
    code, _, err = run(capsys, *STRIP, "h1=0.2", "-o", str(out), "--resume")
    assert code == 2 and err == f"fieldsolver: error: {out}: larger than 256 MiB: not a results file of fieldsolver\n"


def test_a_fifo_is_not_a_journal(tmp_path, capsys):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    code, _, err = run(capsys, *STRIP, "h1=0.2", "-o", str(fifo))
    assert code == 2 and len(err.splitlines()) == 1
    assert f"{fifo}: not a regular file" in err


# ----------------------------------------------------------------------------- unexpected errors
def _broken_solve(monkeypatch, exc, warn=None):
    from fieldsolver import api

    def solve(*a, **k):
        if warn:
            import numpy as np

            with np.errstate(all="warn"):
                np.float64(1.0) / np.float64(0.0)  # a RuntimeWarning, as numpy gives it
        if exc is not None:
            raise exc
        return real(*a, **k)

    real = api.solve
    monkeypatch.setattr(api, "solve", solve)


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (TypeError("unsupported operand"), "internal error: TypeError: unsupported operand (a bug in fieldsolver: "),
        (MemoryError(), "out of memory (run again with --debug for the traceback); lower --max-nodes"),
        (RecursionError("maximum recursion depth"), "the input is nested too deeply to process"),
        (OSError(28, "No space left on device", "/x/y.csv"), "/x/y.csv: No space left on device (run again with"),
    ],
)
def test_an_unexpected_error_is_one_line_exit_1(monkeypatch, capsys, exc, line):
    from fieldsolver.cli import entry_point

    _broken_solve(monkeypatch, exc, warn=True)
    assert entry_point(list(QUICK)) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err  # the warning was the error's echo
    assert err.startswith(f"fieldsolver: error: {line}")
    with pytest.raises(type(exc)):  # --debug, anywhere: the traceback
        entry_point([*QUICK[:2], "--debug", *QUICK[2:]])


def test_a_user_mistake_keeps_exit_2_and_its_own_line(capsys):
    from fieldsolver.cli import entry_point

    assert entry_point(["calc", "coax", "d=1", "D=0.5", "er=2.2"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("fieldsolver: error: ") and "internal" not in err


def test_warnings_of_a_successful_run_are_one_line_each(monkeypatch, capsys):
    from fieldsolver.cli import entry_point

    _broken_solve(monkeypatch, None, warn=True)
    assert entry_point(list(QUICK)) == 0
    out, err = capsys.readouterr()
    assert "Z0" in out
    assert err.splitlines() == [
        "fieldsolver: warning: RuntimeWarning: divide by zero encountered in scalar divide (in test_hostile.py:"
        + err.split("test_hostile.py:")[1].split(")")[0]
        + ")"
    ]


def test_interrupt_is_one_line(monkeypatch, capsys):
    from fieldsolver.cli import entry_point

    _broken_solve(monkeypatch, KeyboardInterrupt())
    assert entry_point(list(QUICK)) == 130
    assert capsys.readouterr().err == "fieldsolver: interrupted\n"


@pytest.mark.parametrize("address", ["notaurl", "tcp://127.0.0.1:99999", "tcp://[::1", "", "tcp://host:port"])
def test_a_bad_scheduler_address_is_a_usage_error(capsys, address):
    code, _, err = run(capsys, *STRIP, "h1=0.2", "--scheduler", address)
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("fieldsolver: error: argument --scheduler: expected a scheduler address tcp://HOST:PORT")


# ------------------------------------------------------------------------------ inputs too large
GROUND = "  - {name: g, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}\n"


def _signal(x1: str) -> str:
    return f"parameters: {{a: 1}}\nconductors:\n  - {{name: s, role: signal, rect: {{x: [-0.1, '{x1}'], y: [0.2, 0.235]}}}}\n"


def _bomb(levels: int) -> str:
    lines = ["template: microstrip", "params:", "  w: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, levels):
        lines.append(f"  k{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _circle_polygon(n: int) -> str:
    import math

    pts = ", ".join(
        f"[{0.1 * math.cos(2 * math.pi * i / n):.6f}, {0.3 + 0.1 * math.sin(2 * math.pi * i / n):.6f}]"
        for i in range(n)
    )
    return f"conductors:\n  - {{name: s, role: signal, polygon: {{points: [{pts}]}}}}\n" + GROUND


HOSTILE_FILES = {
    # name: (file content, the one line expected after "fieldsolver: error: FILE")
    "integer of 309 digits": (
        "conductors:\n  - {name: s, role: signal, rect: {x: [-0.1, " + "9" * 309 + "], y: [0, 1]}}\n",
        ":2: an integer of 309 digits: at most 300 (write large or small values as 1.5e9)",
    ),
    "integer of 5000 digits": (
        "conductors:\n  - {name: s, role: signal, rect: {x: [-0.1, " + "9" * 5000 + "], y: [0, 1]}}\n",
        ":2: an integer of 5,000 digits: at most 300",
    ),
    "complex expression": (
        _signal("(-1)**0.5") + GROUND,
        ":3: conductors[0].rect.x[1]: '(-1)**0.5': the result is not a real number",
    ),
    "100,000-term sum": (
        _signal("+".join(["a"] * 100_000)) + GROUND,
        "an expression of 199,999 characters: at most 1,000",
    ),
    "deep expression": (_signal("-" * 900 + "a") + GROUND, "nested more than 100 operators deep"),
    "nested parentheses": (
        _signal("(" * 300 + "a" + ")" * 300) + GROUND,
        "expected a number or an expression of the parameters",
    ),
    "overflowing expression": (_signal("10.0**400") + GROUND, "the result is too large for a float"),
    "nesting depth 10,000": ("conductors: " + "[" * 10_000 + "]" * 10_000 + "\n", ": nested more than 64 levels deep"),
    "nested mappings": ("a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n", ": nested more than 64 levels deep"),
    "alias bomb": (_bomb(9), ": more than 100,000 values with its aliases expanded: not a cross-section file"),
    "5,000-point polygon": (
        _circle_polygon(5000),
        ":2: conductors[0].polygon.points: 5,000 points in a polygon: at most 1,000 are allowed",
    ),
    "collinear polygon": (
        "conductors:\n  - {name: s, role: signal, polygon: {points: [[0.1, 0.2], [0.3, 0.5], [0.5, 0.8000000001]]}}\n"
        + GROUND,
        ":2: conductors[0]: polygon has (almost) zero area: its points lie on a line",
    ),
    "infinite signal": (
        "conductors:\n  - {name: s, role: signal, rect: {x: [-.inf, .inf], y: [0.2, 0.235]}}\n" + GROUND,
        ":2: conductors[0]: a signal conductor must be finite: an infinite or half-infinite plane is a ground",
    ),
    "half-infinite signal": (
        "conductors:\n  - {name: s, role: signal, rect: {x: [0, .inf], y: [0.2, 0.235]}}\n" + GROUND,
        ":2: conductors[0]: a signal conductor must be finite",
    ),
    "-inf from an expression": (
        _signal("-1e200*1e200").replace("[-0.1, ", "[").replace("'-1e200*1e200']", "'-1e200*1e200', 0.1]") + GROUND,
        "a signal conductor must be finite",
    ),
    "mask c2: 1e300": (
        "stackup:\n  - {plane: L2, t: 0.035}\n  - {dielectric: core, h: 0.2, er: 4.4}\n  - {signal: L1, t: 0.035}\n"
        "traces:\n  - {name: s, layer: L1, x: 0, w: 0.3}\nmask: {c1: 0.02, c2: 1e300, er: 3.5}\n",
        ":7: mask: mask c2 is 1e+297 m: at most 100 m",
    ),
    "huge circle": (
        "conductors:\n  - {name: s, role: signal, circle: {center: [0, 0.5], radius: 1e300}}\n" + GROUND,
        ":2: conductors[0]: a coordinate 1e+297 m from the origin: at most 100 m",
    ),
    "200k dielectric entries": (
        "conductors:\n  - {name: s, role: signal, rect: {x: [-0.1, 0.1], y: [0.2, 0.235]}}\n"
        + GROUND
        + "dielectrics:\n"
        + "".join(f"  - {{er: 2, layer: {{y: [{i}, {i + 1}]}}}}\n" for i in range(200_000)),
        ": larger than 4 MiB: not a cross-section file",
    ),
    "5,000 dielectric entries": (
        "conductors:\n  - {name: s, role: signal, rect: {x: [-0.1, 0.1], y: [0.2, 0.235]}}\n"
        + GROUND
        + "dielectrics:\n"
        + "".join(f"  - {{er: 2, layer: {{y: [{i}, {i + 1}]}}}}\n" for i in range(5_000)),
        ":1: 5,002 entries in conductors, dielectrics: at most 2,000 are allowed",
    ),
    "er 1e146 (a singular solve)": (
        "template: coupled_microstrip\nparams: {w: 0.165, s: 0.2, h: 0.13, t: 0.035, er: 4.2, c2: 0.015, mask_er: 9.69e146}\n",
        ":1: template: dielectric 'mask on p': er 9.69e+146: at most 1e+06",
    ),
    "alias bomb under the size limit, in a template parameter": (
        "description:\n  - &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        + "".join(f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 4))
        + "template: microstrip\nparams: {w: *l3, h: 0.2, er: 4}\n",
        ": params.w: must be a number, got [[[...], [...], [...], [...], ...], [[...], [...], [...],...",
    ),
    "NUL bytes": ("units: mm\0\n", ": a binary file, not a YAML file"),
    "a python tag": (
        "!!python/object/apply:os.system ['echo hi']\n",
        ":1: invalid YAML: could not determine a constructor",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_a_hostile_file_is_one_line(tmp_path, capsys, name):
    text, line = HOSTILE_FILES[name]
    path = tmp_path / "x.yaml"
    path.write_text(text)
    code, out, err = run(capsys, "solve", str(path), "--tol", "none")
    assert code == 2 and out == "", err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"fieldsolver: error: {path}") and line in err, err


def test_dev_zero_and_a_binary_file_are_refused_before_reading_them_whole(capsys, tmp_path):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code, _, err = run(capsys, "solve", "/dev/zero")
    assert code == 2 and err == "fieldsolver: error: /dev/zero: larger than 4 MiB: not a cross-section file\n"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB: never read whole
    path = tmp_path / "x.yaml"
    path.write_bytes(bytes(range(128, 256)) * 10)
    code, _, err = run(capsys, "solve", str(path))
    assert code == 2 and err.startswith(f"fieldsolver: error: {path}: cannot read: not UTF-8 text")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["calc", "microstrip", "w=" + "9" * 400, "h=0.2", "er=4"],
            "w=99999999999999999999...: a number of 400 digits: at most 300",
        ),
        (["calc", "microstrip", "w=" + "9" * 5000, "h=0.2", "er=4"], "a number of 5,000 digits: at most 300"),
        (["calc", "microstrip", "w=0.3", "w=0.5", "h=0.2", "er=4"], "calc: w given twice"),
        (["plot", "microstrip", "w=0.3", "h=0.2", "h=0.5", "er=4"], "plot: h given twice"),
        (["sweep", "stripline", "w=0.3", "w=0.5", "h1=0.5", "h2=0.5", "er=4"], "w given twice"),
        (
            [
                "synth",
                "stripline",
                "w=0.3",
                "h1=0.5",
                "h2=0.5",
                "er=4",
                "target=z0:50",
                "target=z0:40",
                "vary=w",
                "vary=h1",
            ],
            "target=z0 given twice",
        ),
        (
            [
                "synth",
                "stripline",
                "w=0.3",
                "h1=0.5",
                "h2=0.5",
                "er=4",
                "target=z0:50",
                "target=delay:1",
                "vary=w",
                "vary=w",
            ],
            "vary=w given twice",
        ),
        (
            ["sweep", "stripline", "w=0.1:0.3:100000", "h1=0.1:0.3:100000", "h2=0.5", "er=4"],
            "10,000,000,000 points in the sweep (100000 x 100000): at most 100,000 are allowed",
        ),
        (
            ["sweep", "stripline", "w=0.1:0.3:1000000", "h1=0.5", "h2=0.5", "er=4"],
            "1,000,000 points in w=0.1:0.3:1000000: at most 100,000",
        ),
        (
            ["tolerance", "stripline", "w=0.2", "h1=0.5", "h2=0.5", "er=4", "--spread", "w=+-0.01", "--n", "100000000"],
            "argument --n: at most 100,000 samples (each a field solve), got 100,000,000",
        ),
        (["calc", "coax", "d=1", "D=2", "er=1", "--freq", "1MHz:1GHz:100000000000"], "COUNT >= 2 (at most 10,000)"),
        (["calc", "coax", "d=1", "D=2", "er=1", "--density", "1e9"], "argument --density: expected a density above 0"),
        (["calc", "coax", "d=1", "D=2", "er=1", "--freq", "1e300"], "a frequency of at most 1e+15 Hz (1 PHz)"),
        (
            ["calc", "coax", "d=1", "D=2", "er=1", "--size", "9" * 5000 + "x100"],
            "argument --size: expected WIDTHxHEIGHT",
        ),
        (
            ["sweep", "stripline", "w=0.1,0.2", "h1=0.5", "h2=0.5", "er=4", "--workers", "1e9"],
            "at most 1024 local workers",
        ),
    ],
)
def test_a_hostile_command_line_is_one_line(capsys, argv, line):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err.startswith("fieldsolver: error: ") and line in err, err


@pytest.mark.parametrize("verb", [["plot"], ["sweep"], ["calc"]])
def test_a_name_too_long_for_a_file_is_one_line(capsys, verb):
    code, _, err = run(capsys, *verb, "a" * 5000, "w=1,2")
    assert code == 2 and len(err.splitlines()) == 1 and "template" in err and len(err) < 1000


# ------------------------------------------------------------------------------------ Dask noise
def test_the_command_silences_dask_logs(monkeypatch, capsys):
    import logging

    from fieldsolver.cli import entry_point

    monkeypatch.delenv("DASK_LOGGING__DISTRIBUTED", raising=False)
    logger = logging.getLogger("distributed")
    level = logger.level
    try:
        assert entry_point(["templates"]) == 0
        # workers are other processes: they read Dask's logging config from the environment
        assert os.environ["DASK_LOGGING__DISTRIBUTED"] == "critical" and logger.level == logging.CRITICAL
    finally:
        logger.setLevel(level)
    capsys.readouterr()


def _descendants(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids + [g for k in kids for g in _descendants(k)]


@pytest.mark.slow
def test_a_killed_worker_prints_no_traceback(tmp_path):
    out = tmp_path / "k.csv"
    argv = ["sweep", "coupled_microstrip", "w=0.1:0.3:40", "s=0.15", "h=0.1", "t=0.035", "er=4", "--tol", "none"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "fieldsolver.cli", *argv, "--workers", "1", "--quiet", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 3):
        time.sleep(0.1)
    workers = [p for p in _descendants(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
    workers = [p for p in workers if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert workers, "no worker process found"
    for p in workers:
        os.kill(p, signal.SIGKILL)  # mid-batch
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0 and "40 points" in stdout
    assert "Traceback" not in stderr and stderr.strip() == "", stderr[-3000:]


def test_sigterm_during_a_solve_is_one_line_and_leaves_no_file(tmp_path):
    png = tmp_path / "x.png"
    usb = str(GEOMETRIES / "usb2_diff_microstrip.yaml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fieldsolver.cli", "solve", usb, "--tol", "1e-4", "--plot", str(png)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.time() + 120
    while time.time() < deadline and _cpu_seconds(proc.pid) < 4:  # imported (1.5 s of CPU), solving
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and err == "fieldsolver: terminated\n"
    assert list(tmp_path.iterdir()) == []


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_an_unwritable_device_path_is_one_line(capsys):
    code, _, err = run(capsys, *QUICK, "--csv", "/proc/version")
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("fieldsolver: error: /proc/version: cannot write: ")


@pytest.mark.parametrize("tol", [[], ["--tol", "none"]])
def test_a_grid_over_the_node_budget_is_refused_before_it_is_built(tol):
    # a braid 1e-6 mm from the inner conductor at 4x the density: 18 million nodes, whose gap is a
    # real feature (its field sets Z). One line naming that gap, before anything of the grid's
    # size exists (the process may not even reach 2 GB). A 100-point polygon, which planned 126
    # million nodes here before, now solves on 18k (tests/test_near_features.py)
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    p = cli("calc", "coax", "d=1", "D=1.000002", "er=1", "--density", "4", *tol, preexec_fn=cap)
    assert p.returncode == 2 and p.stdout == "", p.stderr
    assert p.stderr.count("\n") == 1 and "max_nodes" in p.stderr and "nodes" in p.stderr
    assert "the 1e-06 mm gap between conductors 'shield' and 'inner' at x = -0.500001 mm" in p.stderr
