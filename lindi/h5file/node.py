"""What every LINDI object knows: its store path, its h5py name and its metadata.

The store path is where the object's keys live; the name is the path it
was reached by (a hard link gives one object several names, as in HDF5).
"""
from __future__ import annotations

import posixpath
from functools import cached_property
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from ..errors import DocumentError, LindiError
from ..store.index import meta_key
from ..strict_json import ref_pointer

if TYPE_CHECKING:
    from .attributes import LindiH5pyAttributes
    from .dataset import LindiH5pyDataset
    from .file import LindiH5pyFile
    from .group import LindiH5pyGroup


class LindiObjectId:
    """Stands in for an h5py ObjectID: hashable, equal for the same stored object.

    hdmf uses ``obj.id`` as a cache key, so hard links to one object must share it.
    """

    __slots__ = ("_key",)

    def __init__(self, file_key: int, store_path: str):
        self._key = (file_key, store_path)

    @property
    def valid(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LindiObjectId) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return f"<LindiObjectId {self._key[1] or '/'}>"


class LindiDatasetId(LindiObjectId):
    """The ``id`` of a dataset: also answers h5py's low-level ``read``.

    hdmf wraps string datasets in ``StrDataset``, whose inherited ``h5py.Dataset.__array__``
    ends in ``self.id.read(mspace, fspace, dest)``; this serves it from the LINDI dataset.
    """

    __slots__ = ("_dataset",)

    def __init__(self, dataset: LindiH5pyDataset):
        super().__init__(id(dataset._file), dataset._meta.store_path)
        self._dataset = dataset

    def read(self, mspace: Any, fspace: Any, arr_obj: np.ndarray, mtype: Any = None, dxpl: Any = None) -> None:
        arr_obj[_space_selection(mspace)] = self._dataset[_space_selection(fspace)]


def _space_selection(space: Any) -> Any:
    """An index for an h5py dataspace's selection: all, or one hyperslab block."""
    kind = space.get_select_type()
    if kind == h5py.h5s.SEL_ALL:
        return ...
    if kind == h5py.h5s.SEL_HYPERSLABS and space.get_select_hyper_nblocks() == 1:
        start, end = space.get_select_bounds()
        return tuple(slice(a, b + 1) for a, b in zip(start, end))
    raise LindiError("only whole or single-block selections can be read through the low-level id")


class NodeMeta:
    """Parsed, cached metadata of one node."""

    def __init__(self, file: LindiH5pyFile, store_path: str, name: str):
        self.file = file
        self.store_path = store_path
        self.name = name

    @property
    def source(self) -> str | None:
        return self.file._store.document.source

    def pointer(self, leaf: str) -> str:
        return ref_pointer(meta_key(self.store_path, leaf))

    def _get(self, leaf: str) -> dict[str, Any]:
        value = self.file._store.metadata(meta_key(self.store_path, leaf))
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise DocumentError(f"{leaf} must be a JSON object", pointer=self.pointer(leaf), source=self.source)
        return value

    @cached_property
    def zattrs(self) -> dict[str, Any]:
        return self._get(".zattrs")

    @cached_property
    def lindi(self) -> dict[str, Any]:
        return self._get(".lindi")

    @cached_property
    def zarray(self) -> dict[str, Any]:
        return self._get(".zarray")


class LindiNode:
    """Identity shared by groups and datasets: name, file, parent, id and attrs.

    Listed before the h5py base class so these override h5py's id-based properties.
    """

    _file: LindiH5pyFile
    _meta: NodeMeta

    @property
    def name(self) -> str:
        return self._meta.name

    @property
    def file(self) -> LindiH5pyFile:
        return self._file

    @property
    def parent(self) -> LindiH5pyGroup:
        return self._file[posixpath.dirname(self.name)]

    @property
    def id(self) -> LindiObjectId:
        return LindiObjectId(id(self._file), self._meta.store_path)

    @property
    def attrs(self) -> LindiH5pyAttributes:
        return self._file._attrs_class(self._meta)
