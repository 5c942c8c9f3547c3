"""Batched byte reads of one HDF5 file for the index readers, with counters for progress.

Every tree level is asked for as one batch of ``(offset, length)`` ranges: a
local file answers with ``os.pread`` per range; a remote one with ONE call of
the backends' range reader over coalesced blocks, which fetches them
concurrently, so a level costs about one round trip however many nodes it has.
A local file, where a batch costs no round trip, may bound its batches
(``batch_bytes``) so that a reader never holds a large level's bytes at once.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lindi.store imports zarr: a remote-only, lazy import below
    from ...store.ranges import CoalesceOptions, RangeReader, RangeRequest

BatchRead = Callable[[Sequence[tuple[int, int]]], list[bytes]]

# Index nodes of one level are often scattered among the chunks they index: merge only near ones,
# and keep blocks small enough that a large level still spreads over concurrent requests.
INDEX_MAX_GAP, INDEX_MAX_BLOCK = 32 * 1024, 2 * 1024 * 1024
INDEX_CONCURRENCY = 64
#: Bytes per batch when reading a local file: a level's node bytes are decoded and released part by part.
LOCAL_BATCH_BYTES = 256 * 1024


class IndexCorrupt(Exception):
    """The index bytes are not what HDF5 writes (bad signature, checksum, bounds...)."""


@dataclass(frozen=True)
class FileFacts:
    """What every structure needs: field widths, the end of the file, and the B-tree 'K'."""

    sizeof_addr: int
    sizeof_size: int
    eof: int
    istore_k: int | None


class IndexReads:
    """Reads for the index readers: bounds-checked batches, counted (requests, bytes)."""

    def __init__(self, read_batch: BatchRead, facts: FileFacts, on_read: Callable[[int, int], None] | None = None,
                 read_header: Callable[[int, int], bytes] | None = None, batch_bytes: int | None = None):
        self._read_batch = read_batch
        self.batch_bytes = batch_bytes
        self._read_header = read_header
        self.facts = facts
        self._on_read = on_read
        self.batches = 0
        self.bytes = 0

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """Exactly the bytes of each range; a range past the end of the file is :class:`IndexCorrupt`."""
        if not ranges:
            return []
        for offset, length in ranges:
            if offset < 0 or length < 0 or offset + length > self.facts.eof:
                raise IndexCorrupt(f"index range [{offset}, {length}] lies outside the file ({self.facts.eof} bytes)")
        out = self._read_batch(ranges)
        for (offset, length), data in zip(ranges, out):
            if len(data) != length:
                raise IndexCorrupt(f"short read at byte {offset}: {len(data)} of {length} bytes")
        size = sum(length for _, length in ranges)
        self.batches += 1
        self.bytes += size
        if self._on_read is not None:
            self._on_read(1, size)
        return out

    def read_parts(self, ranges: Sequence[tuple[int, int]]) -> Iterator[tuple[int, list[bytes]]]:
        """:meth:`read` in consecutive parts of at most ``batch_bytes`` (one part when unbounded or smaller).

        Yields ``(index of the part's first range, its bytes)``; a range larger than the bound is a part alone.
        """
        if self.batch_bytes is None:
            yield 0, self.read(ranges)
            return
        first, size = 0, 0
        for i, (_, length) in enumerate(ranges):
            if size and size + length > self.batch_bytes:
                yield first, self.read(ranges[first:i])
                first, size = i, 0
            size += length
        if first < len(ranges):
            yield first, self.read(ranges[first:])

    def read_header(self, offset: int, length: int) -> bytes:
        """At most ``length`` bytes of an object header at ``offset`` (fewer at the end of the file).

        Through ``read_header`` when given: the remote file's read-ahead blocks, which
        already hold the headers h5py read while opening the dataset.
        """
        length = max(0, min(length, self.facts.eof - offset))
        if self._read_header is None:
            return self.read([(offset, length)])[0]
        data = self._read_header(offset, length)
        if len(data) != length:
            raise IndexCorrupt(f"short read at byte {offset}: {len(data)} of {length} bytes")
        return data


def verify_checksum(block: bytes, checksum: Callable[[bytes], int], what: str) -> None:
    """HDF5's lookup3 checksum over all but the last 4 bytes must equal those bytes."""
    if checksum(block[:-4]) != int.from_bytes(block[-4:], "little"):
        raise IndexCorrupt(f"{what} checksum mismatch")


def local_batch_reader(fd: int) -> BatchRead:
    """``pread`` each range of an open local file."""
    return lambda ranges: [os.pread(fd, length, offset) for offset, length in ranges]


def remote_batch_reader(url: str, reader: RangeReader, options: CoalesceOptions | None = None,
                        concurrency: int = INDEX_CONCURRENCY,
                        on_requests: Callable[[int, int], None] | None = None) -> BatchRead:
    """Each batch coalesced, its blocks fetched by up to ``concurrency`` requests at once.

    A backend bounds its own parallelism (8 by default) for the many chunk
    reads of a selection; an index level is a few hundred small scattered
    nodes whose cost is pure latency, so its blocks are spread over more
    threads, each asking the backend for one block at a time. ``on_requests(n, nbytes)``
    counts the requests actually sent.
    """
    from ...store.ranges import CoalesceOptions, read_coalesced

    coalescing = options or CoalesceOptions(max_gap=INDEX_MAX_GAP, max_block=INDEX_MAX_BLOCK)

    def read_blocks(blocks: Sequence[RangeRequest]) -> list[bytes]:
        if on_requests is not None:
            on_requests(len(blocks), sum(length for _, _, length in blocks))
        if len(blocks) <= 1:
            return reader(blocks)
        with ThreadPoolExecutor(max_workers=min(concurrency, len(blocks)), thread_name_prefix="lindi-index") as pool:
            return list(pool.map(lambda block: reader([block])[0], blocks))

    return lambda ranges: read_coalesced(read_blocks, [(url, offset, length) for offset, length in ranges], coalescing)
