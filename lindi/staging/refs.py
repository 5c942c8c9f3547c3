"""Which refs of a document point at local bytes, and a document with some refs replaced.

Publishing and writing containers both move the bytes of local refs (staged
chunks, chunks inside a container, ranges of a local HDF5 file) somewhere
else and point the refs there; remote refs stay as they are.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..backends.urls import local_path
from ..store.document import TEMPLATE_USE, from_dict
from ..store.policy import UrlPolicy, is_remote


@dataclass(frozen=True)
class LocalRange:
    """``length`` bytes at ``offset`` of the local file ``path`` (absolute)."""

    path: str
    offset: int
    length: int

    def request(self) -> tuple[str, int, int]:
        return (self.path, self.offset, self.length)


def is_range(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)


def local_ranges(doc: Mapping[str, Any], base: str | None, *, source: str | None = None
                 ) -> dict[str, LocalRange]:
    """``key -> LocalRange`` for every range ref of ``doc`` that resolves to a local file.

    ``base`` is where relative URLs resolve (a directory for local documents,
    the document's URL for remote ones). A remote document's refs obey its URL
    policy: it cannot make publishing copy the publisher's local files.
    """
    parsed = from_dict(dict(doc), source=source, base=base)
    parsed.policy = UrlPolicy.for_document(base)
    out: dict[str, LocalRange] = {}
    for key, value in parsed.refs.items():
        if not is_range(value):
            continue
        url = parsed.expand_url(value[0], key)
        if is_remote(url):
            continue
        out[key] = LocalRange(local_path(url), int(value[1]), int(value[2]))
    return out


def replace_refs(doc: Mapping[str, Any], new_values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``doc`` with ``new_values`` put into ``refs`` and templates no ref uses any more dropped."""
    out = copy.deepcopy(dict(doc))
    out["refs"] = {**out["refs"], **new_values}
    templates = out.get("templates")
    if templates:
        used = set(_used_templates(out["refs"]))
        kept = {k: v for k, v in templates.items() if k in used}
        if kept:
            out["templates"] = kept
        else:
            del out["templates"]
    return out


def _used_templates(refs: Mapping[str, Any]) -> Iterator[str]:
    for value in refs.values():
        if is_range(value) and "{{" in value[0]:
            yield from TEMPLATE_USE.findall(value[0])


def read_in_batches(ranges: list[LocalRange], *, batch_bytes: int = 32 * 1024 * 1024
                    ) -> Iterator[tuple[LocalRange, bytes]]:
    """The bytes of each range, read a bounded batch at a time through :func:`lindi.backends.read_ranges`."""
    from ..backends import read_ranges

    batch: list[LocalRange] = []
    size = 0
    for r in ranges:
        batch.append(r)
        size += r.length
        if size >= batch_bytes:
            yield from zip(batch, read_ranges([b.request() for b in batch]))
            batch, size = [], 0
    if batch:
        yield from zip(batch, read_ranges([b.request() for b in batch]))
