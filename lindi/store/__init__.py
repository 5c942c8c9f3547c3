"""Zarr-python 3 access to LINDI documents: loading, structure index, batched byte fetching."""
from .document import RefDocument, load_document
from .index import NodeIndex
from .ranges import CoalesceOptions, RangeReader, default_range_reader, read_http_ranges, read_local_ranges
from .store import LindiReferenceStore

__all__ = ["CoalesceOptions", "LindiReferenceStore", "NodeIndex", "RangeReader", "RefDocument",
           "default_range_reader", "load_document", "read_http_ranges", "read_local_ranges"]
