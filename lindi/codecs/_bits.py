"""MSB-first fixed-width bit streams, the packing HDF5's scaleoffset and nbit filters use.

Both filters write, for every element in turn, its ``nbits`` least significant bits
most significant bit first into one continuous stream of bytes. The helpers work on
blocks of whole bytes so memory stays bounded for big chunks.
"""
from __future__ import annotations

import numpy as np

# A multiple of 8 elements always ends on a byte boundary, whatever the width.
_BLOCK = 8 * 8192


def packed_size(count: int, nbits: int) -> int:
    """Bytes HDF5 allocates for ``count`` packed fields: the bits rounded down, plus one."""
    return count * nbits // 8 + 1


def pack(fields: np.ndarray, nbits: int) -> bytes:
    """Pack the low ``nbits`` (1..64) of each uint64 in ``fields``, MSB first; exact bit length."""
    fields = np.ascontiguousarray(fields, dtype=np.uint64)
    out = []
    for start in range(0, fields.size, _BLOCK):
        block = fields[start:start + _BLOCK].astype(">u8")
        bits = np.unpackbits(block.view(np.uint8).reshape(-1, 8), axis=1)[:, 64 - nbits:]
        out.append(np.packbits(bits.reshape(-1)).tobytes())
    return b"".join(out)


def unpack(data: bytes | memoryview | np.ndarray, count: int, nbits: int) -> np.ndarray:
    """Inverse of :func:`pack`: ``count`` fields of ``nbits`` each, as uint64."""
    raw = np.frombuffer(data, dtype=np.uint8)
    need = (count * nbits + 7) // 8
    if raw.size < need:
        raise ValueError(f"packed data too short: {raw.size} bytes for {count} fields of {nbits} bits")
    result = np.empty(count, dtype=np.uint64)
    step_bytes = _BLOCK * nbits // 8
    for index, start in enumerate(range(0, count, _BLOCK)):
        n = min(_BLOCK, count - start)
        chunk = raw[index * step_bytes: index * step_bytes + (n * nbits + 7) // 8]
        bits = np.unpackbits(chunk)[: n * nbits].reshape(n, nbits)
        padded = np.zeros((n, 64), dtype=np.uint8)
        padded[:, 64 - nbits:] = bits
        result[start:start + n] = np.packbits(padded, axis=1).view(">u8").reshape(-1)
    return result
