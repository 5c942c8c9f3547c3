"""Parsing and schema-checking the metadata values (.zgroup, .zarray, .zattrs, .lindi).

A metadata value is an inline JSON object or inline JSON text of an object.
Schema violations are mapped to the code of the rule they break (an error
under ``_SOFT_LINK`` in .zattrs is LINDI-E-SOFT-LINK, and so on).
"""
from __future__ import annotations

import binascii
import math
import re
from typing import Any

from jsonschema.exceptions import best_match

from lindi import strict_json
from lindi.errors import DocumentError
from lindi.format.names import ANNOTATIONS
from lindi.format.object_codecs import JSON_CODEC_ID, OBJECT_CODEC_IDS
from lindi.format.zarr_dtypes import OBJECT_DTYPE
from lindi.security.limits import MAX_NDIM
from lindi.strict_json import ref_pointer

from .codec_table import OPTIONAL_CODECS, codec_problem
from .report import Collector, shorten
from .schema import LATEST, schema_errors

META_NAMES = {".zgroup": "zgroup", ".zarray": "zarray", ".zattrs": "zattrs", ".lindi": "lindi"}

#: Integer literals at or beyond this magnitude have no float64 value (SPEC section 7).
_FLOAT_LIMIT = 2**1024

#: Deeper metadata values are refused (LINDI-E-LIMIT) instead of overflowing the stack.
MAX_DEPTH = 256

_KIND_CODE = {"zgroup": "LINDI-E-ZGROUP", "zarray": "LINDI-E-ZARRAY", "zattrs": "LINDI-E-METADATA-JSON", "lindi": "LINDI-E-LINDI-META"}
_ZATTRS_CODES = {"_SCALAR": "LINDI-E-SCALAR", "_SOFT_LINK": "LINDI-E-SOFT-LINK",
                 "_COMPOUND_DTYPE": "LINDI-E-COMPOUND-DTYPE", "_EXTERNAL_ARRAY_LINK": "LINDI-E-EXTERNAL-ARRAY-LINK"}
_LINDI_CODES = {"dtype": "LINDI-E-DTYPE", "null_dataspace": "LINDI-E-NULL-DATASPACE", "attrs": "LINDI-E-ATTR-TYPE",
                "attr_order": "LINDI-E-ATTR-ORDER", "member_order": "LINDI-E-MEMBER-ORDER", "link": "LINDI-E-LINK",
                "storage": "LINDI-E-STORAGE"}


def _code_for(kind: str, path: list[Any]) -> str:
    if path:
        if kind == "zattrs":
            return _ZATTRS_CODES.get(path[0], "LINDI-E-REFERENCE")
        if kind == "lindi":
            return _LINDI_CODES.get(path[0], "LINDI-E-LINDI-META")
    return _KIND_CODE[kind]


def find_limit_problem(value: Any) -> tuple[str, list[Any]] | None:
    """Find a non-finite float or excessive nesting without recursion: (code, path) or None.

    Only containers go on the stack (with their path); their scalar members are checked in
    place, so a 100,000-element number array costs one pass and no per-element path lists.
    """
    if (isinstance(value, float) and not math.isfinite(value)) or (type(value) is int and not -_FLOAT_LIMIT < value < _FLOAT_LIMIT):
        return "LINDI-E-NONFINITE-NUMBER", []
    stack: list[tuple[Any, list[Any]]] = [(value, [])] if isinstance(value, (dict, list)) else []
    while stack:
        item, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            return "LINDI-E-LIMIT", path
        for k, child in (item.items() if isinstance(item, dict) else enumerate(item)):
            if isinstance(child, (dict, list)):
                stack.append((child, path + [k]))
            elif isinstance(child, float) and not math.isfinite(child):
                return "LINDI-E-NONFINITE-NUMBER", path + [k]
            elif type(child) is int and not -_FLOAT_LIMIT < child < _FLOAT_LIMIT:
                return "LINDI-E-NONFINITE-NUMBER", path + [k]  # an integer literal beyond the float64 range
    return None


