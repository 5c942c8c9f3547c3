"""``lindi_hdf5_nbit``: HDF5's N-bit filter (H5Z_FILTER_NBIT = 5) for atomic integer and float types.

No existing library implements HDF5's exact format. HDF5 keeps only the ``precision``
significant bits that start at bit ``offset`` of each element and writes them, most
significant bit first, into one continuous bit stream (floor(bits / 8) + 1 bytes).

The decoded chunk holds the values h5py reads, in the dataset's numpy dtype: integer
fields are shifted down and sign-extended (HDF5 converts the reduced-precision file
type to the full-width memory type on read); float fields stay at their bit position
with zero padding, which is the IEEE value of the truncated mantissa.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray

from ._bits import pack, packed_size, unpack


class HDF5Nbit(Codec):
    """Decode and encode chunks of HDF5's N-bit filter for one atomic integer/float type.

    ``dtype``: the dataset's numpy typestr (byte order as stored); ``nelements``: elements
    per chunk; ``precision``/``offset``: the significant bits of the HDF5 file type.
    """

    codec_id = "lindi_hdf5_nbit"

    def __init__(self, dtype: str, nelements: int, precision: int, offset: int):
        self.dtype = np.dtype(dtype).str
        self.nelements = int(nelements)
        self.precision = int(precision)
        self.offset = int(offset)
        dt = np.dtype(self.dtype)
        if dt.kind not in "iuf":
            raise ValueError(f"N-bit codec supports integer and float dtypes, not {self.dtype}")
        if self.precision < 1 or self.offset < 0 or self.precision + self.offset > dt.itemsize * 8:
            raise ValueError(f"precision {self.precision} at offset {self.offset} does not fit {self.dtype}")
        if self.nelements < 1:
            raise ValueError("nelements must be positive")

    def get_config(self) -> dict[str, Any]:
        return {"id": self.codec_id, "dtype": self.dtype, "nelements": self.nelements,
                "precision": self.precision, "offset": self.offset}

    @property
    def _unsigned(self) -> np.dtype:
        return np.dtype(f"u{np.dtype(self.dtype).itemsize}")

    @property
    def _mask(self) -> np.uint64:
        return np.uint64((1 << self.precision) - 1)

    def decode(self, buf: Any, out: Any = None) -> Any:
        raw = ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1)
        fields = unpack(raw, self.nelements, self.precision)
        dt = np.dtype(self.dtype)
        native = dt.newbyteorder("=")
        if dt.kind == "f":
            words = fields << np.uint64(self.offset)
        elif dt.kind == "i" and self.precision < dt.itemsize * 8:
            sign = np.uint64(1 << (self.precision - 1))
            extend = np.uint64((2**64 - 1) ^ ((1 << self.precision) - 1))
            words = np.where(fields & sign, fields | extend, fields)
        else:
            words = fields
        values = words.astype(self._unsigned).view(native)
        data = values.astype(dt).tobytes()
        if out is None:
            return data
        target = ensure_contiguous_ndarray(out).view(np.uint8)
        target[:] = np.frombuffer(data, dtype=np.uint8)
        return out

    def encode(self, buf: Any) -> bytes:
        arr = ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1)
        dt = np.dtype(self.dtype)
        if arr.size != self.nelements * dt.itemsize:
            raise ValueError(f"N-bit encode expects {self.nelements} elements of {dt.itemsize} bytes, "
                             f"got {arr.size} bytes")
        words = np.frombuffer(arr.tobytes(), dtype=dt).view(self._unsigned.newbyteorder(dt.byteorder))
        words = words.astype(np.uint64)
        if dt.kind == "f":
            words = words >> np.uint64(self.offset)
        fields = words & self._mask
        body = bytearray(packed_size(self.nelements, self.precision))
        packed = pack(fields, self.precision)
        body[:len(packed)] = packed
        return bytes(body)
