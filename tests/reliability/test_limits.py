"""Limits on hostile documents: sizes, depth, ref count, decompression bombs, code-executing codecs."""
from __future__ import annotations

import base64
import json
import pickle
import tracemalloc
import zlib
from pathlib import Path

import numcodecs
import numpy as np
import pytest

from lindi import LindiH5pyFile
from lindi.errors import DocumentError, LimitExceededError, LindiError
from lindi.security import Limits
from lindi.validation import validate

from .conftest import DOC_NAME, assert_truth, read_all

ZARRAY = {"zarr_format": 2, "shape": [10, 10], "chunks": [10, 10], "dtype": "<i4", "fill_value": 0, "order": "C",
          "filters": None}
JSON2 = {"id": "json2", "allow_nan": True, "check_circular": True, "encoding": "utf-8", "ensure_ascii": True,
         "indent": None, "separators": [",", ":"], "skipkeys": False, "sort_keys": True, "strict": True}


def _doc(refs: dict) -> dict:
    return {"version": 1, "lindi_spec": "1.0", "refs": {".zgroup": {"zarr_format": 2}, **refs}}


def _write(tmp_path: Path, doc: dict, name: str = "doc.lindi.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def _chunk_doc(tmp_path: Path, payload: bytes, compressor: dict | None, filters: list | None = None) -> str:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(payload)
    return _write(tmp_path, _doc({"a/.zarray": {**ZARRAY, "compressor": compressor, "filters": filters},
                                  "a/0.0": [str(blob), 0, len(payload)]}))


def test_document_size_limit_and_how_to_raise_it(tmp_path, sample_doc, sample_h5, monkeypatch):
    doc = json.loads(json.dumps(sample_doc).replace("./sample.h5", str(sample_h5)))
    path = _write(tmp_path, doc)
    size = Path(path).stat().st_size
    with pytest.raises(LimitExceededError, match="document too large.*max_document_bytes.*LINDI_MAX_DOCUMENT_BYTES"):
        LindiH5pyFile.from_lindi_file(path, limits=Limits(max_document_bytes=size - 1))
    monkeypatch.setenv("LINDI_MAX_DOCUMENT_BYTES", str(size - 1))
    with pytest.raises(LimitExceededError):
        LindiH5pyFile.from_lindi_file(path)
    assert_truth(read_all(LindiH5pyFile.from_lindi_file(path, limits=Limits.from_env(max_document_bytes=size))))
    monkeypatch.setenv("LINDI_MAX_DOCUMENT_BYTES", "lots")
    with pytest.raises(LimitExceededError, match="not an integer"):
        LindiH5pyFile.from_lindi_file(path)


@pytest.mark.network
def test_remote_document_too_large_is_refused_before_download(server, monkeypatch):
    monkeypatch.setenv("LINDI_MAX_DOCUMENT_BYTES", "100")
    with pytest.raises(LimitExceededError, match="document too large"):
        LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME))
    # one plain GET, refused from its Content-Length header: the body is never read, nothing else is asked
    assert server.requests == 1 and server.log[0].range is None


def test_inline_value_limit(tmp_path):
    data = np.arange(100, dtype="<i4").reshape(10, 10)
    inline = "base64:" + base64.b64encode(data.tobytes()).decode()
    path = _write(tmp_path, _doc({"a/.zarray": {**ZARRAY, "compressor": None}, "a/0.0": inline}))
    with pytest.raises(LimitExceededError, match="inline value too large") as info:
        LindiH5pyFile.from_lindi_file(path, limits=Limits(max_inline_bytes=100))
    assert "/refs/a~10.0" in str(info.value)
    np.testing.assert_array_equal(LindiH5pyFile.from_lindi_file(path, limits=Limits(max_inline_bytes=1000))["a"][:],
                                  data)


def test_nesting_depth_limit(tmp_path, monkeypatch):
    deep: object = 1
    for _ in range(300):
        deep = [deep]
    path = _write(tmp_path, _doc({".zattrs": {"deep": deep}}))
    with pytest.raises(LimitExceededError, match="nested too deeply") as info:
        LindiH5pyFile.from_lindi_file(path)
    assert "/refs/.zattrs" in str(info.value)
    monkeypatch.setenv("LINDI_MAX_JSON_DEPTH", "400")
    assert LindiH5pyFile.from_lindi_file(path).name == "/"
    # far deeper than Python's parser recursion: still a LindiError, never RecursionError
    (tmp_path / "abyss.json").write_text('{"version":1,"refs":{".zattrs":{"a":' + "[" * 100000 + "]" * 100000 + "}}}")
    with pytest.raises(DocumentError, match="nesting too deep"):
        LindiH5pyFile.from_lindi_file(str(tmp_path / "abyss.json"))


