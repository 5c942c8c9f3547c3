"""One editor per local document: an advisory lock held from open to close in a writing mode.

Two processes that edit one document would each write back their own copy
and the later close would silently drop the other's edit. Like h5py (which
locks the HDF5 file and has ``HDF5_USE_FILE_LOCKING``), LINDI refuses the
second writer. The lock is ``flock`` on a sidecar file ``.<name>.lindi-lock``
beside the document, because the document itself is replaced by a rename on
every write and a lock on it would not outlive the first write. Readers
(mode ``r``) take no lock: they hold their own copy of the document.

Disable it with ``locking=False`` or ``LINDI_USE_FILE_LOCKING=FALSE``
(for file systems without locks). Platforms without ``fcntl`` (Windows)
do not lock.
"""
from __future__ import annotations

import contextlib
import errno
import os
from typing import IO

from .errors import DocumentLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

ENV_VAR = "LINDI_USE_FILE_LOCKING"
_OFF = ("0", "false", "no", "off")
_HINT = f"pass locking=False or set {ENV_VAR}=FALSE to edit without a lock"
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL)


def locking_enabled(option: bool | None = None) -> bool:
    """``option`` if given, else the environment variable (default on)."""
    if option is not None:
        return option
    return os.environ.get(ENV_VAR, "").strip().lower() not in _OFF


def lock_path(document: str) -> str:
    folder, name = os.path.split(document)
    return os.path.join(folder, f".{name}.lindi-lock")


class DocumentLock:
    """An exclusive ``flock`` on the sidecar of ``document``; :meth:`release` drops it and removes the file."""

    def __init__(self, document: str):
        self.document = document
        self.path = lock_path(document)
        self._file: IO[str] | None = self._acquire()

    def _acquire(self) -> IO[str]:
        for _ in range(20):  # another process may remove the sidecar between our open and our flock
            try:
                f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open until release()
            except OSError as exc:
                raise DocumentLockedError(f"cannot create the lock file {self.path}: {exc.strerror}; {_HINT}") from None
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.seek(0)
                holder = f.read().strip() or "another process"
                f.close()
                raise DocumentLockedError(f"{self.document} is open for writing by {holder} (lock {self.path}); "
                                          f"close it there first, or {_HINT}") from None
            except OSError as exc:
                f.close()
                if exc.errno in _NO_LOCKS:
                    raise DocumentLockedError(f"the file system of {self.document} does not support file locks "
                                              f"({exc.strerror}); {_HINT}") from None
                raise
            try:
                same = os.fstat(f.fileno()).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                f.seek(0)
                f.truncate()
                f.write(f"process {os.getpid()}")
                f.flush()
                return f
            f.close()  # we locked a sidecar that its last holder had just removed: lock the new one
        raise DocumentLockedError(f"could not lock {self.document}: its lock file keeps changing; {_HINT}")

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # before unlocking, so a waiter never keeps a removed sidecar locked
        f.close()


def lock_document(document: str, option: bool | None = None) -> DocumentLock | None:
    """Lock ``document`` (an absolute, symlink-resolved path) for writing, unless locking is off."""
    if fcntl is None or not locking_enabled(option):
        return None
    return DocumentLock(document)
