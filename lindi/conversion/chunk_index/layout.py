"""A chunked dataset's data layout message, read from its object header bytes.

The layout message (type 0x0008) says which index structure holds the chunk
table and where its root is. Object headers come in two versions (v1: no
signature, 8-byte aligned messages; v2: ``OHDR`` with a checksum) and may
continue in further blocks (continuation message 0x0010); all are followed.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from .reads import IndexCorrupt, IndexReads, verify_checksum

UNDEFINED = (1 << 64) - 1
LAYOUT_MESSAGE, CONTINUATION_MESSAGE = 0x0008, 0x0010
_FIRST_READ = 1024
_MAX_BLOCKS = 64

# index types of layout message version 4 (plus the version-1 B-tree of versions 1-3)
BTREE_V1, SINGLE_CHUNK, IMPLICIT, FIXED_ARRAY, EXTENSIBLE_ARRAY, BTREE_V2 = 0, 1, 2, 3, 4, 5


class UnsupportedIndex(Exception):
    """A structure or feature this reader does not know: the caller falls back to ``chunk_iter``."""


@dataclass(frozen=True)
class ChunkLayout:
    """Where a chunked dataset's index is, and its parameters (element sizes from the message)."""

    index_type: int
    address: int
    chunk_shape: tuple[int, ...]
    element_size: int
    flags: int = 0
    params: tuple[int, ...] = ()
    single_size: int = 0
    single_mask: int = 0


def _address(data: bytes, pos: int, width: int) -> int:
    value = int.from_bytes(data[pos:pos + width], "little")
    return UNDEFINED if value == (1 << (8 * width)) - 1 else value


def read_layout(reads: IndexReads, header_address: int, checksum) -> ChunkLayout:
    """The layout message of the object header at ``header_address``, decoded."""
    o, size_width = reads.facts.sizeof_addr, reads.facts.sizeof_size
    head = reads.read_header(header_address, _FIRST_READ)
    if head[:4] == b"OHDR":
        blocks = _v2_first_block(reads, header_address, head, checksum)
        v2 = True
    elif head[:1] == b"\x01":
        if len(head) < 16:
            raise IndexCorrupt("object header truncated")
        size = struct.unpack_from("<I", head, 8)[0]
        blocks = [_read_more(reads, header_address + 16, size, head, 16)]
        v2 = False
    else:
        raise IndexCorrupt(f"no object header at byte {header_address}")
    seen = 0
    while blocks:
        seen += 1
        if seen > _MAX_BLOCKS:
            raise IndexCorrupt("object header continues in too many blocks")
        body = blocks.pop(0)
        for mtype, payload in (_v2_messages(body) if v2 else _v1_messages(body)):
            if mtype == LAYOUT_MESSAGE:
                return _decode_layout(payload, o, size_width)
            if mtype == CONTINUATION_MESSAGE:
                if len(payload) < o + size_width:
                    raise IndexCorrupt("truncated continuation message")
                addr = _address(payload, 0, o)
                length = int.from_bytes(payload[o:o + size_width], "little")
                block = reads.read_header(addr, length)
                if len(block) != length:
                    raise IndexCorrupt("continuation block past the end of the file")
                if v2:
                    if block[:4] != b"OCHK":
                        raise IndexCorrupt(f"no continuation block signature at byte {addr}")
                    _check(block, checksum, "object header continuation block")
                    block = block[4:-4]
                blocks.append(block)
    raise UnsupportedIndex("no data layout message in the object header")


def _read_more(reads: IndexReads, start: int, length: int, head: bytes, head_start: int) -> bytes:
    """``length`` bytes at ``start``, using what the first read already holds."""
    have = head[head_start:head_start + length]
    if len(have) == length:
        return have
    return have + reads.read_header(start + len(have), length - len(have))


def _v2_first_block(reads: IndexReads, address: int, head: bytes, checksum) -> list[bytes]:
    if len(head) < 6 or head[4] != 2:
        raise UnsupportedIndex("object header version other than 1 and 2")
    flags = head[5]
    pos = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 3)
    size = int.from_bytes(head[pos:pos + width], "little")
    pos += width
    whole = _read_more(reads, address, pos + size + 4, head, 0)
    _check(whole, checksum, "object header")
    return [bytes([flags]) + whole[pos:pos + size]]  # first byte: the header flags, for the message parser


def _check(block: bytes, checksum, what: str) -> None:
    if checksum is None:
        raise UnsupportedIndex("cannot verify HDF5 checksums (libhdf5 not reachable)")
    verify_checksum(block, checksum, what)


def _v1_messages(body: bytes):
    pos = 0
    while pos + 8 <= len(body):
        mtype, size = struct.unpack_from("<HH", body, pos)
        yield mtype, body[pos + 8:pos + 8 + size]
        pos += 8 + size


def _v2_messages(body: bytes):
    # first block: flags byte prepended by _v2_first_block; continuation blocks inherit the flags
    flags = body[0] if body and body[:1] != b"" else 0
    tracked = bool(flags & 0x04)
    pos, end = 1, len(body)
    header = 6 if tracked else 4
    while pos + header <= end:
        mtype, size = body[pos], struct.unpack_from("<H", body, pos + 1)[0]
        yield mtype, body[pos + header:pos + header + size]
        pos += header + size


def _decode_layout(msg: bytes, o: int, size_width: int) -> ChunkLayout:
    if len(msg) < 2:
        raise IndexCorrupt("truncated layout message")
    version, layout_class = msg[0], msg[1]
    if version == 3:
        if layout_class != 2:
            raise UnsupportedIndex(f"layout class {layout_class} is not chunked")
        ndims = msg[2]
        address = _address(msg, 3, o)
        dims = struct.unpack_from(f"<{ndims}I", msg, 3 + o)
        return ChunkLayout(BTREE_V1, address, tuple(dims[:-1]), dims[-1])
    if version not in (4, 5):  # version 5 (HDF5 2.0) has version 4's fields; record widths come from the index
        raise UnsupportedIndex(f"layout message version {version}")
    if layout_class != 2:
        raise UnsupportedIndex(f"layout class {layout_class} is not chunked")
    flags, ndims, enc = msg[2], msg[3], msg[4]
    if not 1 <= enc <= 8:
        raise IndexCorrupt(f"chunk dimension width {enc}")
    pos = 5
    dims = tuple(int.from_bytes(msg[pos + i * enc:pos + (i + 1) * enc], "little") for i in range(ndims))
    pos += ndims * enc
    index_type = msg[pos]
    pos += 1
    single_size = single_mask = 0
    params: tuple[int, ...] = ()
    if index_type == SINGLE_CHUNK and flags & 0x02:
        single_size = int.from_bytes(msg[pos:pos + size_width], "little")
        single_mask = struct.unpack_from("<I", msg, pos + size_width)[0]
        pos += size_width + 4
    elif index_type == FIXED_ARRAY:
        params = (msg[pos],)
        pos += 1
    elif index_type == EXTENSIBLE_ARRAY:
        params = (*msg[pos:pos + 5],)
        pos += 5
    elif index_type == BTREE_V2:
        params = (*struct.unpack_from("<I", msg, pos), msg[pos + 4], msg[pos + 5])
        pos += 6
    elif index_type not in (SINGLE_CHUNK, IMPLICIT):
        raise UnsupportedIndex(f"chunk index type {index_type}")
    if len(msg) < pos + o:
        raise IndexCorrupt("truncated layout message")
    return ChunkLayout(index_type, _address(msg, pos, o), tuple(dims[:-1]), dims[-1], flags, params,
                       single_size, single_mask)