def test_ref_count_limit(tmp_path, monkeypatch):
    refs = {f"g{i}/.zgroup": {"zarr_format": 2} for i in range(50)}
    path = _write(tmp_path, _doc(refs))
    monkeypatch.setenv("LINDI_MAX_REFS", "20")
    with pytest.raises(LimitExceededError, match="too many refs.*LINDI_MAX_REFS"):
        LindiH5pyFile.from_lindi_file(path)
    assert len(LindiH5pyFile.from_lindi_file(path, limits=Limits.from_env(max_refs=100))) == 50


BOMB_BYTES = 64 * 1024**2
#: Limits with the ref-length bound lifted, so that a bomb reaches the decoder.
NO_REF_BOUND = Limits(max_ref_factor=10**12)


@pytest.mark.parametrize("codec", [{"id": "zlib", "level": 9}, {"id": "gzip", "level": 9}, {"id": "bz2", "level": 9},
                                   {"id": "lzma"}, {"id": "blosc", "cname": "zstd", "clevel": 9, "shuffle": 0},
                                   {"id": "zstd", "level": 3}, {"id": "lz4", "acceleration": 1}])
def test_decompression_bomb_is_refused_without_allocating(tmp_path, codec):
    """A 400-byte chunk whose stream inflates to 64 MiB: refused, and memory stays far below 64 MiB.

    The ref-length bound alone would refuse these refs before fetching; it is lifted here so that the
    decoder's own bound is what is tested."""
    payload = bytes(numcodecs.get_codec(dict(codec)).encode(np.zeros(BOMB_BYTES, dtype=np.uint8)))
    assert len(payload) < BOMB_BYTES // 100
    f = LindiH5pyFile.from_lindi_file(_chunk_doc(tmp_path, payload, codec), limits=NO_REF_BOUND)
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceededError, match="decompression bomb|beyond|more than") as info:
            f["a"][:]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "/refs/a~1.zarray" in str(info.value) and codec["id"] in str(info.value)
    assert peak < 16 * 1024**2


def test_chunk_one_byte_too_long_or_short(tmp_path):
    data = np.arange(100, dtype="<i4")
    for extra, error in ((b"\0", LimitExceededError), (b"", DocumentError)):
        raw = data.tobytes()[: None if extra else -1] + extra
        path = _chunk_doc(tmp_path, zlib.compress(raw), {"id": "zlib", "level": 1})
        with pytest.raises(error, match="chunk shape x item size = 400"):
            LindiH5pyFile.from_lindi_file(path)["a"][:]


def test_filters_that_expand_are_bounded(tmp_path):
    """packbits inflates 8x: a chunk of the right compressed size still cannot decode past the limit."""
    bits = numcodecs.get_codec({"id": "packbits"}).encode(np.ones(800 * 8, dtype=bool))
    path = _chunk_doc(tmp_path, bytes(bits), None, [{"id": "packbits"}])
    with pytest.raises(LimitExceededError):
        LindiH5pyFile.from_lindi_file(path)["a"][:]


def test_legacy_compressed_json_chunk_bomb(tmp_path):
    """LINDI 0.4 compressed JSON-codec chunks: the compressor output is bounded too."""
    bomb = zlib.compress(b"[" + b" " * (BOMB_BYTES) + b'1,"|O",[1]]', 9)
    doc = {"version": 1, "refs": {".zgroup": {"zarr_format": 2},
                                  "s/.zarray": {**ZARRAY, "shape": [1], "chunks": [1], "dtype": "|O",
                                                "compressor": {"id": "zlib", "level": 9}, "filters": [JSON2],
                                                "fill_value": None},
                                  "s/0": "base64:" + base64.b64encode(bomb).decode()}}
    path = _write(tmp_path, doc)
    with pytest.raises(LimitExceededError, match="zlib"):
        LindiH5pyFile.from_lindi_file(path, limits=Limits(max_chunk_bytes=1024**2))["s"][()]


