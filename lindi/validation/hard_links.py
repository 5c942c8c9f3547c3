"""Hard-link copies (SPEC section 5.2): a node marked ``hard_link`` holds the same object as its first
name, so both subtrees must have the same metadata and the same chunk refs."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .refs import NodeMeta

_META_KINDS = ("zgroup", "zarray", "zattrs", "lindi")


def _top_lindi(node: NodeMeta) -> Any:
    """The copy's own .lindi without its hard_link mark (None when nothing else is left)."""
    value = node.lindi
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "hard_link"} or None
    return value


def _subtree(nodes: Mapping[str, NodeMeta], path: str) -> dict[str, NodeMeta]:
    prefix = path + "/"
    return {p[len(prefix):]: n for p, n in nodes.items() if p.startswith(prefix)}


def _chunks(refs: Mapping[str, Any], path: str) -> dict[str, Any]:
    prefix = path + "/"
    return {k[len(prefix):]: v for k, v in refs.items()
            if k.startswith(prefix) and not k.rpartition("/")[2].startswith(".")}


def copy_difference(nodes: Mapping[str, NodeMeta], refs: Mapping[str, Any], copy: str, first: str) -> str | None:
    """Why the subtree at ``copy`` is not the same object as the one at ``first`` (None when it is)."""
    below_copy, below_first = _subtree(nodes, copy), _subtree(nodes, first)
    if set(below_copy) != set(below_first):
        return f"members {sorted(set(below_copy) ^ set(below_first))[:3]} are under only one of the two names"
    a, b = nodes[copy], nodes[first]
    if any(getattr(a, k) != getattr(b, k) for k in _META_KINDS[:3]) or _top_lindi(a) != b.lindi:
        return "its metadata differs from its first name's"
    for rel, node in below_copy.items():
        if any(getattr(node, k) != getattr(below_first[rel], k) for k in _META_KINDS):
            return f"the metadata of its member {rel!r} differs from its first name's"
    if _chunks(refs, copy) != _chunks(refs, first):
        return "its chunk refs differ from its first name's"
    return None
