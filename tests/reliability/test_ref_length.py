"""A ref is never fetched when it is longer than its chunk can need (issue 18, R3).

Without codecs a stored chunk is exactly chunk shape x item size (shorter only as the last chunk along
axis 0); with codecs at most ``max_ref_factor`` (default 2) times that plus 64 KiB; object arrays at
most ``max_chunk_bytes``. The refusal happens before any request: the servers here count them.
"""
from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pytest

from lindi import LindiH5pyFile
from lindi.errors import DocumentError, LimitExceededError
from lindi.security import Limits
from lindi.testing.range_server import RangeServer

MiB = 1024**2
F8 = {"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<f8", "fill_value": 0, "order": "C",
      "compressor": None, "filters": None}


def _serve(server: RangeServer, refs: dict) -> str:
    doc = {"version": 1, "lindi_spec": "1.0", "refs": {".zgroup": {"zarr_format": 2}, **refs}}
    return server.put("doc.lindi.json", json.dumps(doc).encode())


def _fetched(server: RangeServer, name: str) -> list:
    return [r for r in server.log if r.path.endswith(name)]


def test_remote_uncompressed_ref_far_longer_than_its_chunk_is_not_fetched():
    """``[url, 0, 32 MiB]`` for an 8-byte chunk: LimitExceededError naming the ref, no byte requested."""
    with RangeServer() as server:
        server.put("big.bin", bytes(32 * MiB))
        url = _serve(server, {"x/.zarray": F8, "x/0": ["./big.bin", 0, 32 * MiB]})
        f = LindiH5pyFile.from_lindi_file(url)
        with pytest.raises(LimitExceededError, match="longer than a chunk of array /x") as info:
            f["x"][()]
        assert "/refs/x~10" in str(info.value) and "8 = chunk shape x item size" in str(info.value)
        assert _fetched(server, "big.bin") == [] and server.bytes_sent < MiB


def test_compressed_ref_is_bounded_by_a_factor_that_can_be_raised(tmp_path):
    data = np.arange(1000, dtype="<f8")
    stream = zlib.compress(data.tobytes(), 1)
    stored = stream + bytes(2 * 8000 + 64 * 1024 + 1 - len(stream))  # one byte past 2 x 8,000 + 64 KiB
    (tmp_path / "c.bin").write_bytes(stored)
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2},
                    "c/.zarray": {**F8, "shape": [1000], "chunks": [1000], "compressor": {"id": "zlib", "level": 1}},
                    "c/0": [str(tmp_path / "c.bin"), 0, len(stored)]}}
    path = tmp_path / "c.lindi.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(LimitExceededError, match="max_ref_factor=.*LINDI_MAX_REF_FACTOR"):
        LindiH5pyFile.from_lindi_file(str(path))["c"][()]
    # raised, the ref is fetched and its zlib stream decodes (zlib's framing ends before the padding)
    f = LindiH5pyFile.from_lindi_file(str(path), limits=Limits(max_ref_factor=3))
    np.testing.assert_array_equal(f["c"][()], data)


def test_legitimate_compressed_and_base64_filtered_chunks_read(tmp_path):
    """base64 makes a stored chunk a third larger than its data: well inside the default factor."""
    data = np.arange(1000, dtype="<f8")
    stored = base64.standard_b64encode(data.tobytes())
    (tmp_path / "b.bin").write_bytes(stored)
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2},
                    "b/.zarray": {**F8, "shape": [1000], "chunks": [1000], "filters": [{"id": "base64"}]},
                    "b/0": [str(tmp_path / "b.bin"), 0, len(stored)]}}
    path = tmp_path / "b.lindi.json"
    path.write_text(json.dumps(doc))
    np.testing.assert_array_equal(LindiH5pyFile.from_lindi_file(str(path))["b"][()], data)


def test_short_chunk_only_as_the_last_along_axis_0(tmp_path):
    """Spec 3.6: a short uncompressed chunk is padded only when it is the tail of a split contiguous dataset."""
    data = np.arange(50, dtype="<f8").reshape(10, 5)
    raw = data.tobytes()
    (tmp_path / "r.bin").write_bytes(raw)
    row = 5 * 8

    def read(chunk_refs: dict) -> np.ndarray:
        doc = {"version": 1, "lindi_spec": "1.0",
               "refs": {".zgroup": {"zarr_format": 2},
                        "r/.zarray": {**F8, "shape": [10, 5], "chunks": [4, 5]}, **chunk_refs}}
        path = tmp_path / "r.lindi.json"
        path.write_text(json.dumps(doc))
        return LindiH5pyFile.from_lindi_file(str(path))["r"][()]

    blob = str(tmp_path / "r.bin")
    whole = {"r/0.0": [blob, 0, 4 * row], "r/1.0": [blob, 4 * row, 4 * row]}
    np.testing.assert_array_equal(read({**whole, "r/2.0": [blob, 8 * row, 2 * row]}), data)
    with pytest.raises(DocumentError, match="shorter than a chunk.*not the last chunk along axis 0") as info:
        read({"r/0.0": [blob, 0, 3 * row], "r/1.0": [blob, 4 * row, 4 * row], "r/2.0": [blob, 8 * row, 2 * row]})
    assert "/refs/r~10.0" in str(info.value)
    with pytest.raises(LimitExceededError, match="longer than a chunk"):
        read({**whole, "r/2.0": [blob, 8 * row, 4 * row + 1]})


def test_metadata_ref_is_held_to_the_inline_limit(tmp_path):
    attrs = json.dumps({"a": 1}).encode()
    (tmp_path / "m.bin").write_bytes(attrs)
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2}, ".zattrs": [str(tmp_path / "m.bin"), 0, len(attrs)]}}
    path = tmp_path / "m.lindi.json"
    path.write_text(json.dumps(doc))
    assert dict(LindiH5pyFile.from_lindi_file(str(path)).attrs) == {"a": 1}
    with pytest.raises(LimitExceededError, match="metadata ref.*max_inline_bytes") as info:
        LindiH5pyFile.from_lindi_file(str(path), limits=Limits(max_inline_bytes=4)).attrs["a"]
    assert "/refs/.zattrs" in str(info.value)
