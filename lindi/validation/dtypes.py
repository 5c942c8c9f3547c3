"""How a .lindi datatype descriptor maps onto the .zarray dtype that stores it (spec 3 and 4.1)."""
from __future__ import annotations

from typing import Any

import numpy as np

#: Zarr dtype of every array whose elements live in a JSON-codec chunk.
OBJECT_DTYPE = "|O"

#: numcodecs ids that can encode an object (``|O``) array.
OBJECT_CODEC_IDS = frozenset({"json2", "vlen-utf8", "vlen-bytes", "vlen-array"})


def storage_dtype(descriptor: Any) -> str:
    """The .zarray dtype a (schema-valid) descriptor is stored as."""
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
    """The .zarray dtypes a reader accepts for a descriptor: its storage dtype, and for an opaque numpy
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
    if not isinstance(tag, str) or not tag.startswith("NUMPY:"):
        return None
    try:
        dt = np.dtype(tag[len("NUMPY:"):])
    except TypeError:
        return None
    return dt.str if dt.kind in "mM" and dt.itemsize == descriptor["size"] else None
