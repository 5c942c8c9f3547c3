"""Helpers for the codec tests: real HDF5 chunks read at their file offsets, decoded two ways."""
from __future__ import annotations

import json
import math
from pathlib import Path

import h5py
import numpy as np
import zarr
from zarr.core.buffer import default_buffer_prototype
from zarr.storage import MemoryStore

from lindi.codecs import CodecPipeline, decode_chunk, hdf5_pipeline, register_codecs


def stored_chunks(dset: h5py.Dataset) -> list[tuple[tuple[int, ...], int, bytes]]:
    """(chunk index, filter_mask, raw bytes) of every written chunk, read from the file by offset."""
    found = []

    def visit(info):
        found.append((info.chunk_offset, info.filter_mask, info.byte_offset, info.size))

    dset.id.chunk_iter(visit)
    out = []
    with open(dset.file.filename, "rb") as fh:
        for offset, mask, byte_offset, size in found:
            fh.seek(byte_offset)
            raw = fh.read(size)
            index = tuple(o // c for o, c in zip(offset, dset.chunks))
            out.append((index, mask, raw))
    return out


def expected_chunk(dset: h5py.Dataset, index: tuple[int, ...], values: np.ndarray) -> np.ndarray:
    """The full-size chunk h5py would see: edge chunks padded with the fill value."""
    chunk = np.full(dset.chunks, dset.fillvalue, dtype=dset.dtype)
    sel = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(index, dset.chunks, dset.shape))
    part = values[sel]
    chunk[tuple(slice(0, n) for n in part.shape)] = part
    return chunk


def check_numcodecs_decode(dset: h5py.Dataset) -> CodecPipeline:
    """Every stored chunk decodes (numcodecs path) to h5py's values, bit for bit, in the valid region."""
    pipeline = hdf5_pipeline(dset)
    values = dset[()]
    chunks = stored_chunks(dset)
    assert chunks, "test dataset has no stored chunks"
    for index, mask, raw in chunks:
        got = np.frombuffer(decode_chunk(raw, pipeline, mask), dtype=dset.dtype).reshape(dset.chunks)
        want = expected_chunk(dset, index, values)
        sel = tuple(slice(0, min(c, s - i * c)) for i, c, s in zip(index, dset.chunks, dset.shape))
        assert got[sel].tobytes() == want[sel].tobytes(), f"chunk {index} differs"
    return pipeline


def _fill_json(dset: h5py.Dataset):
    fill = np.array(dset.fillvalue, dtype=dset.dtype)[()]
    if dset.dtype.kind == "c":
        return [float(fill.real), float(fill.imag)]
    if dset.dtype.kind == "f":
        if math.isnan(fill):
            return "NaN"
        if math.isinf(fill):
            return "Infinity" if fill > 0 else "-Infinity"
        return float(fill)
    return fill.item()


def zarr_array(dset: h5py.Dataset, pipeline: CodecPipeline | None = None) -> zarr.Array:
    """A zarr-python 3 array (Zarr v2 format) in a MemoryStore holding the raw HDF5 chunks as they are."""
    register_codecs()
    pipeline = pipeline or hdf5_pipeline(dset)
    meta = {"zarr_format": 2, "shape": list(dset.shape), "chunks": list(dset.chunks), "dtype": dset.dtype.str,
            "order": "C", "fill_value": _fill_json(dset), "dimension_separator": ".", **pipeline.zarray_fields()}
    proto = default_buffer_prototype()
    store = {".zarray": proto.buffer.from_bytes(json.dumps(meta).encode())}
    for index, mask, raw in stored_chunks(dset):
        assert mask == 0, "a chunk with skipped filters cannot be referenced as is"
        store[".".join(map(str, index))] = proto.buffer.from_bytes(raw)
    return zarr.open_array(MemoryStore(store), mode="r", zarr_format=2)


def check_both(dset: h5py.Dataset) -> CodecPipeline:
    """numcodecs decode and zarr-python 3 read both equal h5py exactly."""
    pipeline = check_numcodecs_decode(dset)
    got = zarr_array(dset, pipeline)[...]
    want = dset[()]
    assert got.dtype == want.dtype
    assert got.shape == want.shape
    assert got.tobytes() == want.tobytes()
    return pipeline


def new_file(tmp_path: Path, name: str = "data.h5") -> h5py.File:
    return h5py.File(tmp_path / name, "w")
