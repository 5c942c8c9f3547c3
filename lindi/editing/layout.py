"""The metadata of a new dataset (spec sections 3 and 4), read off a scratch h5py dataset.

The same helpers the converter uses turn h5py's dtype, creation properties and
filter pipeline into ``.zarray``, ``.zattrs`` annotations and ``.lindi``, so a
dataset created here reads back exactly like the same dataset converted from HDF5.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h5py

from ..codecs import CodecPipeline, Stage, hdf5_pipeline
from ..conversion.chunks import contiguous_chunks
from ..conversion.converter import encode_fill_value
from ..conversion.dtypes import describe
from ..conversion.options import LindiH5ZarrStoreOpts
from ..conversion.storage import storage_member
from ..conversion.values import element_converter
from ..errors import LindiError
from ..format.compound import compound_dtype_annotation
from ..format.names import COMPOUND_DTYPE, SCALAR
from ..format.object_codecs import JSON_CODEC, is_json_encoded
from ..format.zarr_dtypes import default_descriptor, storage_dtype
from .errors import EditError
from .references import ReferenceWriter

_CONTIGUOUS_MAX = LindiH5ZarrStoreOpts().contiguous_dataset_max_chunk_size


@dataclass
class ArrayMetadata:
    """``.zarray``, ``.zattrs`` and ``.lindi`` of one new array."""

    zarray: dict[str, Any]
    zattrs: dict[str, Any]
    lindi: dict[str, Any]


def array_metadata(dset: h5py.Dataset, *, where: str) -> ArrayMetadata:
    """Metadata of the (empty) h5py dataset ``dset``; an EditError names ``where`` when the spec cannot hold it."""
    try:
        desc = describe(dset.dtype, dset.id.get_type())
        pipeline = None if is_json_encoded(desc) else hdf5_pipeline(dset)
    except LindiError as exc:
        raise EditError(f"cannot create dataset {where}: {exc}") from None
    zdtype = storage_dtype(desc)
    zattrs: dict[str, Any] = {}
    lindi: dict[str, Any] = {}
    if desc != default_descriptor(zdtype):
        lindi["dtype"] = desc
    if dset.dtype.names is not None:
        zattrs[COMPOUND_DTYPE] = compound_dtype_annotation(dset.dtype)
    null = dset.shape is None
    if null:
        lindi["null_dataspace"] = True
    elif dset.shape == ():
        zattrs[SCALAR] = True
    shape = [0] if null else (list(dset.shape) or [1])
    chunks = [max(1, s) for s in shape]
    zarray: dict[str, Any] = {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": zdtype,
                              "compressor": None, "filters": None, "fill_value": None, "order": "C",
                              "dimension_separator": "."}
    json_fill = None
    if is_json_encoded(desc):
        zarray["filters"] = [JSON_CODEC]
        json_fill = element_converter(desc, ReferenceWriter())
    else:
        zarray["fill_value"] = encode_fill_value(dset.fillvalue, zdtype)
        if dset.chunks is not None:
            zarray["chunks"] = list(dset.chunks)
        elif not null and dset.shape:
            zarray["chunks"] = list(contiguous_chunks(dset.shape, dset.dtype.itemsize, _CONTIGUOUS_MAX))
        assert pipeline is not None
        zarray.update(pipeline.zarray_fields())
    lindi["storage"] = storage_member(dset, zarray["chunks"], json_fill)
    return ArrayMetadata(zarray, zattrs, lindi)


def chunk_pipeline(zarray: dict[str, Any]) -> CodecPipeline:
    """The encoder of an array's chunks from its ``.zarray`` (filters in order, then the compressor)."""
    configs = [*(zarray.get("filters") or []), *([zarray["compressor"]] if zarray.get("compressor") else [])]
    stages = tuple(Stage(0, str(c.get("id")), c) for c in configs)
    return CodecPipeline(filters=zarray.get("filters"), compressor=zarray.get("compressor"), stages=stages,
                         dtype=zarray["dtype"])
