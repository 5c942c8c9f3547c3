"""A ``.zarray``'s codecs as one size-capped :class:`~lindi.codecs.bounded.BoundedPipeline`.

zarr decodes a chunk with whatever ``compressor`` and ``filters`` the array's
metadata names. :func:`bounded_zarray` gives zarr the same array with all of
them folded into one pipeline that never decodes a chunk to more than its
shape times item size (object arrays: ``max_chunk_bytes``), and
:func:`decode_array_chunk` decodes a chunk the same way for decoding done
outside zarr. Both take a ``.zarray`` whose grid has been checked
(:func:`lindi.security.limits.vet_zarray`) and resolve every codec through
:func:`lindi.codecs.get_codec`, so a forbidden (pickle) or unknown id is
refused before any chunk is read.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numcodecs.compat import ensure_contiguous_ndarray

from ..errors import DocumentError
from ..format.zarr_dtypes import OBJECT_DTYPE
from ..strict_json import ref_pointer
from .bounded import BOUNDED_CODEC_ID, DEFAULT_MAX_CHUNK_BYTES, BoundedPipeline, register_bounded_codec


def zarray_pointer(array: str) -> str:
    """JSON pointer of the ``.zarray`` of the array at store path ``array`` ("" for the root)."""
    return ref_pointer(f"{array}/.zarray" if array else ".zarray")


def codec_configs(value: Any, what: str, *, pointer: str, source: str | None = None) -> list[dict[str, Any]]:
    """The codec objects of a ``.zarray``'s ``compressor`` or ``filters`` member (``what``), as a list.

    Each must be an object with a string ``id``, and none may claim the
    reader's internal pipeline id (a document could otherwise configure it).
    """
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise DocumentError(f"{what} must be codec objects with a string 'id', not {item!r}", pointer=pointer,
                                source=source)
        if item["id"] == BOUNDED_CODEC_ID:
            raise DocumentError(f"codec id {BOUNDED_CODEC_ID!r} is internal to the reader", pointer=pointer,
                                source=source)
    return items


def chunk_size(zarray: Mapping[str, Any], *, pointer: str, source: str | None = None) -> tuple[int, int | None]:
    """Elements of one chunk, and its decoded bytes (None for object arrays, whose size the data decides)."""
    dtype = zarray.get("dtype")
    try:
        dt = np.dtype(dtype) if isinstance(dtype, str) else None
    except TypeError:
        dt = None
    if dt is None:
        raise DocumentError(f"dtype {dtype!r} is not a numpy type string", pointer=pointer, source=source)
    items = math.prod(zarray["chunks"])
    return items, None if dt.kind == "O" else items * dt.itemsize


def bounded_pipeline(zarray: Mapping[str, Any], *, array: str, source: str | None = None,
                     max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES, compressor_only: bool = False
                     ) -> BoundedPipeline:
    """The array's filters and compressor as one :class:`BoundedPipeline`.

    ``compressor_only``: just the compressor, its output held to
    ``max_chunk_bytes`` (legacy JSON-codec chunks, whose json2 filter the
    caller parses itself).
    """
    pointer = zarray_pointer(array)
    if compressor_only:
        zarray = {**zarray, "filters": None, "dtype": OBJECT_DTYPE}
    compressor = codec_configs(zarray.get("compressor"), "compressor", pointer=pointer, source=source)
    filters = codec_configs(zarray.get("filters"), "filters", pointer=pointer, source=source)
    items, nbytes = chunk_size(zarray, pointer=pointer, source=source)
    return BoundedPipeline(compressor[0] if compressor else None, filters, nbytes=nbytes, items=items,
                           max_chunk_bytes=max_chunk_bytes, array=array, source=source)


def bounded_zarray(zarray: Mapping[str, Any], *, array: str, source: str | None = None,
                   max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES) -> dict[str, Any]:
    """The ``.zarray`` to give zarr: the same array with its codecs inside one :class:`BoundedPipeline`."""
    pipeline = bounded_pipeline(zarray, array=array, source=source, max_chunk_bytes=max_chunk_bytes)
    register_bounded_codec()
    return {**zarray, "compressor": pipeline.get_config(), "filters": None}


def decode_array_chunk(zarray: Mapping[str, Any], data: bytes, *, array: str, source: str | None = None,
                       max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES, compressor_only: bool = False) -> bytes:
    """One stored chunk of the array decoded through its bounded pipeline (see :func:`bounded_pipeline`)."""
    pipeline = bounded_pipeline(zarray, array=array, source=source, max_chunk_bytes=max_chunk_bytes,
                                compressor_only=compressor_only)
    result = pipeline.decode(data)
    return bytes(ensure_contiguous_ndarray(result).view(np.uint8).reshape(-1)) if compressor_only else result
