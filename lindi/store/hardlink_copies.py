"""Hard links as spec 1.1 writes them: every name holds the full object, later names marked.

Readers that know nothing of ``.lindi`` (LINDI 0.4, zarr, Neurosift) then see the same object at
each name; its chunk refs are repeated, never its data. Inside this package an object is kept once:
loading turns each marked copy (``.lindi`` ``hard_link``: the first name) back into a link placeholder
(``.zgroup`` + ``.lindi`` ``link``), so edits and unlinking work on one object, and writing expands the
placeholders again, so every copy written is identical to the object.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ZGROUP = {"zarr_format": 2}


def _lindi_meta(value: Any) -> dict[str, Any] | None:
    """A ``.lindi`` value (inline object or JSON text) as a dict, else None."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _placeholder_link(value: Any) -> dict[str, Any] | None:
    """The hard ``link`` of a placeholder's ``.lindi``, else None."""
    meta = _lindi_meta(value)
    link = meta.get("link") if meta is not None else None
    if isinstance(link, dict) and link.get("type") == "hard" and isinstance(link.get("target"), str):
        return link
    return None


def _copy_link(value: Any) -> dict[str, Any] | None:
    """The hard link a marked copy's ``.lindi`` names (its ``hard_link`` member), as a placeholder link."""
    meta = _lindi_meta(value)
    target = meta.get("hard_link") if meta is not None else None
    return {"type": "hard", "target": target} if isinstance(target, str) else None


def _nodes(refs: Mapping[str, Any], link_of: Any) -> dict[str, dict[str, Any]]:
    """``{store path: link}`` of every node whose ``.lindi`` ``link_of`` recognises."""
    out = {}
    for key, value in refs.items():
        if key.endswith("/.lindi"):
            link = link_of(value)
            if link is not None:
                out[key[:-len("/.lindi")]] = link
    return out


def _owner(key: str, nodes: Mapping[str, Any] | set[str]) -> str | None:
    """The outermost node of ``nodes`` that ``key`` lies below (or is the metadata of)."""
    parts = key.split("/")
    for i in range(1, len(parts)):
        node = "/".join(parts[:i])
        if node in nodes:
            return node
    return None


def marked_copies(refs: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{store path: hard link}`` of every marked copy in ``refs`` (the nodes whose ``.lindi`` has ``hard_link``)."""
    return _nodes(refs, _copy_link)


def inside_copy(key: str, copies: Mapping[str, Any]) -> bool:
    """Whether ``key`` lies below one of the marked ``copies`` (or is its metadata)."""
    return _owner(key, copies) is not None


def collapse_hard_link_copies(refs: dict[str, Any]) -> dict[str, Any]:
    """``refs`` with every marked copy reduced to its placeholder (``refs`` itself when there are none)."""
    links = marked_copies(refs)
    if not links:
        return refs
    out = {key: value for key, value in refs.items() if _owner(key, links) is None}
    for node, link in links.items():
        if _owner(node + "/.lindi", {n for n in links if n != node}) is None:  # not inside another copy
            out[node + "/.zgroup"] = dict(ZGROUP)
            out[node + "/.lindi"] = {"link": dict(link)}
    return out


def with_hard_link_copies(refs: dict[str, Any]) -> dict[str, Any]:
    """``refs`` with every hard link placeholder replaced by a marked copy of its target.

    A link to the target's own ancestor (a cycle) stays a placeholder: a copy could not end.
    """
    links = {node: link for node, link in _nodes(refs, _placeholder_link).items() if _is_placeholder(refs, node)}
    if not links:
        return refs
    targets = {link["target"].strip("/") for link in links.values()}
    below: dict[str, list[str]] = {t: [] for t in targets}
    for key in refs:
        parts = key.split("/")
        for i in range(len(parts)):
            node = "/".join(parts[:i])
            if node in below:
                below[node].append(key)
    out = {key: value for key, value in refs.items() if _owner(key, links) is None}

    def copy(node: str, link: dict[str, Any], active: frozenset[str], position: str) -> None:
        # ``position``: the placeholder this copy mirrors; whether it stays a placeholder (a link into its own
        # ancestor) is decided there, so a copy below another copy equals what lies below the first name
        target = link["target"].strip("/")
        if target in active or target == "" or position.startswith(target + "/"):
            out[node + "/.zgroup"] = dict(ZGROUP)
            out[node + "/.lindi"] = {"link": dict(link)}
            return
        inner = {n: lk for n, lk in links.items() if n.startswith(target + "/")}
        for key in below[target]:
            rest = key[len(target) + 1:] if target else key
            owner = _owner(key, inner)
            if owner is not None:
                continue
            value = refs[key]
            if rest == ".lindi":
                meta = json.loads(value) if isinstance(value, str) else dict(value)
                value = {**meta, "hard_link": link["target"]}
            out[f"{node}/{rest}"] = value
        if target + "/.lindi" not in refs:
            out[node + "/.lindi"] = {"hard_link": link["target"]}
        for inner_node, inner_link in inner.items():
            copy(node + inner_node[len(target):], inner_link, active | {target}, inner_node)

    for node, link in links.items():
        if _owner(node + "/.lindi", {n for n in links if n != node}) is None:
            copy(node, link, frozenset(), node)
    return out


def _is_placeholder(refs: Mapping[str, Any], node: str) -> bool:
    return node + "/.zarray" not in refs
