"""``diff``: objects added, removed or changed between two documents, from the documents alone.

Objects are compared by path on what ``ls`` shows (kind, link target, dtype, shape,
layout, chunk shape, codecs, external array) plus every attribute (dtype, shape and
value) and every chunk ref. A chunk ref counts as a data change when its value
differs, inline text or ``[url, offset, length]`` with the URL expanded as the reader
expands it, even if the bytes it points at happen to be the same.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .census import is_range_ref, split_key, take_census
from .places import PlaceResolver
from .tree import DATASET, ObjectRecord, walk

COMPARED_FIELDS = ("kind", "target", "link_file", "dtype", "shape", "layout", "chunk_shape", "codecs",
                   "external_array")
EXAMPLES = 3

ChunkTable = dict[str, dict[str, Any]]


@dataclass
class Change:
    """One difference: ``what`` (a field, ``attribute NAME``, or ``data`` with chunk counts and ``detail``)."""

    what: str
    a: Any = None
    b: Any = None
    detail: dict[str, Any] | None = None


@dataclass
class ObjectDiff:
    """An object that was added, removed or changed (with its changes)."""

    path: str
    status: str
    kind: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class DocumentDiff:
    """Every difference between documents ``a`` and ``b``."""

    a: str
    b: str
    document: list[Change]
    objects: list[ObjectDiff]

    @property
    def equal(self) -> bool:
        return not self.document and not self.objects

    def counts(self) -> dict[str, int]:
        return {status: sum(o.status == status for o in self.objects) for status in ("added", "removed", "changed")}

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "equal": self.equal, "counts": self.counts(),
                "document": [asdict(c) for c in self.document], "objects": [asdict(o) for o in self.objects]}


def chunk_table(document: Any, resolver: PlaceResolver) -> ChunkTable:
    """``array path -> chunk name -> comparable value`` of every chunk key (one pass, nothing fetched)."""
    table: ChunkTable = {}
    for key, value in document.refs.items():
        array, name = split_key(key)
        if name.startswith("."):
            continue
        if is_range_ref(value):
            found = resolver.resolve(value[0], key)
            value = ["ref", found.url or found.raw, value[1], value[2]]
        table.setdefault(array, {})[name] = value
    return table


def _snapshot(file: Any) -> tuple[dict[str, ObjectRecord], ChunkTable]:
    document = file._store.document
    census = take_census(document)
    records = {r.path: r for r in walk(file, census, "/", recursive=True, with_attrs=True)}
    return records, chunk_table(document, census.resolver)


def diff_documents(file_a: Any, file_b: Any, *, name_a: str = "a", name_b: str = "b") -> DocumentDiff:
    """Compare two open documents (opened with :func:`.open_document`)."""
    records_a, chunks_a = _snapshot(file_a)
    records_b, chunks_b = _snapshot(file_b)
    document = []
    spec_a, spec_b = file_a._store.document.lindi_spec, file_b._store.document.lindi_spec
    if spec_a != spec_b:
        document.append(Change("lindi_spec", spec_a, spec_b))
    objects: list[ObjectDiff] = []
    for path in sorted(records_a.keys() | records_b.keys()):
        a, b = records_a.get(path), records_b.get(path)
        if a is None or b is None:
            present = b if a is None else a
            assert present is not None
            objects.append(ObjectDiff(path, "added" if a is None else "removed", present.kind))
            continue
        changes = _record_changes(a, b)
        if a.kind == DATASET and b.kind == DATASET:
            changes += _data_changes(chunks_a.get(path.strip("/"), {}), chunks_b.get(path.strip("/"), {}))
        if changes:
            objects.append(ObjectDiff(path, "changed", b.kind, changes))
    return DocumentDiff(name_a, name_b, document, objects)


def _record_changes(a: ObjectRecord, b: ObjectRecord) -> list[Change]:
    changes = [Change(name, getattr(a, name), getattr(b, name)) for name in COMPARED_FIELDS
               if getattr(a, name) != getattr(b, name)]
    if a.error != b.error:
        changes.append(Change("error", a.error, b.error))
    attrs_a, attrs_b = a.attrs or {}, b.attrs or {}
    for name in sorted(attrs_a.keys() | attrs_b.keys()):
        if attrs_a.get(name) != attrs_b.get(name):
            changes.append(Change(f"attribute {name}", attrs_a.get(name), attrs_b.get(name)))
    return changes


def _data_changes(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """One ``data`` change summarizing chunk refs changed, added and removed (with example chunk names)."""
    changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
    added, removed = sorted(b.keys() - a.keys()), sorted(a.keys() - b.keys())
    if not (changed or added or removed):
        return []
    detail = {status: {"count": len(keys), "first": keys[:EXAMPLES]}
              for status, keys in (("changed", changed), ("added", added), ("removed", removed)) if keys}
    return [Change("data", len(a), len(b), detail)]
