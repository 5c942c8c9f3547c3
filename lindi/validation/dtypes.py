"""How a .lindi datatype descriptor maps onto the .zarray dtype that stores it (spec 3 and 4.1)."""
from __future__ import annotations

from typing import Any

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
        return f"|V{descriptor['size']}"
    return OBJECT_DTYPE  # vlen, reference, region_reference, compound, array
