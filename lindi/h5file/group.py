"""LindiH5pyGroup: an h5py.Group over a LINDI group node, with h5py's link semantics."""
from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from .export import copy_into_h5py
from .node import LindiNode, NodeMeta
from .readonly import refuse_write
from .reference import LindiH5pyReference
from .selection import as_shape

if TYPE_CHECKING:
    from .dataset import LindiH5pyDataset
    from .file import LindiH5pyFile


class LindiH5pyGroup(LindiNode, h5py.Group):
    """h5py Group over the group stored at ``store_path``, reached as ``name``.

    This class reads and refuses writes (mode ``r``); files open for writing hand out
    :class:`lindi.editing.objects.EditableGroup` instead.
    """

    def __init__(self, file: LindiH5pyFile, store_path: str, name: str):  # no h5py id: no base initialiser
        self._file = file
        self._meta = NodeMeta(file, store_path, name)

    @property
    def ref(self) -> LindiH5pyReference:
        return self._file._reference_to(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LindiH5pyGroup) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f'<LINDI group "{self.name}" ({len(self)} members)>'

    # ---- members ----------------------------------------------------------------------------
    def _member_names(self) -> list[str]:
        names = self._file._store.index.children(self._meta.store_path)
        order = self._meta.lindi.get("member_order")
        if order:
            present = set(names)
            return [n for n in order if n in present] + sorted(present.difference(order))
        return names

    def __iter__(self) -> Iterator[str]:
        return iter(self._member_names())

    def __len__(self) -> int:
        return len(self._file._store.index.children(self._meta.store_path))

    def __contains__(self, name: object) -> bool:
        """True when the link exists (even if it dangles), like h5py."""
        if isinstance(name, bytes):
            name = name.decode("utf-8")
        if not isinstance(name, str):
            return False
        return self._file._resolver.link_exists(self, name)

    def __getitem__(self, name: Any) -> Any:
        if isinstance(name, h5py.Reference):
            return self._file._dereference(name)
        if isinstance(name, bytes):
            name = name.decode("utf-8")
        if not isinstance(name, str):
            raise TypeError(f"accessing a group is done with bytes or str, not {type(name)}")
        return self._file._resolver.open_path(self, name)

    def get(self, name: Any, default: Any = None, getclass: bool = False, getlink: bool = False) -> Any:
        if not (getclass or getlink):
            try:
                return self[name]
            except KeyError:
                return default
        if not isinstance(name, (str, bytes)):  # a reference: h5py's link and class look-ups take names only
            raise TypeError(f"A name should be string or bytes, not {type(name)}")
        if name not in self:
            return default
        if getlink:
            link = self._file._resolver.link_object(self, name.decode("utf-8") if isinstance(name, bytes) else name)
            if getclass:  # h5py's class, also for LINDI 0.4's subclasses of it
                return next(c for c in (h5py.SoftLink, h5py.ExternalLink, h5py.HardLink) if isinstance(link, c))
            return link
        obj = self[name]
        return h5py.Dataset if isinstance(obj, h5py.Dataset) else h5py.Group

    def visit(self, func: Callable[[str], Any]) -> Any:
        return self.visititems(lambda name, obj: func(name))

    def visititems(self, func: Callable[[str, Any], Any]) -> Any:
        """Each object once (hard links once, soft/external links not followed), depth-first in member order."""
        seen = {self._meta.store_path}

        def walk(group: LindiH5pyGroup, prefix: str) -> Any:
            for child in group._member_names():
                rel = f"{prefix}{child}"
                store_path = self._file._resolver.stored_object_path(group._meta.store_path, child)
                if store_path is None or store_path in seen:
                    continue
                seen.add(store_path)
                obj = self._file._object(store_path, posixpath.join(group.name, child))
                result = func(rel, obj)
                if result is not None:
                    return result
                if isinstance(obj, LindiH5pyGroup):
                    result = walk(obj, rel + "/")
                    if result is not None:
                        return result
            return None

        return walk(self, "")

    # ---- writes: refused here (mode "r"); a file open for writing hands out lindi.editing's EditableGroup --
    def __setitem__(self, name: str, obj: Any) -> None:
        refuse_write(f"create {name!r} in {self.name}")

    def __delitem__(self, name: str) -> None:
        refuse_write(f"delete {name!r} from {self.name}")

    def create_group(self, name: str, track_order: bool | None = None) -> LindiH5pyGroup:
        refuse_write(f"create group {name!r} in {self.name}")

    def create_dataset(self, name: str, shape: Any = None, dtype: Any = None, data: Any = None,
                       **kwds: Any) -> LindiH5pyDataset:
        refuse_write(f"create dataset {name!r} in {self.name}")

    def require_group(self, name: str) -> LindiH5pyGroup:
        """The group ``name``, created when missing (a write: refused in mode "r")."""
        if name not in self:
            return self.create_group(name)
        obj = self[name]
        if not isinstance(obj, h5py.Group):
            raise TypeError(f"Incompatible object ({type(obj).__name__}) already exists")
        return obj

    def require_dataset(self, name: str, shape: Any, dtype: Any, exact: bool = False, **kwds: Any) -> Any:
        """The dataset ``name`` if its shape and dtype fit (as h5py checks them), created when missing."""
        if name not in self:
            return self.create_dataset(name, shape=shape, dtype=dtype, **kwds)
        dset = self[name]
        if not isinstance(dset, h5py.Dataset):
            raise TypeError(f"Incompatible object ({type(dset).__name__}) already exists")
        if shape is not None and as_shape(shape) != dset.shape:
            raise TypeError(f"Shapes do not match (existing {dset.shape} vs new {shape})")
        if dtype is not None:
            dtype = np.dtype(dtype)
            if exact and dtype != dset.dtype:
                raise TypeError(f"Datatypes do not exactly match (existing {dset.dtype} vs new {dtype})")
            if not np.can_cast(dtype, dset.dtype):
                raise TypeError(f"Datatypes cannot be safely cast (existing {dset.dtype} vs new {dtype})")
        return dset

    def copy(self, source: Any, dest: Any, name: Any = None, **kwds: Any) -> None:
        """As h5py: from this file into another LINDI or h5py file; into this file only when it is writable."""
        if self._copies_within(dest):
            refuse_write(f"copy into {self._file.filename}")
        self._copy_out(source, dest, name, **kwds)

    def _copies_within(self, dest: Any) -> bool:
        return isinstance(dest, str) or getattr(dest, "file", None) is self._file

    def _copy_out(self, source: Any, dest: Any, name: Any, **kwds: Any) -> None:
        obj = self[source] if isinstance(source, str) else source
        leaf = name if name is not None else obj.name.rpartition("/")[2]
        if isinstance(dest, LindiH5pyGroup):  # another LINDI file: its group copies (referencing our chunks)
            dest.copy(obj, dest, leaf, **kwds)
            return
        used = sorted(k for k, v in kwds.items() if v)
        if used:
            raise ValueError(f"copy(): the option(s) {', '.join(used)} are not supported")
        copy_into_h5py(obj, dest, leaf)
