"""One pass over a document's refs: chunks and bytes per array, and where they live.

A chunk key is any key whose last segment does not start with a dot (``.zarray``,
``.zattrs``, ``.zgroup`` and ``.lindi`` are metadata). Its value is inline (text,
``base64:`` bytes, a JSON object) or a ``[url, offset, length]`` ref; refs are
counted against the place their URL resolves to. Nothing is fetched.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .. import strict_json
from ..store.document import TEMPLATE_USE, RefDocument
from .places import Place, PlaceResolver, Resolved


def is_range_ref(value: Any) -> bool:
    """A ``[url, offset, length]`` ref (anything else is inline data)."""
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)


def inline_size(value: Any) -> int:
    """Bytes an inline value stands for (decoded size of ``base64:`` data)."""
    if isinstance(value, str):
        if value.startswith("base64:"):
            payload = value[7:].rstrip("=")
            return len(payload) * 3 // 4
        return len(value.encode("utf-8"))
    return len(strict_json.dumps(value).encode("utf-8"))


def split_key(key: str) -> tuple[str, str]:
    """``(node path, last segment)`` of a store key (the root's path is "")."""
    slash = key.rfind("/")
    return (key[:slash] if slash >= 0 else ""), key[slash + 1:]


@dataclass
class ArrayRefs:
    """The chunks of one array: how many are refs, how many inline, their bytes and places."""

    referenced: int = 0
    referenced_bytes: int = 0
    inline: int = 0
    inline_bytes: int = 0
    places: Counter[Place] = field(default_factory=Counter)


@dataclass
class SourceTotal:
    """Refs and bytes pointing at one source: a URL, a local file, a staging area or the container."""

    place: Place
    refs: int = 0
    bytes: int = 0
    templates: set[str] = field(default_factory=set)


@dataclass
class Census:
    """Per-array chunk statistics and per-source totals of one document."""

    arrays: dict[str, ArrayRefs]
    sources: dict[str, SourceTotal]
    resolver: PlaceResolver
    metadata_keys: int = 0
    metadata_bytes: int = 0

    @property
    def referenced_bytes(self) -> int:
        return sum(a.referenced_bytes for a in self.arrays.values())

    @property
    def inline_bytes(self) -> int:
        return sum(a.inline_bytes for a in self.arrays.values())

    @property
    def chunk_refs(self) -> int:
        return sum(a.referenced for a in self.arrays.values())

    def resolved(self) -> list[Resolved]:
        return self.resolver.resolved()


def take_census(document: RefDocument, resolver: PlaceResolver | None = None) -> Census:
    """Count every chunk of ``document`` by array and by source (one pass, no I/O)."""
    resolver = resolver or PlaceResolver(document)
    arrays: dict[str, ArrayRefs] = {}
    sources: dict[str, SourceTotal] = {}
    census = Census(arrays, sources, resolver)
    for key, value in document.refs.items():
        array, leaf = split_key(key)
        if leaf.startswith("."):
            census.metadata_keys += 1
            census.metadata_bytes += inline_size(value) if not is_range_ref(value) else 0
            continue
        stats = arrays.get(array)
        if stats is None:
            stats = arrays[array] = ArrayRefs()
        if not is_range_ref(value):
            stats.inline += 1
            stats.inline_bytes += inline_size(value)
            continue
        length = value[2] if isinstance(value[2], int) and not isinstance(value[2], bool) else 0
        found = resolver.resolve(value[0], key)
        stats.referenced += 1
        stats.referenced_bytes += length
        stats.places[found.place] += 1
        label = source_label(found)
        total = sources.get(label)
        if total is None:
            total = sources[label] = SourceTotal(found.place)
        total.refs += 1
        total.bytes += length
        total.templates.update(TEMPLATE_USE.findall(found.raw))
    return census


def source_label(found: Resolved) -> str:
    """How ``info`` groups refs: by URL or local file; a staging area or container as a whole."""
    if found.place.kind in ("staging", "container"):
        return f"{found.place.kind} {found.place.name}"
    if found.place.kind == "unresolved":
        return f"unresolved {found.raw}"
    return found.url or found.raw
