"""Strict JSON as the format requires it (spec section "Strict JSON").

The document is plain RFC 8259 JSON: bare ``NaN``/``Infinity`` tokens are
rejected on read and never written. Special floats travel as the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Integers are plain JSON integers at
any 64-bit value (spec 1.1; 1.0 wrote |v| > 2**53 - 1 as decimal strings, still read).
"""
from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii
from typing import IO, Any

import numpy as np

from .errors import DocumentError, LimitExceededError

try:
    import orjson
except ImportError:  # optional: the standard library parses the same documents, slower
    orjson = None  # type: ignore[assignment]

#: orjson keeps integers in [-2**63, 2**64 - 1] exact; one of 19 or more digits may lie outside (and become a float).
_LONG_RUN = 19
_SCAN_BLOCK = 1 << 22


def _has_long_digit_run(text: str | bytes) -> bool:
    """True when 19 ASCII digits follow each other somewhere.

    numpy over blocks of the bytes (bounded memory): a digit mask, then runs of
    2, 4, 8, 16 and 19 digits by shifting and and-ing the mask; several times
    faster than a byte translation and a search, and a regex is slower still.
    """
    data = text if isinstance(text, (bytes, bytearray)) else text.encode("utf-8", "surrogatepass")
    codes = np.frombuffer(data, np.uint8)
    for start in range(0, len(codes), _SCAN_BLOCK):
        run = codes[start:start + _SCAN_BLOCK + _LONG_RUN - 1] - ord("0") < 10
        for shift in (1, 2, 4, 8, _LONG_RUN - 16):
            run = run[:-shift] & run[shift:]  # run[i]: the digits from i on are at least twice (then 19) as many
        if run.any():
            return True
    return False


SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
MAX_SAFE_INTEGER = 2**53 - 1


def _reject_constant(token: str) -> Any:
    raise ValueError(f"bare {token} is not JSON; write it as the string \"{token}\"")


def loads(text: str | bytes, *, source: str | None = None) -> Any:
    """Parse strict JSON; errors name the line/column and the source.

    orjson (several times faster, and strict: it refuses bare NaN/Infinity) parses
    first; whatever it refuses is parsed again by the standard library, which
    either accepts it (lone surrogate escapes, very deep nesting) or gives the
    error with its line and column. Text with a run of 19 or more digits goes to
    the standard library directly: orjson would turn an integer beyond 64 bits
    into an inexact float.
    """
    with gc_paused():  # parsed JSON holds no cycles; collections while it grows cost 40% of the time
        return _parse(text, source)


def _parse(text: str | bytes, source: str | None) -> Any:
    try:
        if orjson is not None and not _has_long_digit_run(text):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                            pointer="", source=source) from None
    except ValueError as exc:  # bare NaN/Infinity, or undecodable bytes
        raise DocumentError(f"not valid JSON: {exc}", pointer="", source=source) from None
    except RecursionError:
        raise DocumentError("not valid JSON: nesting too deep", pointer="", source=source) from None
    except MemoryError:  # the parsed objects take many times the text's size
        raise LimitExceededError(f"not enough memory to parse {len(text)} bytes of JSON; lower "
                                 "max_document_bytes (LINDI_MAX_DOCUMENT_BYTES) to refuse such documents "
                                 "before reading them", pointer="", source=source) from None


