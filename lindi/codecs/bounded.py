"""Chunk decoding with a hard cap on its output, for every codec (no decompression bombs).

A document from a stranger decides which codecs a chunk runs through and what
bytes they see. :func:`decode_bounded` undoes one codec without ever holding
much more than the caller's limit: stream codecs (zlib, gzip, bz2, lzma) stop
once the limit is passed, zstd decodes every frame into one buffer of exactly
the limit, codecs whose frame or configuration records the decoded size
(blosc, lz4, szip, HDF5-lz4, lzf) are checked before the decoder allocates
that size, and filters whose output size follows from their input and
configuration (astype, delta, categorize, scale-offset, ...) are checked before
they run. The rest cannot expand much beyond their input and are checked after.
:class:`BoundedPipeline` applies this to a whole Zarr v2 pipeline, the same way
whether a codec sits in ``compressor`` or in ``filters``.
"""
from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray

from ..errors import DocumentError, LimitExceededError
from ..format.object_codecs import VLEN_CODEC_IDS
from ..strict_json import ref_pointer

#: Codec id of the wrapper around an array's codec pipeline (never valid in a document).
BOUNDED_CODEC_ID = "lindi_bounded_pipeline"
#: Decoded chunk limit of object arrays when the caller gives none (``Limits.max_chunk_bytes``).
DEFAULT_MAX_CHUNK_BYTES = 1024**3


class OutputLimitExceeded(Exception):
    """A codec would produce (or produced) more than its limit; ``size`` is what is known of the output."""

    def __init__(self, size: int | None = None):
        super().__init__(size)
        self.size = size


# ---- decoders that stop at the limit ----------------------------------------------------------

def _stream(make: Callable[[], Any], data: bytes, limit: int) -> bytes:
    """Run a zlib/bz2/lzma-style decompressor (possibly several concatenated streams) up to ``limit`` bytes."""
    out = bytearray()
    while True:
        d = make()
        out += d.decompress(data, limit + 1 - len(out))
        if len(out) > limit:
            raise OutputLimitExceeded()
        if not d.eof:
            raise ValueError("truncated compressed stream")
        data = d.unused_data
        if not data:
            return bytes(out)


def _zlib(codec: Codec, data: bytes, limit: int) -> bytes:
    d = zlib.decompressobj()
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        raise OutputLimitExceeded()
    if not d.eof:
        raise ValueError("truncated zlib stream")
    return out


def _lzma(codec: Codec, data: bytes, limit: int) -> bytes:
    fmt = getattr(codec, "format", lzma.FORMAT_AUTO)
    filters = getattr(codec, "filters", None) if fmt == lzma.FORMAT_RAW else None
    return _stream(lambda: lzma.LZMADecompressor(format=fmt, filters=filters), data, limit)


def _zstd(codec: Codec, data: bytes, limit: int) -> Any:
    """Every frame (declared size or not, any number of them) into one buffer of ``limit`` bytes."""
    import imagecodecs

    try:
        return imagecodecs.zstd_decode(data, out=max(limit, 1))
    except imagecodecs.ZstdError as exc:
        if "too small" in str(exc):
            raise OutputLimitExceeded() from None
        raise


def _declared(read_size: Callable[[Codec, bytes], int | None]) -> Callable[[Codec, bytes, int], Any]:
    """A decoder for a codec that allocates the decoded size its frame or config records: check it first."""
    def decode(codec: Codec, data: bytes, limit: int) -> Any:
        size = read_size(codec, data)
        if size is None:
            raise ValueError("the frame is too short to hold its decoded size")
        if size > limit:
            raise OutputLimitExceeded(size)
        return codec.decode(data)
    return decode


def _header(fmt: str, offset: int = 0) -> Callable[[Codec, bytes], int | None]:
    width = struct.calcsize(fmt)
    return lambda codec, data: struct.unpack_from(fmt, data, offset)[0] if len(data) >= offset + width else None


def _lzf_header(codec: Codec, data: bytes) -> int | None:
    if not getattr(codec, "header", True):
        return None
    return struct.unpack_from(">I", data, 0)[0] if len(data) >= 4 else None


