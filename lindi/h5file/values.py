"""JSON values -> numpy values of a given h5py dtype.

Used for the elements of JSON-codec chunks (strings, references, compounds,
ragged arrays) and for attribute values. Vlen strings become ``bytes`` here,
as h5py returns them from datasets; the attribute layer turns top-level ones
into ``str`` as h5py does for attributes.
"""
from __future__ import annotations

import base64
import math
from typing import Any

import h5py
import numpy as np

from ..format.names import REFERENCE
from ..strict_json import SPECIAL_FLOATS, decode_float, decode_int
from .reference import reference_from_json

_INT64_MAX = 2**63 - 1


def element_from_json(value: Any, dt: np.dtype) -> Any:
    """One element of dtype ``dt`` from its JSON form."""
    if dt.names is not None:
        if isinstance(value, dict):
            value = [value[n] for n in dt.names]
        return tuple(element_from_json(v, dt[n]) for v, n in zip(value, dt.names))
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        return array_from_json(value, shape, base)
    if dt.kind == "O":
        ref = h5py.check_dtype(ref=dt)
        if ref is not None:
            return reference_from_json(value, region=ref is h5py.RegionReference)
        vlen = h5py.check_vlen_dtype(dt)
        if vlen in (str, bytes):
            return value.encode("utf-8") if isinstance(value, str) else bytes(value)
        if vlen is not None:  # h5py gives ragged elements the base dtype without h5py metadata
            arr = array_from_json(value, None, np.dtype(vlen))
            return arr.astype(object) if arr.dtype.kind == "O" else arr
        return value
    kind = dt.kind
    if kind == "f":
        return decode_float(value)
    if kind in "iu":
        return decode_int(value)
    if kind == "b":
        return bool(value)
    if kind == "c":
        re, im = value
        return complex(decode_float(re), decode_float(im))
    if kind == "S":
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if kind == "V":  # opaque bytes travel as base64:
        return np.void(base64.b64decode(value[7:]) if isinstance(value, str) else bytes(value))
    if kind in "Mm" and isinstance(value, str) and value.startswith("base64:"):  # NUMPY-tagged opaque
        return np.frombuffer(base64.b64decode(value[7:]), dtype=dt)[0]
    return value


def _flatten(value: Any, depth: int) -> list[Any]:
    if depth == 0:
        return [value]
    out: list[Any] = []
    for v in value:
        out.extend(_flatten(v, depth - 1))
    return out


def json_chunk_elements(items: list[Any], shape: list[int], *, flat: bool) -> list[Any]:
    """The elements (C order) of a JSON-codec chunk body.

    numcodecs, LINDI 0.4 and spec 1.1 nest N-D bodies by shape; spec 1.0 (``flat``) wrote one flat list.
    The element count tells the two apart; only when every axis after the first is 1 does ``flat`` decide.
    """
    if len(shape) < 2:
        return items
    count = int(np.prod(shape, dtype=np.int64))
    nested = len(items) == shape[0] and not (flat and count == shape[0])
    if not nested:
        return items
    out = items
    for n in shape[1:]:
        if not all(isinstance(v, list) and len(v) == n for v in out):
            raise ValueError(f"nested JSON-codec body does not have shape {shape}")
        out = [x for v in out for x in v]
    return out


def _nested_shape(value: Any, dt: np.dtype) -> tuple[int, ...]:
    """Shape of a nested JSON list whose leaves are elements of ``dt``."""
    shape = []
    leaf_is_list = dt.names is not None or dt.kind == "c" or (dt.kind == "O" and h5py.check_vlen_dtype(dt)
                                                              not in (None, str, bytes))
    while isinstance(value, list):
        if leaf_is_list and (not value or not isinstance(value[0], list)):
            break
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    if leaf_is_list and shape:
        shape.pop()  # the innermost list is the element itself
    return tuple(shape)


