"""Which ``.zarray`` dtype stores a datatype descriptor, and what a ``.zarray`` dtype alone means (SPEC 3.1, 4.1).

The converter and the editor write :func:`storage_dtype`, the validator checks it (section 4.1: "Storage dtype"),
and the reader falls back on :func:`default_descriptor` when an array has no ``.lindi`` ``dtype``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .descriptors import NUMPY_TAG, VLEN_UTF8_STRING, Descriptor

#: Zarr dtype of every array whose elements live in a JSON-codec chunk.
OBJECT_DTYPE = "|O"


def storage_dtype(descriptor: Any) -> str:
    """The ``.zarray`` dtype a (schema-valid) descriptor is stored as."""
    if isinstance(descriptor, str):
        return descriptor
    cls = descriptor["class"]
    if cls == "string":
        length = descriptor["length"]
        return OBJECT_DTYPE if length is None else f"|S{length}"
    if cls == "enum":
        return descriptor["base"]
    if cls == "opaque":
        return numpy_time_typestr(descriptor) or f"|V{descriptor['size']}"
    return OBJECT_DTYPE  # vlen, reference, region_reference, compound, array


def accepted_storage_dtypes(descriptor: Any) -> set[str]:
    """The ``.zarray`` dtypes a reader accepts for a descriptor: its storage dtype, and for an opaque numpy
    datetime also ``|V<size>``, as documents written before spec 1.1 stored it."""
    accepted = {storage_dtype(descriptor)}
    if isinstance(descriptor, dict) and descriptor["class"] == "opaque":
        accepted.add(f"|V{descriptor['size']}")
    return accepted


def numpy_time_typestr(descriptor: dict[str, Any]) -> str | None:
    """The Zarr ``m8``/``M8`` typestr of an opaque type tagged ``NUMPY:<m8 or M8 typestr>`` (how h5py stores
    numpy timedelta64/datetime64), None for any other opaque type. Storing these as ``m8``/``M8``, as LINDI 0.4
    did, lets zarr 2 and LINDI 0.4 read their values; the ``.lindi`` descriptor keeps the HDF5 (opaque) view."""
    tag = descriptor.get("tag")
    if not isinstance(tag, str) or not tag.startswith(NUMPY_TAG):
        return None
    try:
        dt = np.dtype(tag[len(NUMPY_TAG):])
    except TypeError:
        return None
    return dt.str if dt.kind in "mM" and dt.itemsize == descriptor["size"] else None


def default_descriptor(zdtype: str) -> Descriptor:
    """What a reader assumes from the ``.zarray`` dtype alone, without a ``.lindi`` dtype (section 3.1)."""
    if zdtype == OBJECT_DTYPE:
        return VLEN_UTF8_STRING
    if zdtype.startswith("|S"):
        return {"class": "string", "charset": "ascii", "length": int(zdtype[2:])}
    return zdtype
