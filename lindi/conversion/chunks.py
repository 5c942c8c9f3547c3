"""Where a dataset's bytes are: chunk refs from the chunk index and contiguous splits.

The table of a chunked dataset comes from :mod:`lindi.conversion.chunk_index`
(HDF5's index read from bytes, a tree level per batch of reads), or from one
``DatasetID.chunk_iter`` pass when that reader does not know the structure.
Each written chunk becomes three int64 entries (no per-chunk dicts, lists or
key strings); keys are formatted only when the document is rendered.
"""
from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Callable, Iterator, Sequence

import h5py
import numpy as np

from ..errors import ConversionError
from ..strict_json import gc_paused
from .chunk_index import ChunkIndexReader, ChunkRecords, IndexCorrupt, UnsupportedIndex

log = logging.getLogger(__name__)


_RELEASED = np.zeros(0, np.int64)  # what a consumed ChunkRecords column is left holding


class ChunkTable:
    """Refs of one array into the source file: ``prefix + key -> [url, offset, length]``.

    Stored as three flat int64 arrays (chunk origins in elements, byte offsets,
    byte lengths): about 32 bytes per chunk instead of Python objects per chunk.
    Offsets and lengths are ``array('q')`` (their items are Python ints, ready for the
    JSON text); the origins are only ever read with ``np.frombuffer``, so a table made
    from the index reader's records keeps its numpy column rather than a copy.
    """

    def __init__(self, prefix: str, chunks: tuple[int, ...]):
        self.prefix = prefix
        self.chunks = chunks
        self.origins: array[int] | np.ndarray = array("q")
        self.offsets = array("q")
        self.sizes = array("q")
        self.skipped: list[tuple[int, ...]] = []  # origins of chunks stored with a filter skipped

    def __len__(self) -> int:
        return len(self.offsets)

    def add(self, origin: tuple[int, ...], offset: int, size: int) -> None:
        self._growing_origins().extend(origin)
        self.offsets.append(offset)
        self.sizes.append(size)

    def _growing_origins(self) -> array[int]:
        if not isinstance(self.origins, array):
            raise TypeError("a table made from index records is complete: rows cannot be added")
        return self.origins

    @classmethod
    def from_records(cls, prefix: str, chunks: tuple[int, ...], records: ChunkRecords) -> ChunkTable:
        """A table of the rows whose filter mask is 0; the others go to ``skipped``.

        Consumes ``records``: the origins column is kept, each other column dropped once copied, so the
        table and the records are not both whole at the peak of a large conversion.
        """
        table = cls(prefix, chunks)
        masked = records.masks != 0
        records.masks = _RELEASED
        keep = None
        if masked.any():
            table.skipped = [tuple(map(int, o)) for o in records.origins[masked]]
            keep = ~masked
        del masked
        origins = records.origins if keep is None else records.origins[keep]
        records.origins = _RELEASED
        table.origins = np.ascontiguousarray(origins, np.int64)  # no copy when already int64 and contiguous
        del origins
        for name, column in (("offsets", table.offsets), ("sizes", table.sizes)):
            values = getattr(records, name)
            setattr(records, name, _RELEASED)
            if keep is not None:
                values = values[keep]
            # copied straight from the array's buffer (as bytes): no intermediate bytes object at the peak
            column.frombytes(np.ascontiguousarray(values, np.int64).reshape(-1).data.cast("B"))
            del values
        return table

    def key_format(self) -> str:
        """``%``-format of this table's chunk keys, given one grid index per dimension."""
        return ".".join(["%d"] * len(self.chunks))

    def batches(self, size: int = 4096) -> Iterator[tuple[Sequence[int], ...]]:
        """Rows ``(index_0, ..., index_n-1, offset, length)`` as columns, in batches (vectorised).

        A batch's Python ints and the text written from them are the writer's peak beside the table:
        4,096 rows keep that near 1 MB at a few percent of the time of 16,384.
        """
        ndim = len(self.chunks)
        divisor = np.array(self.chunks, dtype=np.int64)
        if not len(self):
            return
        origins = np.frombuffer(self.origins, dtype=np.int64).reshape(-1, ndim)
        for start in range(0, len(self), size):
            stop = min(start + size, len(self))
            index = origins[start:stop] // divisor
            yield (*(index[:, d].tolist() for d in range(ndim)), self.offsets[start:stop], self.sizes[start:stop])

    def items(self) -> Iterator[tuple[str, int, int]]:
        """``(key, offset, length)`` per chunk."""
        key = self.key_format()
        for columns in self.batches():
            for row in zip(*columns):
                yield key % row[:-2], row[-2], row[-1]