def array_from_json(value: Any, shape: tuple[int, ...] | list[int] | None, dt: np.dtype, *,
                    flat: bool = False) -> np.ndarray:
    """An array of ``dt`` from a JSON list, nested by ``shape`` (None = infer) or ``flat`` in C order."""
    if shape is None:
        shape = _nested_shape(value, dt)
    shape = tuple(shape)
    if dt.subdtype is not None:  # top-level array type: the subarray becomes trailing axes
        base, sub = dt.subdtype
        if flat:
            value = [_flatten(v, len(sub)) for v in value]
            value = [x for v in value for x in v]
        return array_from_json(value, shape + sub, base, flat=flat)
    if not shape:
        items = [value]
    else:
        items = value if flat else _flatten(value, len(shape))
    n = int(np.prod(shape, dtype=np.int64))
    if len(items) != n:
        raise ValueError(f"{len(items)} values for shape {shape}")
    if dt.kind in "iubf" and dt.names is None and not any(isinstance(v, str) for v in items):
        return np.array(items, dtype=dt).reshape(shape)
    out = np.empty(n, dtype=dt)
    for i, v in enumerate(items):
        out[i] = element_from_json(v, dt)
    return out.reshape(shape)


def infer_attribute(value: Any, *, legacy: bool = False) -> Any:
    """An attribute value without type info, by the default inference of spec 5.1.

    Spec 1.x classifies numbers by value (``1.0`` is int64; an integer outside int64 is float64), so that a
    reader whose JSON parser keeps no lexical form (JavaScript's) gets the same answer. ``legacy`` documents
    (LINDI 0.3/0.4) were read by how the number was written: a float stays a float, and a plain integer above
    int64's range is the uint64 LINDI 0.4 wrote without a dtype.
    """
    if isinstance(value, list):
        dt = _infer_dtype(_flatten_any(value), legacy=legacy)
        return array_from_json(value, _nested_shape(value, dt), dt)
    if isinstance(value, dict) and REFERENCE in value:
        return reference_from_json(value)
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, (int, float)) or (isinstance(value, str) and value in SPECIAL_FLOATS):
        dt = _infer_dtype([value], legacy=legacy)
        return dt.type(decode_float(value) if dt.kind == "f" else int(value))
    return value


def _is_int64_value(v: Any) -> bool:
    """A JSON number whose value is an integer of the int64 range (spec 1.x: whatever its written form)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, float) and not (math.isfinite(v) and v.is_integer()):
        return False
    return -_INT64_MAX - 1 <= int(v) <= _INT64_MAX


def _flatten_any(value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(reversed(v))
        else:
            out.append(v)
    return out


def _infer_dtype(leaves: list[Any], *, legacy: bool = False) -> np.dtype:
    if any(isinstance(v, dict) for v in leaves):
        return h5py.ref_dtype
    if leaves and all(isinstance(v, str) for v in leaves) and not all(v in SPECIAL_FLOATS for v in leaves):
        return h5py.string_dtype()  # "NaN" among other text is text (LINDI 0.4 wrote such lists)
    if leaves and all(isinstance(v, bool) for v in leaves):
        return np.dtype(bool)
    if legacy:
        if leaves and all(isinstance(v, int) and not isinstance(v, bool) for v in leaves):
            # LINDI 0.4 wrote uint64 values above int64's range as plain integers, without a dtype
            return np.dtype("uint64" if max(leaves) > _INT64_MAX and min(leaves) >= 0 else "int64")
        return np.dtype("float64")
    return np.dtype("int64") if leaves and all(_is_int64_value(v) for v in leaves) else np.dtype("float64")


def typed_attribute(value: Any, info: dict[str, Any], dt: np.dtype) -> Any:
    """An attribute value with type info (``{"dtype", "shape"?, "encoding"?, "null_dataspace"?}``)."""
    if info.get("null_dataspace"):
        return h5py.Empty(dt)
    shape = info.get("shape")
    if info.get("encoding") == "base64":
        value = _base64_leaves(value)
    return array_from_json(value, () if shape is None else tuple(shape), dt)


def _base64_leaves(value: Any) -> Any:
    """Fixed-length string values written as ``base64:`` raw bytes (not valid UTF-8)."""
    if isinstance(value, list):
        return [_base64_leaves(v) for v in value]
    return base64.b64decode(value[7:]) if isinstance(value, str) and value.startswith("base64:") else value
