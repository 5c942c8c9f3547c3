"""Fixed arrays (``FAHD``/``FADB``) and extensible arrays (``EAHD``/``EAIB``/``EASB``/``EADB``).

HDF5 1.10+ (``libver='latest'``) indexes a dataset with no unlimited dimension
by a fixed array of one entry per chunk of the maximum extent, and one with a
single unlimited dimension by an extensible array whose entries are laid out
with the unlimited dimension first. An entry is the chunk address (undefined
when never written), plus its stored size and filter mask when the dataset is
filtered. Large data blocks are split in pages, each with its own checksum and
an 'initialised' bit; every block's checksum is verified.
"""
from __future__ import annotations

import math

import numpy as np

from .layout import ChunkLayout, UnsupportedIndex
from .reads import IndexCorrupt, IndexReads, verify_checksum
from .records import UNDEFINED, ChunkRecords, from_fields, grid_origins, little_endian

Fields = tuple[np.ndarray, "np.ndarray | None", np.ndarray]  # addresses, sizes (None: unfiltered), masks


def _entries(raw: bytes, count: int, entry_size: int, o: int, filtered: bool) -> Fields:
    """(addresses, sizes, masks) of ``count`` consecutive entries."""
    table = np.frombuffer(raw, np.uint8, count=count * entry_size).reshape(count, entry_size)
    addresses = little_endian(table[:, :o])
    if o < 8:
        addresses = np.where(addresses == (1 << (8 * o)) - 1, UNDEFINED, addresses)
    if not filtered:
        return addresses, None, np.zeros(count, np.uint32)
    sizes = little_endian(table[:, o:entry_size - 4])
    masks = np.ascontiguousarray(table[:, entry_size - 4:]).view("<u4").reshape(-1)
    return addresses, sizes, masks


def _entry_format(entry_size: int, o: int, filtered: bool) -> None:
    if (not filtered and entry_size != o) or (filtered and not o + 5 <= entry_size <= o + 12):
        raise IndexCorrupt(f"index entry size {entry_size}")


