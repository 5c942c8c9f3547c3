"""The HDF5 creation properties h5py reports for a dataset, recovered from a LINDI array node.

``chunks``, ``maxshape`` and the fill value of JSON-codec arrays come from the
``.lindi`` ``storage`` member (spec section 4); the filter properties
(``compression``, ``compression_opts``, ``shuffle``, ``fletcher32``,
``scaleoffset``) are derived from the codec list (spec sections 3.7 and 9),
mirroring how h5py names the HDF5 filter pipeline. hdmf copies these when it
exports a file, so they must match h5py exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..format.object_codecs import JSON_CODEC_IDS, VLEN_CODEC_IDS

# Codec ids that stand for no HDF5 filter: the JSON codec of object arrays and its kin.
_NOT_FILTERS = JSON_CODEC_IDS | VLEN_CODEC_IDS
_SZIP_EC_OPTION_MASK = 4
_SZIP_NN_OPTION_MASK = 32


@dataclass(frozen=True)
class FilterProperties:
    """h5py's filter-derived Dataset properties."""

    compression: str | None = None
    compression_opts: Any = None
    shuffle: bool = False
    fletcher32: bool = False
    scaleoffset: int | None = None

    @classmethod
    def of_h5py(cls, dset: Any) -> FilterProperties:
        """The properties of a real h5py dataset (an ``_EXTERNAL_ARRAY_LINK`` target)."""
        return cls(dset.compression, dset.compression_opts, dset.shuffle, dset.fletcher32, dset.scaleoffset)


def _filter_entry(codec: dict[str, Any]) -> tuple[str, Any] | None:
    """``(h5py filter name, h5py's value for it)`` of one codec config; None when it is no HDF5 filter."""
    cid = codec.get("id")
    if cid in _NOT_FILTERS:
        return None
    if cid in ("zlib", "gzip"):
        return "gzip", codec.get("level")
    if cid in ("lindi_hdf5_lzf", "imagecodecs_lzf"):
        return "lzf", None
    if cid == "imagecodecs_szip":
        mask = int(codec.get("options_mask") or 0)
        kind = "ec" if mask & _SZIP_EC_OPTION_MASK else "nn" if mask & _SZIP_NN_OPTION_MASK else None
        return "szip", None if kind is None else (kind, codec.get("pixels_per_block"))
    if cid in ("shuffle", "fletcher32"):
        return cid, None
    if cid == "lindi_hdf5_scaleoffset":
        return "scaleoffset", codec.get("scale_factor")
    return "unknown", None  # h5py reports any plugin filter as compression "unknown"


def filter_properties(zarray: dict[str, Any]) -> FilterProperties:
    """What h5py reports for the HDF5 pipeline behind ``zarray``'s ``filters`` and ``compressor``."""
    codecs = [*(zarray.get("filters") or []), *([zarray["compressor"]] if zarray.get("compressor") else [])]
    pipeline: dict[str, Any] = {}
    for codec in codecs:
        entry = _filter_entry(codec) if isinstance(codec, dict) else ("unknown", None)
        if entry is not None:
            pipeline.setdefault(*entry)
    compression = next((name for name in ("gzip", "lzf", "szip") if name in pipeline),
                       "unknown" if "unknown" in pipeline else None)
    return FilterProperties(compression=compression,
                            compression_opts=pipeline.get(compression) if compression not in (None, "unknown") else None,
                            shuffle="shuffle" in pipeline, fletcher32="fletcher32" in pipeline,
                            scaleoffset=pipeline.get("scaleoffset"))


def storage_chunks(storage: dict[str, Any], zarray: dict[str, Any]) -> tuple[int, ...] | None:
    """h5py's ``chunks``: the HDF5 chunk shape of a chunked layout, None for any other layout."""
    if storage.get("layout") != "chunked":
        return None
    return tuple(int(c) for c in storage.get("chunks", zarray["chunks"]))


def storage_maxshape(storage: dict[str, Any], shape: tuple[int, ...] | None) -> tuple[int | None, ...] | None:
    """h5py's ``maxshape`` (None entries are unlimited); the shape itself when not recorded."""
    maxshape = storage.get("maxshape")
    if maxshape is None or shape is None:
        return shape
    return tuple(None if m is None else int(m) for m in maxshape)
