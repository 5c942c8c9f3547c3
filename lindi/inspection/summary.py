"""``info``: what a document holds and where it points, from the document alone.

Spec version and profile, object counts, referenced bytes by source against inline
bytes, the largest datasets, the hosts a reader will contact with the URL policy's
verdict on each, and the NWB identity when the document is an NWB file.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import LindiError
from ..store.index import join
from .census import Census, take_census
from .places import ALLOWED, Place, Resolved
from .tree import DATASET, ObjectRecord, walk

LARGEST = 5
NWB_FIELDS = ("identifier", "session_description")


@dataclass
class HostEntry:
    """A place a reader will contact: a host, the local files, a staging area or the container."""

    host: str
    kind: str
    refs: int = 0
    bytes: int = 0
    links: int = 0
    verdict: str = ALLOWED


@dataclass
class Summary:
    """Everything ``lindi info`` reports (``to_json`` for ``--json``)."""

    location: str
    spec_version: str | None
    profile: str
    objects: dict[str, int]
    keys: int
    metadata_bytes: int
    chunk_refs: int
    referenced_bytes: int
    inline_chunks: int
    inline_bytes: int
    sources: list[dict[str, Any]]
    largest: list[dict[str, Any]]
    hosts: list[HostEntry]
    nwb: dict[str, Any] | None
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def refused(self) -> list[HostEntry]:
        return [h for h in self.hosts if h.verdict != ALLOWED]


def summarize(file: Any, location: str) -> Summary:
    """The summary of the open document ``file`` (opened with :func:`.open_document`)."""
    document = file._store.document
    census = take_census(document)
    records = list(walk(file, census, "/", recursive=True))
    counts = Counter(r.kind for r in records)
    datasets = [r for r in records if r.kind == DATASET]
    largest = sorted(datasets, key=lambda r: (-(r.referenced_bytes + r.inline_bytes), r.path))[:LARGEST]
    return Summary(
        location=location, spec_version=document.lindi_spec,
        profile="legacy (LINDI 0.3/0.4)" if document.legacy else f"{document.lindi_spec.split('.')[0]}.x",
        objects={"groups": counts["group"] + 1, "datasets": counts[DATASET],
                 **{kind.replace(" ", "_") + "s": counts[kind] for kind in ("soft link", "hard link", "external link")}},
        keys=len(document.refs), metadata_bytes=census.metadata_bytes, chunk_refs=census.chunk_refs,
        referenced_bytes=census.referenced_bytes, inline_chunks=sum(a.inline for a in census.arrays.values()),
        inline_bytes=census.inline_bytes,
        sources=[{"source": label, "kind": s.place.kind, "refs": s.refs, "bytes": s.bytes,
                  "templates": sorted(s.templates)}
                 for label, s in sorted(census.sources.items(), key=lambda item: -item[1].bytes)],
        largest=[{"path": r.path, "shape": r.shape, "dtype": r.dtype, "stored_bytes": r.referenced_bytes + r.inline_bytes,
                  "chunks": r.chunks_referenced + r.chunks_inline} for r in largest],
        hosts=_hosts(census, records), nwb=_nwb_identity(file),
        errors=[{"path": r.path, "error": r.error} for r in records if r.error])


def _hosts(census: Census, records: list[ObjectRecord]) -> list[HostEntry]:
    """Chunk refs, then external links/arrays, grouped by where the reader goes, with the policy's verdict."""
    hosts: dict[str, HostEntry] = {}

    def entry_for(place: Place) -> HostEntry:
        name = {"remote": place.name, "local": "local files", "staging": f"staging area {place.name}",
                "container": f"container {place.name}"}.get(place.kind, "unresolved")
        entry = hosts.get(name)
        if entry is None:
            entry = hosts[name] = HostEntry(name, place.kind)
        return entry

    def judge(found: Resolved) -> HostEntry:
        entry = entry_for(found.place)
        if found.verdict != ALLOWED and entry.verdict == ALLOWED:
            entry.verdict = found.verdict
        return entry

    for found in census.resolved():
        judge(found)
    for total in census.sources.values():
        entry = entry_for(total.place)
        entry.refs += total.refs
        entry.bytes += total.bytes
    for record in records:
        if record.kind == "external link" and isinstance(record.link_file, str):
            judge(census.resolver.resolve(record.link_file,
                                          join(record.path.strip("/"), ".lindi"))).links += 1
        elif record.external_array is not None and isinstance(record.external_array.get("url"), str):
            judge(census.resolver.resolve(record.external_array["url"],
                                          join(record.path.strip("/"), ".zattrs"))).links += 1
    return sorted(hosts.values(), key=lambda h: (h.verdict == ALLOWED, -h.bytes, h.host))


def _nwb_identity(file: Any) -> dict[str, Any] | None:
    """``nwb_version``, ``identifier`` and ``session_description`` when the document is an NWB file."""
    version = file.attrs.get("nwb_version")
    if version is None:
        return None
    out: dict[str, Any] = {"nwb_version": _text(version)}
    for name in NWB_FIELDS:
        try:
            out[name] = _text(file[name][()]) if name in file else None
        except LindiError as exc:  # stored outside the document: not read
            out[name] = f"(not read: {str(exc).splitlines()[0]})"
    return out


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
