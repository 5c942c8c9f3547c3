"""Zarr-python 3 access to LINDI documents: loading, structure index, batched byte fetching."""
from .document import RefDocument, empty_document, load_document
from .index import NodeIndex
from .policy import UrlPolicy
from .ranges import CoalesceOptions, RangeReader, default_range_reader
from .store import LindiReferenceStore

__all__ = ["CoalesceOptions", "LindiReferenceStore", "NodeIndex", "RangeReader", "RefDocument", "UrlPolicy",
           "default_range_reader", "empty_document", "load_document"]
