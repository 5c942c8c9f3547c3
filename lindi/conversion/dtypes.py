"""HDF5 datatypes as LINDI datatype descriptors (spec section 4.1) and Zarr v2 dtypes.

A descriptor is what a reader needs to give back the exact h5py dtype: a numpy
typestr for plain numbers, or a small JSON object for strings, enums, opaque,
vlen, references, compounds and array members.
"""
from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from ..errors import UnsupportedObjectError
from ..validation.dtypes import storage_dtype

Descriptor = str | dict[str, Any]

VLEN_UTF8_STRING: dict[str, Any] = {"class": "string", "charset": "utf-8", "length": None}
OBJECT_DTYPE = "|O"


def describe(dt: np.dtype, tid: h5py.h5t.TypeID | None = None) -> Descriptor:
    """The descriptor of an h5py dtype; ``tid`` (the HDF5 type) supplies opaque tags."""
    ref = h5py.check_ref_dtype(dt)
    if ref is h5py.RegionReference:
        return {"class": "region_reference"}
    if ref is h5py.Reference:
        return {"class": "reference"}
    string = h5py.check_string_dtype(dt)
    if string is not None:
        return {"class": "string", "charset": string.encoding, "length": string.length}
    vlen_base = h5py.check_vlen_dtype(dt)
    if vlen_base is not None:
        base_tid = tid.get_super() if isinstance(tid, h5py.h5t.TypeVlenID) else None
        return {"class": "vlen", "base": describe(np.dtype(vlen_base), base_tid)}
    if dt.names is not None and dt.fields is not None:
        fields = []
        for index, name in enumerate(dt.names):
            field_dt, offset = dt.fields[name][:2]
            member_tid = tid.get_member_type(index) if isinstance(tid, h5py.h5t.TypeCompoundID) else None
            fields.append({"name": name, "offset": int(offset), "dtype": describe(field_dt, member_tid)})
        return {"class": "compound", "itemsize": dt.itemsize, "fields": fields}
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        base_tid = tid.get_super() if isinstance(tid, h5py.h5t.TypeArrayID) else None
        return {"class": "array", "base": describe(base, base_tid), "shape": [int(s) for s in shape]}
    if dt.kind == "b":
        return "|b1"
    enum = h5py.check_enum_dtype(dt)
    if enum is not None:
        return {"class": "enum", "base": dt.str, "members": {k: int(v) for k, v in enum.items()}}
    if dt.kind in "VMm":  # h5py stores datetime64/timedelta64 as opaque tagged "NUMPY:<typestr>"
        tag = tid.get_tag() if isinstance(tid, h5py.h5t.TypeOpaqueID) else b""
        if not tag and dt.kind in "Mm":
            tag = f"NUMPY:{dt.str}".encode()
        return {"class": "opaque", "size": dt.itemsize, "tag": tag.decode("utf-8", "replace")}
    if dt.kind in "iufc":
        return dt.str
    raise UnsupportedObjectError(f"datatype {dt} has no LINDI representation")


def zarr_dtype(desc: Descriptor) -> str:
    """The Zarr v2 ``.zarray`` dtype that stores values of ``desc`` (spec section 3)."""
    return storage_dtype(desc)


def default_descriptor(zdtype: str) -> Descriptor:
    """What a reader assumes from the ``.zarray`` dtype alone, without a ``.lindi`` dtype."""
    if zdtype == OBJECT_DTYPE:
        return VLEN_UTF8_STRING
    if zdtype.startswith("|S"):
        return {"class": "string", "charset": "ascii", "length": int(zdtype[2:])}
    return zdtype


def is_json_encoded(desc: Descriptor) -> bool:
    """Whether arrays of this type are stored as one inline JSON-codec chunk."""
    return zarr_dtype(desc) == OBJECT_DTYPE


def compound_dtype_annotation(dt: np.dtype) -> list[list[str]]:
    """The legacy ``_COMPOUND_DTYPE`` list: ``[name, numpy type string]`` per field."""
    out = []
    for name in dt.names or ():
        field_dt = dt[name]
        out.append([name, "<REFERENCE>" if h5py.check_ref_dtype(field_dt) else str(field_dt)])
    return out
