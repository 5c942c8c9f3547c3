"""``lindi_hdf5_scaleoffset``: HDF5's scale-offset filter (H5Z_FILTER_SCALEOFFSET = 6), bit for bit.

No existing library implements HDF5's exact format, so chunks written by HDF5 with
this filter could not be referenced in place without this codec.

HDF5's chunk layout: a 21-byte header (``minbits`` as 4 little-endian bytes, the
byte size of ``minval`` (8), ``minval`` little-endian, zero padding), then every
element's ``minbits``-bit code, most significant bit first. Integers: code =
value - min. Floats (D-scale): code = round(value * 10**D - min * 10**D) and
value = code / 10**D + min, in the precision of the type. When a fill value is
defined, elements equal to it get the all-ones code. ``minbits`` equal to the type
width means the values are stored raw (little-endian, the native order of every
machine that writes HDF5 today).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray

from ..strict_json import MAX_SAFE_INTEGER, decode_float, encode_float
from ._bits import pack, packed_size, unpack

_HEADER = 21
SCALE_INTEGER = "integer"
SCALE_FLOAT_DSCALE = "float_dscale"


def _ceil_log2(num: int) -> int:
    """HDF5's H5Z__scaleoffset_log2: bits needed for ``num`` distinct codes (1 for 0)."""
    if num <= 1:
        return 0 if num == 1 else 1
    v = num.bit_length() - 1
    return v if num == 1 << v else v + 1


def _round_half_away(x: np.ndarray) -> np.ndarray:
    """C lround: nearest integer, halves away from zero (exact, unlike floor(x + 0.5))."""
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t)


