"""Attribute values as ``.zattrs`` JSON plus ``.lindi`` type info (spec section 5.1), keeping h5py's dtype.

Everything but references goes through a scratch HDF5 attribute and the
converter's own encoder, so an attribute written here is byte for byte what
converting the same attribute from an HDF5 file gives.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..conversion.attributes import infer
from ..conversion.values import array_converter
from ..errors import LindiError
from .errors import EditError
from .references import ReferenceWriter, holds_references, reference_descriptor
from .scratch import Scratch


def encode_attribute(scratch: Scratch, value: Any, *, dtype: Any = None, shape: Any = None,
                     where: str) -> tuple[Any, dict[str, Any] | None]:
    """``(json value, type info or None)``; an EditError naming ``where`` when the spec cannot hold it."""
    try:
        if holds_references(value, dtype):
            return _reference_attribute(value, dtype, shape)
        return scratch.attribute(value, dtype=dtype, shape=shape)
    except LindiError as exc:
        raise EditError(f"cannot write attribute {where}: {exc}") from None


def _reference_attribute(value: Any, dtype: Any, shape: Any) -> tuple[Any, dict[str, Any] | None]:
    arr = np.empty((), dtype=object)
    arr[()] = value
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value, dtype=object)
    if shape is not None:
        arr = arr.reshape(shape)
    desc = reference_descriptor(value, dtype)
    json_value = array_converter(desc, ReferenceWriter())(arr)
    if infer(json_value) == (desc, arr.shape) and arr.size != 1 or (arr.shape == () and desc["class"] == "reference"):
        return json_value, None
    info: dict[str, Any] = {"dtype": desc}
    if arr.shape:
        info["shape"] = list(arr.shape)
    return json_value, info