def _contains_object(value: Any) -> bool:
    """True when a JSON value has a JSON object anywhere inside (no recursion: values may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            return True
        if isinstance(item, list):
            stack.extend(x for x in item if isinstance(x, (list, dict)))
    return False


def _without_plain_attr_values(zattrs: dict[str, Any]) -> dict[str, Any]:
    """``zattrs`` with every user attribute value that holds no JSON object replaced by null.

    The schema accepts any such value (only objects, i.e. references, have a structure to check),
    and a jsonschema walk of a 100,000-element attribute takes seconds.
    """
    return {k: v if k in ANNOTATIONS or _contains_object(v) else None for k, v in zattrs.items()}


def parse_metadata(key: str, value: Any, out: Collector) -> dict[str, Any] | None:
    """The metadata object of a ref value, or None (after reporting) when it is not one."""
    ptr = ref_pointer(key)
    if isinstance(value, dict):
        obj = value
    elif isinstance(value, str) and not value.startswith("base64:"):
        try:
            obj = strict_json.loads(value)
        except DocumentError as exc:
            out.error("LINDI-E-METADATA-JSON", ptr, f"{key} is not JSON text: {exc}")
            return None
        if not isinstance(obj, dict):
            out.error("LINDI-E-METADATA-JSON", ptr, f"{key} must hold a JSON object, not {type(obj).__name__}")
            return None
    else:
        form = "base64 bytes" if isinstance(value, str) else type(value).__name__
        out.error("LINDI-E-METADATA-JSON", ptr, f"{key} must be an inline JSON object or JSON text, not {form}")
        return None
    problem = find_limit_problem(obj)
    if problem is not None:
        code, path = problem
        what = "a NaN or infinite float (write it as a string)" if code == "LINDI-E-NONFINITE-NUMBER" else \
            f"nesting deeper than {MAX_DEPTH} levels"
        out.error(code, ptr, f"{key} holds {what} (at {'/'.join(map(str, path)) or 'the top'})")
        return None
    return obj


def check_metadata(key: str, kind: str, obj: dict[str, Any], inline: bool, out: Collector, *,
                   version: str = LATEST, legacy: bool = False) -> bool:
    """Schema-check one metadata object (plus the .zarray rules a schema cannot say); True when valid.

    ``version`` picks the schema (:func:`lindi.validation.schema.schema_version_for`); ``legacy`` allows
    the legacy profile's exceptions (SPEC section 8).
    """
    ok = True
    if kind == "zattrs":
        obj = _without_plain_attr_values(obj)
    for err in schema_errors(kind, obj, version):
        err = best_match([err])
        path = list(err.absolute_path)
        where = ref_pointer(key, *member_path(kind, path)) if inline else ref_pointer(key)
        inside = "" if inline or not path else f" (at {'/'.join(map(str, path))} inside the JSON text)"
        out.error(_code_for(kind, path), where, f"{key}: {shorten(err.message)}{inside}")
        ok = False
    if ok and kind == "zarray":
        ok = _check_zarray(key, obj, inline, out, legacy)
    return ok


def member_path(kind: str, path: list[Any]) -> list[Any]:
    """Where a problem inside an inline metadata object points (SPEC section 10): the top-level member,
    or for a codec in ``filters`` the codec configuration."""
    return path[:2] if kind == "zarray" and path[:1] == ["filters"] else path[:1]


def _check_zarray(key: str, z: dict[str, Any], inline: bool, out: Collector, legacy: bool) -> bool:
    ok = True

    def fail(code: str, message: str, *path: Any) -> None:
        nonlocal ok
        ok = False
        out.error(code, ref_pointer(key, *path) if inline else ref_pointer(key), f"{key}: {message}")

    if len(z["shape"]) > MAX_NDIM:
        fail("LINDI-E-LIMIT", f"{len(z['shape'])} dimensions, more than the spec's limit of {MAX_NDIM}", "shape")
    if len(z["chunks"]) != len(z["shape"]):
        fail("LINDI-E-ZARRAY", f"chunks has {len(z['chunks'])} entries but shape has {len(z['shape'])}", "chunks")
    codecs: list[tuple[str | int, Any]] = [("compressor", z["compressor"])] if z["compressor"] is not None else []
    codecs += [(i, c) for i, c in enumerate(z["filters"] or [])]
    for where, codec in codecs:
        path = ("compressor",) if where == "compressor" else ("filters", where)
        problem = codec_problem(codec)
        if problem is not None:
            fail(*problem, *path)
        elif codec["id"] in OPTIONAL_CODECS:
            out.warning("LINDI-W-CODEC-NONSTANDARD", ref_pointer(key, *path) if inline else ref_pointer(key),
                        f"{key}: codec {codec['id']!r} is optional in the spec's codec list; other readers may lack it")
    if z["dtype"] == OBJECT_DTYPE:
        ids = {c["id"] for _, c in codecs}
        if not ids & OBJECT_CODEC_IDS:
            fail("LINDI-E-ZARRAY", "an object (|O) array needs an object codec such as json2 in filters", "filters")
        elif JSON_CODEC_ID in ids and ok and z["chunks"] != [max(n, 1) for n in z["shape"]]:
            fail("LINDI-E-ZARRAY", f"a JSON-codec array has one chunk covering its shape {z['shape']}, "
                                   f"not chunks {z['chunks']}", "chunks")
    message = _fill_value_problem(z["dtype"], z["fill_value"], legacy)
    if message:
        fail("LINDI-E-ZARRAY", message, "fill_value")
    return ok


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _integer_value(value: Any) -> int | None:
    """The integer a fill value stands for (JSON integer, integral number, or decimal string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return int(value)
    return None


def _is_float(value: Any) -> bool:
    return _is_number(value) or (isinstance(value, str) and value in strict_json.SPECIAL_FLOATS)


def _fill_value_problem(dtype: str, fill: Any, legacy: bool) -> str | None:
    """Why ``fill`` is not a fill value of ``dtype`` by SPEC section 3.5 (None when it is)."""
    if fill is None:
        return None
    kind = dtype[1]
    if kind == "f" and not _is_float(fill):
        return f"fill_value {fill!r} of a float array must be a number, \"NaN\", \"Infinity\" or \"-Infinity\""
    if kind in "iu":
        value = _integer_value(fill)
        if value is None:
            return f"fill_value {fill!r} of an integer array must be an integer or a decimal string"
        bits = 8 * int(dtype[2:])
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if kind == "i" else (0, 2**bits - 1)
        if not low <= value <= high:
            return f"fill_value {fill!r} is outside the range of {dtype}"
    if kind == "b" and not isinstance(fill, bool):
        return f"fill_value {fill!r} of a bool array must be true or false"
    if kind == "c" and not (isinstance(fill, list) and len(fill) == 2 and all(_is_float(x) for x in fill)):
        return f"fill_value {fill!r} of a complex array must be [re, im]"
    if kind in "SV" and not (isinstance(fill, str) and _is_base64(fill)):
        return f"fill_value {fill!r} of a {dtype} array must be base64 text of its bytes"
    if kind == "O" and not (legacy and _integer_value(fill) == 0):
        return f"fill_value of an object (|O) array must be null, not {fill!r}"
    if kind in "mM" and _integer_value(fill) is None:
        return f"fill_value {fill!r} of a {dtype} array must be an integer"
    if kind == "U" and not isinstance(fill, str):
        return f"fill_value {fill!r} of a {dtype} array must be a string"
    return None


def _is_base64(text: str) -> bool:
    try:
        binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
