"""Hard-link copies (SPEC section 5.2): a node marked ``hard_link`` holds the same object as its first
name, so both subtrees must have the same metadata and the same chunk refs."""
from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from .refs import NodeMeta

_META_KINDS = ("zgroup", "zarray", "zattrs", "lindi")


class PrefixIndex:
    """Sorted keys, so that everything under a path costs a bisection, not a scan of every ref."""

    def __init__(self, keys: Any):
        self.keys = sorted(keys)

    def under(self, path: str) -> list[str]:
        prefix = path + "/"
        start = bisect.bisect_left(self.keys, prefix)
        end = bisect.bisect_left(self.keys, path + "0")  # "0" is the character after "/"
        return self.keys[start:end]


def _top_lindi(node: NodeMeta) -> Any:
    """The copy's own .lindi without its hard_link mark (None when nothing else is left)."""
    value = node.lindi
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "hard_link"} or None
    return value


def copy_difference(nodes: Mapping[str, NodeMeta], node_index: PrefixIndex, refs: Mapping[str, Any],
                    ref_index: PrefixIndex, copy: str, first: str) -> str | None:
    """Why the subtree at ``copy`` is not the same object as the one at ``first`` (None when it is)."""
    below_copy = {p[len(copy) + 1:]: nodes[p] for p in node_index.under(copy)}
    below_first = {p[len(first) + 1:]: nodes[p] for p in node_index.under(first)}
    if set(below_copy) != set(below_first):
        return f"members {sorted(set(below_copy) ^ set(below_first))[:3]} are under only one of the two names"
    a, b = nodes[copy], nodes[first]
    if any(getattr(a, k) != getattr(b, k) for k in _META_KINDS[:3]) or _top_lindi(a) != b.lindi:
        return "its metadata differs from its first name's"
    for rel, node in below_copy.items():
        if any(getattr(node, k) != getattr(below_first[rel], k) for k in _META_KINDS):
            return f"the metadata of its member {rel!r} differs from its first name's"
    chunks = [{k[len(p) + 1:]: refs[k] for k in ref_index.under(p) if not k.rpartition("/")[2].startswith(".")}
              for p in (copy, first)]
    if chunks[0] != chunks[1]:
        return "its chunk refs differ from its first name's"
    return None
