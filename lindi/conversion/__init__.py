"""HDF5 -> LINDI mapping: datatypes, attributes, references, links, layouts and filters.

:class:`HDF5Converter` walks an open file and builds a :class:`ConvertedDocument`
plus a :class:`ConversionReport`; :class:`~lindi.conversion.h5_zarr_store.LindiH5ZarrStore` is the
public entry point around it.
"""
from __future__ import annotations

from .converter import HDF5Converter
from .document import LINDI_SPEC_VERSION, ConvertedDocument
from .options import LindiH5ZarrStoreOpts
from .report import ConversionReport, UnsupportedObject
from .source import HDF5Source, SourceOpenError

__all__ = ["LINDI_SPEC_VERSION", "ConversionReport", "ConvertedDocument", "HDF5Converter", "HDF5Source",
           "LindiH5ZarrStoreOpts", "SourceOpenError", "UnsupportedObject"]
