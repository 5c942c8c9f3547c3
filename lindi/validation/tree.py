"""Cross-node rules a schema cannot express: the group tree, annotations, links and references.

Runs after :class:`lindi.validate.refs.RefsPass` on the metadata objects that
passed their schema (rejected ones are INVALID and skipped, having been
reported already).
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from lindi.format.names import ANNOTATIONS
from lindi.format.zarr_dtypes import OBJECT_DTYPE, accepted_storage_dtypes, storage_dtype
from lindi.strict_json import ref_pointer

from .attr_inference import inference_problem
from .compound_type import is_compound_field_type
from .hard_links import PrefixIndex, copy_difference
from .json_chunks import ChunkProblem, chunk_elements, element_kinds_problem, nested_elements
from .refs import NodeMeta, RefsPass
from .report import Collector
from .schema import schema_errors


class TreeChecks:
    """The semantic checks over all nodes; call :meth:`run` once.

    ``flat_json_chunks``: the document declares 1.0, so a JSON-codec chunk that fits both layouts is flat.
    """

    def __init__(self, refs_pass: RefsPass, out: Collector, *, flat_json_chunks: bool = False):
        self.nodes = refs_pass.nodes
        self.refs = refs_pass.refs
        self.legacy = refs_pass.legacy
        self.json_chunks = refs_pass.json_chunks
        self.flat_json_chunks = flat_json_chunks
        self.out = out
        self._indexes: tuple[PrefixIndex, PrefixIndex] | None = None  # built at the first hard-link copy
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
            self._json_chunk(key, value, info.path)

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
            if is_array or children or node.lindi is not None:
                out.error("LINDI-E-SOFT-LINK", ptr, f"{label}: a _SOFT_LINK node must be a group without children or .lindi")
            elif len(zattrs) > 1:
                out.error("LINDI-E-SOFT-LINK", ptr, f"{label}: a soft link's .zattrs holds only _SOFT_LINK, not "
                                                    f"{sorted(set(zattrs) - {'_SOFT_LINK'})}")
            else:
                target = zattrs["_SOFT_LINK"]["path"]
                resolved = posixpath.normpath(posixpath.join("/" + path.rpartition("/")[0], target))
                if not self.exists(resolved):
                    out.warning("LINDI-W-SOFT-LINK-DANGLING", ptr, f"{label}: soft link target {target!r} does not exist")
        if "_COMPOUND_DTYPE" in zattrs:
            bad = [t for _, t in zattrs["_COMPOUND_DTYPE"] if not is_compound_field_type(t)]
            if bad:
                out.error("LINDI-E-COMPOUND-DTYPE", ptr, f"{label}: _COMPOUND_DTYPE field type {bad[0]!r} breaks the grammar of section 3.8")
            elif zarray is None and not is_array:
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
        typed = lindi.get("attrs", {}) if lindi is not None else {}
        for name, value in zattrs.items():
            if name not in ANNOTATIONS:
                if not self.legacy and name not in typed:
                    problem = inference_problem(value)
                    if problem:
                        out.error("LINDI-E-ATTR-TYPE", ptr, f"{label} attribute {name!r}: {problem}; it needs type info in .lindi attrs")
                for ref in _references(value):
                    self._reference_target(ref, ptr, f"{label} attribute {name!r}")

    def _lindi(self, path: str, node: NodeMeta, zarray: dict | None, is_array: bool, zattrs: dict | None,
               lindi: dict, children: list[str]) -> None:
        out, ptr, label = self.out, node.pointers["lindi"], "/" + path
        if "dtype" in lindi:
            if not is_array:
                out.error("LINDI-E-DTYPE", ptr, f"{label}: .lindi dtype is only for arrays")
            elif zarray is not None and zarray["dtype"] not in accepted_storage_dtypes(lindi["dtype"]):
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
            elif "shape" in info and not info.get("null_dataspace") and nested_elements(user_attrs[name], info["shape"]) is None:
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
            if is_array or children:
                out.error("LINDI-E-LINK", ptr, f"{label}: a link placeholder must be a group without children")
            elif link["type"] == "hard" and not self.exists(link["target"]):
                out.error("LINDI-E-HARD-LINK-TARGET", ptr, f"{label}: hard link target {link['target']!r} does not exist")
        if "hard_link" in lindi:
            self._hard_link_copy(path, label, ptr, is_array, lindi["hard_link"])

    def _hard_link_copy(self, path: str, label: str, ptr: str, is_array: bool, target: str) -> None:
        out = self.out
        first = target.strip("/")
        if not self.exists(target):
            out.error("LINDI-E-HARD-LINK-TARGET", ptr, f"{label}: hard_link target {target!r} does not exist")
            return
        first_node = self.nodes[first]
        if first == path or path.startswith(first + "/") or not first:
            out.error("LINDI-E-LINK", ptr, f"{label}: hard_link names the node itself or one of its ancestors")
        elif isinstance(first_node.lindi, dict) and "hard_link" in first_node.lindi:
            out.error("LINDI-E-LINK", ptr, f"{label}: hard_link target {target!r} is itself a copy; name the first name")
        elif (first_node.zarray is not None) != is_array:
            out.error("LINDI-E-LINK", ptr, f"{label}: hard_link target {target!r} is not the same kind of node")
        else:
            if self._indexes is None:
                self._indexes = PrefixIndex(self.nodes), PrefixIndex(self.refs)
            node_index, ref_index = self._indexes
            problem = copy_difference(self.nodes, node_index, self.refs, ref_index, path, first)
            if problem:
                out.error("LINDI-E-LINK", ptr, f"{label}: not a copy of {target!r}: {problem}")

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

    def _json_chunk(self, key: str, value: str, array: str) -> None:
        out, ptr = self.out, ref_pointer(key)
        node = self.nodes[array]
        try:
            elements = chunk_elements(value, node.zarray, self.flat_json_chunks)
        except ChunkProblem as exc:
            out.error(exc.code, ptr, f"{key!r}: JSON-codec chunk {exc}")
            return
        zattrs = node.zattrs if isinstance(node.zattrs, dict) else {}
        lindi = node.lindi if isinstance(node.lindi, dict) else {}
        if "dtype" not in lindi and "_COMPOUND_DTYPE" not in zattrs:
            problem = element_kinds_problem(elements)
            if problem:
                out.error("LINDI-E-JSON-CHUNK", ptr, f"{key!r}: {problem} (section 8.2)")
                return
        for element in elements:
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
