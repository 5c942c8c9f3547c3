"""Version-1 B-tree of chunked raw data (node type 1): the index of files written with default bounds.

Each node is ``TREE``, type, level, entries used, two sibling addresses, then
keys and children interleaved. A key is the chunk's stored size, filter mask
and element offsets (one per dimension plus a trailing 0 for the datatype); a
child is a node address, or at level 0 the chunk's address. Nodes are read a
whole level per batch and their entries decoded with one structured-dtype view
per node; no checksum exists, so the table is checked for order and bounds.
"""
from __future__ import annotations

import struct

import numpy as np

from .layout import ChunkLayout, UnsupportedIndex
from .reads import IndexCorrupt, IndexReads
from .records import UNDEFINED, ChunkRecords, check_increasing

_MAX_DEPTH = 64


def read_btree_v1(reads: IndexReads, layout: ChunkLayout, rank: int) -> ChunkRecords:
    """Every chunk under the root ``layout.address``, in key order (as ``chunk_iter`` gives them)."""
    if layout.address == int(UNDEFINED):
        return ChunkRecords.empty(rank)
    o = reads.facts.sizeof_addr
    k = reads.facts.istore_k
    if k is None or o not in (4, 8):
        raise UnsupportedIndex("version-1 B-tree node size unknown")
    addr_type = "<u8" if o == 8 else "<u4"
    entry = np.dtype([("size", "<u4"), ("mask", "<u4"), ("offsets", "<u8", (rank + 1,)), ("child", addr_type)])
    key_size = 8 + 8 * (rank + 1)
    prefix = 8 + 2 * o
    node_size = prefix + 2 * k * entry.itemsize + key_size
    grid = np.array([*layout.chunk_shape, max(layout.element_size, 1)], np.uint64)
    addresses = np.array([layout.address], np.uint64)
    parent_keys: np.ndarray | None = None  # the key left of each node in its parent: the node's first key
    level = -1  # not known until the root is read
    for _ in range(_MAX_DEPTH):
        nodes = reads.read([(int(a), min(node_size, reads.facts.eof - int(a))) for a in addresses])
        pieces, counts, finals = [], [], []
        for data in nodes:
            if data[:4] != b"TREE" or data[4] != 1:
                raise IndexCorrupt("not a chunk B-tree node (signature or node type)")
            node_level, used = data[5], struct.unpack_from("<H", data, 6)[0]
            if level >= 0 and node_level != level:
                raise IndexCorrupt(f"B-tree node at level {node_level} where level {level} was expected")
            level = node_level
            if used == 0 or prefix + used * entry.itemsize + key_size > len(data):
                raise IndexCorrupt(f"B-tree node with {used} entries")
            pieces.append(data[prefix:prefix + used * entry.itemsize])
            counts.append(used)
            finals.append(data[prefix + used * entry.itemsize + 8:prefix + used * entry.itemsize + key_size])
        # one view over the joined entries: per-node arrays would cost numpy a dtype promotion each
        del nodes
        entries = np.frombuffer(b"".join(pieces), entry)
        del pieces
        # HDF5 rejects any key (the closing one of each node included) off the chunk grid
        last_keys = np.frombuffer(b"".join(finals), "<u8").reshape(-1, rank + 1)
        if (entries["offsets"] % grid).any() or (last_keys % grid).any():
            raise IndexCorrupt("a B-tree key is not on the chunk grid")
        if parent_keys is not None:
            firsts = entries["offsets"][np.cumsum(counts) - counts]
            if not np.array_equal(firsts, parent_keys):
                raise IndexCorrupt("B-tree node keys disagree with their parent's")
        if level == 0:
            if entries["offsets"][:, rank].any():
                raise IndexCorrupt("chunk key with a non-zero datatype offset")
            records = ChunkRecords(entries["offsets"][:, :rank].astype(np.int64), entries["child"].astype(np.int64),
                                   entries["size"].astype(np.int64), entries["mask"].copy())
            check_increasing(records)
            return records
        addresses = entries["child"].astype(np.uint64)
        parent_keys = entries["offsets"]
        level -= 1
    raise IndexCorrupt("B-tree deeper than any file holds")
