"""Links: the classes ``get(name, getlink=True)`` returns, and how a path resolves through soft, hard and
external links (HDF5's rules: soft links by name, at most 40 deep; hard links share one stored object).

A link is stored as a placeholder group: ``.zattrs`` ``_SOFT_LINK`` (LINDI 0.4 and spec 1.x) or ``.lindi``
``link`` (hard and external links, spec 1.1).
"""
from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

import h5py

from ..errors import DocumentError
from ..store.index import join
from .node import NodeMeta

if TYPE_CHECKING:
    from .file import LindiH5pyFile
    from .group import LindiH5pyGroup

_MAX_LINK_DEPTH = 40

#: Where a path leads: ``(store path, name)`` of an object of this document, or an h5py object of the HDF5
#: file behind an external link (h5py is untyped, hence Any).
Location = tuple[str, str] | Any


class LindiH5pySoftLink(h5py.SoftLink):
    """A soft link of a LINDI file (an ``h5py.SoftLink``; LINDI 0.4's class)."""


class LindiH5pyHardLink(h5py.HardLink):
    """A hard link of a LINDI file (an ``h5py.HardLink``; LINDI 0.4's class)."""


class LinkResolver:
    """Path look-ups of one open file, through its links; link placeholders parsed once (until an edit)."""

    def __init__(self, file: LindiH5pyFile):
        self._file = file
        self._cache: dict[str, dict[str, Any] | None] = {}

    def forget(self, store_paths: set[str]) -> None:
        """Drop what was parsed about nodes an edit changed."""
        for path in store_paths:
            self._cache.pop(path, None)

    def link_of(self, store_path: str) -> dict[str, Any] | None:
        """Link placeholder info ``{"type": "soft"|"hard"|"external", ...}`` or None for a real object."""
        try:
            return self._cache[store_path]
        except KeyError:
            pass
        index = self._file._store.index
        info = None
        if index.kind(store_path) == "group" and not index.children(store_path):
            meta = NodeMeta(self._file, store_path, "/" + store_path)
            soft = meta.zattrs.get("_SOFT_LINK")
            link = meta.lindi.get("link")
            if isinstance(soft, dict) and isinstance(soft.get("path"), str):
                info = {"type": "soft", "path": soft["path"]}
            elif isinstance(link, dict) and link.get("type") in ("hard", "external"):
                info = link
            elif soft is not None or link is not None:
                raise DocumentError(f"invalid link placeholder {soft or link!r}", pointer=meta.pointer(".zattrs"
                                    if soft is not None else ".lindi"), source=meta.source)
        self._cache[store_path] = info
        return info

    def stored_object_path(self, parent_store: str, child: str) -> str | None:
        """Where the object a child link names is stored (None for soft/external links)."""
        child_store = join(parent_store, child)
        link = self.link_of(child_store)
        if link is None:
            return child_store
        if link["type"] == "hard":
            return link["target"].strip("/")
        return None

    def locate(self, group: LindiH5pyGroup, path: str, depth: int = 0) -> Location:
        """``(store_path, name)`` of the object ``path`` names from ``group``, or an h5py object of an external file."""
        if depth > _MAX_LINK_DEPTH:
            raise KeyError(f"Unable to open object (too many soft links resolving {path!r})")
        store, name = ("", "/") if path.startswith("/") else (group._meta.store_path, group.name)
        segments = [s for s in path.split("/") if s and s != "."]
        index = self._file._store.index
        for i, seg in enumerate(segments):
            if index.kind(store) != "group":
                raise KeyError(f"Unable to open object ({name!r} is not a group)")
            child_store, child_name = join(store, seg), posixpath.join(name, seg)
            if index.kind(child_store) is None:
                raise KeyError(f"Unable to open object (component {seg!r} not found in {name!r})")
            link = self.link_of(child_store)
            if link is None:
                store, name = child_store, child_name
                continue
            if link["type"] == "hard":
                store, name = link["target"].strip("/"), child_name
                continue
            if link["type"] == "soft":
                target = self.locate(self._file._object(store, name), link["path"], depth + 1)
            else:
                target = self._file._external_files.linked_object(link, child_store)
            if not isinstance(target, tuple):
                rest = "/".join(segments[i + 1:])
                return target[rest] if rest else target
            store, name = target[0], child_name
        return store, name

    def open_path(self, group: LindiH5pyGroup, path: str) -> Any:
        if path == "":
            raise ValueError("Invalid HDF5 object reference: empty path")
        where = self.locate(group, path)
        return self._file._object(*where) if isinstance(where, tuple) else where

    def link_exists(self, group: LindiH5pyGroup, path: str) -> bool:
        parent, _, leaf = path.rstrip("/").rpartition("/")
        if not leaf or leaf == ".":
            return self.safe_locate(group, path) is not None
        where = self.safe_locate(group, parent if parent or not path.startswith("/") else "/")
        if not isinstance(where, tuple):
            return where is not None and leaf in where
        return self._file._store.index.kind(join(where[0], leaf)) is not None and self._file._store.index.kind(where[0]) == "group"

    def safe_locate(self, group: LindiH5pyGroup, path: str) -> Location | None:
        try:
            return self.locate(group, path) if path else (group._meta.store_path, group.name)
        except KeyError:
            return None

    def link_object(self, group: LindiH5pyGroup, path: str) -> Any:
        """h5py.SoftLink / ExternalLink / HardLink for the last component of ``path``."""
        parent, _, leaf = path.rstrip("/").rpartition("/")
        where = self.locate(group, parent or ("/" if path.startswith("/") else "."))
        if not isinstance(where, tuple):
            return where.get(leaf, getlink=True)
        link = self.link_of(join(where[0], leaf))
        if link is None or link["type"] == "hard":
            return LindiH5pyHardLink()
        if link["type"] == "soft":
            return LindiH5pySoftLink(link["path"])
        return h5py.ExternalLink(link["file"], link["target"])
