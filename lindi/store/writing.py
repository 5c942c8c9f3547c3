"""A document as it is written to a folder: external link files named from there, then dict or JSON text.

Packed refs (a converted file not yet edited) stream from their compact form; any other document goes
through its dict.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from ..strict_json import write_document
from .document import RefDocument
from .external_links import relocate_external_links


def written_dict(document: RefDocument, *, link_dir: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The document as written into the folder ``link_dir``, plus the top-level members ``extra``."""
    doc = document.to_dict()
    doc.update(extra or {})
    changed = relocate_external_links(doc["refs"], old_base=document.base, new_dir=link_dir)
    if changed:
        doc["refs"] = {**doc["refs"], **changed}
    return doc


def write_json(document: RefDocument, fp: IO[str], *, link_dir: str, extra: Mapping[str, Any] | None = None) -> None:
    """Stream :func:`written_dict` as compact strict JSON (``refs`` last) without building it when the refs
    are packed."""
    packed = document.packed
    if packed is None:
        write_document(written_dict(document, link_dir=link_dir, extra=extra), fp)
        return
    changed = relocate_external_links(packed.written_metadata(), old_base=document.base, new_dir=link_dir)
    packed.write_json(fp, {**document.head(), **(extra or {})}, changed)
