"""``group.copy(source, dest)`` from another LINDI document or an h5py file into the open document.

From a LINDI document the source's keys are copied, so chunks are referenced
where they are (no data copied): ref URLs are expanded against the source
document, hard links inside the copied tree stay links, hard links to objects
outside it become copies (as HDF5's object copy does), and references become
NULL when the source is another file (h5py's behaviour without
``expand_refs``). From h5py, objects are re-created through the normal
group/attribute/dataset creation path of the editor.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from ..format.references import null_reference_body
from ..store.document import RefDocument
from ..store.index import join
from .hardlinks import traversal_key, under
from .refwalk import may_hold, rewritten

if TYPE_CHECKING:
    from ..h5file.dataset import LindiH5pyDataset
    from ..h5file.group import LindiH5pyGroup
    from .editor import DocumentEditor


class LindiTreeCopy:
    """The keys of the subtree at ``src`` of ``source`` re-rooted at ``dst`` in ``target``."""

    def __init__(self, source: RefDocument, target: RefDocument, metadata: Callable[[str], Any]):
        self.source, self.target, self.metadata = source, target, metadata
        self.other_file = source is not target
        self.copied: dict[str, str] = {}  # source store path -> destination store path, for hard links

    def changes(self, src: str, dst: str) -> dict[str, Any]:
        self.copied[src] = dst
        refs = self.source.refs
        nodes: dict[str, list[str]] = {}
        for key in refs:
            node, _, _ = key.rpartition("/")
            if src == "" or under(node, src):
                nodes.setdefault(node, []).append(key)
        out: dict[str, Any] = {}
        for node in sorted(nodes, key=traversal_key):  # depth-first: the first name gets the copy
            new_node = dst + node[len(src):] if src else join(dst, node)
            target = self._hard_target(node)
            if target is not None:
                out.update(self._link(target, new_node))
                continue
            for key in nodes[node]:
                out[join(new_node, key.rpartition("/")[2])] = self._value(key, refs[key])
        return out

    def _hard_target(self, node: str) -> str | None:
        meta = self.metadata(join(node, ".lindi")) if join(node, ".lindi") in self.source.refs else None
        link = meta.get("link") if isinstance(meta, dict) else None
        if isinstance(link, dict) and link.get("type") == "hard":
            return str(link["target"]).strip("/")
        return None

    def _link(self, target: str, position: str) -> dict[str, Any]:
        """A hard link to an object already copied, else a copy of the object at ``position``."""
        for src, dst in sorted(self.copied.items(), key=lambda item: -len(item[0])):
            if src == "" or under(target, src):
                new = dst + target[len(src):] if src else join(dst, target)
                return {join(position, ".zgroup"): {"zarr_format": 2},
                        join(position, ".lindi"): {"link": {"type": "hard", "target": "/" + new}}}
        return self.changes(target, position)

    def _value(self, key: str, value: Any) -> Any:
        if not self.other_file:
            return copy.deepcopy(value)
        if isinstance(value, list):  # [url, offset, length]: the same bytes, wherever the source said they are
            return [self.source.expand_url(value[0], key), value[1], value[2]]
        leaf = key.rpartition("/")[2]
        if leaf == ".zattrs":
            value = copy.deepcopy(self.metadata(key))
            link = value.get("_EXTERNAL_ARRAY_LINK") if isinstance(value, dict) else None
            if isinstance(link, dict) and isinstance(link.get("url"), str):
                link["url"] = self.source.expand_url(link["url"], key)
        new = rewritten(key, value, _null_reference) if may_hold(key, value) else None
        return copy.deepcopy(value) if new is None else new


def _null_reference(body: dict[str, Any]) -> dict[str, Any]:
    return null_reference_body()


# ---- from h5py --------------------------------------------------------------------------------
def copy_from_h5py(editor: DocumentEditor, source: h5py.Group | h5py.Dataset, parent: LindiH5pyGroup, leaf: str) -> None:
    """Re-create ``source`` (and, for a group, everything below it) as ``parent[leaf]``."""
    _H5Copy(editor).object(source, parent, leaf)


class _H5Copy:
    def __init__(self, editor: DocumentEditor):
        self.editor = editor
        self.done: dict[Any, LindiH5pyGroup | LindiH5pyDataset] = {}  # h5py object id -> LINDI object: links stay links

    def object(self, obj: Any, parent: LindiH5pyGroup, leaf: str) -> None:
        if obj.id in self.done:
            self.editor.set_link(parent, leaf, self.done[obj.id])
            return
        if isinstance(obj, h5py.Dataset):
            new = self.dataset(obj, parent, leaf)
        else:
            order = obj.id.get_create_plist().get_link_creation_order()
            new = self.editor.create_group(parent, leaf, track_order=bool(order) or None)
        self.done[obj.id] = new
        self.attributes(obj, new)
        if isinstance(obj, h5py.Group):
            for name in obj:
                link = obj.get(name, getlink=True)
                if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                    self.editor.set_link(new, name, link)
                else:
                    self.object(obj[name], new, name)

    def attributes(self, obj: Any, new: LindiH5pyGroup | LindiH5pyDataset) -> None:
        for name in obj.attrs:
            attr = obj.attrs.get_id(name)
            value = obj.attrs[name]
            if h5py.check_ref_dtype(attr.dtype) is not None:  # h5py copies references to another file as NULL
                value = np.full(attr.shape or (), None, dtype=object) if attr.shape else None
            self.editor.set_attribute(new._meta, name, value, dtype=attr.dtype, shape=attr.shape)

    def dataset(self, ds: h5py.Dataset, parent: LindiH5pyGroup, leaf: str) -> LindiH5pyDataset:
        kwds: dict[str, Any] = {"dtype": ds.dtype}
        if ds.shape is None:
            return self.editor.create_dataset(parent, leaf, data=h5py.Empty(ds.dtype))
        kwds["shape"] = ds.shape
        if ds.chunks is not None:
            kwds.update(chunks=ds.chunks, maxshape=ds.maxshape)
        for prop in ("compression", "compression_opts", "scaleoffset"):
            if getattr(ds, prop) is not None:
                kwds[prop] = getattr(ds, prop)
        kwds.update(shuffle=ds.shuffle, fletcher32=ds.fletcher32)
        if ds.dtype.kind in "biufc":
            kwds["fillvalue"] = ds.fillvalue
        new = self.editor.create_dataset(parent, leaf, **kwds)
        if ds.size == 0 or h5py.check_ref_dtype(ds.dtype) is not None:  # references: NULL, the fill
            return new
        if ds.shape == ():
            new[()] = ds[()]
        elif ds.chunks is not None and ds.dtype.kind != "O":
            for sel in ds.iter_chunks():  # one chunk at a time: bounded memory
                new[sel] = ds[sel]
        else:
            new[...] = ds[...]
        return new

