"""The Dataset and attribute manager a writable LindiH5pyFile hands out: reads as before, writes edit."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..h5file.attributes import LindiH5pyAttributes
from ..h5file.dataset import LindiH5pyDataset
from ..h5file.node import LindiDatasetId


class EditableAttributes(LindiH5pyAttributes):
    """``obj.attrs`` of a file open for writing."""

    def __setitem__(self, name: str, value: Any) -> None:
        self._meta.file._editor.set_attribute(self._meta, name, value)

    def __delitem__(self, name: str) -> None:
        self._meta.file._editor.delete_attribute(self._meta, name)

    def create(self, name: str, data: Any, shape: Any = None, dtype: Any = None) -> None:
        self._meta.file._editor.set_attribute(self._meta, name, data, dtype=dtype, shape=shape)

    def modify(self, name: str, value: Any) -> None:
        """Like h5py: keep the existing dtype when the shape stays the same."""
        if name in self and np.shape(value) == (self.get_id(name).shape or ()):
            self.create(name, value, dtype=self.get_id(name).dtype)
        else:
            self[name] = value


class EditableObjectId(LindiDatasetId):
    """The ``dset.id`` of a writable dataset: hdmf's DataChunkIterator writes call ``id.extend(bounds)``."""

    __slots__ = ()

    def extend(self, shape: Any) -> None:
        """Grow (never shrink) the dataset to at least ``shape``, like HDF5's H5Dextend."""
        old = self._dataset.shape or ()
        new = tuple(max(int(a), int(b)) for a, b in zip(old, shape))
        if new != old:
            self._dataset.resize(new)


class EditableDataset(LindiH5pyDataset):
    """A dataset of a file open for writing."""

    @property
    def id(self) -> EditableObjectId:
        return EditableObjectId(self)

    def __setitem__(self, args: Any, val: Any) -> None:
        self._file._editor.write(self, args if isinstance(args, tuple) else (args,), val)

    def resize(self, size: Any, axis: Any = None) -> None:
        self._file._editor.resize(self, size, axis)

    def write_direct(self, source: Any, source_sel: Any = None, dest_sel: Any = None) -> None:
        data = np.asarray(source)
        self[dest_sel if dest_sel is not None else ()] = data[source_sel if source_sel is not None else ()]
