"""The chunk table an index reader returns, built and checked with whole-array numpy operations."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .reads import IndexCorrupt

UNDEFINED = np.uint64((1 << 64) - 1)
#: Rows per block of :func:`check` and :func:`check_increasing`: their temporaries stay small beside the table.
_CHECK_ROWS = 1 << 14


@dataclass
class ChunkRecords:
    """One row per written chunk: element origins ``(n, rank)``, byte offsets, stored sizes, filter masks."""

    origins: np.ndarray
    offsets: np.ndarray
    sizes: np.ndarray
    masks: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets)

    @classmethod
    def empty(cls, rank: int) -> ChunkRecords:
        return cls(np.zeros((0, rank), np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint32))


def little_endian(fields: np.ndarray) -> np.ndarray:
    """Unsigned little-endian integers of any width 1-8 bytes, from a ``(n, width)`` uint8 array."""
    width = fields.shape[1]
    padded = np.zeros((fields.shape[0], 8), np.uint8)
    padded[:, :width] = fields
    return padded.view("<u8").reshape(-1)


def grid_origins(indices: np.ndarray, grid: tuple[int, ...], chunk_shape: tuple[int, ...]) -> np.ndarray:
    """Element origins of chunks given by their row-major linear index over ``grid``."""
    if not grid:
        return np.zeros((len(indices), 0), np.int64)
    scaled = np.stack(np.unravel_index(indices, grid), axis=1).astype(np.int64)
    return scaled * np.asarray(chunk_shape, np.int64)


def from_fields(origins: np.ndarray, addresses: np.ndarray, sizes: np.ndarray, masks: np.ndarray) -> ChunkRecords:
    """Rows whose address is defined (never-written chunks have the undefined address)."""
    written = addresses != UNDEFINED
    if not written.all():
        origins, addresses, sizes, masks = origins[written], addresses[written], sizes[written], masks[written]
    return ChunkRecords(origins, addresses.astype(np.int64), sizes.astype(np.int64), masks.astype(np.uint32))


def check(records: ChunkRecords, chunk_shape: tuple[int, ...], max_shape: tuple[int | None, ...], eof: int,
          unfiltered_size: int | None) -> None:
    """Reject tables no valid file has: chunks off the grid or the extent, bytes past the end, bad sizes."""
    chunks = np.asarray(chunk_shape, np.int64)
    blocks = [ChunkRecords(records.origins[i:i + _CHECK_ROWS], records.offsets[i:i + _CHECK_ROWS],
                           records.sizes[i:i + _CHECK_ROWS], records.masks[i:i + _CHECK_ROWS])
              for i in range(0, len(records), _CHECK_ROWS)]  # views
    if any((b.origins < 0).any() or (b.origins % chunks).any() for b in blocks):
        raise IndexCorrupt("a chunk origin is not on the chunk grid")
    for axis, bound in enumerate(max_shape):
        if bound is not None and any((b.origins[:, axis] >= max(bound, 1)).any() for b in blocks):
            raise IndexCorrupt(f"a chunk lies beyond the maximum extent along axis {axis}")
    if any((b.offsets < 0).any() or (b.sizes < 0).any() or (b.offsets + b.sizes > eof).any() for b in blocks):
        raise IndexCorrupt("a chunk lies outside the file")
    if unfiltered_size is not None and any((b.sizes != unfiltered_size).any() or b.masks.any() for b in blocks):
        raise IndexCorrupt("an unfiltered chunk has the wrong size or a filter mask")


def check_increasing(records: ChunkRecords) -> None:
    """Tree order is strictly increasing chunk origins (no duplicates, nothing out of place).

    Checked a block of rows at a time, so that the temporaries stay small beside the table.
    """
    origins = records.origins
    if len(origins) < 2 or origins.shape[1] == 0:
        if len(origins) > 1:
            raise IndexCorrupt("several chunks for a dataset with one chunk")
        return
    for start in range(0, len(origins) - 1, _CHECK_ROWS):
        diff = np.diff(origins[start:start + _CHECK_ROWS + 1], axis=0)  # one row of overlap: no pair left out
        nonzero = diff != 0
        first = np.argmax(nonzero, axis=1)
        leading = diff[np.arange(len(diff)), first]
        if (~nonzero.any(axis=1)).any() or (leading < 0).any():
            raise IndexCorrupt("chunk index entries are out of order or repeated")
