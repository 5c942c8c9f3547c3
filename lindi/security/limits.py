"""Size limits for hostile documents: what a document may ask the reader to hold.

A document from a stranger must not exhaust the reader's memory: its size,
the size of one inline value, the number of refs, the nesting depth of its
JSON and the rank of an array are capped (:class:`Limits`, each raisable by an
option or an environment variable, except the rank, which the spec fixes). An
array's metadata is vetted before use (:func:`vet_zarray`: its grid, and no
codec id that could run code from a document, such as pickle), a fixed-size
chunk may not exceed ``max_chunk_bytes`` (:func:`check_chunk_bytes`), and a
ref is never fetched when it is longer than its chunk can need
(:func:`check_chunk_ref`). Decoding itself is capped by the bounded codecs of
:mod:`lindi.codecs.bounded_zarray`, which the store serves to zarr.
"""
from __future__ import annotations

import os
import resource
import stat
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, BinaryIO

from ..errors import DocumentError, LimitExceededError
from ..strict_json import ref_pointer

#: Environment variables that raise (or lower) each limit, by :class:`Limits` field name.
ENV_VARS: dict[str, str] = {
    "max_document_bytes": "LINDI_MAX_DOCUMENT_BYTES",
    "max_inline_bytes": "LINDI_MAX_INLINE_BYTES",
    "max_chunk_bytes": "LINDI_MAX_CHUNK_BYTES",
    "max_json_depth": "LINDI_MAX_JSON_DEPTH",
    "max_refs": "LINDI_MAX_REFS",
    "max_ref_factor": "LINDI_MAX_REF_FACTOR",
    "max_parse_memory": "LINDI_MAX_PARSE_MEMORY",
}

#: Most dimensions an array may have: HDF5's own maximum rank (H5S_MAX_RANK), which every
#: array of a converted file respects; numpy allows 64, so a reader never meets numpy's limit.
MAX_NDIM = 32
#: Bytes a stored (encoded) chunk may have beyond ``max_ref_factor`` x its decoded size (codec headers).
REF_SLACK_BYTES = 64 * 1024



@dataclass(frozen=True)
class Limits:
    """Safety limits; every one can be raised with an option or the environment variable in :data:`ENV_VARS`.

    ``max_document_bytes``: size of a document's JSON text. ``max_inline_bytes``:
    one inline ref value (text, base64, JSON object). ``max_chunk_bytes``: one
    decoded chunk of an array whose element size is not fixed (object arrays);
    fixed-size arrays are held to exactly chunk shape times item size.
    ``max_json_depth``: nesting of a metadata value. ``max_refs``: keys in ``refs``.
    ``max_ref_factor``: a ref of an array with codecs may point at no more than
    this many times the chunk's decoded size (plus :data:`REF_SLACK_BYTES`); a
    ref of an array without codecs, at no more than the chunk's size.
    ``max_parse_memory``: memory a document's parsed JSON may take, as
    estimated before parsing (:func:`parse_memory_estimate`); 0, the default,
    means the memory this process can get (``MemAvailable``, ``RLIMIT_AS``).
    """

    max_document_bytes: int = 2 * 1024**3
    max_inline_bytes: int = 256 * 1024**2
    max_chunk_bytes: int = 1024**3
    max_json_depth: int = 256
    max_refs: int = 50_000_000
    max_ref_factor: int = 2
    max_parse_memory: int = 0

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


def check_document_bytes(nbytes: int, *, source: str | None = None, limits: Limits | None = None,
                         at_least: bool = False) -> None:
    """Refuse a document text larger than ``max_document_bytes`` (call before reading it, or while reading:
    ``at_least`` says that ``nbytes`` is only what was read so far)."""
    limits = limits or Limits.from_env()
    if nbytes > limits.max_document_bytes:
        size = f"at least {nbytes}" if at_least else nbytes
        raise LimitExceededError(f"document too large ({size} bytes > {limits.max_document_bytes}); raise the "
                                 f"limit with max_document_bytes=... or {ENV_VARS['max_document_bytes']}",
                                 pointer="", source=source)


#: Bytes read at a time from a stream whose size is not known in advance.
READ_PIECE_BYTES = 16 * 1024**2


