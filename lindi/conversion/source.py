"""Opening the HDF5 source: h5py for structure, plain range reads for raw stored bytes.

A local path (or ``file://`` URL) is opened directly; any other URL is read
through the storage backends (``lindi.backends``) via :class:`lindi.remote_file.RemoteFile`,
whose read-ahead keeps h5py's many small metadata reads to few requests.
"""
from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

import h5py

from ..backends.urls import is_local, local_path
from ..errors import ConversionError, LindiError, SourceOpenError
from ..remote_file import RemoteFile
from .chunk_index import ChunkIndexReader, local_batch_reader

if TYPE_CHECKING:
    from ..backends.registry import Registry


class HDF5Input(Protocol):
    """What the converter's store reads: an open h5py file and its stored bytes (local or remote)."""

    path: str
    h5: h5py.File

    def read_range(self, offset: int, length: int) -> bytes: ...

    def chunk_index(self, on_read: Any = None) -> ChunkIndexReader: ...

    def close(self) -> None: ...


class HDF5Source:
    """An HDF5 file opened read-only, with ``read_range`` over the same bytes.

    ``path`` is the absolute local path, or the URL of a remote file.
    """

    def __init__(self, path_or_url: str | os.PathLike[str]):
        text = os.fspath(path_or_url)
        self._registry: Registry | None = None
        if not is_local(text):
            self.path = text
            self._raw: IO[bytes] = self._open_remote(text)
        else:
            try:
                self.path = os.path.abspath(local_path(text))
            except ValueError as exc:  # a file:// URL naming another host
                raise SourceOpenError(str(exc), file=text) from None
            try:
                self._raw = open(self.path, "rb")
            except OSError as exc:
                raise SourceOpenError(f"cannot open: {exc.strerror or exc}", file=self.path) from None
        try:
            self.h5 = h5py.File(self._raw, "r")
        except (OSError, ValueError) as exc:
            self._raw.close()
            raise SourceOpenError(f"not a readable HDF5 file: {exc}", file=self.path) from None

    def _open_remote(self, url: str) -> IO[bytes]:
        from ..backends import get_registry

        registry = self._registry = get_registry()
        try:  # RemoteFile is a binary file object (io.RawIOBase)
            return cast(IO[bytes], RemoteFile(url, registry.size(url), registry.read_ranges))
        except LindiError as exc:
            raise SourceOpenError(f"cannot open: {exc}", file=url) from None

    def chunk_index(self, on_read=None) -> ChunkIndexReader:
        """A chunk-index reader over the same bytes (``on_read(requests, nbytes)`` after each batch)."""
        if self._registry is not None:
            return ChunkIndexReader.over_remote_file(self.h5, cast(RemoteFile, self._raw), on_read)
        return ChunkIndexReader(self.h5, local_batch_reader(self._raw.fileno()), os.fstat(self._raw.fileno()).st_size,
                                on_read)

    def read_range(self, offset: int, length: int) -> bytes:
        """``length`` stored bytes at ``offset``; a short read means a truncated file."""
        if self._registry is not None:
            return self._registry.read_ranges([(self.path, offset, length)])[0]
        self._raw.seek(offset)
        data = self._raw.read(length)
        if len(data) != length:
            raise ConversionError(f"file ends before byte {offset + length} (truncated?)", file=self.path)
        return data

    def close(self) -> None:
        self.h5.close()
        self._raw.close()
