"""References written into a document: ``obj.ref`` of this file as ``_REFERENCE`` JSON (spec section 6)."""
from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from ..format.references import null_reference
from ..h5file.reference import LindiH5pyReference
from .errors import EditError


class ReferenceWriter:
    """The ``refs`` argument of :func:`lindi.conversion.values.array_converter` for LINDI references."""

    def encode(self, ref: Any) -> dict[str, Any]:
        if isinstance(ref, LindiH5pyReference):
            return ref.to_json()
        if ref is None or (isinstance(ref, h5py.Reference) and not ref):
            return null_reference()
        raise EditError(f"cannot store {ref!r}: only references to objects of this LINDI file (obj.ref) can "
                        "be written")


def holds_references(value: Any, dtype: Any) -> bool:
    """Whether a value to write is (an array of) object/region references."""
    if dtype is not None:
        return h5py.check_ref_dtype(np.dtype(dtype)) is not None
    if isinstance(value, h5py.Reference):
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        flat = np.asarray(value, dtype=object).reshape(-1)
        return flat.size > 0 and all(isinstance(v, h5py.Reference) for v in flat)
    return False


def reference_descriptor(value: Any, dtype: Any) -> dict[str, str]:
    """``{"class": "reference"}`` or ``{"class": "region_reference"}`` for a reference value."""
    kind = h5py.check_ref_dtype(np.dtype(dtype)) if dtype is not None else None
    flat = np.asarray(value, dtype=object).reshape(-1)
    if kind is h5py.RegionReference or (kind is None and any(isinstance(v, h5py.RegionReference) for v in flat)):
        return {"class": "region_reference"}
    return {"class": "reference"}
