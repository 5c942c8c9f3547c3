"""The node structure of a document, built from its ref keys in one pass.

Readers ask "what are the children of this group" and "is this an array"
constantly; answering from a prebuilt index keeps that O(1) even for
documents with a million chunk refs.
"""
from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping
from typing import Any


def join(path: str, name: str) -> str:
    """Store path of a child (the root is "")."""
    return f"{path}/{name}" if path else name


def meta_key(path: str, leaf: str) -> str:
    """Store key of a metadata object of the node at ``path``."""
    return join(path, leaf)


class NodeIndex:
    """Groups, arrays and their children, from the keys of ``refs``.

    A node is a group if it has ``.zgroup`` (or is an ancestor of a node
    without one: an implicit group), an array if it has ``.zarray``. Children
    are listed in name order (byte order of the UTF-8 names, like HDF5).
    """

    def __init__(self, keys: Iterable[str]):
        kinds: dict[str, str] = {}
        for key in keys:
            slash = key.rfind("/")
            leaf = key[slash + 1:]
            if leaf == ".zgroup":
                kinds.setdefault(key[:slash] if slash >= 0 else "", "group")
            elif leaf == ".zarray":
                kinds[key[:slash] if slash >= 0 else ""] = "array"
        children: dict[str, list[str]] = {}
        for path in list(kinds):
            while path:
                parent, _, name = path.rpartition("/")
                children.setdefault(parent, []).append(name)
                if parent in kinds:
                    break
                kinds[parent] = "group"  # implicit intermediate group
                path = parent
        kinds.setdefault("", "group")
        self._kinds = kinds
        self._children = {p: sorted(set(names)) for p, names in children.items()}

    def kind(self, path: str) -> str | None:
        """"group", "array" or None when there is no such node."""
        return self._kinds.get(path)

    def children(self, path: str) -> list[str]:
        """Names of the direct children of the node at ``path`` in name order."""
        return self._children.get(path, [])

    def __len__(self) -> int:
        return len(self._kinds)

    def update(self, changes: Mapping[str, Any]) -> None:
        """Follow set (value) or deleted (None) keys: nodes appear or vanish with their .zgroup/.zarray."""
        for key, value in changes.items():
            path, _, leaf = key.rpartition("/")
            if leaf not in (".zgroup", ".zarray") or not path:
                continue
            parent, _, name = path.rpartition("/")
            siblings = self._children.setdefault(parent, [])
            if value is None:
                self._kinds.pop(path, None)
                self._children.pop(path, None)
                if name in siblings:
                    siblings.remove(name)
            else:
                self._kinds[path] = "group" if leaf == ".zgroup" else "array"
                if name not in siblings:
                    insort(siblings, name)