def read_capped(f: BinaryIO, *, source: str | None = None, limits: Limits | None = None) -> bytes:
    """All of ``f``, refused once it passes ``max_document_bytes``.

    The size of a regular file is checked before reading; a device, pipe or
    ``/proc`` file (whose ``st_size`` says nothing: ``/dev/zero`` is endless)
    is read in pieces and refused one byte past the limit, so memory never
    holds more than the limit plus one piece.
    """
    limits = limits or Limits.from_env()
    limit = limits.max_document_bytes
    info = os.fstat(f.fileno())
    piece_bytes = READ_PIECE_BYTES
    if stat.S_ISREG(info.st_mode):
        check_document_bytes(info.st_size, source=source, limits=limits)
        piece_bytes = info.st_size + 1  # usually one read, and no copy to join it
    parts: list[bytes] = []
    total = 0
    while True:
        piece = f.read(min(piece_bytes, limit + 1 - total))
        piece_bytes = READ_PIECE_BYTES
        if not piece:
            return b"".join(parts)
        parts.append(piece)
        total += len(piece)
        if total > limit:
            parts.clear()
            check_document_bytes(total, source=source, limits=limits, at_least=True)



#: Memory that parsing a document's JSON takes at most, measured on CPython 3.11 (docs/RELIABILITY.md):
#: per byte of text (2-character strings, the worst scalar case, take 15.5), per array and per object
#: beyond that (a text of ``[]`` or ``{}`` tokens takes 25 bytes per byte).
PARSE_BYTES_PER_BYTE = 16
PARSE_BYTES_PER_ARRAY = 80
PARSE_BYTES_PER_OBJECT = 200
#: The largest :func:`parse_memory_estimate` per byte of text: every byte a ``{`` (inside strings they count too).
PARSE_BYTES_AT_MOST_PER_BYTE = PARSE_BYTES_PER_BYTE + max(PARSE_BYTES_PER_ARRAY, PARSE_BYTES_PER_OBJECT)


def parse_memory_estimate(text: bytes, *, template_uses: bool = True) -> int:
    """An upper estimate of the memory :func:`json.loads` takes for ``text``, from three byte counts.

    Brackets inside strings count too (only ever an overestimate), except the
    ``{{`` and ``}}`` of template uses, which no JSON object can start with;
    ``template_uses=False`` counts those too: a larger estimate that costs one
    count fewer (the two-byte count is the slowest of the three).
    """
    arrays = text.count(b"[")
    objects = text.count(b"{")
    if template_uses:
        objects = max(objects - 2 * text.count(b"{{"), 0)
    return PARSE_BYTES_PER_BYTE * len(text) + PARSE_BYTES_PER_ARRAY * arrays + PARSE_BYTES_PER_OBJECT * objects


def available_memory() -> int | None:
    """Bytes this process can still allocate: the smaller of the system's ``MemAvailable`` and the
    headroom under ``RLIMIT_AS``; None where neither is known (not Linux)."""
    known = []
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    known.append(int(line.split()[1]) * 1024)
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as f:
                known.append(soft - int(f.read().split()[0]) * resource.getpagesize())
    except (OSError, ValueError):
        pass
    return min(known) if known else None


def check_parse_memory(text: bytes, *, source: str | None = None, limits: Limits | None = None) -> None:
    """Refuse, before parsing, a document whose parsed form would not fit: a LimitExceededError
    instead of a MemoryError halfway through (or the kernel's out-of-memory killer)."""
    limits = limits or Limits.from_env()
    budget = limits.max_parse_memory or available_memory()
    if budget is None or PARSE_BYTES_AT_MOST_PER_BYTE * len(text) <= budget:
        return  # fits even if every byte opened an object: no need to count
    if parse_memory_estimate(text, template_uses=False) <= budget:
        return
    need = parse_memory_estimate(text)
    if need > budget:
        raise LimitExceededError(
            f"parsing this {len(text)}-byte document needs up to {need} bytes of memory, more than the "
            f"{budget} available; raise the limit with max_parse_memory=... or {ENV_VARS['max_parse_memory']} "
            "(0: the memory this process can get), or use a machine with more memory", pointer="", source=source)


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


def vet_zarray(zarray: Mapping[str, Any], *, array: str, source: str | None = None) -> None:
    """Refuse an array with a malformed grid (shape/chunks) or whose codecs include a forbidden (pickle),
    internal or unknown id; nothing is decoded."""
    from ..codecs import get_codec  # lindi.codecs imports h5py: only when an array is read
    from ..codecs.bounded_zarray import codec_configs, zarray_pointer

    pointer = zarray_pointer(array)
    _check_grid(zarray, pointer, source)
    for what in ("compressor", "filters"):
        for config in codec_configs(zarray.get(what), what, pointer=pointer, source=source):
            get_codec(config, pointer=pointer, source=source)