def _bit(bitmap: bytes, index: int) -> bool:
    return bool(bitmap[index // 8] & (0x80 >> (index % 8)))


def _paged_entries(block: bytes, start: int, nelmts: int, page_nelmts: int, entry_size: int, bitmap: bytes,
                   checksum, o: int, filtered: bool) -> list[tuple[int, Fields]]:
    """Entries of the initialised pages of a paged data block: ``[(first element, fields)]``."""
    out = []
    page_bytes = page_nelmts * entry_size + 4
    for page in range(-(-nelmts // page_nelmts)):
        if not _bit(bitmap, page):
            continue
        count = min(page_nelmts, nelmts - page * page_nelmts)
        raw = block[start + page * page_bytes:start + page * page_bytes + count * entry_size + 4]
        if len(raw) != count * entry_size + 4:
            raise IndexCorrupt("data block page beyond the block")
        verify_checksum(raw, checksum, "data block page")
        out.append((page * page_nelmts, _entries(raw, count, entry_size, o, filtered)))
    return out


def _rows(pieces: list[tuple[int, Fields]], unfiltered_size: int) -> tuple[np.ndarray, ...]:
    """Concatenate ``(first index, fields)`` pieces into (indices, addresses, sizes, masks)."""
    if not pieces:
        return tuple(np.zeros(0, t) for t in (np.int64, np.uint64, np.int64, np.uint32))
    indices = np.concatenate([np.arange(first, first + len(f[0]), dtype=np.int64) for first, f in pieces])
    addresses = np.concatenate([f[0] for _, f in pieces])
    sizes = np.concatenate([f[1] if f[1] is not None else np.full(len(f[0]), unfiltered_size, np.int64)
                            for _, f in pieces]).astype(np.int64)
    masks = np.concatenate([f[2] for _, f in pieces])
    return indices, addresses, sizes, masks


def read_fixed_array(reads: IndexReads, layout: ChunkLayout, max_shape: tuple[int, ...], filtered: bool,
                     checksum) -> ChunkRecords:
    """Chunks of a fixed-array index, in entry order (row-major over the maximum extent's chunk grid)."""
    rank = len(max_shape)
    if layout.address == int(UNDEFINED):
        return ChunkRecords.empty(rank)
    o, length_width = reads.facts.sizeof_addr, reads.facts.sizeof_size
    head = reads.read([(layout.address, 8 + length_width + o + 4)])[0]
    if head[:4] != b"FAHD" or head[4] != 0:
        raise IndexCorrupt("not a fixed array header")
    verify_checksum(head, checksum, "fixed array header")
    entry_size, page_bits = head[6], head[7]
    nelmts = int.from_bytes(head[8:8 + length_width], "little")
    block_address = int.from_bytes(head[8 + length_width:8 + length_width + o], "little")
    chunk_bytes = math.prod(layout.chunk_shape) * layout.element_size
    _entry_format(entry_size, o, filtered)
    grid = tuple(-(-m // c) for m, c in zip(max_shape, layout.chunk_shape))
    if nelmts != math.prod(grid):
        raise IndexCorrupt(f"fixed array of {nelmts} entries for {math.prod(grid)} chunks")
    page_nelmts = 1 << page_bits
    npages = -(-nelmts // page_nelmts) if nelmts > page_nelmts else 0
    prefix = 6 + o
    if npages:
        bitmap_size = -(-npages // 8)
        size = prefix + bitmap_size + 4 + nelmts * entry_size + 4 * npages
    else:
        size = prefix + nelmts * entry_size + 4
    block = reads.read([(block_address, size)])[0]
    if block[:4] != b"FADB" or block[4] != 0:
        raise IndexCorrupt("not a fixed array data block")
    if npages:
        verify_checksum(block[:prefix + bitmap_size + 4], checksum, "fixed array data block")
        pieces = _paged_entries(block, prefix + bitmap_size + 4, nelmts, page_nelmts, entry_size,
                                block[prefix:prefix + bitmap_size], checksum, o, filtered)
    else:
        verify_checksum(block, checksum, "fixed array data block")
        pieces = [(0, _entries(block[prefix:], nelmts, entry_size, o, filtered))]
    indices, addresses, sizes, masks = _rows(pieces, chunk_bytes)
    return from_fields(grid_origins(indices, grid, layout.chunk_shape), addresses, sizes, masks)


def read_extensible_array(reads: IndexReads, layout: ChunkLayout, max_shape: tuple[int | None, ...],
                          filtered: bool, checksum) -> ChunkRecords:
    """Chunks of an extensible-array index, in entry order (unlimited axis slowest)."""
    rank = len(max_shape)
    if layout.address == int(UNDEFINED):
        return ChunkRecords.empty(rank)
    unlimited = [axis for axis, m in enumerate(max_shape) if m is None]
    if len(unlimited) != 1:
        raise UnsupportedIndex("extensible array without exactly one unlimited dimension")
    o, lw = reads.facts.sizeof_addr, reads.facts.sizeof_size
    head = reads.read([(layout.address, 12 + 6 * lw + o + 4)])[0]
    if head[:4] != b"EAHD" or head[4] != 0:
        raise IndexCorrupt("not an extensible array header")
    verify_checksum(head, checksum, "extensible array header")
    entry_size, max_bits, iblock_elmts, dblock_min, sblock_min_ptrs, page_bits = head[6:12]
    max_index_set = int.from_bytes(head[12 + 4 * lw:12 + 5 * lw], "little")
    iblock_address = int.from_bytes(head[12 + 6 * lw:12 + 6 * lw + o], "little")
    chunk_bytes = math.prod(layout.chunk_shape) * layout.element_size
    _entry_format(entry_size, o, filtered)
    if dblock_min == 0 or sblock_min_ptrs == 0 or dblock_min & (dblock_min - 1) or \
            sblock_min_ptrs & (sblock_min_ptrs - 1) or max_bits > 64:
        raise IndexCorrupt("extensible array parameters")
    if iblock_address == int(UNDEFINED) or max_index_set == 0:
        return ChunkRecords.empty(rank)
    # super block s holds 2**(s//2) data blocks of 2**((s+1)//2) * dblock_min entries each
    nsblks = 1 + max_bits - (dblock_min.bit_length() - 1)
    sblk_ndblks = [1 << (s // 2) for s in range(nsblks)]
    sblk_nelmts = [(1 << ((s + 1) // 2)) * dblock_min for s in range(nsblks)]
    sblk_start = [0] * nsblks
    for s in range(1, nsblks):
        sblk_start[s] = sblk_start[s - 1] + sblk_ndblks[s - 1] * sblk_nelmts[s - 1]
    iblock_sblks = 2 * (sblock_min_ptrs.bit_length() - 1)
    n_dblk_addrs = 2 * (sblock_min_ptrs - 1)
    n_sblk_addrs = nsblks - iblock_sblks
    offset_width = (max_bits + 7) // 8
    page_nelmts = 1 << page_bits

    iblock = reads.read([(iblock_address, 6 + o + iblock_elmts * entry_size + (n_dblk_addrs + n_sblk_addrs) * o + 4)])[0]
    if iblock[:4] != b"EAIB" or iblock[4] != 0:
        raise IndexCorrupt("not an extensible array index block")
    verify_checksum(iblock, checksum, "extensible array index block")
    pos = 6 + o
    pieces = [(0, _entries(iblock[pos:], iblock_elmts, entry_size, o, filtered))]
    pos += iblock_elmts * entry_size
    dblk_addrs = [int.from_bytes(iblock[pos + i * o:pos + (i + 1) * o], "little") for i in range(n_dblk_addrs)]
    pos += n_dblk_addrs * o
    sblk_addrs = [int.from_bytes(iblock[pos + i * o:pos + (i + 1) * o], "little") for i in range(n_sblk_addrs)]
    undefined = (1 << (8 * o)) - 1

    # data blocks to read: (address, first element, entries, page bitmap or None)
    wanted: list[tuple[int, int, int, bytes | None]] = []
    d = 0
    for s in range(min(iblock_sblks, nsblks)):
        for j in range(sblk_ndblks[s]):
            first = iblock_elmts + sblk_start[s] + j * sblk_nelmts[s]
            if d < len(dblk_addrs) and dblk_addrs[d] != undefined and first < max_index_set:
                if sblk_nelmts[s] > page_nelmts:
                    raise UnsupportedIndex("paged data block under an extensible array index block")
                wanted.append((dblk_addrs[d], first, sblk_nelmts[s], None))
            d += 1
    sblocks = [(s, a) for s, a in zip(range(iblock_sblks, nsblks), sblk_addrs)
               if a != undefined and iblock_elmts + sblk_start[s] < max_index_set]
    sizes_of = {}
    for s, _ in sblocks:
        npages = sblk_nelmts[s] // page_nelmts if sblk_nelmts[s] > page_nelmts else 0
        bitmap_size = -(-npages // 8) if npages else 0
        sizes_of[s] = (npages, bitmap_size, 6 + o + offset_width + sblk_ndblks[s] * (bitmap_size + o) + 4)
    for (s, _), block in zip(sblocks, reads.read([(a, sizes_of[s][2]) for s, a in sblocks])):
        if block[:4] != b"EASB" or block[4] != 0:
            raise IndexCorrupt("not an extensible array super block")
        verify_checksum(block, checksum, "extensible array super block")
        npages, bitmap_size, _ = sizes_of[s]
        pos = 6 + o + offset_width
        bitmaps = block[pos:pos + sblk_ndblks[s] * bitmap_size]
        pos += sblk_ndblks[s] * bitmap_size
        for j in range(sblk_ndblks[s]):
            address = int.from_bytes(block[pos + j * o:pos + (j + 1) * o], "little")
            first = iblock_elmts + sblk_start[s] + j * sblk_nelmts[s]
            if address != undefined and first < max_index_set:
                wanted.append((address, first, sblk_nelmts[s],
                               bitmaps[j * bitmap_size:(j + 1) * bitmap_size] if npages else None))
    prefix = 6 + o + offset_width

    def block_size(nelmts: int, bitmap: bytes | None) -> int:
        if bitmap is None:
            return prefix + nelmts * entry_size + 4
        return prefix + 4 + nelmts * entry_size + 4 * (nelmts // page_nelmts)

    blocks = reads.read([(a, block_size(n, bm)) for a, _, n, bm in wanted])
    for (_, first, nelmts, bitmap), block in zip(wanted, blocks):
        if block[:4] != b"EADB" or block[4] != 0:
            raise IndexCorrupt("not an extensible array data block")
        if bitmap is None:
            verify_checksum(block, checksum, "extensible array data block")
            pieces.append((first, _entries(block[prefix:], nelmts, entry_size, o, filtered)))
        else:
            verify_checksum(block[:prefix + 4], checksum, "extensible array data block")
            pieces.extend((first + at, fields) for at, fields in _paged_entries(
                block, prefix + 4, nelmts, page_nelmts, entry_size, bitmap, checksum, o, filtered))
    indices, addresses, sizes, masks = _rows(pieces, chunk_bytes)
    keep = indices < max_index_set
    indices, addresses, sizes, masks = indices[keep], addresses[keep], sizes[keep], masks[keep]
    # entries are row-major over the axes with the unlimited one moved first
    axis = unlimited[0]
    order = [axis] + [a for a in range(rank) if a != axis]
    inner = tuple(-(-max_shape[a] // layout.chunk_shape[a]) for a in order[1:])  # type: ignore[operator]
    swizzled_grid = (int(indices.max()) // max(math.prod(inner), 1) + 1 if len(indices) else 1, *inner)
    swizzled = grid_origins(indices, swizzled_grid, tuple(layout.chunk_shape[a] for a in order))
    origins = np.empty_like(swizzled)
    origins[:, order] = swizzled
    return from_fields(origins, addresses, sizes, masks)