def chunk_key(index: tuple[int, ...] | list[int]) -> str:
    """The Zarr v2 key of a chunk grid index (``"0"`` for 0-d)."""
    return ".".join(map(str, index)) if len(index) else "0"


def _collector(table: ChunkTable) -> Callable[[object], None]:
    """The chunk_iter callback: three C-level appends per chunk, nothing formatted yet."""
    extend, append_offset, append_size = table._growing_origins().extend, table.offsets.append, table.sizes.append
    skip = table.skipped.append

    def collect(info):
        origin, mask, offset, size = info
        if mask:
            skip(origin)
        else:
            extend(origin)
            append_offset(offset)
            append_size(size)
    return collect


def chunked_table(dset: h5py.Dataset, prefix: str, index: ChunkIndexReader | None = None) -> ChunkTable:
    """Every written chunk of a chunked dataset (never-written chunks are absent).

    Read by ``index`` when given; a structure it does not know, or bytes it finds
    corrupt, fall back to HDF5's ``chunk_iter`` (whose failure names the dataset).
    """
    reason = None
    if index is not None:
        try:
            return ChunkTable.from_records(prefix, tuple(dset.chunks), index.records(dset))
        except UnsupportedIndex as exc:
            log.debug("%s: chunk table from chunk_iter: %s", dset.name, exc)
        except IndexCorrupt as exc:
            reason = str(exc)
            log.debug("%s: chunk index bytes rejected (%s), asking chunk_iter", dset.name, exc)
    try:
        return _chunk_iter_table(dset, prefix)
    except Exception as exc:  # HDF5 raises OSError/RuntimeError/ValueError on a damaged index
        detail = f"{reason}; " if reason else ""
        raise ConversionError(f"chunk index unreadable: {detail}HDF5: {type(exc).__name__}: {exc}",
                              h5_path=dset.name) from None


def _chunk_iter_table(dset: h5py.Dataset, prefix: str) -> ChunkTable:
    table = ChunkTable(prefix, tuple(dset.chunks))
    collect = _collector(table)
    with gc_paused():  # the pass allocates only acyclic tuples; the cyclic GC would rescan them over and over
        dset.id.chunk_iter(collect)
    return table


def contiguous_chunks(shape: tuple[int, ...], itemsize: int, max_bytes: int | None) -> tuple[int, ...]:
    """Zarr chunk shape for a contiguous dataset: whole rows, at most ``max_bytes`` per chunk."""
    total = math.prod(shape) * itemsize
    if not shape or max_bytes is None or total <= max_bytes:
        return tuple(max(1, s) for s in shape)
    row = math.prod(shape[1:]) * itemsize
    return (max(1, max_bytes // max(row, 1)), *(max(1, s) for s in shape[1:]))


def contiguous_table(offset: int, shape: tuple[int, ...], itemsize: int, chunks: tuple[int, ...],
                     prefix: str) -> ChunkTable:
    """Refs into one contiguous block split along axis 0 (the last chunk may be short)."""
    table = ChunkTable(prefix, chunks)
    total = math.prod(shape) * itemsize
    step = math.prod(chunks) * itemsize
    tail = (0,) * (len(shape) - 1)
    for i, start in enumerate(range(0, total, step)):
        table.add((i * chunks[0], *tail), offset + start, min(step, total - start))
    return table
