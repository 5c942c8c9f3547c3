"""Codecs for HDF5 filters, so HDF5 chunks are referenced in place and decoded by zarr-python.

``hdf5_pipeline(dset)`` maps a dataset's filter pipeline to Zarr v2 ``filters`` and
``compressor``; ``register_codecs()`` makes LINDI's codecs known to numcodecs (and
thereby zarr); ``get_codec`` resolves a document's codec config, refusing unsafe ids.
"""
from __future__ import annotations

from .nbit import HDF5Nbit
from .pipeline import ChunkCodecError, CodecPipeline, Stage, decode_chunk, encode_chunk, hdf5_pipeline
from .plugin_framing import HDF5Bitshuffle, HDF5Lzf
from .registry import (
    FORBIDDEN_CODEC_IDS,
    KNOWN_CODEC_IDS,
    LINDI_CODEC_IDS,
    CodecStatus,
    codec_status,
    get_codec,
    register_codecs,
)
from .scaleoffset import HDF5ScaleOffset

__all__ = [
    "FORBIDDEN_CODEC_IDS", "KNOWN_CODEC_IDS", "LINDI_CODEC_IDS", "ChunkCodecError", "CodecPipeline", "CodecStatus",
    "HDF5Bitshuffle", "HDF5Lzf", "HDF5Nbit", "HDF5ScaleOffset", "Stage", "decode_chunk", "encode_chunk", "get_codec",
    "codec_status", "hdf5_pipeline", "register_codecs",
]
