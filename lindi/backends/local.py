"""Built-in backend for local files: plain paths and ``file://`` URLs (read and write)."""
from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from .._atomic import atomic_write
from ..errors import IntegrityError, RemoteError
from .base import Backend
from .content import verified_blob_path
from .urls import local_path, ref_text
from .verify import RangeResponse

_OS_ERROR_HINTS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
                   errno.EFBIG: "the file size limit is exceeded", errno.EROFS: "the file system is read-only",
                   errno.EACCES: "permission denied", errno.EPERM: "permission denied"}


def describe_os_error(exc: OSError) -> str:
    """A short human reason for a failed write (``the disk is full``, ``permission denied``...)."""
    return _OS_ERROR_HINTS.get(exc.errno or 0, exc.strerror or str(exc))


class LocalBackend(Backend):
    """Reads with ``os.pread`` (no shared file position, so threads need no lock); writes atomically."""

    name = "local"
    capabilities = frozenset({"read", "sizes", "write"})

    def prefixes(self) -> Sequence[str]:
        return ("file://",)

    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        ref = ref_text(url, offset, length)
        path = self._path(url, ref)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise RemoteError(f"cannot open local file: {exc.strerror}", url=url, ref=ref) from None
        try:
            available = os.fstat(fd).st_size - offset
            # checked before allocating: a hostile ref may ask for terabytes
            data = os.pread(fd, length, offset) if length <= available else None
        except OSError as exc:
            raise RemoteError(f"cannot read local file: {exc.strerror}", url=url, ref=ref) from None
        finally:
            os.close(fd)
        if data is None:
            raise IntegrityError(f"range past the end of the file ({max(available, 0)} bytes available "
                                 f"from offset {offset})", url=url, ref=ref)
        return RangeResponse(data)

    def size(self, url: str) -> int:
        try:
            return os.stat(self._path(url, None)).st_size
        except OSError as exc:
            raise RemoteError(f"cannot stat local file: {exc.strerror}", url=url) from None

    def check_writable(self, destination: str) -> None:
        root = self._path(destination, None)
        probe = os.path.join(root, f".lindi-write-probe-{os.getpid()}")
        try:
            os.makedirs(root, exist_ok=True)
            atomic_write(probe, b"")
            os.unlink(probe)
        except OSError as exc:
            raise RemoteError(f"cannot write to the destination: {describe_os_error(exc)}", url=destination) from None

    def put_blob(self, destination: str, digest: str, data: bytes) -> str:
        path = self._path(verified_blob_path(destination, digest, data), None)
        if not (os.path.isfile(path) and os.path.getsize(path) == len(data)):
            self._write(path, data)
        return Path(path).as_uri()

    def put_object(self, url: str, data: bytes) -> str:
        path = self._path(url, None)
        self._write(path, data)
        return Path(path).as_uri()

    def _write(self, path: str, data: bytes) -> None:
        try:
            atomic_write(path, data, make_dirs=True)
        except OSError as exc:
            raise RemoteError(f"cannot write local file: {describe_os_error(exc)}", url=path) from None

    @staticmethod
    def _path(url: str, ref: str | None) -> str:
        try:
            return local_path(url)
        except ValueError as exc:
            raise RemoteError(str(exc), url=url, ref=ref) from None