def _imagecodecs_lzf(codec: Codec, data: bytes, limit: int) -> Any:
    if getattr(codec, "header", True):
        return _declared(_lzf_header)(codec, data, limit)
    import imagecodecs

    try:  # no recorded size: a buffer of the limit, which the decoder refuses to overrun
        return imagecodecs.lzf_decode(data, header=False, out=max(limit, 1))
    except imagecodecs.LzfError as exc:
        if "not large enough" in str(exc):
            raise OutputLimitExceeded() from None
        raise


#: Codecs decoded by a function that never exceeds the limit.
_DECODERS: dict[str, Callable[[Codec, bytes, int], Any]] = {
    "zlib": _zlib,
    "gzip": lambda c, d, n: _stream(lambda: zlib.decompressobj(wbits=31), d, n),
    "bz2": lambda c, d, n: _stream(bz2.BZ2Decompressor, d, n),
    "lzma": _lzma,
    "zstd": _zstd,
    "blosc": _declared(_header("<I", 4)),
    "lz4": _declared(_header("<i")),
    "imagecodecs_szip": _declared(_header("<I")),
    "imagecodecs_lz4h5": _declared(_header(">q")),
    "imagecodecs_lzf": _imagecodecs_lzf,
    "lindi_hdf5_lzf": _declared(lambda codec, data: int(getattr(codec, "nbytes", 0))),
}


# ---- filters whose output size follows from their input --------------------------------------

def _itemsize(value: Any) -> int:
    return max(np.dtype(value).itemsize, 1)


def _retyped(in_attr: str, out_attr: str) -> Callable[[Codec, int], int]:
    """Output of a filter that reads ``in_attr`` elements and returns ``out_attr`` elements."""
    return lambda codec, n: n // _itemsize(getattr(codec, in_attr)) * _itemsize(getattr(codec, out_attr))


#: Exact (or upper-bound) decoded size of filters that can expand, from the input length.
_PREDICTED: dict[str, Callable[[Codec, int], int]] = {
    "astype": _retyped("encode_dtype", "decode_dtype"),
    "fixedscaleoffset": _retyped("astype", "dtype"),
    "quantize": _retyped("astype", "dtype"),
    "delta": _retyped("astype", "dtype"),
    "categorize": _retyped("astype", "dtype"),
    "packbits": lambda codec, n: 8 * n,
    "lindi_hdf5_scaleoffset": lambda codec, n: codec.nelements * _itemsize(codec.dtype),
    "lindi_hdf5_nbit": lambda codec, n: codec.nelements * _itemsize(codec.dtype),
}


def nbytes_of(x: Any) -> int:
    """Size in bytes of a decoded buffer (bytes-like or numpy array)."""
    return int(x.nbytes) if hasattr(x, "nbytes") else len(x)


def decode_bounded(codec: Codec, data: bytes, limit: int) -> Any:
    """Undo ``codec`` on ``data`` holding at most about ``limit`` bytes of output.

    Raises :class:`OutputLimitExceeded` when the output is or would be larger;
    a codec's own errors (bad bytes) pass through.
    """
    decoder = _DECODERS.get(codec.codec_id)
    if decoder is not None:
        result = decoder(codec, data, limit)
    else:
        predict = _PREDICTED.get(codec.codec_id)
        if predict is not None and predict(codec, len(data)) > limit:
            raise OutputLimitExceeded(predict(codec, len(data)))
        result = codec.decode(data)
    if nbytes_of(result) > limit:
        raise OutputLimitExceeded(nbytes_of(result))
    return result


# ---- a whole pipeline ---------------------------------------------------------------------------



