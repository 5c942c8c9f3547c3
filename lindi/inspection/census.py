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
    """Count every chunk of ``document`` by array and by source (one pass, no I/O).

    The pass only counts refs per array and raw URL; each distinct URL is resolved afterwards,
    once, which keeps a document of a million refs to about a second.
    """
    resolver = resolver or PlaceResolver(document)
    arrays: dict[str, ArrayRefs] = {}
    by_url: dict[str, dict[str, list[Any]]] = {}  # array -> raw URL -> [refs, bytes, first key]
    census = Census(arrays, {}, resolver)
    for key, value in document.refs.items():
        slash = key.rfind("/")
        if key.startswith(".", slash + 1):
            census.metadata_keys += 1
            census.metadata_bytes += 0 if is_range_ref(value) else inline_size(value)
            continue
        array = key[:slash] if slash >= 0 else ""
        stats = arrays.get(array)
        if stats is None:
            stats = arrays[array] = ArrayRefs()
            by_url[array] = {}
        if type(value) is list and len(value) == 3 and type(value[0]) is str:
            length = value[2] if type(value[2]) is int else 0
            entry = by_url[array].get(value[0])
            if entry is None:
                by_url[array][value[0]] = [1, length, key]
            else:
                entry[0] += 1
                entry[1] += length
        else:
            stats.inline += 1
            stats.inline_bytes += inline_size(value)
    for array, urls in by_url.items():
        stats = arrays[array]
        for raw, (refs, length, key) in urls.items():
            _count(census, stats, resolver.resolve(raw, key), refs, length)
    return census


def _count(census: Census, stats: ArrayRefs, found: Resolved, refs: int, length: int) -> None:
    stats.referenced += refs
    stats.referenced_bytes += length
    stats.places[found.place] += refs
    label = source_label(found)
    total = census.sources.get(label)
    if total is None:
        total = census.sources[label] = SourceTotal(found.place)
    total.refs += refs
    total.bytes += length
    total.templates.update(TEMPLATE_USE.findall(found.raw))


def source_label(found: Resolved) -> str:
    """How ``info`` groups refs: by URL or local file; a staging area or container as a whole."""
    if found.place.kind in ("staging", "container"):
        return f"{found.place.kind} {found.place.name}"
    if found.place.kind == "unresolved":
        return f"unresolved {found.raw}"
    return found.url or found.raw
