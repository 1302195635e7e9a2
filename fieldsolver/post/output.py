"""Output files are written whole or not at all, and never replace what they should not.

Where ``path`` leads decides how it is written (:func:`target`):

* a new file, or a regular file (also one reached through symbolic links, which are kept: the file
  they point to is replaced): the bytes go to an unnamed file in the target's folder (Linux
  ``O_TMPFILE``), are flushed to disk (``fsync``), then linked under a fresh name and renamed over
  the target, an atomic replace. A killed run leaves nothing beside the target. Where unnamed files
  are not available, a hidden temporary file beside the target is used instead and removed on any
  error or interrupt (Ctrl-C, and SIGTERM, which the command line turns into an exit). Writers that
  need a file name (matplotlib, meshio, pyarrow) get a symbolic link to the unnamed file, in a
  private folder of the system's temp; a killed run's folder is removed by the next write.
  A replaced file keeps its permissions; a new one gets the usual ``0666 & ~umask``.
* a device, named pipe or socket (``/dev/null``, ``/dev/stdout``, ``mkfifo out.csv``), or any
  path through ``/proc`` or ``/dev/fd``: written through in place, never replaced (a pipe's reader
  gets the bytes).
* a directory: refused with one line (:class:`InputError`), also by :func:`check_target`, which
  the command line calls for every output before it solves.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import InputError

NEW, REPLACE, THROUGH = "new", "replace", "through"
_MAGIC = ("/proc/", "/dev/fd/")  # links into a process's open files: never resolved, never replaced


def target(path: str | Path) -> tuple[str, Path]:
    """How ``path`` is written and the file that is: (``new`` | ``replace``, the real path after
    following symbolic links) or (``through``, ``path``) for a device, pipe, socket or a link
    into ``/proc``. A directory, a symbolic-link loop or a missing folder is an :class:`InputError`."""
    path = Path(path)
    p = path
    for _ in range(40):
        if str(p).startswith(_MAGIC):
            return THROUGH, path
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            if not p.parent.is_dir():
                raise InputError(f"{path}: folder {p.parent} does not exist") from None
            return NEW, p
        except OSError as e:
            raise InputError(f"{path}: cannot write: {e.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            link = os.readlink(p)
            p = Path(link) if os.path.isabs(link) else p.parent / link
            continue
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a directory; give a file name")
        return (REPLACE, p) if stat.S_ISREG(st.st_mode) else (THROUGH, path)
    raise InputError(f"{path}: too many levels of symbolic links")


def check_target(path: str | Path) -> None:
    """Raise the one-line :class:`InputError` that writing ``path`` would meet (a directory, a
    missing folder, a read-only folder), before any work is done."""
    kind, real = target(path)
    if kind == THROUGH:
        if not os.access(path, os.W_OK):
            raise InputError(f"{path}: cannot write: permission denied")
        return
    folder = real.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: folder {folder} is not writable")


class _Staged:
    """The file the bytes go to before it takes the target's name: an unnamed ``O_TMPFILE`` (or
    a hidden temporary file) in the target's folder."""

    def __init__(self, real: Path, existing: bool):
        self.real, self.existing = real, existing
        folder = str(real.parent)
        self.name: str | None = None  # the fallback's temporary file
        flags = getattr(os, "O_TMPFILE", 0)
        self.fd = -1
        if flags:
            try:
                self.fd = os.open(folder, flags | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o666)
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.ENOSYS):
                    raise
        if self.fd < 0:
            self.name = self._fresh()
            self.fd = os.open(self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)

    def _fresh(self) -> str:
        return str(self.real.with_name(f".{self.real.name}.{secrets.token_hex(4)}.tmp"))

    @property
    def proc(self) -> str:
        return f"/proc/self/fd/{self.fd}"

    def commit(self) -> None:
        """Flush to disk and take the target's name atomically."""
        if self.existing:
            with suppress(OSError):
                os.fchmod(self.fd, stat.S_IMODE(os.stat(self.real).st_mode))
        os.fsync(self.fd)
        if self.name is None:  # give the unnamed file a name, then rename it over the target
            self.name = self._fresh()
            self._link()
        os.replace(self.name, self.real)
        self.name = None
        with suppress(OSError):  # the rename itself on disk
            dfd = os.open(str(self.real.parent), os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def _link(self) -> None:
        """Name the unnamed file ``self.name``: linkat through /proc (any user), or with
        AT_EMPTY_PATH (where /proc does not allow it), else a copy of its bytes."""
        assert self.name is not None
        try:
            os.link(self.proc, self.name, follow_symlinks=True)
            return
        except OSError:
            pass
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            at_fdcwd, at_empty_path = -100, 0x1000
            if libc.linkat(self.fd, b"", at_fdcwd, os.fsencode(self.name), at_empty_path) == 0:
                return
        except (OSError, AttributeError):
            pass
        out = os.open(self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            offset = 0
            while chunk := os.pread(self.fd, 1 << 20, offset):
                _write_all(out, chunk)
                offset += len(chunk)
            os.fchmod(out, stat.S_IMODE(os.fstat(self.fd).st_mode))
            os.fsync(out)
        finally:
            os.close(out)

    def close(self) -> None:
        os.close(self.fd)
        if self.name is not None:
            with suppress(FileNotFoundError):
                os.unlink(self.name)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """Yield a file name to write (it ends like ``path``, for writers that choose the format by
    extension); on success its content takes ``path``'s place whole, on error nothing changes.
    A device, pipe or socket is written through: the name yielded is ``path`` itself."""
    kind, real = target(path)
    if kind == THROUGH:
        yield str(path)
        return
    staged = _Staged(real, kind == REPLACE)
    try:
        if staged.name is not None:
            yield staged.name
        else:  # a name for the unnamed file: a link to it in a private folder of the system's temp
            _sweep_links()
            folder = tempfile.mkdtemp(prefix=f"{_LINKS}{os.getpid()}-")
            try:
                name = os.path.join(folder, real.name)
                os.symlink(f"/proc/{os.getpid()}/fd/{staged.fd}", name)
                yield name
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        staged.commit()
    finally:
        staged.close()


_LINKS = "fieldsolver-link-"  # the private folders' prefix, then the writing process's id


def _sweep_links() -> None:
    """Remove the link folders of processes that are gone (killed while writing: the link
    dangles, nothing else is left; the unnamed file itself vanished with them)."""
    tmp = tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(tmp) if n.startswith(_LINKS)]
    except OSError:
        return
    for n in names:
        pid = n[len(_LINKS) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(os.path.join(tmp, n), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module's note)."""
    kind, real = target(path)
    if kind == THROUGH:
        _write_through(Path(path), data)
        return
    staged = _Staged(real, kind == REPLACE)
    try:
        _write_all(staged.fd, data)
        staged.commit()
    finally:
        staged.close()


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_between(path: str | Path, begin: str, end: str, block: str) -> None:
    """Replace, in the text file ``path``, everything from the line ``begin`` to the line ``end``
    (both included) by ``block`` (which carries the markers again), and write it whole. A file
    without the two markers is an error: nothing is written."""
    import re

    text = Path(path).read_text()
    pattern = re.escape(begin) + ".*?" + re.escape(end)
    if not re.search(pattern, text, flags=re.S):
        raise ValueError(f"{path}: no block between {begin!r} and {end!r}")
    write_text(path, re.sub(pattern, lambda _: block, text, flags=re.S))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_through(path: Path, data: bytes) -> None:
    """A device, pipe or socket: its own open file when it is this process's stdout or stderr
    (so the bytes land in order with what is printed), else opened for writing, never created."""
    for stream in (sys.stdout, sys.stderr):
        try:
            same = os.path.samestat(os.stat(path), os.fstat(stream.fileno()))
        except (OSError, ValueError, AttributeError):
            same = False
        if same:
            stream.flush()
            _write_all(stream.fileno(), data)
            return
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    if not os.access(path, os.W_OK):
        raise InputError(f"{path}: cannot write: permission denied")
    try:
        if stat.S_ISREG(os.stat(path).st_mode):  # a regular file behind /proc: overwritten in place
            flags |= os.O_TRUNC
        fd = os.open(path, flags)
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror}") from None
    try:
        _write_all(fd, data)
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror}") from None
    finally:
        os.close(fd)
