"""LINDI 0.4's ``h5_to_zarr_attr`` (scripts and its tests compare attributes with it)."""
from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from .dtypes import describe
from .references import ReferenceEncoder
from .values import array_converter


def h5_to_zarr_attr(attr: Any, *, label: str = "", h5f: h5py.File | None = None) -> Any:
    """An attribute value as h5py returns it -> the plain JSON value this package writes in ``.zattrs``.

    References need ``h5f``, the file they point into; ``label`` names the attribute in errors.
    """
    if isinstance(attr, bytes):
        return attr.decode("utf-8")
    if isinstance(attr, str):
        return attr
    if isinstance(attr, h5py.Reference) and not isinstance(attr, np.ndarray):
        attr = np.array(attr, dtype=h5py.ref_dtype)
    arr = np.asarray(attr)
    if arr.dtype.kind in "US":
        return np.char.decode(arr, "utf-8").tolist() if arr.dtype.kind == "S" else arr.tolist()
    if arr.dtype.kind == "O" and h5py.check_ref_dtype(arr.dtype) is None and h5py.check_vlen_dtype(arr.dtype) is None:
        arr = arr.astype(h5py.string_dtype()) if all(isinstance(v, (str, bytes)) for v in arr.ravel()) else arr
    if h5f is None and h5py.check_ref_dtype(arr.dtype) is not None:
        raise ValueError(f"attribute {label}: references need the file they point into (h5f)")
    return array_converter(describe(arr.dtype), ReferenceEncoder(h5f) if h5f is not None else None)(arr)
