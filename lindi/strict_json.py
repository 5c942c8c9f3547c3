"""Strict JSON as the format requires it (spec section "Strict JSON").

The document is plain RFC 8259 JSON: bare ``NaN``/``Infinity`` tokens are
rejected on read and never written. Special floats travel as the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Integers are plain JSON integers at
any 64-bit value (spec 1.1; 1.0 wrote |v| > 2**53 - 1 as decimal strings, still read).
"""
from __future__ import annotations

import json
import math
from typing import Any

from .errors import DocumentError

SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
MAX_SAFE_INTEGER = 2**53 - 1


def _reject_constant(token: str) -> Any:
    raise ValueError(f"bare {token} is not JSON; write it as the string \"{token}\"")


def loads(text: str | bytes, *, source: str | None = None) -> Any:
    """Parse strict JSON; errors name the line/column and the source."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                            pointer="", source=source) from None
    except ValueError as exc:  # bare NaN/Infinity, or undecodable bytes
        raise DocumentError(f"not valid JSON: {exc}", pointer="", source=source) from None
    except RecursionError:
        raise DocumentError("not valid JSON: nesting too deep", pointer="", source=source) from None


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
