"""Built-in backend for local files: plain paths and ``file://`` URLs."""
from __future__ import annotations

import os
from collections.abc import Sequence

from ..errors import IntegrityError, RemoteError
from .base import Backend
from .urls import local_path, ref_text


class LocalBackend(Backend):
    """Reads with ``os.pread`` (no shared file position, so threads need no lock)."""

    name = "local"
    capabilities = frozenset({"read", "sizes"})

    def prefixes(self) -> Sequence[str]:
        return ("file://",)

    def read_range(self, url: str, offset: int, length: int) -> bytes:
        ref = ref_text(url, offset, length)
        path = self._path(url, ref)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise RemoteError(f"cannot open local file: {exc.strerror}", url=url, ref=ref) from None
        try:
            data = os.pread(fd, length, offset)
        except OSError as exc:
            raise RemoteError(f"cannot read local file: {exc.strerror}", url=url, ref=ref) from None
        finally:
            os.close(fd)
        if len(data) != length:
            raise IntegrityError(f"range past the end of the file ({offset + len(data)} bytes available "
                                 f"from offset {offset})", url=url, ref=ref)
        return data

    def size(self, url: str) -> int:
        try:
            return os.stat(self._path(url, None)).st_size
        except OSError as exc:
            raise RemoteError(f"cannot stat local file: {exc.strerror}", url=url) from None

    @staticmethod
    def _path(url: str, ref: str | None) -> str:
        try:
            return local_path(url)
        except ValueError as exc:
            raise RemoteError(str(exc), url=url, ref=ref) from None