def check_chunk_bytes(zarray: Mapping[str, Any], *, array: str, source: str | None = None,
                      limits: Limits | None = None) -> None:
    """Refuse an array whose fixed-size chunk decodes to more than ``max_chunk_bytes`` (its bounded
    pipeline would otherwise allow that much); ``zarray`` has passed :func:`vet_zarray`."""
    from ..codecs.bounded_zarray import chunk_size, zarray_pointer

    limits = limits or Limits.from_env()
    pointer = zarray_pointer(array)
    _, nbytes = chunk_size(zarray, pointer=pointer, source=source)
    if nbytes is not None and nbytes > limits.max_chunk_bytes:
        raise _exceeded(f"chunk of array /{array} too large", nbytes, limits.max_chunk_bytes, "max_chunk_bytes",
                        pointer=pointer, source=source)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_grid(zarray: Mapping[str, Any], pointer: str, source: str | None) -> None:
    shape, chunks = zarray.get("shape"), zarray.get("chunks")
    if isinstance(shape, list) and len(shape) > MAX_NDIM:
        raise LimitExceededError(f"array has {len(shape)} dimensions, more than the spec's limit of {MAX_NDIM} "
                                 "(LINDI-E-LIMIT)", pointer=pointer, source=source)
    if not (isinstance(shape, list) and all(_is_int(n) and n >= 0 for n in shape)):
        raise DocumentError(f"shape must be a list of non-negative integers, not {shape!r}", pointer=pointer,
                            source=source)
    if not (isinstance(chunks, list) and len(chunks) == len(shape) and all(_is_int(c) and c > 0 for c in chunks)):
        raise DocumentError(f"chunks must be a list of {len(shape)} positive integers, not {chunks!r}",
                            pointer=pointer, source=source)


def check_chunk_ref(key: str, length: int, zarray: Mapping[str, Any], *, array: str, source: str | None = None,
                    limits: Limits | None = None) -> None:
    """Refuse, before fetching, a chunk ref longer than its chunk can need.

    Without codecs a chunk is stored as is: at most chunk shape x item size
    bytes, and shorter only as the last chunk along axis 0 (the tail of a split
    contiguous dataset, spec section 3.6). With codecs the stored chunk may be
    at most ``max_ref_factor`` x that size plus :data:`REF_SLACK_BYTES`;
    object arrays at most ``max_chunk_bytes``. ``zarray`` has passed
    :func:`vet_zarray`.
    """
    from ..codecs.bounded_zarray import chunk_size

    limits = limits or Limits.from_env()
    pointer = ref_pointer(key)
    _, nbytes = chunk_size(zarray, pointer=pointer, source=source)
    coded = bool(zarray.get("compressor") or zarray.get("filters"))
    if nbytes is None:
        bound, how = limits.max_chunk_bytes, "max_chunk_bytes"
    elif coded:
        bound, how = limits.max_ref_factor * nbytes + REF_SLACK_BYTES, "max_ref_factor"
    else:
        bound, how = nbytes, ""
    if length > bound:
        what = f"ref of {length} bytes is longer than a chunk of array /{array} can be"
        if not how:
            raise LimitExceededError(f"{what} ({length} > {bound} = chunk shape x item size, the array has no "
                                     "codecs); refused before fetching", pointer=pointer, source=source)
        raise _exceeded(f"{what}; refused before fetching", length, bound, how, pointer=pointer, source=source)
    if not coded and nbytes is not None and length < nbytes and not _last_along_axis0(key, array, zarray):
        raise DocumentError(f"ref of {length} bytes is shorter than a chunk of array /{array} ({nbytes} bytes) "
                            "and is not the last chunk along axis 0", pointer=pointer, source=source)


def _last_along_axis0(key: str, array: str, zarray: Mapping[str, Any]) -> bool:
    """True when ``key`` is a chunk in the last row of chunks along axis 0 (or its name cannot be parsed:
    the validator reports that)."""
    shape, chunks = zarray["shape"], zarray["chunks"]
    if not shape:
        return True
    name = key[len(array) + 1:] if array else key
    first = name.split(zarray.get("dimension_separator") or ".", 1)[0]
    if not first.isdigit():
        return True
    return int(first) == max(-(-shape[0] // chunks[0]) - 1, 0)
