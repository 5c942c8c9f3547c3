"""Cross-node rules a schema cannot express: the group tree, annotations, links and references.

Runs after :class:`lindi.validate.refs.RefsPass` on the metadata objects that
passed their schema (rejected ones are INVALID and skipped, having been
reported already).
"""
from __future__ import annotations

import math
import posixpath
from collections.abc import Iterator
from typing import Any

from lindi import strict_json
from lindi.codecs import get_codec
from lindi.errors import DocumentError

from .dtypes import OBJECT_DTYPE, storage_dtype
from .metadata import ANNOTATIONS
from .refs import NodeMeta, RefsPass, decode_inline
from lindi.strict_json import ref_pointer

from .report import Collector
from .schema import schema_errors


class TreeChecks:
    """The semantic checks over all nodes; call :meth:`run` once."""

    def __init__(self, refs_pass: RefsPass, out: Collector):
        self.nodes = refs_pass.nodes
        self.json_chunks = refs_pass.json_chunks
        self.out = out
        self.children: dict[str, list[str]] = {}
        for path, node in self.nodes.items():
            if path and (node.zgroup is not None or node.zarray is not None):
                parent, _, name = path.rpartition("/")
                self.children.setdefault(parent, []).append(name)

    @property
    def _has_root(self) -> bool:
        root = self.nodes.get("")
        return root is not None and root.zgroup is not None

    def exists(self, abs_path: str) -> bool:
        """True when ``abs_path`` ("/a/b") names a group or an array of the document."""
        node = self.nodes.get(abs_path.strip("/"))
        return node is not None and (node.zgroup is not None or node.zarray is not None)

    def run(self) -> None:
        if not self._has_root:
            self.out.error("LINDI-E-NO-ROOT-GROUP", "/refs", "the root group key .zgroup is missing")
        for path, node in self.nodes.items():
            self._node(path, node)
        for key, value, info in self.json_chunks:
            self._json_chunk(key, value, info.chunks, info.compressor)

    # -- per node ----------------------------------------------------------------------------------

    def _node(self, path: str, node: NodeMeta) -> None:
        out = self.out
        label = "/" + path
        first = next(iter(node.pointers.values()))
        if not path and node.zgroup is None and node.zarray is None:
            return  # reported as LINDI-E-NO-ROOT-GROUP
        if node.zgroup is not None and node.zarray is not None:
            out.error("LINDI-E-NODE-KIND", node.pointers["zarray"], f"{label} has both .zgroup and .zarray")
            return
        if node.zgroup is None and node.zarray is None:
            out.error("LINDI-E-NODE-KIND", first, f"{label} has metadata but neither .zgroup nor .zarray")
            return
        if path:
            parent = path.rpartition("/")[0]
            pnode = self.nodes.get(parent)
            if (pnode is None or pnode.zgroup is None) and (parent or self._has_root):
                out.error("LINDI-E-ORPHAN", first, f"{label}: parent /{parent} is not a group")
        zarray = node.zarray if isinstance(node.zarray, dict) else None
        is_array = node.zarray is not None
        zattrs = node.zattrs if isinstance(node.zattrs, dict) else None
        lindi = node.lindi if isinstance(node.lindi, dict) else None
        children = self.children.get(path, [])
        if zattrs is not None:
            self._annotations(path, node, zarray, is_array, zattrs, lindi, children)
        if lindi is not None:
            self._lindi(path, node, zarray, is_array, zattrs, lindi, children)

    def _annotations(self, path: str, node: NodeMeta, zarray: dict | None, is_array: bool, zattrs: dict,
                     lindi: dict | None, children: list[str]) -> None:
        out, ptr, label = self.out, node.pointers["zattrs"], "/" + path
        if "_SCALAR" in zattrs:
            if not is_array:
                out.error("LINDI-E-SCALAR", ptr, f"{label}: _SCALAR is only for arrays")
            elif zarray is not None and zarray["shape"] != [1]:
                out.error("LINDI-E-SCALAR", ptr, f"{label}: a _SCALAR array has shape [1], not {zarray['shape']}")
        if "_SOFT_LINK" in zattrs:
            if is_array or children:
                out.error("LINDI-E-SOFT-LINK", ptr, f"{label}: a _SOFT_LINK node must be a group without children")
            else:
                target = zattrs["_SOFT_LINK"]["path"]
                resolved = posixpath.normpath(posixpath.join("/" + path.rpartition("/")[0], target))
                if not self.exists(resolved):
                    out.warning("LINDI-W-SOFT-LINK-DANGLING", ptr, f"{label}: soft link target {target!r} does not exist")
        if "_COMPOUND_DTYPE" in zattrs:
            if zarray is None and not is_array:
                out.error("LINDI-E-COMPOUND-DTYPE", ptr, f"{label}: _COMPOUND_DTYPE is only for arrays")
            elif zarray is not None and zarray["dtype"] != OBJECT_DTYPE:
                out.error("LINDI-E-COMPOUND-DTYPE", ptr, f"{label}: a compound array has .zarray dtype |O, not {zarray['dtype']}")
            elif lindi is not None and isinstance(lindi.get("dtype"), dict) and lindi["dtype"]["class"] == "compound":
                names = [f[0] for f in zattrs["_COMPOUND_DTYPE"]]
                expected = [f["name"] for f in lindi["dtype"]["fields"]]
                if names != expected:
                    out.error("LINDI-E-COMPOUND-DTYPE", ptr, f"{label}: _COMPOUND_DTYPE fields {names} differ from .lindi dtype fields {expected}")
        if "_EXTERNAL_ARRAY_LINK" in zattrs and not is_array:
            out.error("LINDI-E-EXTERNAL-ARRAY-LINK", ptr, f"{label}: _EXTERNAL_ARRAY_LINK is only for arrays")
        for name, value in zattrs.items():
            if name not in ANNOTATIONS:
                for ref in _references(value):
                    self._reference_target(ref, ptr, f"{label} attribute {name!r}")

    def _lindi(self, path: str, node: NodeMeta, zarray: dict | None, is_array: bool, zattrs: dict | None,
               lindi: dict, children: list[str]) -> None:
        out, ptr, label = self.out, node.pointers["lindi"], "/" + path
        if "dtype" in lindi:
            if not is_array:
                out.error("LINDI-E-DTYPE", ptr, f"{label}: .lindi dtype is only for arrays")
            elif zarray is not None and storage_dtype(lindi["dtype"]) != zarray["dtype"]:
                out.error("LINDI-E-DTYPE", ptr, f"{label}: .lindi dtype is stored as {storage_dtype(lindi['dtype'])}, "
                                                f"but .zarray dtype is {zarray['dtype']}")
        if "null_dataspace" in lindi and not (is_array and (zarray is None or zarray["shape"] == [0])):
            out.error("LINDI-E-NULL-DATASPACE", ptr, f"{label}: null_dataspace is only for arrays of shape [0]")
        user_attrs = {k: v for k, v in (zattrs or {}).items() if k not in ANNOTATIONS}
        for name, info in lindi.get("attrs", {}).items():
            if name not in user_attrs:
                out.error("LINDI-E-ATTR-TYPE", ptr, f"{label}: type info for attribute {name!r}, which .zattrs lacks")
            elif info.get("null_dataspace") and user_attrs[name] is not None:
                out.error("LINDI-E-NULL-DATASPACE", ptr, f"{label}: H5S_NULL attribute {name!r} must have the value null")
            elif "shape" in info and not info.get("null_dataspace") and not _fits_shape(user_attrs[name], info["shape"]):
                out.error("LINDI-E-ATTR-TYPE", ptr, f"{label}: attribute {name!r} does not have the declared shape {info['shape']}")
        if "attr_order" in lindi and sorted(lindi["attr_order"]) != sorted(user_attrs):
            out.error("LINDI-E-ATTR-ORDER", ptr, f"{label}: attr_order {lindi['attr_order']} is not a permutation of {sorted(user_attrs)}")
        if "member_order" in lindi:
            if is_array:
                out.error("LINDI-E-MEMBER-ORDER", ptr, f"{label}: member_order is only for groups")
            elif sorted(lindi["member_order"]) != sorted(children):
                out.error("LINDI-E-MEMBER-ORDER", ptr, f"{label}: member_order {lindi['member_order']} is not a permutation of {sorted(children)}")
        if "storage" in lindi:
            self._storage(label, ptr, zarray if is_array else None, lindi["storage"])
        if "link" in lindi:
            link = lindi["link"]
            if link["type"] != "hard" and (is_array or children):  # spec 1.1: a hard link's name holds a copy
                out.error("LINDI-E-LINK", ptr, f"{label}: a link placeholder must be a group without children")
            elif link["type"] == "hard" and not self.exists(link["target"]):
                out.error("LINDI-E-HARD-LINK-TARGET", ptr, f"{label}: hard link target {link['target']!r} does not exist")

    def _storage(self, label: str, ptr: str, zarray: dict | None, storage: dict[str, Any]) -> None:
        out = self.out
        if zarray is None:
            out.error("LINDI-E-STORAGE", ptr, f"{label}: storage is only for arrays")
            return
        shape = zarray["shape"]
        if "chunks" in storage:
            if storage["layout"] != "chunked":
                out.error("LINDI-E-STORAGE", ptr, f"{label}: storage chunks given for a {storage['layout']} layout")
            elif len(storage["chunks"]) != len(shape):
                out.error("LINDI-E-STORAGE", ptr, f"{label}: storage chunks {storage['chunks']} do not match shape {shape}")
        if "maxshape" in storage:
            maxshape = storage["maxshape"]
            if len(maxshape) != len(shape) or any(m is not None and m < n for m, n in zip(maxshape, shape)):
                out.error("LINDI-E-STORAGE", ptr, f"{label}: maxshape {maxshape} does not fit shape {shape}")

    # -- references ---------------------------------------------------------------------------------

    def _reference_target(self, ref: dict[str, Any], ptr: str, where: str) -> None:
        target = ref["_REFERENCE"]["path"]
        if target is not None and not self.exists(target):
            self.out.warning("LINDI-W-REFERENCE-TARGET", ptr, f"{where}: reference target {target!r} does not exist")

    def _json_chunk(self, key: str, value: str, chunks: list[int], compressor: dict[str, Any] | None) -> None:
        out, ptr = self.out, ref_pointer(key)
        raw = decode_inline(value)
        if compressor is not None:  # LINDI 0.4 compressed its JSON chunks with the array's compressor
            try:
                raw = bytes(get_codec(compressor).decode(raw))
            except Exception as exc:  # any codec failure means the chunk is unusable
                out.error("LINDI-E-JSON-CHUNK", ptr, f"{key!r}: JSON-codec chunk does not decompress with "
                                                     f"{compressor.get('id')!r} ({exc})")
                return
        try:
            items = strict_json.loads(raw)
        except DocumentError as exc:
            out.error("LINDI-E-JSON-CHUNK", ptr, f"{key!r}: JSON-codec chunk is not strict JSON ({exc})")
            return
        count = math.prod(chunks)
        # spec 1.1 (and numcodecs, LINDI 0.4): N-D bodies nested by the chunk shape; spec 1.0: one flat list
        if not isinstance(items, list) or len(items) < 2 or items[-2] != OBJECT_DTYPE or items[-1] != chunks or not (
                len(items) == count + 2 or (len(chunks) > 1 and _fits_shape(items[:-2], chunks))):
            out.error("LINDI-E-JSON-CHUNK", ptr, f"{key!r}: a JSON-codec chunk is [elements nested by {chunks}..., "
                                                 f"\"|O\", {chunks}]")
            return
        for element in items[:-2]:
            for ref in _objects(element):
                if any(True for _ in schema_errors("referenceValue", ref)):
                    out.error("LINDI-E-REFERENCE", ptr, f"{key!r}: an object in a JSON-codec chunk must be a valid _REFERENCE")
                    return
                self._reference_target(ref, ptr, key)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside a value (no recursion: values may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
        elif isinstance(item, list):
            stack.extend(item)


def _references(value: Any) -> Iterator[dict[str, Any]]:
    """The (schema-valid) reference objects inside an attribute value."""
    return (o for o in _objects(value) if "_REFERENCE" in o)


def _fits_shape(value: Any, shape: list[int]) -> bool:
    """True when nested lists ``value`` have the leading dimensions ``shape``."""
    level = [value]
    for n in shape:
        if not all(isinstance(v, list) and len(v) == n for v in level):
            return False
        level = [x for v in level for x in v]
    return True