class HDF5ScaleOffset(Codec):
    """Decode and encode chunks of HDF5's scale-offset filter.

    ``dtype``: the dataset's numpy typestr (byte order as stored); ``nelements``: elements
    per chunk; ``scale_type``: ``"integer"`` or ``"float_dscale"``; ``scale_factor``: the
    minimum bits (integers, 0 = computed per chunk) or the decimal scale D (floats);
    ``fill_value``: the dataset fill value when HDF5 recorded one, else ``None``.
    """

    codec_id = "lindi_hdf5_scaleoffset"

    def __init__(self, dtype: str, nelements: int, scale_type: str, scale_factor: int,
                 fill_value: int | float | str | None = None):
        self.dtype = np.dtype(dtype).str
        self.nelements = int(nelements)
        self.scale_type = str(scale_type)
        self.scale_factor = int(scale_factor)
        dt = np.dtype(self.dtype)
        if self.scale_type == SCALE_INTEGER:
            if dt.kind not in "iu":
                raise ValueError(f"integer scale-offset needs an integer dtype, not {self.dtype}")
            if not 0 <= self.scale_factor <= dt.itemsize * 8:
                raise ValueError(f"minimum bits {self.scale_factor} out of range for {self.dtype}")
        elif self.scale_type == SCALE_FLOAT_DSCALE:
            if dt.kind != "f" or dt.itemsize not in (4, 8):
                raise ValueError(f"D-scale scale-offset needs float32 or float64, not {self.dtype}")
        else:
            raise ValueError(f"unknown scale_type {self.scale_type!r} (expected 'integer' or 'float_dscale')")
        if self.nelements < 1:
            raise ValueError("nelements must be positive")
        self.fill_value = None if fill_value is None else (
            int(fill_value) if dt.kind in "iu" else encode_float(decode_float(fill_value)))

    def get_config(self) -> dict[str, Any]:
        fill = self.fill_value
        if isinstance(fill, int) and abs(fill) > MAX_SAFE_INTEGER:
            fill = str(fill)  # strict JSON: integers a double cannot hold travel as decimal strings
        return {"id": self.codec_id, "dtype": self.dtype, "nelements": self.nelements,
                "scale_type": self.scale_type, "scale_factor": self.scale_factor, "fill_value": fill}

    # -- helpers -------------------------------------------------------------------------
    @property
    def _native(self) -> np.dtype:
        return np.dtype(self.dtype).newbyteorder("=")

    @property
    def _bits(self) -> int:
        return np.dtype(self.dtype).itemsize * 8

    def _fill_native(self) -> np.ndarray | None:
        if self.fill_value is None:
            return None
        value = self.fill_value if self._native.kind in "iu" else decode_float(self.fill_value)
        return np.array(value, dtype=self._native)

    def _passthrough(self) -> bool:
        # HDF5 leaves the data untouched when the user asks for the full width.
        return self.scale_type == SCALE_INTEGER and self.scale_factor == self._bits

    def _pow10(self, exponent: float) -> np.floating:
        ftype = self._native.type
        return np.power(ftype(10.0), ftype(exponent))

    def _output(self, values: np.ndarray, out: Any) -> Any:
        data = values.astype(np.dtype(self.dtype), copy=False).tobytes()
        if out is None:
            return data
        target = ensure_contiguous_ndarray(out).view(np.uint8)
        target[:] = np.frombuffer(data, dtype=np.uint8)
        return out

    # -- decode --------------------------------------------------------------------------
    def decode(self, buf: Any, out: Any = None) -> Any:
        raw = ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1)
        size = np.dtype(self.dtype).itemsize
        n = self.nelements
        if self._passthrough():
            return self._output(np.frombuffer(raw.tobytes(), dtype=self.dtype), out)
        if raw.size < _HEADER:
            raise ValueError(f"scale-offset chunk of {raw.size} bytes is shorter than its 21-byte header")
        minbits = int.from_bytes(raw[:4].tobytes(), "little")
        minval_size = min(8, int(raw[4]))
        minval = int.from_bytes(raw[5:5 + minval_size].tobytes(), "little")
        if minbits > self._bits:
            raise ValueError(f"scale-offset chunk says {minbits} bits per value for a {self._bits}-bit type")
        native = self._native
        if minbits == self._bits:
            payload = raw[_HEADER:_HEADER + n * size]
            if payload.size != n * size:
                raise ValueError("scale-offset chunk too short for its raw values")
            return self._output(np.frombuffer(payload.tobytes(), dtype=native.newbyteorder("<")), out)
        codes = unpack(raw[_HEADER:], n, minbits) if minbits else np.zeros(n, dtype=np.uint64)
        all_ones = np.uint64((1 << minbits) - 1)
        fill = self._fill_native()
        if self.scale_type == SCALE_INTEGER:
            mask = np.uint64((1 << self._bits) - 1) if self._bits < 64 else np.uint64(2**64 - 1)
            unsigned = np.dtype(f"u{size}")
            values = ((codes + np.uint64(minval)) & mask).astype(unsigned).view(native)
        else:
            ftype = native.type
            minimum = np.frombuffer(minval.to_bytes(8, "little")[:size], dtype=native.newbyteorder("<"))[0]
            as_int = codes.astype(np.int64)
            values = (as_int.astype(native) / self._pow10(self.scale_factor) + ftype(minimum)).astype(native)
        if fill is not None:
            values = np.where(codes == all_ones, fill, values).astype(native)
        return self._output(values, out)

    # -- encode --------------------------------------------------------------------------
    def encode(self, buf: Any) -> bytes:
        arr = ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1)
        size = np.dtype(self.dtype).itemsize
        if arr.size != self.nelements * size:
            raise ValueError(f"scale-offset encode expects {self.nelements} elements of {size} bytes, "
                             f"got {arr.size} bytes")
        if self._passthrough():
            return arr.tobytes()
        values = np.frombuffer(arr.tobytes(), dtype=self.dtype).astype(self._native)
        if self.scale_type == SCALE_INTEGER:
            minbits, minval, codes = self._precompress_int(values)
        else:
            minbits, minval, codes = self._precompress_float(values)
        header = minbits.to_bytes(4, "little") + bytes([8]) + (minval % 2**64).to_bytes(8, "little") + bytes(8)
        if minbits == self._bits:
            return header + values.astype(self._native.newbyteorder("<")).tobytes()
        body = bytearray(packed_size(self.nelements, minbits))
        if minbits:
            assert codes is not None  # None only at full width, returned above
            packed = pack(codes, minbits)
            body[:len(packed)] = packed
        return header + bytes(body)

    def _precompress_int(self, values: np.ndarray) -> tuple[int, int, np.ndarray | None]:
        bits = self._bits
        fill = self._fill_native()
        keep = np.ones(values.size, dtype=bool) if fill is None else values != fill
        kept = values[keep]
        minbits = self.scale_factor
        if kept.size:
            low, high = int(kept.min()), int(kept.max())
        elif fill is None:  # cannot happen: every value is kept without a fill value
            low = high = 0
        else:
            low = high = 0  # all elements are the fill value: HDF5 leaves min = max = 0
        if minbits == 0:
            if high - low > 2**bits - 3:
                # full width; HDF5 then only records min for signed chars without a fill value
                minval = low if (fill is None and bits == 8 and self._native.kind == "i") else 0
                return bits, minval, None
            span = high - low + 1
            minbits = _ceil_log2(span + 1 if fill is not None else span)
        if minbits == bits:
            return bits, low, None
        unsigned = np.dtype(f"u{bits // 8}")
        width_mask = np.uint64(2**bits - 1)
        offset = (values.view(unsigned).astype(np.uint64) - np.uint64(low % 2**bits)) & width_mask
        if fill is not None:
            offset = np.where(keep, offset, np.uint64((1 << minbits) - 1))
        return minbits, low, offset & np.uint64((1 << minbits) - 1 if minbits < 64 else 2**64 - 1)

    def _precompress_float(self, values: np.ndarray) -> tuple[int, int, np.ndarray | None]:
        native = self._native
        ftype = native.type
        bits = self._bits
        scale = self._pow10(self.scale_factor)
        fill = self._fill_native()
        if fill is not None:
            # HDF5 compares |v - fill| with 10**-D in double when finding min/max ...
            near_fill_minmax = np.abs((values - fill).astype(np.float64)) < 10.0 ** (-self.scale_factor)
            kept = values[~near_fill_minmax]
        else:
            kept = values
        low = ftype(kept.min()) if kept.size else ftype(0)
        high = ftype(kept.max()) if kept.size else ftype(0)
        with np.errstate(over="ignore", invalid="ignore"):
            spread = _round_half_away(np.asarray(high * scale - low * scale))
        if not np.isfinite(spread) or spread > 2.0 ** (bits - 1):
            return bits, 0, None
        span = int(spread) + 1
        minbits = _ceil_log2(span + 1 if fill is not None else span)
        minval = int.from_bytes(np.array(low, dtype=native.newbyteorder("<")).tobytes(), "little")
        if minbits == bits:
            return bits, minval, None
        codes = _round_half_away(values * scale - low * scale).astype(np.int64)
        if fill is not None:
            # ... and in the type's own precision when assigning codes.
            near_fill = np.abs(values - fill) < self._pow10(-self.scale_factor)
            codes = np.where(near_fill, (1 << minbits) - 1, codes)
        return minbits, minval, codes.astype(np.uint64) & np.uint64((1 << minbits) - 1)