def dumps(obj: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """Serialise with ``allow_nan=False`` so a stray special float fails loudly."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(obj, allow_nan=False, indent=indent, sort_keys=sort_keys, separators=separators)


def encode_float(value: float) -> float | str:
    """A float as it is written in a document (special values as strings)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def decode_float(value: Any) -> float:
    """Inverse of :func:`encode_float`; accepts numbers and the three strings."""
    if isinstance(value, str):
        try:
            return SPECIAL_FLOATS[value]
        except KeyError:
            raise ValueError(f"{value!r} is not a number or a special float string") from None
    return float(value)


def encode_int(value: int) -> int:
    """An integer as written in a document: a plain JSON integer, exact at any 64-bit value (spec 1.1).

    Readers parse integers exactly (Python's json does; JavaScript needs a big-integer-aware parse).
    Spec 1.0 wrote magnitudes above 2**53 - 1 as decimal strings; :func:`decode_int` still reads them.
    """
    return int(value)


def decode_int(value: Any) -> int:
    """Inverse of :func:`encode_int`."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(value, str):
        return int(value, 10)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    return int(value)


def json_pointer(*tokens: str | int) -> str:
    """An RFC 6901 JSON pointer from unescaped reference tokens (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def ref_pointer(key: str, *tokens: str | int) -> str:
    """The pointer of ``refs[key]`` in a document, or of a place inside that (parsed) value."""
    return json_pointer("refs", key, *tokens)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or copying millions of acyclic objects.

    Every few hundred allocations it would rescan everything made so far; lists,
    tuples and dicts of strings and ints never form cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _is_range_ref(value: Any) -> bool:
    return type(value) is list and len(value) == 3 and type(value[0]) is str and type(value[1]) is int \
        and type(value[2]) is int


def copy_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a document, as strict as a ``loads(dumps(doc))`` round trip and much faster.

    ``[url, offset, length]`` refs (the bulk of a document) are copied as lists;
    every other value goes through the strict round trip, so a stray special
    float still fails loudly.
    """
    out = {key: loads(dumps(value)) for key, value in doc.items() if key != "refs"}
    refs = doc.get("refs")
    if isinstance(refs, dict):
        with gc_paused():
            out["refs"] = {key: value.copy() if _is_range_ref(value) else loads(dumps(value))
                           for key, value in refs.items()}
    return out


def write_document(doc: dict[str, Any], fp: IO[str], *, batch: int = 16384) -> None:
    """Stream ``doc`` as compact strict JSON (ASCII, ``refs`` last) without building the text whole.

    ``[url, offset, length]`` refs are formatted directly (their URL encoded once);
    other values go through :func:`dumps`, so strictness is unchanged.
    """
    refs = doc.get("refs")
    if not isinstance(refs, dict):
        fp.write(dumps(doc))
        return
    write_refs_blocks({key: value for key, value in doc.items() if key != "refs"}, _ref_blocks(refs, batch), fp)


def write_refs_blocks(head: Mapping[str, Any], blocks: Iterable[str], fp: IO[str]) -> None:
    """Write a document: the members of ``head``, then ``refs`` made of ``blocks``.

    Each block is the text of some ``"key":value`` members joined by commas (empty blocks are skipped);
    the one framing every streaming writer of a document uses.
    """
    fp.write(dumps(dict(head))[:-1] + ("," if head else "") + '"refs":{')
    first = True
    for block in blocks:
        if block:
            fp.write(block if first else "," + block)
            first = False
    fp.write("}}")


def _ref_blocks(refs: Mapping[str, Any], batch: int) -> Iterator[str]:
    """The members of ``refs`` as text, ``batch`` members a block."""
    urls: dict[str, str] = {}
    parts: list[str] = []
    append, key_text = parts.append, encode_basestring_ascii
    for key, value in refs.items():
        if value.__class__ is list and len(value) == 3:
            url, offset, length = value
            if offset.__class__ is int and length.__class__ is int and url.__class__ is str:
                url_text = urls.get(url)
                if url_text is None:
                    url_text = urls[url] = key_text(url)
                append(f"{key_text(key)}:[{url_text},{offset},{length}]")
                if len(parts) >= batch:
                    yield ",".join(parts)
                    parts.clear()
                continue
        if key.__class__ is not str:
            raise TypeError(f"ref keys must be strings, got {key!r}")
        append(key_text(key) + ":" + dumps(value))
    if parts:
        yield ",".join(parts)
