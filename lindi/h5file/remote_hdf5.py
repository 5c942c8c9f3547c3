"""Opening a remote HDF5 file with h5py through the storage backends.

h5py reads from a :class:`lindi.remote_file.RemoteFile` (block cache with
adaptive read-ahead), so its many small metadata reads cost few requests;
the object also adapts it to the converter's source interface.
"""
from __future__ import annotations

import h5py

from ..errors import RemoteError
from ..remote_file import RemoteFile
from ..store.ranges import RangeReader


def open_remote_file(url: str, reader: RangeReader) -> RemoteFile:
    """A RemoteFile over ``url`` (its size from the backends registry)."""
    from ..backends import get_registry

    return RemoteFile(url, get_registry().size(url), reader)


class RemoteHDF5Source:
    """``h5`` (an h5py.File), ``read_range`` and ``close``, as the converter expects of its source."""

    def __init__(self, remote_file: RemoteFile):
        self.remote_file = remote_file
        self.path = remote_file.url
        try:
            self.h5 = h5py.File(remote_file, "r")
        except (OSError, ValueError) as exc:
            raise RemoteError(f"not a readable HDF5 file: {exc}", url=remote_file.url) from None

    def read_range(self, offset: int, length: int) -> bytes:
        """Stored bytes, through the same read-ahead blocks h5py uses."""
        self.remote_file.seek(offset)
        data = self.remote_file.read(length)
        if len(data) != length:
            raise RemoteError(f"file ends before byte {offset + length}", url=self.path,
                              ref=f"[{offset}, {length}]")
        return data

    def chunk_index(self, on_read=None):
        """A chunk-index reader: a tree level per batch of concurrent range requests."""
        from ..conversion.chunk_index import ChunkIndexReader

        return ChunkIndexReader.over_remote_file(self.h5, self.remote_file, on_read)

    def close(self) -> None:
        self.h5.close()
