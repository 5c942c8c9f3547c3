"""Where a dataset's bytes are: chunk refs from ``chunk_iter`` and contiguous splits.

One ``DatasetID.chunk_iter`` pass per dataset; each written chunk becomes one
compact ``(key, offset, length)`` tuple (no per-chunk dicts or lists), turned
into document refs only when the document is rendered.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import h5py


@dataclass
class ChunkTable:
    """Chunk refs of one array into the source file: ``prefix + key -> [url, offset, length]``."""

    prefix: str
    entries: list[tuple[str, int, int]] = field(default_factory=list)
    skipped: list[tuple[int, ...]] = field(default_factory=list)  # chunk offsets with filter_mask != 0


def chunk_key(index: tuple[int, ...] | list[int]) -> str:
    """The Zarr v2 key of a chunk grid index (``"0"`` for 0-d)."""
    return ".".join(map(str, index)) if len(index) else "0"


def _collector(chunks: tuple[int, ...], table: ChunkTable) -> Callable[[object], None]:
    """A chunk_iter callback specialised by rank: keys are formatted with few operations."""
    append = table.entries.append
    skip = table.skipped.append
    if len(chunks) == 1:
        (c0,) = chunks

        def collect1(info):
            (o0,), mask, offset, size = info
            if mask:
                skip((o0,))
            else:
                append((str(o0 // c0), offset, size))
        return collect1
    if len(chunks) == 2:
        c0, c1 = chunks

        def collect2(info):
            (o0, o1), mask, offset, size = info
            if mask:
                skip((o0, o1))
            else:
                append((f"{o0 // c0}.{o1 // c1}", offset, size))
        return collect2

    def collect(info):
        origin, mask, offset, size = info
        if mask:
            skip(tuple(origin))
        else:
            append((".".join([str(o // c) for o, c in zip(origin, chunks)]), offset, size))
    return collect


def chunked_table(dset: h5py.Dataset, prefix: str) -> ChunkTable:
    """Every written chunk of a chunked dataset (never-written chunks are absent)."""
    table = ChunkTable(prefix)
    dset.id.chunk_iter(_collector(tuple(dset.chunks), table))
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
    table = ChunkTable(prefix)
    total = math.prod(shape) * itemsize
    step = math.prod(chunks) * itemsize
    tail = ".0" * (len(shape) - 1)
    for i, start in enumerate(range(0, total, step)):
        table.entries.append((f"{i}{tail}", offset + start, min(step, total - start)))
    return table
