"""Unlinking with h5py's semantics when objects have several hard links.

An HDF5 object lives while any hard link names it. A document stores it once,
under its first name in traversal order, and every other name is a placeholder
(spec section 5). Deleting the stored name therefore moves the object (with
everything below it) to the first remaining name and re-points the other
placeholders; objects below a deleted group that are linked from elsewhere
survive the same way.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..store.index import meta_key

_PLACEHOLDER_LEAVES = (".zgroup", ".zattrs", ".lindi")


def hard_links(refs: Mapping[str, Any], metadata: Callable[[str], Any]) -> dict[str, str]:
    """``{placeholder store path: target store path}`` of every hard link in the document."""
    out = {}
    for key, value in refs.items():
        if key.endswith("/.lindi"):
            meta = value if isinstance(value, dict) else metadata(key)
            link = meta.get("link") if isinstance(meta, dict) else None
            if isinstance(link, dict) and link.get("type") == "hard" and isinstance(link.get("target"), str):
                out[key[:-len("/.lindi")]] = link["target"].strip("/")
    return out


def under(path: str, top: str) -> bool:
    """Whether store path ``path`` is ``top`` or below it."""
    return path == top or path.startswith(top + "/")


def traversal_key(path: str) -> tuple[bytes, ...]:
    """Sort key of depth-first traversal with names in byte order (parents before children)."""
    return tuple(part.encode("utf-8") for part in path.split("/"))


class Unlink:
    """The plan for removing the stored object at ``path``: which subtrees move where.

    ``moves`` maps an old store path to its new one; everything else below
    ``path`` is deleted.
    """

    def __init__(self, path: str, links: dict[str, str]):
        self.path = path
        self.links = links
        self.moves: dict[str, str] = {}
        self.replaced: set[str] = set()  # placeholders (original store paths) that become the object
        while True:
            live: dict[str, list[tuple[str, str]]] = {}
            for placeholder, target in links.items():
                where, to = self._location(placeholder), self._location(target)
                if not under(where, path) and under(to, path):
                    live.setdefault(to, []).append((where, placeholder))
            if not live:
                break
            for target, names in live.items():
                if not any(under(target, other) and other != target for other in live):
                    home, placeholder = min(names, key=lambda n: traversal_key(n[0]))
                    self.moves[target] = home
                    self.replaced.add(placeholder)

    def _location(self, old: str) -> str:
        """Store path of the node at ``old`` after the moves planned so far."""
        for src, dst in self.moves.items():
            if under(old, src):
                return dst + old[len(src):]
        return old

    def new_path(self, old: str) -> str | None:
        """Where the node at store path ``old`` is after the unlink (None: deleted)."""
        where = self._location(old)
        return None if under(where, self.path) else where

    def changes(self, refs: Mapping[str, Any], metadata: Callable[[str], Any]) -> dict[str, Any]:
        """Ref changes: the subtree's keys deleted or moved, placeholders that became homes replaced,
        the other placeholders re-pointed."""
        out: dict[str, Any] = {}
        for home in self.moves.values():
            for leaf in _PLACEHOLDER_LEAVES:
                out[meta_key(home, leaf)] = None
        prefix = self.path + "/"
        for key, value in refs.items():
            if key.startswith(prefix):
                node, _, leaf = key.rpartition("/")
                new = self.new_path(node)
                if new is None or new != node:
                    out.setdefault(key, None)
                if new is not None and node not in self.replaced:
                    out[meta_key(new, leaf)] = value
        for src, dst in self.moves.items():  # an object that moved out before its parent did: a link stays
            outer = next((o for o in self.moves if o != src and under(src, o)), None)
            if outer is not None:
                position = self.moves[outer] + src[len(outer):]
                out[meta_key(position, ".zgroup")] = {"zarr_format": 2}
                out[meta_key(position, ".lindi")] = {"link": {"type": "hard", "target": "/" + dst}}
        for placeholder, target in self.links.items():
            where, to = self.new_path(placeholder), self.new_path(target)
            if where is None or placeholder in self.replaced or to is None or to == target:
                continue
            key = meta_key(where, ".lindi")
            lindi = dict(metadata(meta_key(placeholder, ".lindi")))
            lindi["link"] = {**lindi["link"], "target": "/" + to}
            out[key] = lindi
        return {k: v for k, v in out.items() if v is not None or k in refs}


def first_name(path: str, links: dict[str, str]) -> str | None:
    """The first name of the object stored at ``path`` in depth-first traversal with names in byte order
    (what HDF5 reports as a dereferenced object's name); None when no name reaches it."""
    names_of: dict[str, list[str]] = {}
    for placeholder, target in links.items():
        names_of.setdefault(target, []).append(placeholder)

    def first(node: str, active: frozenset[str]) -> str | None:
        if node == "":
            return ""
        if node in active:  # a cycle never gives an earlier name
            return None
        found = []
        for link in (node, *names_of.get(node, ())):
            parent, _, leaf = link.rpartition("/")
            head = first(parent, active | {node})
            if head is not None:
                found.append(f"{head}/{leaf}" if head else leaf)
        return min(found, key=traversal_key) if found else None

    name = first(path, frozenset())
    return None if name is None else "/" + name
