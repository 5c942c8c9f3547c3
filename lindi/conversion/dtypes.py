"""HDF5 datatypes as LINDI datatype descriptors (spec section 4.1): the h5py side of :mod:`lindi.format.descriptors`.

The descriptor rules live in the format layer, which knows no h5py. Here they get what only an HDF5 ``TypeID``
has: the tags of opaque types, at any depth of a compound, vlen or array type.
"""
from __future__ import annotations

import h5py
import numpy as np

from ..format import descriptors
from ..format.descriptors import Descriptor


class _HDF5Type:
    """An h5py ``TypeID`` seen as a :class:`lindi.format.descriptors.StoredType`."""

    def __init__(self, tid: h5py.h5t.TypeID):
        self._tid = tid

    def opaque_tag(self) -> str | None:
        if isinstance(self._tid, h5py.h5t.TypeOpaqueID):
            return self._tid.get_tag().decode("utf-8", "replace")
        return None

    def base(self) -> _HDF5Type | None:
        if isinstance(self._tid, (h5py.h5t.TypeVlenID, h5py.h5t.TypeArrayID)):
            return _HDF5Type(self._tid.get_super())
        return None

    def member(self, index: int) -> _HDF5Type | None:
        if isinstance(self._tid, h5py.h5t.TypeCompoundID):
            return _HDF5Type(self._tid.get_member_type(index))
        return None


def describe(dt: np.dtype, tid: h5py.h5t.TypeID | None = None) -> Descriptor:
    """The descriptor of an h5py dtype; ``tid`` (the HDF5 type) supplies opaque tags."""
    return descriptors.describe(dt, _HDF5Type(tid) if tid is not None else None)
