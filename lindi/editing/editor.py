"""DocumentEditor: every change to an open LINDI file goes through here, as a set of ref changes.

An operation computes all its key changes first (checked against the spec's
schema), then applies them in one :meth:`LindiReferenceStore.apply_changes`
call and tells the file which nodes changed, so readers see the edit at once.
A transaction undoes everything an operation applied if a later step fails,
so a refused edit leaves the document as it was.
"""
from __future__ import annotations

import math
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from .._version import LINDI_SPEC_VERSION as LINDI_SPEC
from ..format.names import ANNOTATIONS, RESERVED_ATTRIBUTE_NAMES
from ..h5file.dataset import LindiH5pyDataset
from ..h5file.group import LindiH5pyGroup
from ..h5file.selection import as_shape
from ..store.hardlink_copies import ZGROUP
from ..store.index import join, meta_key
from .attributes import encode_attribute
from .check import check_metadata
from .chunks import ChunkSink
from .copying import LindiTreeCopy, copy_from_h5py
from .errors import EditError
from .hardlinks import Unlink, first_name, hard_links
from .layout import array_metadata
from .names import split_name
from .objects import EditableAttributes, EditableDataset, EditableGroup
from .references import holds_references
from .refwalk import bodies, holding_keys, parsed, rewritten
from .scratch import Scratch
from .writes import fixed_write, json_chunk, json_values, json_write, rewrite_region

if TYPE_CHECKING:
    from ..h5file.file import LindiH5pyFile
    from ..h5file.node import NodeMeta

