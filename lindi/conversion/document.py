"""A converted HDF5 file in compact form, rendered as a dict, streamed as JSON text, or opened for reading.

Metadata and inline values are kept as ordinary refs; the (possibly millions
of) chunk refs into the source file stay compact :class:`ChunkTable` rows
until rendering. The source URL becomes the template ``{{u1}}`` when it is
used at least ``template_threshold`` times. :meth:`ConvertedDocument.opened`
gives the reader's :class:`lindi.store.document.RefDocument` over the same
rows (:class:`lindi.conversion.packed_refs.ConvertedRefs`), so opening a
converted file copies no chunk ref.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain, repeat
from typing import IO, Any

from .._version import LINDI_SPEC_VERSION, __version__
from ..store.document import RefDocument
from ..store.external_links import link_base, relocate_external_links
from ..strict_json import dumps, gc_paused, loads, write_refs_blocks
from .chunks import ChunkTable

_TEMPLATE_NAME = "u1"


class ConvertedDocument:
    """Ordered segments of refs: plain ``key -> value`` dicts and chunk tables (what the converter builds)."""

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

    def metadata(self) -> dict[str, Any]:
        """Every ref that is not in a chunk table, in document order (a new dict; the values are shared)."""
        out: dict[str, Any] = {}
        for segment in self._segments:
            if isinstance(segment, dict):
                out.update(segment)
        return out

    def tables(self) -> list[ChunkTable]:
        return [segment for segment in self._segments if isinstance(segment, ChunkTable)]

    def relocated_links(self, document_dir: str) -> dict[str, Any]:
        """The ``.lindi`` refs whose external link file (as the HDF5 file holds it) is named differently from
        ``document_dir``, where the document is about to be written (pass them to :meth:`write`)."""
        return relocate_external_links(self.metadata(), old_base=link_base(self.url), new_dir=document_dir)

    def header(self) -> tuple[dict[str, Any], str]:
        """The members before ``refs``, and the URL text of chunk refs (the template use, or the URL)."""
        head: dict[str, Any] = {"version": 1, "lindi_spec": LINDI_SPEC_VERSION,
                                "generator": {"name": "lindi", "version": __version__}}
        if self.template_threshold is not None and self.url_uses >= max(self.template_threshold, 1):
            head["templates"] = {_TEMPLATE_NAME: self.url}
            return head, "{{" + _TEMPLATE_NAME + "}}"
        return head, self.url

    def opened(self, *, base: str | None) -> RefDocument:
        """The document as a reader opens it, over these segments (see :class:`ConvertedRefs`).

        ``base``: where relative ref URLs resolve (the converted file's folder or URL).
        """
        from .packed_refs import ConvertedRefs

        head, token = self.header()
        return RefDocument(refs=ConvertedRefs(self, token), templates=dict(head.get("templates", {})), base=base,
                           lindi_spec=head["lindi_spec"], extra={"generator": head["generator"]})

    def to_dict(self, *, head: Mapping[str, Any] | None = None, detached: bool = False) -> dict[str, Any]:
        """The whole document as a JSON-ready dict: ``head`` (default :meth:`header`) then ``refs``.

        ``detached``: metadata values are copied (strictly), so editing the dict leaves this document alone.
        """
        own_head, token = self.header()
        doc = dict(own_head if head is None else head)
        doc["refs"] = self.refs_dict(token, detached=detached)
        return doc

    def refs_dict(self, token: str, *, detached: bool = False) -> dict[str, Any]:
        """The ``refs`` member, chunk refs with ``token`` as their URL."""
        refs: dict[str, Any] = {}
        with gc_paused():
            for segment in self._segments:
                if isinstance(segment, ChunkTable):
                    refs.update(table_refs(segment, token))
                elif detached:
                    refs.update((k, v if type(v) is str else loads(dumps(v))) for k, v in segment.items())
                else:
                    refs.update(segment)
        return refs

    def write(self, fp: IO[str], *, head: Mapping[str, Any] | None = None,
              overrides: Mapping[str, Any] | None = None) -> None:
        """Stream the same document as :meth:`to_dict` as compact strict JSON text.

        ``overrides``: new values of some non-chunk refs (external links named from where it is written).
        """
        own_head, token = self.header()
        write_refs_blocks(own_head if head is None else head, self._text_blocks(dumps(token), overrides or {}), fp)

    def _text_blocks(self, token_json: str, overrides: Mapping[str, Any]) -> Iterator[str]:
        for segment in self._segments:
            if isinstance(segment, dict):
                yield ",".join(f"{dumps(k)}:{dumps(overrides.get(k, v) if overrides else v)}"
                               for k, v in segment.items())
                continue
            # one %-format per table: '"prefix%d.%d":["{{u1}}",%d,%d]', applied by map() in C
            row = (_escape(dumps(segment.prefix)[:-1]) + segment.key_format() + '":['
                   + _escape(token_json) + ",%d,%d]")
            for columns in segment.batches():
                yield ",".join(map(row.__mod__, zip(*columns)))


def table_refs(table: ChunkTable, token: str) -> Iterator[tuple[str, list[Any]]]:
    """``(key, [token, offset, length])`` of every row, made by C-level iterators (no Python loop per chunk)."""
    key = _escape(table.prefix) + table.key_format()
    return chain.from_iterable(
        zip(map(key.__mod__, zip(*columns[:-2])), map(list, zip(repeat(token), columns[-2], columns[-1])))
        for columns in table.batches())


def _escape(text: str) -> str:
    return text.replace("%", "%%")
