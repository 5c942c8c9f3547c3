"""A read-only, seekable file object over a remote object, for h5py.

h5py reads an HDF5 file's metadata with many small scattered reads. Each
request costs a round trip, so reads are served from fixed-size aligned
blocks kept in memory, and read-ahead grows while access stays sequential
(doubling up to ``max_readahead`` blocks) and shrinks back on a jump.
Missing blocks of one read are fetched with one range request.
"""
from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Sequence

from .backends.base import RangeReader, RangeRequest
from .errors import IntegrityError


class RemoteFile(io.RawIOBase):
    """File-like view of ``size`` bytes at ``url`` read through ``reader``."""

    def __init__(self, url: str, size: int, reader: RangeReader, *, block_size: int = 256 * 1024,
                 max_readahead: int = 64, max_cached_bytes: int = 512 * 1024 * 1024):
        super().__init__()
        if block_size <= 0 or max_readahead < 1:
            raise ValueError("block_size and max_readahead must be positive")
        self.url = url
        self.size = int(size)
        self.reader = reader  # also used by the chunk-index reader for its concurrent batches
        self._block_size = block_size
        self._max_readahead = max_readahead
        self._max_blocks = max(1, max_cached_bytes // block_size)
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._pos = 0
        self._last_end = -1
        self._readahead = 1
        self.requests = 0  # number of reader calls, for diagnostics and benchmarks

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read_at(self._pos, len(view))
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = max(0, self.size - self._pos)
        data = self.read_at(self._pos, size)
        self._pos += len(data)
        return data

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset`` (fewer at the end of the file), leaving the position alone."""
        end = min(offset + length, self.size)
        if offset >= end:
            return b""
        self._adapt_readahead(offset, end)
        first, last = offset // self._block_size, (end - 1) // self._block_size
        self._ensure_blocks(first, last)
        pieces = [self._blocks[i] for i in range(first, last + 1)]
        for i in range(first, last + 1):
            self._blocks.move_to_end(i)
        joined = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        start = offset - first * self._block_size
        return joined[start:start + (end - offset)]

    def cached_range(self, offset: int, length: int) -> bytes | None:
        """Bytes ``offset..offset+length`` if every block holding them is already in memory, else None."""
        end = offset + length
        if length <= 0 or end > self.size:
            return b"" if length == 0 else None
        first, last = offset // self._block_size, (end - 1) // self._block_size
        try:
            pieces = [self._blocks[i] for i in range(first, last + 1)]
        except KeyError:
            return None
        joined = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        start = offset - first * self._block_size
        return joined[start:start + length]

    def _adapt_readahead(self, offset: int, end: int) -> None:
        if offset == self._last_end:
            self._readahead = min(self._readahead * 2, self._max_readahead)
        elif not (self._last_end - self._block_size <= offset <= self._last_end + self._block_size):
            self._readahead = 1
        self._last_end = end

    def _ensure_blocks(self, first: int, last: int) -> None:
        missing = [i for i in range(first, last + 1) if i not in self._blocks]
        if not missing:
            return
        n_blocks = -(-self.size // self._block_size)
        lo = missing[0]
        hi = min(max(missing[-1], lo + self._readahead - 1), n_blocks - 1)
        while hi > missing[-1] and hi in self._blocks:  # do not refetch what is already here
            hi -= 1
        start, stop = lo * self._block_size, min((hi + 1) * self._block_size, self.size)
        (data,) = self.reader([(self.url, start, stop - start)])
        self.requests += 1
        if len(data) != stop - start:
            raise IntegrityError(f"expected {stop - start} bytes, got {len(data)}", url=self.url,
                                 ref=f"[{start}, {stop - start}]")
        for i in range(lo, hi + 1):
            a = (i - lo) * self._block_size
            self._blocks[i] = data[a:a + self._block_size]
            self._blocks.move_to_end(i)
        while len(self._blocks) > self._max_blocks:
            self._blocks.popitem(last=False)


def reader_over(remote_file: RemoteFile, reader: RangeReader) -> RangeReader:
    """A range reader that serves refs of ``remote_file.url`` already held in its blocks without a request."""

    def read(requests: Sequence[RangeRequest]) -> list[bytes]:
        out: list[bytes | None] = [remote_file.cached_range(offset, length) if url == remote_file.url else None
                                   for url, offset, length in requests]
        missing = [i for i, data in enumerate(out) if data is None]
        if missing:
            for i, data in zip(missing, reader([requests[i] for i in missing])):
                out[i] = data
        return out  # type: ignore[return-value]

    return read