class _Exploit:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("where", ["filters", "compressor", "object_codec"])
def test_pickle_codec_is_refused_before_any_decode(tmp_path, where):
    """A pickle payload that would create a file when unpickled: refused, the file never appears."""
    marker = tmp_path / "pwned"
    payload = pickle.dumps(np.array([_Exploit(str(marker))], dtype=object))
    if where == "compressor":
        zarray = {**ZARRAY, "shape": [1], "chunks": [1], "compressor": {"id": "pickle"}, "filters": None}
    else:
        zarray = {**ZARRAY, "shape": [1], "chunks": [1], "dtype": "|O", "compressor": None,
                  "filters": [{"id": "pickle", "protocol": 5}] if where == "filters" else [{"id": "pickle"}, JSON2],
                  "fill_value": None}
    doc = _doc({"x/.zarray": zarray, "x/0": "base64:" + base64.b64encode(payload).decode()})
    path = _write(tmp_path, doc)
    f = LindiH5pyFile.from_lindi_file(path)
    with pytest.raises(DocumentError, match="pickle.*forbidden") as info:
        f["x"][()]
    assert "/refs/x~1.zarray" in str(info.value)
    assert not marker.exists()
    codes = {i.code for i in validate(doc).errors}
    assert "LINDI-E-CODEC-FORBIDDEN" in codes


def test_internal_codec_id_is_not_accepted_from_a_document(tmp_path):
    path = _chunk_doc(tmp_path, b"\0" * 400, {"id": "lindi_bounded_pipeline", "nbytes": 10**12})
    with pytest.raises(DocumentError, match="internal"):
        LindiH5pyFile.from_lindi_file(path)["a"][:]


@pytest.mark.parametrize("chunks", [[2.5, 10], ["10", 10], [10], [0, 10], [True, 10]])
def test_malformed_chunk_grid_is_a_document_error(tmp_path, chunks):
    path = _write(tmp_path, _doc({"a/.zarray": {**ZARRAY, "compressor": None, "chunks": chunks}}))
    with pytest.raises(DocumentError, match="chunks must be a list of 2 positive integers") as info:
        LindiH5pyFile.from_lindi_file(path)["a"][:]
    assert "/refs/a~1.zarray" in str(info.value)


def test_ref_longer_than_its_file_is_refused_before_allocating(tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(np.arange(100, dtype="<i4").tobytes())
    path = _write(tmp_path, _doc({"a/.zarray": {**ZARRAY, "compressor": {"id": "zlib", "level": 1}},
                                  "a/0.0": [str(blob), 0, 2**40]}))  # a terabyte: never allocated
    tracemalloc.start()
    try:  # the backend's own check, behind the ref-length bound (lifted here)
        with pytest.raises(LindiError, match="range past the end of the file"):
            LindiH5pyFile.from_lindi_file(path, limits=NO_REF_BOUND)["a"][:]
        assert tracemalloc.get_traced_memory()[1] < 64 * 1024 * 1024
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("ndim", [33, 5000])
def test_array_rank_is_limited_by_the_spec(tmp_path, ndim):
    """C2: more than 32 dimensions (HDF5's maximum rank) is LINDI-E-LIMIT for the validator and a
    LimitExceededError naming the .zarray for the reader, never numpy's ValueError."""
    doc = _doc({"a/.zarray": {**ZARRAY, "shape": [1] * ndim, "chunks": [1] * ndim, "compressor": None}})
    assert "LINDI-E-LIMIT" in {i.code for i in validate(doc).errors}
    f = LindiH5pyFile.from_lindi_file(_write(tmp_path, doc))
    with pytest.raises(LimitExceededError, match=f"array has {ndim} dimensions.*limit of 32") as info:
        f["a"][()]
    assert "/refs/a~1.zarray" in str(info.value)


def test_thirty_two_dimensions_read(tmp_path):
    data = np.arange(4, dtype="<i4").reshape([2, 2] + [1] * 30)
    blob = tmp_path / "r32.bin"
    blob.write_bytes(data.tobytes())
    doc = _doc({"a/.zarray": {**ZARRAY, "shape": list(data.shape), "chunks": list(data.shape), "compressor": None},
                "a/" + ".".join(["0"] * 32): [str(blob), 0, data.nbytes]})
    assert validate(doc).valid
    np.testing.assert_array_equal(LindiH5pyFile.from_lindi_file(_write(tmp_path, doc))["a"][()], data)
