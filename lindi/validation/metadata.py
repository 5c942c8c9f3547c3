"""Parsing and schema-checking the metadata values (.zgroup, .zarray, .zattrs, .lindi).

A metadata value is an inline JSON object or inline JSON text of an object.
Schema violations are mapped to the code of the rule they break (an error
under ``_SOFT_LINK`` in .zattrs is LINDI-E-SOFT-LINK, and so on).
"""
from __future__ import annotations

import math

from typing import Any

from jsonschema.exceptions import best_match

from lindi import strict_json
from lindi.errors import DocumentError

from lindi.codecs import codec_status
from lindi.security.limits import MAX_NDIM
from .dtypes import OBJECT_CODEC_IDS, OBJECT_DTYPE
from lindi.strict_json import ref_pointer

from .report import Collector, shorten
from .schema import schema_errors

META_NAMES = {".zgroup": "zgroup", ".zarray": "zarray", ".zattrs": "zattrs", ".lindi": "lindi"}

#: Reserved .zattrs members that are annotations, not user attributes.
ANNOTATIONS = frozenset({"_SCALAR", "_SOFT_LINK", "_COMPOUND_DTYPE", "_EXTERNAL_ARRAY_LINK"})

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


def _check_plain_json(value: Any) -> tuple[str, list[Any]] | None:
    """Find a non-finite float or excessive nesting without recursion: (code, path) or None.

    Only containers go on the stack (with their path); their scalar members are checked in
    place, so a 100,000-element number array costs one pass and no per-element path lists.
    """
    if isinstance(value, float) and not math.isfinite(value):
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
    problem = _check_plain_json(obj)
    if problem is not None:
        code, path = problem
        what = "a NaN or infinite float (write it as a string)" if code == "LINDI-E-NONFINITE-NUMBER" else \
            f"nesting deeper than {MAX_DEPTH} levels"
        out.error(code, ref_pointer(key, *path) if isinstance(value, dict) else ptr, f"{key} holds {what}")
        return None
    return obj


def check_metadata(key: str, kind: str, obj: dict[str, Any], inline: bool, out: Collector) -> bool:
    """Schema-check one metadata object (plus the .zarray rules a schema cannot say); True when valid."""
    ok = True
    if kind == "zattrs":
        obj = _without_plain_attr_values(obj)
    for err in schema_errors(kind, obj):
        err = best_match([err])
        path = list(err.absolute_path)
        where = ref_pointer(key, *path) if inline else ref_pointer(key)
        inside = "" if inline or not path else f" (at {'/'.join(map(str, path))} inside the JSON text)"
        out.error(_code_for(kind, path), where, f"{key}: {shorten(err.message)}{inside}")
        ok = False
    if ok and kind == "zarray":
        ok = _check_zarray(key, obj, inline, out)
    return ok


def _check_zarray(key: str, z: dict[str, Any], inline: bool, out: Collector) -> bool:
    ok = True

    def fail(code: str, message: str, *path: Any) -> None:
        nonlocal ok
        ok = False
        out.error(code, ref_pointer(key, *path) if inline else ref_pointer(key), f"{key}: {message}")

    if len(z["shape"]) > MAX_NDIM:
        fail("LINDI-E-LIMIT", f"{len(z['shape'])} dimensions, more than the spec's limit of {MAX_NDIM}", "shape")
    if len(z["chunks"]) != len(z["shape"]):
        fail("LINDI-E-ZARRAY", f"chunks has {len(z['chunks'])} entries but shape has {len(z['shape'])}", "chunks")
    codecs = [("compressor", z["compressor"])] if z["compressor"] is not None else []
    codecs += [(i, c) for i, c in enumerate(z["filters"] or [])]
    for where, codec in codecs:
        path = ("compressor",) if where == "compressor" else ("filters", where)
        status = codec_status(codec["id"])
        if status == "forbidden":
            fail("LINDI-E-CODEC-FORBIDDEN", f"codec {codec['id']!r} is forbidden (it can execute code)", *path, "id")
        elif status == "unknown":
            fail("LINDI-E-CODEC-UNKNOWN", f"codec {codec['id']!r} is not in the spec's list nor registered", *path, "id")
        elif status == "registered":
            out.warning("LINDI-W-CODEC-NONSTANDARD", ref_pointer(key, *path, "id"),
                        f"{key}: codec {codec['id']!r} is not in the spec's codec list; other readers may lack it")
    if z["dtype"] == OBJECT_DTYPE and not any(c["id"] in OBJECT_CODEC_IDS for _, c in codecs):
        fail("LINDI-E-ZARRAY", "an object (|O) array needs an object codec such as json2 in filters", "filters")
    message = _fill_value_problem(z["dtype"], z["fill_value"])
    if message:
        fail("LINDI-E-ZARRAY", message, "fill_value")
    return ok


def _fill_value_problem(dtype: str, fill: Any) -> str | None:
    """Why ``fill`` is not a Zarr v2 fill value of ``dtype`` (None when it is, or unchecked)."""
    if fill is None:
        return None
    kind = dtype[1]
    if kind == "f" and not (_is_number(fill) or (isinstance(fill, str) and fill in strict_json.SPECIAL_FLOATS)):
        return f"fill_value {fill!r} of a float array must be a number, \"NaN\", \"Infinity\" or \"-Infinity\""
    if kind in "iu" and not (type(fill) is int or (isinstance(fill, str) and fill.lstrip("-").isdigit())):
        return f"fill_value {fill!r} of an integer array must be an integer"
    if kind == "b" and not isinstance(fill, (bool, int)):
        return f"fill_value {fill!r} of a bool array must be true or false"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