class DocumentEditor:
    """Edits of one open :class:`LindiH5pyFile` (created by the file for modes other than ``r``).

    It is the reader's :class:`~lindi.h5file.editor_protocol.FileEditor`: the file hands out its
    writable classes, whose writes call the operations here.
    """

    group_class = EditableGroup
    dataset_class = EditableDataset
    attributes_class = EditableAttributes

    def __init__(self, file: LindiH5pyFile):
        self._file = file
        self._store = file._store
        self._scratch = Scratch()
        self._undo: dict[str, Any] | None = None

    @property
    def sink(self) -> ChunkSink:
        return ChunkSink(self._file._staging_area)

    # ---- applying changes ------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Undo every change applied inside the block if the block raises."""
        if self._undo is not None:  # nested: the outer transaction undoes
            yield
            return
        self._undo = {}
        try:
            yield
        except BaseException:
            undo, self._undo = self._undo, None
            self._apply_raw(undo)
            raise
        finally:
            self._undo = None

    def apply(self, changes: dict[str, Any]) -> None:
        """Check metadata values, then set/delete the keys and refresh what the readers cached."""
        for key, value in changes.items():
            leaf = key.rpartition("/")[2]
            if value is not None and leaf in (".zarray", ".zattrs", ".lindi", ".zgroup"):
                check_metadata(leaf, value, where=f"/{key}")
        doc = self._store.document
        if doc.legacy:  # the first edit makes a LINDI 0.4 document a 1.x one (it gains .lindi keys)
            doc.lindi_spec = LINDI_SPEC
            doc.extra.pop("generationMetadata", None)
        if self._undo is not None:
            for key in changes:
                self._undo.setdefault(key, doc.refs.get(key))
        self._apply_raw(changes)

    def _apply_raw(self, changes: dict[str, Any]) -> None:
        self._store.apply_changes(changes)
        self._file._refresh({_node_of(key) for key in changes})

    # ---- locating --------------------------------------------------------------------------
    def _meta(self, store_path: str, leaf: str) -> dict[str, Any]:
        value = self._store.metadata(meta_key(store_path, leaf))
        return dict(value) if isinstance(value, dict) else {}

    def _new_parent(self, group: LindiH5pyGroup, name: Any) -> tuple[str, str, str, dict[str, Any]]:
        """``(parent store path, parent name, leaf, changes creating missing intermediate groups)``."""
        absolute, parts = split_name(name, where=group.name)
        store, hname = ("", "/") if absolute else (group._meta.store_path, group.name)
        changes: dict[str, Any] = {}
        index = self._store.index
        for part in parts[:-1]:
            child, child_name = join(store, part), posixpath.join(hname, part)
            if changes or index.kind(child) is None:
                changes[meta_key(child, ".zgroup")] = dict(ZGROUP)
                changes.update(self._member_added(store, part, changes))
                store, hname = child, child_name
                continue
            where = self._file._resolver.locate(self._file._object(store, hname), part)
            if not isinstance(where, tuple):
                raise EditError(f"cannot create {name!r} in {group.name}: {child_name} is in an external file")
            if index.kind(where[0]) != "group":
                raise EditError(f"cannot create {name!r} in {group.name}: {child_name} is not a group")
            store, hname = where[0], child_name
        leaf = parts[-1]
        if not changes and self._file._store.index.kind(join(store, leaf)) is not None:
            raise EditError(f"cannot create {posixpath.join(hname, leaf)}: name already exists")
        return store, hname, leaf, changes

    def _member_added(self, parent: str, leaf: str, pending: dict[str, Any]) -> dict[str, Any]:
        """The parent's ``.lindi`` with ``leaf`` appended to ``member_order`` (when it tracks order)."""
        key = meta_key(parent, ".lindi")
        lindi = dict(pending.get(key) or self._meta(parent, ".lindi"))
        if "member_order" not in lindi:
            return {}
        lindi["member_order"] = [*lindi["member_order"], leaf]
        return {key: lindi}

    def _existing(self, group: LindiH5pyGroup, name: Any) -> tuple[str, str, str]:
        """``(parent store path, parent name, leaf)`` of an existing link ``name`` (KeyError if absent)."""
        _absolute, parts = split_name(name, where=group.name)
        parent_path = "/".join(parts[:-1]) or "."
        if str(name).startswith("/"):
            parent_path = "/" + "/".join(parts[:-1])
        where = self._file._resolver.locate(group, parent_path)
        if not isinstance(where, tuple):
            raise EditError(f"cannot change {name!r} in {group.name}: it is in an external file")
        if self._store.index.kind(join(where[0], parts[-1])) is None:
            raise KeyError(f"Couldn't delete link (no link {name!r} in {group.name})")
        return where[0], where[1], parts[-1]

    # ---- groups and links ------------------------------------------------------------------
    def create_group(self, group: LindiH5pyGroup, name: Any, track_order: bool | None = None) -> LindiH5pyGroup:
        store, hname, leaf, changes = self._new_parent(group, name)
        path = join(store, leaf)
        changes[meta_key(path, ".zgroup")] = dict(ZGROUP)
        if track_order:
            changes[meta_key(path, ".lindi")] = {"member_order": []}
        changes.update(self._member_added(store, leaf, changes))
        self.apply(changes)
        return self._file._object(path, posixpath.join(hname, leaf))

    def set_link(self, group: LindiH5pyGroup, name: Any, obj: Any) -> None:
        """``group[name] = obj``: a soft, external or hard link, or a new dataset from data."""
        if not isinstance(obj, (h5py.SoftLink, h5py.ExternalLink)) and not _is_lindi_object(obj, self._file):
            self.create_dataset(group, name, data=obj)
            return
        store, _hname, leaf, changes = self._new_parent(group, name)
        path = join(store, leaf)
        changes[meta_key(path, ".zgroup")] = dict(ZGROUP)
        if isinstance(obj, h5py.SoftLink):
            changes[meta_key(path, ".zattrs")] = {"_SOFT_LINK": {"path": obj.path}}
        elif isinstance(obj, h5py.ExternalLink):
            changes[meta_key(path, ".lindi")] = {"link": {"type": "external", "file": obj.filename,
                                                          "target": obj.path}}
        else:
            changes[meta_key(path, ".lindi")] = {"link": {"type": "hard", "target": "/" + obj._meta.store_path}}
        changes.update(self._member_added(store, leaf, changes))
        self.apply(changes)

    def delete(self, group: LindiH5pyGroup, name: Any) -> None:
        """``del group[name]``: the link and, for a stored object, everything below it that no other
        hard link keeps alive (those objects move to their first remaining name, as h5py keeps them)."""
        store, _hname, leaf = self._existing(group, name)
        path = join(store, leaf)
        link = self._file._resolver.link_of(path)
        refs = self._store.document.refs
        plan = Unlink(path, hard_links(refs, self._store.metadata) if link is None else {})
        changes = plan.changes(refs, self._store.metadata)
        key = meta_key(store, ".lindi")
        lindi = self._meta(store, ".lindi")
        if leaf in lindi.get("member_order", ()):
            lindi["member_order"] = [n for n in lindi["member_order"] if n != leaf]
            changes[key] = lindi
        renames = plan.moves or (link is not None and link["type"] == "hard")
        homes = self._reference_homes() if renames else {}
        with self.transaction():
            self.apply(changes)
            if renames:
                self._repoint_references(homes, plan)

    def _reference_homes(self) -> dict[str, str | None]:
        """``{path of a stored reference: store path of its target now}`` (None: not in this document)."""
        refs = self._store.document.refs
        out: dict[str, str | None] = {}
        for key in holding_keys(refs):
            for body in bodies(parsed(key, refs[key])):
                path = body.get("path")
                if isinstance(path, str) and path not in out:
                    where = self._file._resolver.safe_locate(self._file, path)
                    out[path] = where[0] if isinstance(where, tuple) else None
        return out

    def _repoint_references(self, homes: dict[str, str | None], plan: Unlink) -> None:
        """References whose path no longer reaches their (surviving) target get its new name, because an
        HDF5 reference follows the object, not the name."""
        renamed: dict[str, str] = {}
        refs = self._store.document.refs
        links = hard_links(refs, self._store.metadata)
        for path, old in homes.items():
            new = plan.new_path(old) if old is not None else None
            if new is None:
                continue
            where = self._file._resolver.safe_locate(self._file, path)
            if not (isinstance(where, tuple) and where[0] == new):
                renamed[path] = first_name(new, links) or "/" + new
        if not renamed:
            return

        def rewrite(body: dict[str, Any]) -> dict[str, Any] | None:
            path = body.get("path")
            return {**body, "path": renamed[path]} if path in renamed else None

        changes = {key: rewritten(key, refs[key], rewrite) for key in list(holding_keys(refs))}
        self.apply({key: value for key, value in changes.items() if value is not None})

    def copy(self, group: LindiH5pyGroup, source: Any, dest: Any, name: Any = None, **flags: Any) -> None:
        """``group.copy(source, dest)``: ``source`` an object of this file, of another LINDI file (its chunks
        are referenced, not copied) or of an h5py file (re-created through the normal creation path)."""
        used = sorted(k for k, v in flags.items() if v)
        if used:
            raise EditError(f"copy(): the option(s) {', '.join(used)} are not supported")
        if isinstance(source, str):
            source = group[source]
        if isinstance(dest, str):
            parent, leaf = group, dest
        else:
            parent, leaf = dest, name or posixpath.basename(source.name)
        if not _is_lindi_object(parent, self._file):
            raise EditError(f"copy() can only copy into this LINDI file ({self._file.filename}), not into {dest!r}")
        if not leaf:
            raise EditError(f"copy() of {source.name} needs a name for the copy")
        if isinstance(source, (LindiH5pyGroup, LindiH5pyDataset)):
            store, _hname, leaf, changes = self._new_parent(parent, leaf)
            tree = LindiTreeCopy(source._file._store.document, self._store.document, source._file._store.metadata)
            changes.update(tree.changes(source._meta.store_path, join(store, leaf)))
            changes.update(self._member_added(store, leaf, changes))
            self.apply(changes)
        elif isinstance(source, (h5py.Group, h5py.Dataset)):
            with self.transaction():
                copy_from_h5py(self, source, parent, leaf)
        else:
            raise EditError(f"copy() needs a group or dataset of a LINDI or h5py file, not {type(source).__name__}")

    # ---- attributes ------------------------------------------------------------------------
    def set_attribute(self, meta: NodeMeta, name: str, value: Any, *, dtype: Any = None, shape: Any = None) -> None:
        where = f"{name!r} of {meta.name}"
        if not isinstance(name, str) or not name:
            raise EditError(f"invalid attribute name {name!r} on {meta.name}")
        if name in RESERVED_ATTRIBUTE_NAMES:
            raise EditError(f"attribute name {where} is reserved for a LINDI annotation")
        json_value, info = encode_attribute(self._scratch, value, dtype=dtype, shape=shape, where=where)
        zattrs, lindi = dict(meta.zattrs), dict(meta.lindi)
        types = dict(lindi.get("attrs") or {})
        if info is None:
            types.pop(name, None)
        else:
            types[name] = info
        if "attr_order" in lindi and name not in zattrs:
            lindi["attr_order"] = [*lindi["attr_order"], name]
        zattrs[name] = json_value
        self._set_attr_meta(meta, zattrs, lindi, types)

    def delete_attribute(self, meta: NodeMeta, name: str) -> None:
        if name in ANNOTATIONS or name not in meta.zattrs:
            raise KeyError(f"Can't delete attribute (attribute {name!r} not found on {meta.name})")
        zattrs, lindi = dict(meta.zattrs), dict(meta.lindi)
        del zattrs[name]
        types = {k: v for k, v in (lindi.get("attrs") or {}).items() if k != name}
        if "attr_order" in lindi:
            lindi["attr_order"] = [n for n in lindi["attr_order"] if n != name]
        self._set_attr_meta(meta, zattrs, lindi, types)

    def _set_attr_meta(self, meta: NodeMeta, zattrs: dict[str, Any], lindi: dict[str, Any],
                       types: dict[str, Any]) -> None:
        if types:
            lindi["attrs"] = types
        else:
            lindi.pop("attrs", None)
        self.apply({meta_key(meta.store_path, ".zattrs"): zattrs or None,
                    meta_key(meta.store_path, ".lindi"): lindi or None})

    # ---- datasets --------------------------------------------------------------------------
    def create_dataset(self, group: LindiH5pyGroup, name: Any, shape: Any = None, dtype: Any = None, data: Any = None,
                       **kwds: Any) -> LindiH5pyDataset:
        store, hname, leaf, changes = self._new_parent(group, name)
        path, full = join(store, leaf), posixpath.join(hname, leaf)
        if isinstance(data, h5py.Dataset):
            data = data[()]
        empty = isinstance(data, h5py.Empty)
        if data is not None and not empty:
            if holds_references(data, dtype):
                dtype = dtype or h5py.ref_dtype
                data = _object_values(data)
            else:
                data = np.asarray(data, order="C", dtype=h5py._hl.base.guess_dtype(data))
            shape = data.shape if shape is None else as_shape(shape)
            if dtype is None:
                dtype = data.dtype
            if math.prod(shape) != data.size:
                raise EditError(f"cannot create {full}: shape {shape} does not match data of shape {data.shape}")
            data = data.reshape(shape)
        try:
            with self._scratch.dataset(shape=shape, dtype=dtype, data=data if empty else None, **kwds) as dset:
                meta = array_metadata(dset, where=full)
        except (ValueError, TypeError) as exc:
            if isinstance(exc, EditError):
                raise
            raise EditError(f"cannot create dataset {full}: {exc}") from None
        changes[meta_key(path, ".zarray")] = meta.zarray
        changes[meta_key(path, ".zattrs")] = meta.zattrs or None
        changes[meta_key(path, ".lindi")] = meta.lindi or None
        changes.update(self._member_added(store, leaf, changes))
        with self.transaction():
            self.apply({k: v for k, v in changes.items() if v is not None})
            obj = self._file._object(path, full)
            if data is not None and not empty:
                self.write(obj, (Ellipsis,) if obj.shape != () else (), data)
        return obj

    def write(self, dset: LindiH5pyDataset, args: tuple[Any, ...], value: Any) -> None:
        """``dset[args] = value``."""
        _writable_shape(dset)
        if dset._is_json:
            changes = json_write(dset, args, value)
        else:
            changes = fixed_write(dset, args, value, self.sink)
        self.apply(changes)

    def resize(self, dset: LindiH5pyDataset, size: Any, axis: int | None = None) -> None:
        """``dset.resize(size, axis)`` within the dataset's chunked layout and maxshape, like h5py."""
        old = _writable_shape(dset)
        if axis is not None:
            if not 0 <= axis < len(old):
                raise EditError(f"invalid axis {axis} to resize {dset.name} of rank {len(old)}")
            new = tuple(int(size) if i == axis else n for i, n in enumerate(old))
        else:
            new = tuple(int(s) for s in (size if isinstance(size, (tuple, list)) else (size,)))
        if dset.chunks is None:
            raise EditError(f"cannot resize {dset.name}: only chunked datasets can be resized")
        maxshape = dset.maxshape or old  # None only for a null dataspace, refused above
        if len(new) != len(old) or any(n < 0 or (m is not None and n > m) for n, m in zip(new, maxshape)):
            raise EditError(f"cannot resize {dset.name} from {old} to {new}: maxshape is {maxshape}")
        if new == old:
            return
        zarray = dict(dset._zarray)
        zarray["shape"] = list(new)
        if dset._is_json:
            zarray["chunks"] = [max(1, n) for n in new]
            changes = {**json_chunk(dset, json_values(dset, list(new))), meta_key(dset._meta.store_path, ".zarray"): zarray}
            self.apply({k: v for k, v in changes.items() if v is not None or k in self._store.document.refs})
            return
        changes = self._shrunk_chunks(dset, old, new) if any(n < o for n, o in zip(new, old)) else {}
        changes[meta_key(dset._meta.store_path, ".zarray")] = zarray
        self.apply(changes)

    def _shrunk_chunks(self, dset: LindiH5pyDataset, old: tuple[int, ...], new: tuple[int, ...]) -> dict[str, Any]:
        """Chunks past the new shape deleted; chunks the new edge cuts rewritten with the cut part at fill."""
        chunks = dset._zarray["chunks"]
        sep = dset._zarray.get("dimension_separator") or "."
        prefix = dset._meta.store_path + "/"
        changes: dict[str, Any] = {}
        for key in list(self._store.document.refs):
            if not key.startswith(prefix) or key[len(prefix):].startswith("."):
                continue
            index = tuple(int(i) for i in key[len(prefix):].split(sep))
            origin = [i * c for i, c in zip(index, chunks)]
            if any(o >= n for o, n in zip(origin, new)):
                changes[key] = None
            elif any(o < n < min(o + c, m) for o, c, n, m in zip(origin, chunks, new, old)):
                valid = [min(c, n - o) for o, c, n in zip(origin, chunks, new)]
                changes[key] = rewrite_region(dset, index, valid, self.sink)
        return changes

    def close(self) -> None:
        self._scratch.close()


def _node_of(key: str) -> str:
    """Store path of the node a key belongs to."""
    return key.rpartition("/")[0] if "/" in key else ""


def _is_lindi_object(obj: Any, file: LindiH5pyFile) -> bool:
    return getattr(obj, "_file", None) is file and hasattr(obj, "_meta")


def _object_values(data: Any) -> np.ndarray:
    arr = np.empty(np.shape(data) if isinstance(data, (list, tuple, np.ndarray)) else (), dtype=object)
    if arr.ndim:
        arr[...] = np.asarray(data, dtype=object)
    else:
        arr[()] = data
    return arr


def _writable_shape(dset: LindiH5pyDataset) -> tuple[int, ...]:
    """The shape of a dataset whose data lives in the document (refused: a null dataspace, an external array)."""
    if dset._external_link is not None:
        raise EditError(f"cannot write to {dset.name}: its data is in an external HDF5 file")
    if dset.shape is None:
        raise EditError(f"cannot write to {dset.name}: it has a null dataspace")
    return dset.shape
