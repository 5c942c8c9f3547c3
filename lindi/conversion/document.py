"""The reference file system being built, rendered as a dict or streamed as JSON text.

Metadata and inline values are kept as ordinary refs; the (possibly millions
of) chunk refs into the source file stay compact :class:`ChunkTable` rows
until rendering. The source URL becomes the template ``{{u1}}`` when it is
used at least ``template_threshold`` times.
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from typing import IO, Any

from .._version import LINDI_SPEC_VERSION, __version__
from ..store.external_links import link_base, relocate_external_links
from ..strict_json import dumps, gc_paused
from .chunks import ChunkTable

_TEMPLATE_NAME = "u1"


class RefDocument:
    """Ordered segments of refs: plain ``key -> value`` dicts and chunk tables."""

    def __init__(self, url: str, *, template_threshold: int | None):
        self.url = url
        self.template_threshold = template_threshold
        self._segments: list[dict[str, Any] | ChunkTable] = []
        self.url_uses = 0

    def add_refs(self, refs: dict[str, Any]) -> None:
        if refs:
            self._segments.append(refs)

    def add_table(self, table: ChunkTable) -> None:
        if len(table):
            self._segments.append(table)
            self.url_uses += len(table)

    def relocate_external_links(self, document_dir: str) -> None:
        """Name external link files (as the HDF5 file holds them) from ``document_dir``, where the
        document is about to be written."""
        base = link_base(self.url)
        for segment in self._segments:
            if isinstance(segment, dict):
                segment.update(relocate_external_links(segment, old_base=base, new_dir=document_dir))

    def _header(self) -> tuple[dict[str, Any], str]:
        head: dict[str, Any] = {"version": 1, "lindi_spec": LINDI_SPEC_VERSION,
                                "generator": {"name": "lindi", "version": __version__}}
        if self.template_threshold is not None and self.url_uses >= max(self.template_threshold, 1):
            head["templates"] = {_TEMPLATE_NAME: self.url}
            return head, "{{" + _TEMPLATE_NAME + "}}"
        return head, self.url

    def to_dict(self) -> dict[str, Any]:
        """The whole document as a JSON-ready dict."""
        doc, token = self._header()
        refs: dict[str, Any] = {}
        with gc_paused():
            self._fill(refs, token)
        doc["refs"] = refs
        return doc

    def _fill(self, refs: dict[str, Any], token: str) -> None:
        for segment in self._segments:
            if isinstance(segment, dict):
                refs.update(segment)
            else:
                key = _escape(segment.prefix) + segment.key_format()
                for columns in segment.batches():
                    # keys and [url, offset, length] lists made by C-level iterators, no Python loop per chunk
                    keys = map(key.__mod__, zip(*columns[:-2]))
                    refs.update(zip(keys, map(list, zip(repeat(token), columns[-2], columns[-1]))))

    def write(self, fp: IO[str]) -> None:
        """Stream the same document as :meth:`to_dict` as compact strict JSON text."""
        doc, token = self._header()
        fp.write(dumps(doc)[:-1] + ',"refs":{')
        first = True
        for chunk in self._text_blocks(dumps(token)):
            fp.write(chunk if first else "," + chunk)
            first = False
        fp.write("}}")

    def _text_blocks(self, token_json: str) -> Iterator[str]:
        for segment in self._segments:
            if isinstance(segment, dict):
                yield ",".join(f"{dumps(k)}:{dumps(v)}" for k, v in segment.items())
                continue
            # one %-format per table: '"prefix%d.%d":["{{u1}}",%d,%d]', applied by map() in C
            row = (_escape(dumps(segment.prefix)[:-1]) + segment.key_format() + '":['
                   + _escape(token_json) + ",%d,%d]")
            for columns in segment.batches():
                yield ",".join(map(row.__mod__, zip(*columns)))


def _escape(text: str) -> str:
    return text.replace("%", "%%")
