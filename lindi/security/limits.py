"""Size limits for hostile documents, and chunk decoding that cannot be turned into a bomb.

A document from a stranger must not exhaust the reader's memory: its size,
the size of one inline value, the number of refs and the nesting depth of its
JSON are capped (:class:`Limits`, each raisable by an option or an environment
variable), and a chunk never decodes to more than its chunk shape times item
size. Decompression is bounded while it runs (streaming decoders stop at the
limit; codecs that record the decoded size are checked before decoding), so a
zlib chunk that would inflate to gigabytes is refused after at most
``limit + 1`` bytes. Codec ids that could run code from a document (pickle) are
refused before anything is decoded.
"""
from __future__ import annotations

import bz2
import lzma
import math
import os
import struct
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray

from ..errors import DocumentError, LimitExceededError
from ..strict_json import ref_pointer

#: Environment variables that raise (or lower) each limit, by :class:`Limits` field name.
ENV_VARS: dict[str, str] = {
    "max_document_bytes": "LINDI_MAX_DOCUMENT_BYTES",
    "max_inline_bytes": "LINDI_MAX_INLINE_BYTES",
    "max_chunk_bytes": "LINDI_MAX_CHUNK_BYTES",
    "max_json_depth": "LINDI_MAX_JSON_DEPTH",
    "max_refs": "LINDI_MAX_REFS",
}

#: Codec id of the wrapper :func:`secure_zarray` puts around an array's codec pipeline (never valid in a document).
BOUNDED_CODEC_ID = "lindi_bounded_pipeline"


