"""HDF5 object and region references as ``_REFERENCE`` objects (spec section 6)."""
from __future__ import annotations

from typing import Any

import h5py

from ..errors import ConversionError
from ..format.names import REFERENCE
from ..format.references import null_reference_body
from ..format.regions import region_of_space


def _object_id(obj: h5py.HLObject) -> str | None:
    value = obj.attrs.get("object_id") if "object_id" in obj.attrs else None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return None if value is None else str(value)


class ReferenceEncoder:
    """Turns h5py references of one file into JSON, caching per-target look-ups."""

    def __init__(self, h5f: h5py.File):
        self._file = h5f
        self._source_object_id = _object_id(h5f)
        self._targets: dict[bytes, tuple[str, str | None]] = {}

    def encode(self, ref: h5py.Reference | h5py.RegionReference) -> dict[str, Any]:
        """``{"_REFERENCE": {...}}`` for ``ref``; a NULL reference has ``path`` null."""
        body = {**null_reference_body(), "source_object_id": self._source_object_id}
        if ref:
            try:
                name = h5py.h5r.get_name(ref, self._file.id)
                cached = self._targets.get(name)
                if cached is None:
                    cached = (name.decode("utf-8"), _object_id(self._file[ref]))
                    self._targets[name] = cached
            except (KeyError, ValueError, RuntimeError, OSError) as exc:
                raise ConversionError(f"cannot resolve reference: {exc}") from None
            body["path"], body["object_id"] = cached
            if isinstance(ref, h5py.RegionReference):
                body["region"] = region_of_space(h5py.h5r.get_region(ref, self._file.id))
        return {REFERENCE: body}

