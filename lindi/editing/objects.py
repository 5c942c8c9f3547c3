"""The group, dataset and attribute manager a writable LindiH5pyFile hands out: reads as before, writes edit.

They are the ``group_class``/``dataset_class``/``attributes_class`` of :class:`~lindi.editing.DocumentEditor`
(the reader's :class:`~lindi.h5file.editor_protocol.FileEditor`); each write goes to the editor of its file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..h5file.attributes import LindiH5pyAttributes
from ..h5file.dataset import LindiH5pyDataset
from ..h5file.group import LindiH5pyGroup
from ..h5file.node import LindiDatasetId
from ..h5file.readonly import ReadOnlyError

if TYPE_CHECKING:
    from ..h5file.file import LindiH5pyFile
    from .editor import DocumentEditor


def editor_of(file: LindiH5pyFile, what: str) -> DocumentEditor:
    """The editor of ``file``; a ``ReadOnlyError`` once the file is closed (an object outlived it)."""
    if file._editor is None:
        raise ReadOnlyError(f"cannot {what}: the LINDI file {file.filename} is closed")
    return cast("DocumentEditor", file._editor)  # the editor of a file is the one that made these objects


class EditableGroup(LindiH5pyGroup):
    """A group of a file open for writing (the file's own root writes go to one of these, too)."""

    def __setitem__(self, name: str, obj: Any) -> None:
        editor_of(self._file, f"create {name!r}").set_link(self, name, obj)

    def __delitem__(self, name: str) -> None:
        editor_of(self._file, f"delete {name!r}").delete(self, name)

    def create_group(self, name: str, track_order: bool | None = None) -> LindiH5pyGroup:
        return editor_of(self._file, f"create group {name!r}").create_group(self, name, track_order)

    def create_dataset(self, name: str, shape: Any = None, dtype: Any = None, data: Any = None,
                       **kwds: Any) -> LindiH5pyDataset:
        return editor_of(self._file, f"create dataset {name!r}").create_dataset(self, name, shape=shape, dtype=dtype,
                                                                               data=data, **kwds)

    def copy(self, source: Any, dest: Any, name: Any = None, **kwds: Any) -> None:
        """As h5py: into this file (an edit), or from this file into another LINDI or h5py file."""
        if self._copies_within(dest):
            editor_of(self._file, "copy").copy(self, source, dest, name, **kwds)
        else:
            self._copy_out(source, dest, name, **kwds)


class EditableAttributes(LindiH5pyAttributes):
    """``obj.attrs`` of a file open for writing."""

    def __setitem__(self, name: str, value: Any) -> None:
        editor_of(self._meta.file, f"set attribute {name!r}").set_attribute(self._meta, name, value)

    def __delitem__(self, name: str) -> None:
        editor_of(self._meta.file, f"delete attribute {name!r}").delete_attribute(self._meta, name)

    def create(self, name: str, data: Any, shape: Any = None, dtype: Any = None) -> None:
        editor_of(self._meta.file, f"create attribute {name!r}").set_attribute(self._meta, name, data, dtype=dtype,
                                                                              shape=shape)

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
        editor_of(self._file, f"write to {self.name}").write(self, args if isinstance(args, tuple) else (args,), val)

    def resize(self, size: Any, axis: Any = None) -> None:
        editor_of(self._file, f"resize {self.name}").resize(self, size, axis)

    def write_direct(self, source: Any, source_sel: Any = None, dest_sel: Any = None) -> None:
        data = np.asarray(source)
        self[dest_sel if dest_sel is not None else ()] = data[source_sel if source_sel is not None else ()]
