"""Zarr-python 3 access to LINDI documents: loading, structure index, batched byte fetching.

The names are imported on first use, so that the converter can use :mod:`lindi.store.document` without
loading zarr and the cache that :class:`LindiReferenceStore` needs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr

_HOMES = {
    "RefDocument": "lindi.store.document", "load_document": "lindi.store.document",
    "empty_document": "lindi.store.document",
    "NodeIndex": "lindi.store.index", "UrlPolicy": "lindi.store.policy",
    "CoalesceOptions": "lindi.store.ranges", "RangeReader": "lindi.store.ranges",
    "default_range_reader": "lindi.store.ranges", "LindiReferenceStore": "lindi.store.store",
}
__all__ = sorted(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from .document import (
        RefDocument as RefDocument,
        empty_document as empty_document,
        load_document as load_document,
    )
    from .index import NodeIndex as NodeIndex
    from .policy import UrlPolicy as UrlPolicy
    from .ranges import (
        CoalesceOptions as CoalesceOptions,
        RangeReader as RangeReader,
        default_range_reader as default_range_reader,
    )
    from .store import LindiReferenceStore as LindiReferenceStore
