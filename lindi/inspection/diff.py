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

from .census import is_range_ref, take_census
from .places import PlaceResolver
from .tree import DATASET, ObjectRecord, walk

COMPARED_FIELDS = ("kind", "target", "link_file", "dtype", "shape", "layout", "chunk_shape", "codecs",
                   "external_array")
EXAMPLES = 3

ChunkChanges = dict[str, dict[str, list[str]]]


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


def chunk_changes(file_a: Any, resolver_a: PlaceResolver, file_b: Any, resolver_b: PlaceResolver) -> ChunkChanges:
    """``array path -> status -> chunk names`` of every chunk key changed, added or removed (nothing fetched).

    Refs compare with their URLs expanded as the reader expands them; equal raw values
    need no expansion when both documents resolve URLs alike (same templates and base).
    """
    doc_a, doc_b = file_a._store.document, file_b._store.document
    refs_a, refs_b = doc_a.refs, doc_b.refs
    alike = doc_a.templates == doc_b.templates and doc_a.base == doc_b.base
    out: ChunkChanges = {}

    def note(key: str, slash: int, status: str) -> None:
        out.setdefault(key[:slash] if slash >= 0 else "", {}).setdefault(status, []).append(key[slash + 1:])

    def comparable(value: Any, key: str, resolver: PlaceResolver) -> Any:
        if is_range_ref(value):
            found = resolver.resolve(value[0], key)
            return [found.url or found.raw, value[1], value[2]]
        return value

    for key, value in refs_a.items():
        slash = key.rfind("/")
        if key.startswith(".", slash + 1):
            continue
        other = refs_b.get(key)
        if other is None:
            note(key, slash, "removed")
        elif not (alike and value == other) and \
                comparable(value, key, resolver_a) != comparable(other, key, resolver_b):
            note(key, slash, "changed")
    for key in refs_b:
        slash = key.rfind("/")
        if not key.startswith(".", slash + 1) and key not in refs_a:
            note(key, slash, "added")
    return out


def _snapshot(file: Any) -> tuple[dict[str, ObjectRecord], PlaceResolver]:
    census = take_census(file._store.document)
    return {r.path: r for r in walk(file, census, "/", recursive=True, with_attrs=True)}, census.resolver


def diff_documents(file_a: Any, file_b: Any, *, name_a: str = "a", name_b: str = "b") -> DocumentDiff:
    """Compare two open documents (opened with :func:`.open_document`)."""
    records_a, resolver_a = _snapshot(file_a)
    records_b, resolver_b = _snapshot(file_b)
    chunks = chunk_changes(file_a, resolver_a, file_b, resolver_b)
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
            changes += _data_changes(chunks.get(path.strip("/"), {}))
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


def _data_changes(statuses: dict[str, list[str]]) -> list[Change]:
    """One ``data`` change: chunk refs changed, added and removed, with the first chunk names of each."""
    if not statuses:
        return []
    detail: dict[str, Any] = {status: {"count": len(statuses[status]), "first": sorted(statuses[status])[:EXAMPLES]}
              for status in ("changed", "added", "removed") if status in statuses}
    return [Change("data", detail=detail)]
