"""LindiH5pyGroup: an h5py.Group over a LINDI group node, with h5py's link semantics."""
from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import h5py

from .export import copy_into_h5py
from .node import LindiNode, NodeMeta
from .reference import LindiH5pyReference

if TYPE_CHECKING:
    from .file import LindiH5pyFile


class LindiH5pyGroup(LindiNode, h5py.Group):
    """Read-only h5py Group over the group stored at ``store_path``, reached as ``name``."""

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
        return self._file._link_exists(self, name)

    def __getitem__(self, name: Any) -> Any:
        if isinstance(name, h5py.Reference):
            return self._file._dereference(name)
        if isinstance(name, bytes):
            name = name.decode("utf-8")
        if not isinstance(name, str):
            raise TypeError(f"accessing a group is done with bytes or str, not {type(name)}")
        return self._file._open_path(self, name)

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
            link = self._file._link_object(self, name.decode("utf-8") if isinstance(name, bytes) else name)
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
                store_path = self._file._stored_object_path(group._meta.store_path, child)
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

    # ---- writes (lindi.editing; refused in mode "r") ------------------------------------------
    def __setitem__(self, name: str, obj: Any) -> None:
        self._file._editor.set_link(self, name, obj)

    def __delitem__(self, name: str) -> None:
        self._file._editor.delete(self, name)

    def create_group(self, name: str, track_order: Any = None) -> Any:
        return self._file._editor.create_group(self, name, track_order)

    def create_dataset(self, name: str, shape: Any = None, dtype: Any = None, data: Any = None, **kwds: Any) -> Any:
        return self._file._editor.create_dataset(self, name, shape=shape, dtype=dtype, data=data, **kwds)

    def require_group(self, name: str) -> Any:
        return self._file._editor.require_group(self, name)

    def require_dataset(self, name: str, shape: Any, dtype: Any, exact: bool = False, **kwds: Any) -> Any:
        return self._file._editor.require_dataset(self, name, shape, dtype, exact, **kwds)

    def copy(self, source: Any, dest: Any, name: Any = None, **kwds: Any) -> None:
        """As h5py: into this file (edits it), or from this file into another LINDI or h5py file."""
        if isinstance(dest, str) or getattr(dest, "file", None) is self._file:
            self._file._editor.copy(self, source, dest, name, **kwds)
            return
        obj = self[source] if isinstance(source, str) else source
        leaf = name if name is not None else obj.name.rpartition("/")[2]
        from .file import LindiH5pyFile  # at call time: file.py imports this module

        if isinstance(dest.file, LindiH5pyFile):  # another LINDI file: its editor references our chunks
            dest.file._editor.copy(dest, obj, leaf, **kwds)
            return
        used = sorted(k for k, v in kwds.items() if v)
        if used:
            raise ValueError(f"copy(): the option(s) {', '.join(used)} are not supported")
        copy_into_h5py(obj, dest, leaf)