class BoundedPipeline(Codec):
    """An array's Zarr v2 codec pipeline (filters + compressor) with every decode step size-bounded.

    ``nbytes``: the exact decoded size of a chunk (shape times item size), or
    None for object arrays, which are held to ``max_chunk_bytes`` and to the
    chunk's element count. ``array`` names the array in errors. Codecs in
    ``filters`` are bounded exactly like the ``compressor``.
    """

    codec_id = BOUNDED_CODEC_ID

    def __init__(self, compressor: dict[str, Any] | None = None, filters: list[dict[str, Any]] | None = None,
                 nbytes: int | None = None, items: int = 0, max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES,
                 array: str = "", source: str | None = None):
        from .registry import get_codec

        self.compressor, self.filters = compressor, list(filters or [])
        self.nbytes, self.items, self.max_chunk_bytes = nbytes, int(items), int(max_chunk_bytes)
        self.array, self.source = array, source
        pointer = self._pointer
        self._compressor = get_codec(compressor, pointer=pointer, source=source) if compressor else None
        self._filters = [get_codec(f, pointer=pointer, source=source) for f in self.filters]

    def get_config(self) -> dict[str, Any]:
        return {"id": self.codec_id, "compressor": self.compressor, "filters": self.filters, "nbytes": self.nbytes,
                "items": self.items, "max_chunk_bytes": self.max_chunk_bytes, "array": self.array,
                "source": self.source}

    def encode(self, buf: Any) -> Any:
        for f in self._filters:
            buf = f.encode(buf)
        return self._compressor.encode(buf) if self._compressor is not None else buf

    @property
    def _pointer(self) -> str:
        return ref_pointer(f"{self.array}/.zarray" if self.array else ".zarray")

    @property
    def _limit(self) -> int:
        return self.nbytes if self.nbytes is not None else self.max_chunk_bytes

    def _error(self, message: str, cls: type[DocumentError] = DocumentError) -> DocumentError:
        return cls(f"chunk of array /{self.array}: {message}", pointer=self._pointer, source=self.source)

    def decode(self, buf: Any, out: Any = None) -> Any:
        limit = self._limit
        # Intermediate buffers may differ a little from the final size (fletcher32 adds 4 bytes, base64 a third).
        stage_limit = 2 * limit + 4096
        steps = ([(self.compressor, self._compressor)] if self._compressor is not None else []) \
            + list(zip(reversed(self.filters), reversed(self._filters)))
        data: Any = ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1).tobytes()
        for index, (config, codec) in enumerate(steps):
            if config["id"] in VLEN_CODEC_IDS:  # an item-count header, which must equal the chunk's element count
                self._check_vlen_header(data, config["id"])
            data = self._step(codec, data, limit if index == len(steps) - 1 else stage_limit)
        if self.nbytes is not None and nbytes_of(data) != self.nbytes:
            cls = LimitExceededError if nbytes_of(data) > self.nbytes else DocumentError
            raise self._error(f"decodes to {nbytes_of(data)} bytes, not chunk shape x item size = {self.nbytes}", cls)
        if out is not None:
            target = ensure_contiguous_ndarray(out).view(np.uint8).reshape(-1)
            target[:] = np.frombuffer(bytes(data), dtype=np.uint8)
            return out
        return data

    def _step(self, codec: Codec, data: Any, limit: int) -> Any:
        cid = codec.codec_id
        try:
            if not isinstance(data, (bytes, bytearray, memoryview, np.ndarray)):
                data = bytes(data)
            return decode_bounded(codec, data, limit)
        except OutputLimitExceeded as exc:
            size = f" ({exc.size} bytes)" if exc.size is not None else ""
            expected = f"chunk shape x item size = {self.nbytes}" if self.nbytes is not None \
                else f"max_chunk_bytes = {self.max_chunk_bytes}"
            raise self._error(f"{cid} would inflate it beyond {limit} bytes{size} (decompression bomb guard; "
                              f"{expected})", LimitExceededError) from None
        except MemoryError:
            raise self._error(f"{cid} ran out of memory decoding it (limit {limit} bytes)",
                              LimitExceededError) from None
        except DocumentError:
            raise
        except Exception as exc:  # noqa: BLE001 - codecs raise ValueError, RuntimeError, their own types
            raise self._error(f"{cid} cannot decode it: {type(exc).__name__}: {exc}") from None

    def _check_vlen_header(self, data: Any, codec_id: str) -> None:
        raw = ensure_contiguous_ndarray(data).view(np.uint8).reshape(-1)
        if raw.size < 4:
            raise self._error(f"{codec_id} data too short for its item count")
        count = int(struct.unpack_from("<I", raw[:4].tobytes())[0])
        if count != self.items:
            raise self._error(f"{codec_id} header says {count} items, the chunk holds {self.items}")


_registered = False


def register_bounded_codec() -> None:
    """Make :class:`BoundedPipeline` known to numcodecs (zarr finds v2 codecs there)."""
    global _registered
    if not _registered:
        import numcodecs.registry

        numcodecs.registry.register_codec(BoundedPipeline)
        _registered = True
