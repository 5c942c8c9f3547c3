"""Datatype descriptors (spec section 4.1) -> the numpy dtypes h5py would report.

h5py tags special types with dtype metadata (string encoding, enum members,
vlen base, reference kind); hdmf and user code test for those tags, so the
reader must produce exactly the same dtypes.
"""
from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from ..errors import DocumentError

_NUMPY_TAG = "NUMPY:"


def descriptor_to_dtype(desc: Any, *, where: str = "") -> np.dtype:
    """The h5py-flavoured numpy dtype of a datatype descriptor."""
    if isinstance(desc, str):
        return typestr_dtype(desc, where=where)
    if not isinstance(desc, dict) or "class" not in desc:
        raise DocumentError(f"invalid datatype descriptor {desc!r}", pointer=where)
    cls = desc["class"]
    try:
        if cls == "string":
            charset = desc.get("charset", "utf-8")
            return h5py.string_dtype("utf-8" if charset == "utf-8" else "ascii", desc.get("length"))
        if cls == "enum":
            return h5py.enum_dtype(dict(desc["members"]), basetype=np.dtype(desc["base"]))
        if cls == "opaque":
            return _opaque_dtype(int(desc["size"]), desc.get("tag"))
        if cls == "vlen":
            return h5py.vlen_dtype(descriptor_to_dtype(desc["base"], where=where))
        if cls == "reference":
            return h5py.ref_dtype
        if cls == "region_reference":
            return h5py.regionref_dtype
        if cls == "compound":
            fields = desc["fields"]
            spec: Any = {  # Any: numpy's stubs for the names/formats/offsets form differ between releases
                "names": [f["name"] for f in fields],
                "formats": [descriptor_to_dtype(f["dtype"], where=where) for f in fields],
                "offsets": [int(f["offset"]) for f in fields],
            }
            if desc.get("itemsize") is not None:
                spec["itemsize"] = int(desc["itemsize"])
            return np.dtype(spec)
        if cls == "array":
            return np.dtype((descriptor_to_dtype(desc["base"], where=where), tuple(desc["shape"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise DocumentError(f"invalid {cls} datatype descriptor {desc!r}: {exc}", pointer=where) from None
    raise DocumentError(f"unknown datatype class {cls!r}", pointer=where)


def _opaque_dtype(size: int, tag: Any) -> np.dtype:
    """h5py reads an opaque type tagged ``NUMPY:<typestr>`` (how it stores datetime64/timedelta64) as that
    numpy type, marked ``h5py_opaque``; any other opaque type is plain void."""
    if isinstance(tag, str) and tag.startswith(_NUMPY_TAG):
        try:
            tagged = np.dtype(tag[len(_NUMPY_TAG):])
        except TypeError:
            tagged = None
        if tagged is not None and tagged.itemsize == size:
            return np.dtype(tagged, metadata={"h5py_opaque": True})
    return np.dtype(f"V{size}")


def typestr_dtype(typestr: str, *, where: str = "") -> np.dtype:
    """A numpy typestr as h5py reports it (``|S<n>`` is an ascii fixed-length string)."""
    try:
        dt = np.dtype(typestr)
    except TypeError:
        raise DocumentError(f"invalid numpy dtype {typestr!r}", pointer=where) from None
    if dt.kind == "S":
        return h5py.string_dtype("ascii", dt.itemsize)
    if dt.kind == "O":
        raise DocumentError("an object dtype needs a datatype descriptor", pointer=where)
    return dt


def legacy_compound_dtype(spec: Any, *, where: str = "") -> np.dtype:
    """The dtype of a LINDI 0.4 ``_COMPOUND_DTYPE`` list ``[[name, typestr], ...]``."""
    try:
        return np.dtype([(str(name), h5py.ref_dtype if t == "<REFERENCE>"
                          else h5py.string_dtype() if t in ("|O", "object") else typestr_dtype(t, where=where))
                         for name, t in spec])
    except (TypeError, ValueError) as exc:
        raise DocumentError(f"invalid _COMPOUND_DTYPE {spec!r}: {exc}", pointer=where) from None
