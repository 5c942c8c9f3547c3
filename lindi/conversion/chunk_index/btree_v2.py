"""Version-2 B-tree of chunk records (types 10 and 11): datasets with several unlimited dimensions.

``BTHD`` gives the root, its record count and the tree depth; internal nodes
(``BTIN``) hold records followed by child pointers (address, record count, and
below the top levels the subtree's total), leaves (``BTLF``) hold records. A
record is the chunk address, (filtered: stored size and filter mask), then the
chunk's scaled coordinates. Internal nodes hold chunk records too, so rows of
every level are gathered and sorted by coordinates, the order ``chunk_iter`` uses.
"""
from __future__ import annotations

import struct

import numpy as np

from .layout import ChunkLayout
from .reads import IndexCorrupt, IndexReads, verify_checksum
from .records import UNDEFINED, ChunkRecords, check_increasing, little_endian

_PREFIX = 10  # signature, version, type, checksum


def _width(value: int) -> int:
    """Bytes HDF5 uses to encode counts up to ``value``."""
    return (max(value, 1).bit_length() - 1) // 8 + 1


def _pointer_widths(node_size: int, record_size: int, depth: int, o: int) -> tuple[int, list[int]]:
    """(width of a child's record count, width of a child's subtree total per node depth)."""
    max_records = [(node_size - _PREFIX) // record_size]
    cumulative, cumulative_width = [max_records[0]], [0]
    count_width = _width(max_records[0])
    for depth_u in range(1, depth + 1):
        pointer = o + count_width + cumulative_width[depth_u - 1]
        n = (node_size - _PREFIX) // (record_size + pointer)
        max_records.append(n)
        cumulative.append((n + 1) * cumulative[depth_u - 1] + n)
        cumulative_width.append(_width(cumulative[-1]))
    return count_width, cumulative_width


def read_btree_v2(reads: IndexReads, layout: ChunkLayout, rank: int, filtered: bool, checksum) -> ChunkRecords:
    """Every chunk record of the tree, ordered by coordinates."""
    if layout.address == int(UNDEFINED):
        return ChunkRecords.empty(rank)
    o, lw = reads.facts.sizeof_addr, reads.facts.sizeof_size
    head = reads.read([(layout.address, 16 + o + 2 + lw + 4)])[0]
    if head[:4] != b"BTHD" or head[4] != 0 or head[5] != (11 if filtered else 10):
        raise IndexCorrupt("not a chunk version-2 B-tree header")
    verify_checksum(head, checksum, "version-2 B-tree header")
    node_size, record_size, depth = struct.unpack_from("<IHH", head, 6)
    root = int.from_bytes(head[16:16 + o], "little")
    root_records = struct.unpack_from("<H", head, 16 + o)[0]
    size_width = record_size - o - 4 - 8 * rank if filtered else 0
    if (filtered and not 1 <= size_width <= 8) or (not filtered and record_size != o + 8 * rank) or depth > 64:
        raise IndexCorrupt("version-2 B-tree record size")
    fields: list[tuple] = [("addr", "u1", (o,))]
    if filtered:
        fields += [("size", "u1", (size_width,)), ("mask", "<u4")]
    fields.append(("scaled", "<u8", (rank,)))
    record = np.dtype(fields)
    count_width, cumulative_width = _pointer_widths(node_size, record_size, depth, o)
    parts = []
    level = [(root, root_records)] if root_records else []
    for node_depth in range(depth, -1, -1):
        if not level:
            break
        leaf = node_depth == 0
        pointer_size = 0 if leaf else o + count_width + (cumulative_width[node_depth - 1] if node_depth > 1 else 0)
        lengths = [6 + n * record_size + (0 if leaf else (n + 1) * pointer_size) + 4 for _, n in level]
        if max(lengths) > node_size:
            raise IndexCorrupt("version-2 B-tree node overflows its size")
        children: list[tuple[int, int]] = []
        for (_, n), data in zip(level, reads.read([(a, length) for (a, _), length in
                                                         zip(level, lengths)])):
            if data[:4] != (b"BTLF" if leaf else b"BTIN") or data[4] != 0 or data[5] != head[5]:
                raise IndexCorrupt("not a chunk version-2 B-tree node")
            verify_checksum(data, checksum, "version-2 B-tree node")
            parts.append(np.frombuffer(data, record, count=n, offset=6))
            if not leaf:
                table = np.frombuffer(data, np.uint8, count=(n + 1) * pointer_size,
                                      offset=6 + n * record_size).reshape(n + 1, pointer_size)
                addresses = little_endian(table[:, :o])
                counts = little_endian(table[:, o:o + count_width])
                children.extend(zip(addresses.tolist(), counts.tolist()))
        level = [(a, n) for a, n in children if n]
        if any(n == 0 for _, n in children):
            raise IndexCorrupt("empty version-2 B-tree node")
    if not parts:
        return ChunkRecords.empty(rank)
    rows = np.concatenate(parts)
    scaled = rows["scaled"].astype(np.int64)
    order = np.lexsort(scaled.T[::-1]) if rank else np.arange(len(rows))
    rows, scaled = rows[order], scaled[order]
    addresses = little_endian(rows["addr"])
    if filtered:
        sizes, masks = little_endian(rows["size"]).astype(np.int64), rows["mask"].astype(np.uint32)
    else:
        sizes = np.full(len(rows), int(np.prod(layout.chunk_shape)) * layout.element_size, np.int64)
        masks = np.zeros(len(rows), np.uint32)
    records = ChunkRecords(scaled * np.asarray(layout.chunk_shape, np.int64), addresses.astype(np.int64), sizes,
                           masks)
    check_increasing(records)
    if (addresses == (1 << (8 * o)) - 1).any():
        raise IndexCorrupt("version-2 B-tree record without an address")
    return records
