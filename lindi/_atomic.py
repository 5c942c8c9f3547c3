"""Atomic file replacement: the one way LINDI writes a file that readers may be looking at.

Every writer (documents, containers, staged blobs, batch records, conformance
output, the local backend) goes through :func:`atomic_file`: the bytes go to
a temporary file in the target's own folder, which is fsynced, given the old
file's permission bits (or the umask default for a new file), renamed over
the target and followed by an fsync of the folder, so that after a crash the
name holds the old or the new content, never a mix, and the rename itself is
on disk. A symlink is written through: its target is replaced, the link stays.

Temporary names carry the writer's PID and host (``.tmp-lindi-<pid>@<host>-...``),
so that a later writer on the same host can tell the leftovers of a killed
process from a write in progress and remove them
(:func:`remove_stale_temporaries`); those of other hosts sharing the folder
are left alone.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import io
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO, Any

TEMP_PREFIX = ".tmp-lindi-"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(?:[a-z]+-)?(\d+@[A-Za-z0-9._]+)-")


def writer_tag() -> str:
    """``<pid>@<host>``: names a writer, so that only its own host judges whether it still runs."""
    return f"{os.getpid()}@{re.sub(r'[^A-Za-z0-9.]', '_', socket.gethostname()) or 'localhost'}"


def dead_writer(tag: str) -> bool:
    """Whether the writer ``<pid>@<host>`` ran on this host and has ended."""
    pid, _, host = tag.partition("@")
    return host == writer_tag().partition("@")[2] and not pid_alive(int(pid))


def temp_prefix(kind: str = "") -> str:
    """The prefix of this process's temporary names (``kind`` tells what is written, e.g. ``d``)."""
    return f"{TEMP_PREFIX}{kind + '-' if kind else ''}{writer_tag()}-"


def resolve_target(path: str | os.PathLike[str]) -> str:
    """The absolute path a write to ``path`` must replace: symlinks followed, so the link itself survives."""
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def kept_mode(target: str, *, directory: bool = False) -> int:
    """The permission bits a replacement of ``target`` gets: the old ones, else the umask default."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return (0o777 if directory else 0o666) & ~current_umask()


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the system says it (Linux ``/proc``): setting it to
    read it would, for a moment, give files other threads create wider permissions."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        umask = os.umask(0o077)  # the narrowest value while it is out, not the widest
        os.umask(umask)
    return umask


def fsync_directory(directory: str) -> None:
    """Make a rename or creation inside ``directory`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename is then as durable as they make it
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], *, encoding: str | None = None,
                make_dirs: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the ``with`` block ends without an exception.

    Binary, or text in ``encoding``. On an exception the temporary file is
    removed and ``path`` is untouched.
    """
    target = resolve_target(path)
    directory = os.path.dirname(target)
    if make_dirs:
        os.makedirs(directory, exist_ok=True)
    mode = kept_mode(target)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            if encoding is None:
                yield f
            else:
                text = io.TextIOWrapper(f, encoding=encoding, newline="")
                yield text
                text.detach()  # flushed; the binary file stays open for the fsync
            f.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        if not hasattr(os, "fchmod"):
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_directory(directory)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, make_dirs: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_file`); an OSError says why not."""
    with atomic_file(path, make_dirs=make_dirs) as f:
        f.write(data)


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists (one we may not signal counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(directory: str) -> list[str]:
    """Delete the temporary files and folders that writers killed before they finished left in ``directory``.

    Only names of this module's format whose PID no longer runs are touched;
    returns what was removed.
    """
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_NAME.match(name)
        if m is None or not dead_writer(m.group(1)):
            continue
        path = os.path.join(directory, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            continue  # another writer cleaned it first, or it is not ours to remove
        removed.append(path)
    return removed


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_paths(a: str, b: str) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the platform or the file system cannot do it; the
    caller then falls back to two renames.
    """
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), b)


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28, or not glibc at all
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn
