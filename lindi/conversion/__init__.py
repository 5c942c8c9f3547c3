"""HDF5 -> LINDI mapping: datatypes, attributes, references, links, layouts and filters.

:class:`HDF5Converter` walks an open file and builds a :class:`RefDocument`
plus a :class:`ConversionReport`; :class:`~lindi.conversion.h5_zarr_store.LindiH5ZarrStore` is the
public entry point around it.
"""
from __future__ import annotations

from .converter import HDF5Converter
from .document import LINDI_SPEC_VERSION, RefDocument
from .options import LindiH5ZarrStoreOpts
from .report import ConversionReport, UnsupportedObject
from .source import HDF5Source, SourceOpenError

__all__ = ["LINDI_SPEC_VERSION", "ConversionReport", "HDF5Converter", "HDF5Source", "LindiH5ZarrStoreOpts",
           "RefDocument", "SourceOpenError", "UnsupportedObject"]
