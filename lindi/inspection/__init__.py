"""See inside a document without reading its data: object records, summary, diff, and sliced reads.

``ls``/``info``/``diff`` open documents with :func:`open_document`, whose range reader refuses every
request, so they read the document and nothing it points at. ``cat`` reads through the normal reader.
"""
from __future__ import annotations

from .census import Census, take_census
from .opening import ChunkReadRefused, open_document
from .tree import ObjectRecord, UnknownPath, walk

__all__ = ["Census", "ChunkReadRefused", "ObjectRecord", "UnknownPath", "open_document", "take_census", "walk"]