@dataclass(frozen=True)
class Limits:
    """Safety limits; every one can be raised with an option or the environment variable in :data:`ENV_VARS`.

    ``max_document_bytes``: size of a document's JSON text. ``max_inline_bytes``:
    one inline ref value (text, base64, JSON object). ``max_chunk_bytes``: one
    decoded chunk of an array whose element size is not fixed (object arrays);
    fixed-size arrays are held to exactly chunk shape times item size.
    ``max_json_depth``: nesting of a metadata value. ``max_refs``: keys in ``refs``.
    """

    max_document_bytes: int = 2 * 1024**3
    max_inline_bytes: int = 256 * 1024**2
    max_chunk_bytes: int = 1024**3
    max_json_depth: int = 256
    max_refs: int = 50_000_000

    @classmethod
    def from_env(cls, **overrides: int | None) -> Limits:
        """Defaults, then the environment variables, then explicit ``overrides`` (None keeps the value)."""
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = os.environ.get(ENV_VARS[f.name])
            if raw is not None and raw.strip():
                try:
                    values[f.name] = int(raw.strip())
                except ValueError:
                    raise LimitExceededError(f"environment variable {ENV_VARS[f.name]}={raw!r} is not an integer"
                                             ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown limits {sorted(unknown)}")
        return replace(cls(), **values)


def _exceeded(what: str, value: int, limit: int, field_name: str, *, pointer: str | None = None,
              source: str | None = None) -> LimitExceededError:
    return LimitExceededError(f"{what} ({value} > {limit}); raise the limit with {field_name}=... "
                              f"or {ENV_VARS[field_name]}", pointer=pointer, source=source)


def check_document_bytes(nbytes: int, *, source: str | None = None, limits: Limits | None = None) -> None:
    """Refuse a document text larger than ``max_document_bytes`` (call before reading it)."""
    limits = limits or Limits.from_env()
    if nbytes > limits.max_document_bytes:
        raise _exceeded("document too large", nbytes, limits.max_document_bytes, "max_document_bytes",
                        pointer="", source=source)




def check_document(doc: Any, *, source: str | None = None, limits: Limits | None = None) -> None:
    """Refuse a parsed document with too many refs, an oversized inline value or too deep JSON.

    One pass over the refs; ``[url, offset, length]`` values cost a type check only.
    Structure errors (not an object, no refs) are left for the loader to report.
    """
    limits = limits or Limits.from_env()
    refs = doc.get("refs") if isinstance(doc, Mapping) else None
    if not isinstance(refs, Mapping):
        return
    if len(refs) > limits.max_refs:
        raise _exceeded("too many refs", len(refs), limits.max_refs, "max_refs", pointer="/refs", source=source)
    max_inline = limits.max_inline_bytes
    for key, value in refs.items():
        kind = type(value)
        if kind is list:
            continue
        if kind is str:
            if len(value) * 4 > max_inline and len(value.encode("utf-8", "surrogatepass")) > max_inline:
                raise _exceeded("inline value too large", len(value.encode("utf-8", "surrogatepass")), max_inline,
                                "max_inline_bytes", pointer=ref_pointer(key), source=source)
        elif kind is dict:
            check_depth(value, limits.max_json_depth, pointer=ref_pointer(key), source=source)
    for member, value in doc.items():
        if member != "refs" and isinstance(value, (dict, list)):
            check_depth(value, limits.max_json_depth, pointer=f"/{member}", source=source)


def check_depth(value: Any, max_depth: int, *, pointer: str = "", source: str | None = None) -> None:
    """Refuse JSON containers nested deeper than ``max_depth`` (iterative: no recursion limit involved)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise _exceeded("JSON nested too deeply", depth, max_depth, "max_json_depth", pointer=pointer,
                            source=source)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))


# ---- chunk decoding -----------------------------------------------------------------------------

def _stream(make: Callable[[], Any], data: bytes, limit: int) -> bytes:
    """Run a zlib/bz2/lzma-style decompressor (possibly several concatenated streams) up to ``limit`` bytes."""
    out = bytearray()
    while True:
        d = make()
        out += d.decompress(data, limit + 1 - len(out))
        if len(out) > limit:
            raise _Overflow()
        if not d.eof:
            raise ValueError("truncated compressed stream")
        data = d.unused_data
        if not data:
            return bytes(out)


class _Overflow(Exception):
    """A decoder produced more than its limit (turned into LimitExceededError by the caller)."""


def _zlib(codec: Codec, data: bytes, limit: int) -> bytes:
    d = zlib.decompressobj()
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        raise _Overflow()
    if not d.eof:
        raise ValueError("truncated zlib stream")
    return out


def _lzma(codec: Codec, data: bytes, limit: int) -> bytes:
    fmt = getattr(codec, "format", lzma.FORMAT_AUTO)
    filters = getattr(codec, "filters", None) if fmt == lzma.FORMAT_RAW else None
    return _stream(lambda: lzma.LZMADecompressor(format=fmt, filters=filters), data, limit)


def _declared_size(data: bytes, codec_id: str, codec: Codec) -> int | None:
    """Decoded size a codec's frame or config declares, None when it records none."""
    if codec_id == "blosc" and len(data) >= 16:
        return struct.unpack_from("<I", data, 4)[0]
    if codec_id == "lz4" and len(data) >= 4:
        return struct.unpack_from("<i", data, 0)[0]
    if codec_id == "imagecodecs_szip" and len(data) >= 4:
        return struct.unpack_from("<I", data, 0)[0]
    if codec_id == "imagecodecs_lz4h5" and len(data) >= 8:
        return struct.unpack_from(">q", data, 0)[0]
    if codec_id == "lindi_hdf5_lzf":
        return int(getattr(codec, "nbytes", 0))
    if codec_id == "zstd":
        return _zstd_content_size(data)
    return None


def _zstd_content_size(data: bytes) -> int | None:
    """Frame_Content_Size of the first zstd frame (RFC 8878 section 3.1.1.1), None when absent."""
    if len(data) < 6 or data[:4] != b"\x28\xb5\x2f\xfd":
        return None
    fhd = data[4]
    fcs_flag, single_segment, did_flag = fhd >> 6, (fhd >> 5) & 1, fhd & 3
    pos = 5 + (0 if single_segment else 1) + (0, 1, 2, 4)[did_flag]
    size = (1 if single_segment else 0, 2, 4, 8)[fcs_flag]
    if size == 0 or len(data) < pos + size:
        return None
    value = int.from_bytes(data[pos:pos + size], "little")
    return value + 256 if size == 2 else value


#: Decoders that stop at the limit while they run.
_STREAMING: dict[str, Callable[[Codec, bytes, int], bytes]] = {
    "zlib": _zlib,
    "gzip": lambda c, d, n: _stream(lambda: zlib.decompressobj(wbits=31), d, n),
    "bz2": lambda c, d, n: _stream(bz2.BZ2Decompressor, d, n),
    "lzma": _lzma,
}
#: Codecs whose frame records the decoded size (checked before decoding; unknown size refused).
_SIZE_RECORDED = frozenset({"blosc", "lz4", "zstd", "imagecodecs_szip", "imagecodecs_lz4h5", "lindi_hdf5_lzf"})
#: Item-count headers of the vlen object codecs (must equal the chunk's element count).
_VLEN = frozenset({"vlen-utf8", "vlen-bytes", "vlen-array"})


def _nbytes(x: Any) -> int:
    return int(x.nbytes) if hasattr(x, "nbytes") else len(x)


class BoundedPipeline(Codec):
    """An array's Zarr v2 codec pipeline (filters + compressor) with every decode step size-bounded.

    ``nbytes``: the exact decoded size of a chunk (shape times item size), or
    None for object arrays, which are held to ``max_chunk_bytes`` and to the
    chunk's element count. ``array`` names the array in errors.
    """

    codec_id = BOUNDED_CODEC_ID

    def __init__(self, compressor: dict[str, Any] | None = None, filters: list[dict[str, Any]] | None = None,
                 nbytes: int | None = None, items: int = 0, max_chunk_bytes: int = Limits.max_chunk_bytes,
                 array: str = "", source: str | None = None):
        from ..codecs import get_codec

        self.compressor, self.filters = compressor, list(filters or [])
        self.nbytes, self.items, self.max_chunk_bytes = nbytes, int(items), int(max_chunk_bytes)
        self.array, self.source = array, source
        pointer = ref_pointer(f"{array}/.zarray" if array else ".zarray")
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
    def _limit(self) -> int:
        return self.nbytes if self.nbytes is not None else self.max_chunk_bytes

    def _error(self, message: str, cls: type[DocumentError] = DocumentError) -> DocumentError:
        return cls(f"chunk of array /{self.array}: {message}", pointer=ref_pointer(f"{self.array}/.zarray"
                                                                                   if self.array else ".zarray"),
                   source=self.source)

    def decode(self, buf: Any, out: Any = None) -> Any:
        limit = self._limit
        # Intermediate buffers may differ a little from the final size (fletcher32 adds 4 bytes, base64 a third).
        stage_limit = 2 * limit + 4096
        data: Any = ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1).tobytes()
        if self._compressor is not None:
            data = self._decompress(self._compressor, data, stage_limit)
        for config, codec in zip(reversed(self.filters), reversed(self._filters)):
            if config["id"] in _VLEN:
                self._check_vlen_header(data, config["id"])
            if config["id"] in _STREAMING or config["id"] in _SIZE_RECORDED:  # a compressor among the filters
                data = self._decompress(codec, data, stage_limit)
                continue
            try:
                data = codec.decode(data)
            except Exception as exc:  # codecs raise ValueError/RuntimeError/their own types on bad bytes
                raise self._error(f"{config['id']} cannot decode it: {exc}") from None
            if _nbytes(data) > stage_limit:
                raise self._error(f"{config['id']} decodes it to {_nbytes(data)} bytes, more than {stage_limit}",
                                  LimitExceededError)
        if self.nbytes is not None and _nbytes(data) != self.nbytes:
            cls = LimitExceededError if _nbytes(data) > self.nbytes else DocumentError
            raise self._error(f"decodes to {_nbytes(data)} bytes, not chunk shape x item size = {self.nbytes}", cls)
        if out is not None:
            target = ensure_contiguous_ndarray(out).view(np.uint8).reshape(-1)
            target[:] = np.frombuffer(bytes(data), dtype=np.uint8)
            return out
        return data

    def _decompress(self, codec: Codec, data: bytes, limit: int) -> Any:
        cid = codec.codec_id
        try:
            if cid in _STREAMING:
                return _STREAMING[cid](codec, data, limit)
            if cid in _SIZE_RECORDED:
                declared = _declared_size(data, cid, codec)
                if declared is None:
                    raise self._error(f"{cid} frame does not record its decoded size; refused (decompression "
                                      "bomb guard)", LimitExceededError)
                if declared > limit:
                    raise _Overflow()
            result = codec.decode(data)
        except _Overflow:
            raise self._error(f"{cid} would inflate it beyond {limit} bytes (decompression bomb guard; the "
                              f"chunk shape x item size is {self.nbytes})", LimitExceededError) from None
        except DocumentError:
            raise
        except Exception as exc:
            raise self._error(f"{cid} cannot decode it: {exc}") from None
        if _nbytes(result) > limit:
            raise self._error(f"{cid} decodes it to {_nbytes(result)} bytes, more than {limit}", LimitExceededError)
        return result

    def _check_vlen_header(self, data: Any, codec_id: str) -> None:
        raw = ensure_contiguous_ndarray(data).view(np.uint8).reshape(-1)
        if raw.size < 4:
            raise self._error(f"{codec_id} data too short for its item count")
        count = int(struct.unpack_from("<I", raw.tobytes()[:4])[0])
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


