"""Chunk tables read from HDF5's own index structures, a tree level per batch of range requests.

``h5py``'s ``chunk_iter`` walks a dataset's chunk index one node at a time, a
Python callback per chunk: over HTTP that is one round trip per node, in
series. :class:`ChunkIndexReader` instead parses the dataset's layout message
(object header address from h5py) and reads the index itself: the version-1
B-tree (default library bounds), and with ``libver='latest'`` single-chunk,
implicit, fixed-array, extensible-array and version-2 B-tree indexes. Each
tree level is one batch of concurrent coalesced reads; entries are decoded
with numpy structured views. Anything it does not know raises
:class:`UnsupportedIndex`, bytes that are not what HDF5 writes raise
:class:`IndexCorrupt`; :func:`lindi.conversion.chunks.chunked_table` then
asks ``chunk_iter`` instead, so the table is always HDF5's.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import h5py
import numpy as np

from ...errors import ConversionError
from ...remote_file import RemoteFile, reader_over
from .arrays import read_extensible_array, read_fixed_array
from .btree_v1 import read_btree_v1
from .btree_v2 import read_btree_v2
from .layout import (
    BTREE_V1,
    BTREE_V2,
    EXTENSIBLE_ARRAY,
    FIXED_ARRAY,
    IMPLICIT,
    SINGLE_CHUNK,
    UNDEFINED,
    ChunkLayout,
    UnsupportedIndex,
    read_layout,
)
from .libhdf5 import checksum_function, istore_k, object_address_and_refcount
from .reads import (
    LOCAL_BATCH_BYTES,
    BatchRead,
    FileFacts,
    IndexCorrupt,
    IndexReads,
    local_batch_reader,
    remote_batch_reader,
)
from .records import ChunkRecords, check, grid_origins

__all__ = ["BatchRead", "ChunkIndexReader", "ChunkRecords", "IndexCorrupt", "UnsupportedIndex",
           "chunk_iter_records", "local_batch_reader", "object_address_and_refcount", "remote_batch_reader"]


class ChunkIndexReader:
    """Reads chunk tables of the datasets of one open file through ``read_batch``.

    ``batch_bytes`` bounds each batch of a local file (a remote file reads a whole tree level per batch).
    """

    def __init__(self, h5file: h5py.File, read_batch: BatchRead, size: int,
                 on_read: Callable[[int, int], None] | None = None,
                 read_header: Callable[[int, int], bytes] | None = None,
                 batch_bytes: int | None = LOCAL_BATCH_BYTES):
        sizeof_addr, sizeof_size = h5file.id.get_create_plist().get_sizes()
        facts = FileFacts(sizeof_addr, sizeof_size, size, istore_k(h5file.id))
        self.reads = IndexReads(read_batch, facts, on_read, read_header, batch_bytes)
        self._checksum = checksum_function()

    @classmethod
    def over_remote_file(cls, h5file: h5py.File, remote_file: RemoteFile,
                         on_read: Callable[[int, int], None] | None = None) -> ChunkIndexReader:
        """The reader of ``h5file``, which h5py reads from ``remote_file``.

        Object headers are read like h5py's metadata, through the read-ahead blocks
        (which already hold them); index nodes go out as concurrent coalesced batches,
        except ranges the blocks already hold. ``on_read(requests, nbytes)`` counts what is sent
        (blocks served from memory included).
        """
        batches = remote_batch_reader(remote_file.url, reader_over(remote_file, remote_file.reader),
                                      on_requests=on_read)
        return cls(h5file, batches, remote_file.size, None, remote_file.read_at, batch_bytes=None)

    def layout(self, dset: h5py.Dataset) -> ChunkLayout:
        """The decoded layout message of ``dset`` (index type, root address, chunk shape)."""
        return read_layout(self.reads, object_address_and_refcount(dset.id)[0], self._checksum)

    def records(self, dset: h5py.Dataset) -> ChunkRecords:
        """Every written chunk of the chunked dataset ``dset``, in ``chunk_iter``'s order."""
        layout = self.layout(dset)
        chunk_shape = tuple(dset.chunks or ())
        if layout.chunk_shape != chunk_shape or layout.element_size != dset.id.get_type().get_size():
            raise IndexCorrupt(f"layout message chunk shape {layout.chunk_shape} differs from h5py's {chunk_shape}")
        if layout.index_type != BTREE_V1 and self._checksum is None:
            raise UnsupportedIndex("cannot verify HDF5 checksums (libhdf5 not reachable)")
        plist = dset.id.get_create_plist()
        filtered = plist.get_nfilters() > 0
        max_shape = tuple(dset.maxshape)
        chunk_bytes = math.prod(chunk_shape) * layout.element_size
        try:
            records = self._dispatch(layout, tuple(dset.shape), max_shape, filtered, chunk_bytes)
            check(records, chunk_shape, max_shape, self.reads.facts.eof, None if filtered else chunk_bytes)
        except (UnsupportedIndex, IndexCorrupt) as exc:
            if layout.index_type == EXTENSIBLE_ARRAY and max_shape[0] is not None:
                # HDF5's chunk_iter places these chunks at wrong coordinates (its reads are right): no fallback
                raise ConversionError(f"chunk index unreadable: {exc}", h5_path=dset.name) from None
            raise
        return records

    def _dispatch(self, layout: ChunkLayout, shape: tuple[int, ...], max_shape: tuple[int | None, ...],
                  filtered: bool, chunk_bytes: int) -> ChunkRecords:
        kind, rank = layout.index_type, len(shape)
        if kind == BTREE_V1:
            return read_btree_v1(self.reads, layout, rank)
        if kind == SINGLE_CHUNK:
            if layout.address == UNDEFINED:
                return ChunkRecords.empty(rank)
            size = layout.single_size if layout.flags & 0x02 else chunk_bytes
            return ChunkRecords(np.zeros((1, rank), np.int64), np.array([layout.address], np.int64),
                                np.array([size], np.int64), np.array([layout.single_mask], np.uint32))
        if kind == IMPLICIT:
            if layout.address == UNDEFINED:
                return ChunkRecords.empty(rank)
            # every chunk of the current extent, stored in row-major order of the maximum extent's grid
            grid = tuple(-(-s // c) for s, c in zip(shape, layout.chunk_shape))
            max_grid = tuple(-(-m // c) for m, c in zip(max_shape, layout.chunk_shape))  # type: ignore[operator]
            n = math.prod(grid)
            scaled = np.unravel_index(np.arange(n, dtype=np.int64), grid)
            slots = np.ravel_multi_index(scaled, max_grid) if rank else np.zeros(n, np.int64)
            return ChunkRecords(grid_origins(np.arange(n, dtype=np.int64), grid, layout.chunk_shape),
                                layout.address + slots.astype(np.int64) * chunk_bytes,
                                np.full(n, chunk_bytes, np.int64), np.zeros(n, np.uint32))
        if kind == FIXED_ARRAY:
            return read_fixed_array(self.reads, layout, max_shape, filtered, self._checksum)  # type: ignore[arg-type]
        if kind == EXTENSIBLE_ARRAY:
            return read_extensible_array(self.reads, layout, max_shape, filtered, self._checksum)
        if kind == BTREE_V2:
            return read_btree_v2(self.reads, layout, rank, filtered, self._checksum)
        raise UnsupportedIndex(f"chunk index type {kind}")


def chunk_iter_records(dset: h5py.Dataset) -> ChunkRecords:
    """The same table from HDF5's ``chunk_iter``: the fallback, and the oracle of the tests."""
    rows: list = []
    dset.id.chunk_iter(rows.append)
    rank = len(dset.chunks or ())
    if not rows:
        return ChunkRecords.empty(rank)
    return ChunkRecords(np.array([r.chunk_offset for r in rows], np.int64).reshape(len(rows), rank),
                        np.array([r.byte_offset for r in rows], np.int64), np.array([r.size for r in rows], np.int64),
                        np.array([r.filter_mask for r in rows], np.uint32))
