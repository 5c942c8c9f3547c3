"""HDF5 attributes as ``.zattrs`` JSON plus ``.lindi`` type info (spec section 5.1).

Attributes are read through h5py's low-level ``h5a`` API so that every dtype
(vlen of references in DIMENSION_LIST, compounds with references in
REFERENCE_LIST, H5S_NULL) reads the same way. Plain JSON keeps older readers
working; whenever the JSON default inference would not give back the exact
dtype and shape, the attribute gets type info.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from ..errors import LindiError, UnsupportedObjectError
from ..format.descriptors import VLEN_UTF8_STRING, Descriptor
from ..strict_json import SPECIAL_FLOATS
from .dtypes import describe
from .references import ReferenceEncoder
from .values import array_converter

_INT64 = "<i8"
_FLOAT64 = "<f8"
_BOOL = "|b1"
_REFERENCE = {"class": "reference"}


@dataclass
class ConvertedAttributes:
    """Attributes of one object, ready for ``.zattrs`` and ``.lindi``."""

    values: dict[str, Any] = field(default_factory=dict)
    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: list[str] | None = None
    failed: dict[str, str] = field(default_factory=dict)  # name -> reason, left out of values


def attribute_names(obj_id: h5py.h5o.ObjectID) -> tuple[list[str], list[str] | None]:
    """Names in name order, and creation order when tracked and different."""
    by_name: list[bytes] = []
    h5py.h5a.iterate(obj_id, lambda name, *_: by_name.append(name), index_type=h5py.h5.INDEX_NAME)
    names = [n.decode("utf-8") for n in by_name]
    plist = obj_id.get_create_plist()
    if not plist.get_attr_creation_order() & h5py.h5p.CRT_ORDER_TRACKED:
        return names, None
    by_crt: list[bytes] = []
    h5py.h5a.iterate(obj_id, lambda name, *_: by_crt.append(name), index_type=h5py.h5.INDEX_CRT_ORDER)
    created = [n.decode("utf-8") for n in by_crt]
    return names, (created if created != names else None)


def convert_attributes(obj_id: h5py.h5o.ObjectID, refs: ReferenceEncoder) -> ConvertedAttributes:
    """Every attribute of ``obj_id``; one that cannot be converted is listed in ``failed``."""
    names, order = attribute_names(obj_id)
    out = ConvertedAttributes(order=order)
    for name in names:
        try:
            value, type_info = convert_attribute(h5py.h5a.open(obj_id, name.encode("utf-8")), refs)
        except Exception as exc:  # h5py raises OSError/KeyError/...: keep the object, drop the attribute
            out.failed[name] = str(exc) if isinstance(exc, LindiError) else f"{type(exc).__name__}: {exc}"
            continue
        out.values[name] = value
        if type_info is not None:
            out.types[name] = type_info
    return out


def convert_attribute(aid: h5py.h5a.AttrID, refs: ReferenceEncoder) -> tuple[Any, dict[str, Any] | None]:
    """``(json_value, type_info or None)`` of one attribute."""
    desc = describe(aid.dtype, aid.get_type())
    if aid.get_space().get_simple_extent_type() == h5py.h5s.NULL:
        return None, {"dtype": desc, "null_dataspace": True}
    shape = tuple(aid.shape)
    arr = np.empty(shape, dtype=aid.dtype)
    if arr.size:
        aid.read(arr)
    base64_strings = False
    try:
        value = array_converter(desc, refs)(arr)
    except UnsupportedObjectError:
        if not (isinstance(desc, dict) and desc["class"] == "string"):
            raise
        value = array_converter({"class": "opaque", "size": 0, "tag": ""}, refs)(arr)
        base64_strings = True
    # spec 5.1: a 1-element array always carries type info (it is easily mistaken for a scalar)
    if base64_strings or infer(value) != (desc, shape) or (shape and arr.size == 1):
        info: dict[str, Any] = {"dtype": desc}
        if shape:
            info["shape"] = list(shape)
        if base64_strings:
            info["encoding"] = "base64"
        return value, info
    return value, None


def infer(value: Any) -> tuple[Descriptor, tuple[int, ...]] | None:
    """The dtype and shape a reader infers from plain JSON, or None when it cannot."""
    if isinstance(value, list):
        if not value:
            return None
        found = [infer(v) for v in value]
        inner = [i for i in found if i is not None]
        if len(inner) != len(found) or len({i[1] for i in inner}) != 1:
            return None
        kinds = [i[0] for i in inner]
        if all(k == _INT64 for k in kinds):
            kind: Descriptor = _INT64
        elif all(k in (_INT64, _FLOAT64) for k in kinds):
            kind = _FLOAT64
        elif all(k == kinds[0] for k in kinds):
            kind = kinds[0]
        else:
            return None
        return kind, (len(value), *inner[0][1])
    if isinstance(value, bool):
        return _BOOL, ()
    if isinstance(value, int):
        return _INT64, ()
    if isinstance(value, float):
        return (_INT64 if value.is_integer() else _FLOAT64), ()
    if isinstance(value, str):
        return (_FLOAT64 if value in SPECIAL_FLOATS else VLEN_UTF8_STRING), ()
    if isinstance(value, dict) and set(value) == {"_REFERENCE"}:
        return _REFERENCE, ()
    return None
