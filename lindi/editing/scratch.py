"""An in-memory HDF5 file that gives writes exactly h5py's semantics.

h5py decides the dtype of a value, the default chunk shape, the filter
pipeline and the fill value of a new dataset; creating the object (without
data) in a scratch file and reading those properties back is how the editor
matches h5py on every keyword instead of re-implementing its rules.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import h5py

from ..conversion.attributes import convert_attribute
from ..conversion.references import ReferenceEncoder


class Scratch:
    """One core-driver HDF5 file without a backing store; objects live only while they are inspected."""

    def __init__(self) -> None:
        self._file = h5py.File(f"lindi-scratch-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False)
        self._refs = ReferenceEncoder(self._file)

    def attribute(self, value: Any, dtype: Any = None, shape: Any = None) -> tuple[Any, dict[str, Any] | None]:
        """``(json value, .lindi type info or None)`` of an attribute, as conversion writes it."""
        attrs = self._file.attrs
        try:
            attrs.create("a", value, shape=shape, dtype=dtype)
            return convert_attribute(h5py.h5a.open(self._file.id, b"a"), self._refs)
        finally:
            if "a" in attrs:
                del attrs["a"]

    @contextmanager
    def dataset(self, **kwds: Any) -> Iterator[h5py.Dataset]:
        """A dataset created with h5py's ``create_dataset`` keywords (no data written), removed afterwards."""
        try:
            yield self._file.create_dataset("d", **kwds)
        finally:
            if "d" in self._file:
                del self._file["d"]

    def close(self) -> None:
        self._file.close()
