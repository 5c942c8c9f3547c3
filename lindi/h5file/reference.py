"""Object and region references read from a document (spec section 6).

They subclass h5py's reference types because hdmf/pynwb recognise
references with ``isinstance(value, h5py.Reference)``; dereferencing goes
through the stored path (``file[ref]``), never through an HDF5 id.
"""
from __future__ import annotations

from typing import Any

import h5py

from ..errors import LostRegionWarning  # noqa: F401  (its earlier home; lindi.errors owns it)
from ..format.references import null_reference_body


class LindiH5pyReference(h5py.h5r.Reference):
    """An object reference: the target's path and object_id as written in the document."""

    def __init__(self, obj: dict[str, Any]):
        self._obj = dict(obj)

    @property
    def path(self) -> str | None:
        """Absolute path of the target, None for a NULL reference."""
        return self._obj.get("path")

    @property
    def object_id(self) -> str | None:
        return self._obj.get("object_id")

    def to_json(self) -> dict[str, Any]:
        """The ``{"_REFERENCE": {...}}`` form it was read from (for writers)."""
        return {"_REFERENCE": dict(self._obj)}

    def __bool__(self) -> bool:
        return self.path is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LindiH5pyReference) and other._obj == self._obj

    def __hash__(self) -> int:
        return hash((self.path, self.object_id, str(self._obj.get("region"))))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} to {self.path!r}>" if self else f"<{type(self).__name__} (null)>"

    __str__ = __repr__


class LindiH5pyRegionReference(LindiH5pyReference, h5py.h5r.RegionReference):
    """A region reference: an object reference plus the selection (``region`` member)."""

    @property
    def region(self) -> dict[str, Any]:
        return self._obj.get("region") or {"kind": "all"}


def reference_from_json(value: Any, *, region: bool = False) -> LindiH5pyReference:
    """A reference from its JSON form (``{"_REFERENCE": {...}}``; None is a NULL reference)."""
    if value is None:
        obj = null_reference_body()
    elif isinstance(value, dict) and isinstance(value.get("_REFERENCE"), dict):
        obj = value["_REFERENCE"]
    else:
        raise ValueError(f"not a reference: {value!r}")
    if region or "region" in obj:
        return LindiH5pyRegionReference(obj)
    return LindiH5pyReference(obj)
