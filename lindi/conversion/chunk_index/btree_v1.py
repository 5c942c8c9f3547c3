"""Version-1 B-tree of chunked raw data (node type 1): the index of files written with default bounds.

Each node is ``TREE``, type, level, entries used, two sibling addresses, then
keys and children interleaved. A key is the chunk's stored size, filter mask
and element offsets (one per dimension plus a trailing 0 for the datatype); a
child is a node address, or at level 0 the chunk's address. Nodes are read a
whole level per batch (a local file: parts of a level of at most ``batch_bytes``);
their entries are decoded a group of nodes at a time with one structured-dtype
view, straight into the table's columns, and each group's node bytes are
released once decoded, so a level's bytes are never held twice.
No checksum exists, so the table is checked for order and bounds.
"""
from __future__ import annotations

import struct

import numpy as np

from .layout import ChunkLayout, UnsupportedIndex
from .reads import IndexCorrupt, IndexReads
from .records import UNDEFINED, ChunkRecords, check_increasing

_MAX_DEPTH = 64
#: Nodes whose entries are decoded together (about 330 KB of entries at the default 32 entries per node):
#: large enough that numpy's per-call cost stays small, small enough that no level is held twice.
_NODES_PER_GROUP = 128


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
        ranges = [(int(a), min(node_size, reads.facts.eof - int(a))) for a in addresses]
        level_entries: _LevelEntries | None = None
        off_grid = parent_disagrees = datatype_offset = False
        for first_node, part in reads.read_parts(ranges):
            nodes: list[bytes | None] = [*part]
            del part
            counts = np.empty(len(nodes), np.int64)
            for i, data in enumerate(nodes):
                assert data is not None
                if data[:4] != b"TREE" or data[4] != 1:
                    raise IndexCorrupt("not a chunk B-tree node (signature or node type)")
                node_level, used = data[5], struct.unpack_from("<H", data, 6)[0]
                if level >= 0 and node_level != level:
                    raise IndexCorrupt(f"B-tree node at level {node_level} where level {level} was expected")
                level = node_level
                if used == 0 or prefix + used * entry.itemsize + key_size > len(data):
                    raise IndexCorrupt(f"B-tree node with {used} entries")
                counts[i] = used
            if level_entries is None:  # a node holds at most 2K entries (its size was checked above)
                level_entries = _LevelEntries(len(ranges) * 2 * k, rank, leaf=level == 0)
            starts = np.cumsum(counts) - counts
            for first in range(0, len(nodes), _NODES_PER_GROUP):
                group = range(first, min(first + _NODES_PER_GROUP, len(nodes)))
                entries, last_keys = _decode_group(nodes, group, counts, prefix, entry, key_size, rank)
                # HDF5 rejects any key (the closing one of each node included) off the chunk grid
                off_grid = off_grid or bool((entries["offsets"] % grid).any() or (last_keys % grid).any())
                if parent_keys is not None:
                    firsts = entries["offsets"][starts[group.start:group.stop] - starts[group.start]]
                    parents = parent_keys[first_node + group.start:first_node + group.stop]
                    parent_disagrees = parent_disagrees or not np.array_equal(firsts, parents)
                datatype_offset = datatype_offset or bool(level == 0 and entries["offsets"][:, rank].any())
                level_entries.put(entries)
        assert level_entries is not None  # the level has at least one node
        level_entries.trim()
        if off_grid:
            raise IndexCorrupt("a B-tree key is not on the chunk grid")
        if parent_disagrees:
            raise IndexCorrupt("B-tree node keys disagree with their parent's")
        if level == 0:
            if datatype_offset:
                raise IndexCorrupt("chunk key with a non-zero datatype offset")
            records = level_entries.records()
            check_increasing(records)
            return records
        addresses, parent_keys = level_entries.children, level_entries.keys
        level -= 1
    raise IndexCorrupt("B-tree deeper than any file holds")


def _decode_group(nodes: list[bytes | None], group: range, counts: np.ndarray, prefix: int, entry: np.dtype,
                  key_size: int, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """The entries and the closing keys of the nodes in ``group``; their bytes are released from ``nodes``."""
    pieces, finals = [], []
    for i in group:
        data = memoryview(nodes[i])  # type: ignore[arg-type]  # not yet released
        end = prefix + int(counts[i]) * entry.itemsize
        pieces.append(data[prefix:end])
        finals.append(data[end + 8:end + key_size])
    entries = np.frombuffer(b"".join(pieces), entry)
    last_keys = np.frombuffer(b"".join(finals), "<u8").reshape(-1, rank + 1)
    del pieces, finals, data
    for i in group:
        nodes[i] = None
    return entries, last_keys


class _LevelEntries:
    """The decoded entries of one tree level, appended group by group to arrays of the final types.

    At the leaf level these are the table's own columns; above it, the child addresses and keys the next
    level is read and checked with. The arrays are made for the most entries the level's nodes can hold
    and cut to what they hold: ``np.empty`` commits no memory for the rows never written.
    """

    def __init__(self, capacity: int, rank: int, *, leaf: bool):
        self.rank, self.leaf, self.filled = rank, leaf, 0
        if leaf:
            self.origins = np.empty((capacity, rank), np.int64)
            self.offsets = np.empty(capacity, np.int64)
            self.sizes = np.empty(capacity, np.int64)
            self.masks = np.empty(capacity, np.uint32)
        else:
            self.children = np.empty(capacity, np.uint64)
            self.keys = np.empty((capacity, rank + 1), np.uint64)

    def put(self, entries: np.ndarray) -> None:
        rows = slice(self.filled, self.filled + len(entries))
        if self.leaf:
            self.origins[rows] = entries["offsets"][:, :self.rank]
            self.offsets[rows] = entries["child"]
            self.sizes[rows] = entries["size"]
            self.masks[rows] = entries["mask"]
        else:
            self.children[rows] = entries["child"]
            self.keys[rows] = entries["offsets"]
        self.filled = rows.stop

    def trim(self) -> None:
        n = self.filled
        if self.leaf:
            self.origins, self.offsets, self.sizes, self.masks = (
                self.origins[:n], self.offsets[:n], self.sizes[:n], self.masks[:n])
        else:
            self.children, self.keys = self.children[:n], self.keys[:n]

    def records(self) -> ChunkRecords:
        return ChunkRecords(self.origins, self.offsets, self.sizes, self.masks)