def _codec_list(value: Any, what: str, pointer: str, source: str | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise DocumentError(f"{what} must be codec objects with a string 'id', not {item!r}", pointer=pointer,
                                source=source)
        if item["id"] == BOUNDED_CODEC_ID:
            raise DocumentError(f"codec id {BOUNDED_CODEC_ID!r} is internal to the reader", pointer=pointer,
                                source=source)
    return items


def vet_zarray(zarray: Mapping[str, Any], *, array: str, source: str | None = None) -> None:
    """Refuse an array with a malformed grid (shape/chunks) or whose codecs include a forbidden (pickle),
    internal or unknown id; nothing is decoded."""
    from ..codecs import get_codec

    pointer = ref_pointer(f"{array}/.zarray" if array else ".zarray")
    _check_grid(zarray, pointer, source)
    for what in ("compressor", "filters"):
        for config in _codec_list(zarray.get(what), what, pointer, source):
            get_codec(config, pointer=pointer, source=source)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_grid(zarray: Mapping[str, Any], pointer: str, source: str | None) -> None:
    shape, chunks = zarray.get("shape"), zarray.get("chunks")
    if not (isinstance(shape, list) and all(_is_int(n) and n >= 0 for n in shape)):
        raise DocumentError(f"shape must be a list of non-negative integers, not {shape!r}", pointer=pointer,
                            source=source)
    if not (isinstance(chunks, list) and len(chunks) == len(shape) and all(_is_int(c) and c > 0 for c in chunks)):
        raise DocumentError(f"chunks must be a list of {len(shape)} positive integers, not {chunks!r}",
                            pointer=pointer, source=source)


def secure_zarray(zarray: Mapping[str, Any], *, array: str, source: str | None = None,
                  limits: Limits | None = None) -> dict[str, Any]:
    """The ``.zarray`` to give zarr: the same array with its codecs inside one :class:`BoundedPipeline`.

    Every codec is resolved through :func:`lindi.codecs.get_codec` here, so a
    forbidden (pickle) or unknown id is refused before any chunk is read.
    ``array`` is the array's store path ("" for the root).
    """
    limits = limits or Limits.from_env()
    pointer = ref_pointer(f"{array}/.zarray" if array else ".zarray")
    compressor = _codec_list(zarray.get("compressor"), "compressor", pointer, source)
    filters = _codec_list(zarray.get("filters"), "filters", pointer, source)
    _check_grid(zarray, pointer, source)
    chunks, dtype = zarray["chunks"], zarray.get("dtype")
    try:
        dt = np.dtype(dtype) if isinstance(dtype, str) else None
    except TypeError:
        dt = None
    if dt is None:
        raise DocumentError(f"dtype {dtype!r} is not a numpy type string", pointer=pointer, source=source)
    items = math.prod(chunks)
    nbytes = None if dt.kind == "O" else items * dt.itemsize
    if (nbytes if nbytes is not None else 0) > limits.max_chunk_bytes:
        raise _exceeded(f"chunk of array /{array} too large", nbytes or 0, limits.max_chunk_bytes, "max_chunk_bytes",
                        pointer=pointer, source=source)
    register_bounded_codec()
    pipeline = BoundedPipeline(compressor[0] if compressor else None, filters, nbytes=nbytes, items=items,
                               max_chunk_bytes=limits.max_chunk_bytes, array=array, source=source)
    out = dict(zarray)
    out["compressor"] = pipeline.get_config()
    out["filters"] = None
    return out


def decode_chunk(zarray: Mapping[str, Any], data: bytes, *, array: str, source: str | None = None,
                 limits: Limits | None = None, compressor_only: bool = False) -> bytes:
    """Decode one chunk of an array with the bounded pipeline (for decoding done outside zarr).

    ``compressor_only``: undo just the compressor (legacy JSON-codec chunks,
    whose json2 filter the caller parses itself), bounded by ``max_chunk_bytes``.
    """
    limits = limits or Limits.from_env()
    meta = dict(zarray)
    if compressor_only:
        meta.update(filters=None, dtype="|O")
    pipeline = BoundedPipeline(**{k: v for k, v in secure_zarray(meta, array=array, source=source,
                                                                 limits=limits)["compressor"].items() if k != "id"})
    result = pipeline.decode(data)
    return bytes(ensure_contiguous_ndarray(result).view(np.uint8).reshape(-1)) if compressor_only else result


def secure_zarray_bytes(data: bytes, *, key: str, source: str | None = None, limits: Limits | None = None) -> bytes:
    """:func:`secure_zarray` on the JSON text of a ``.zarray`` ref (what a zarr Store hands to zarr)."""
    from .. import strict_json

    meta = strict_json.loads(data, source=f"{source or 'document'} key {key}")
    if not isinstance(meta, dict):
        raise DocumentError("metadata must be a JSON object", pointer=ref_pointer(key), source=source)
    array = key[:-len("/.zarray")] if key.endswith("/.zarray") else ""
    return strict_json.dumps(secure_zarray(meta, array=array, source=source, limits=limits)).encode("utf-8")
