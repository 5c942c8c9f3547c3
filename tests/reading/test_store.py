"""The zarr Store layer: ref resolution, batched/coalesced fetching, integrity, document loading."""
from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
import zarr
from zarr.core.buffer import default_buffer_prototype

from lindi.errors import DocumentError, IntegrityError, RemoteError
from lindi.LindiH5pyFile import LindiH5pyFile
from lindi.store import CoalesceOptions, LindiReferenceStore, NodeIndex, load_document
from lindi.store.document import from_dict
from lindi.backends import read_ranges
from lindi.store.ranges import coalesce

from .builder import DocBuilder


class CountingReader:
    """Wraps the local reader and records every batch it is given."""

    def __init__(self):
        self.calls: list[list[tuple[str, int, int]]] = []

    def __call__(self, requests):
        self.calls.append(list(requests))
        return read_ranges(requests)


def _get(store, key):
    buf = asyncio.run(store.get(key, default_buffer_prototype()))
    return None if buf is None else buf.to_bytes()


def test_resolves_inline_text_base64_json_and_templates(tmp_path):
    blob = tmp_path / "data.bin"
    blob.write_bytes(b"0123456789")
    doc = from_dict({"version": 1, "lindi_spec": "1.0", "templates": {"d": str(tmp_path)},
                     "refs": {"a": "hello", "b": "base64:AAEC", "c": {"x": 1},
                              "d": ["{{d}}/data.bin", 2, 3], "e": ["./data.bin", 5, 2]}}, base=str(tmp_path))
    store = LindiReferenceStore(doc)
    assert _get(store, "a") == b"hello"
    assert _get(store, "b") == b"\x00\x01\x02"
    assert json.loads(_get(store, "c")) == {"x": 1}
    assert _get(store, "d") == b"234"
    assert _get(store, "e") == b"56"
    assert _get(store, "missing") is None
    assert asyncio.run(store.exists("a")) and not asyncio.run(store.exists("zz"))


def test_file_url_and_undefined_template(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"abcdef")
    store = LindiReferenceStore(from_dict({"version": 1, "refs": {
        "a": [f"file://{tmp_path}/x.bin", 1, 2], "b": ["{{nope}}/x.bin", 0, 1]}}))
    assert store.fetch_many(["a"]) == {"a": b"bc"}
    with pytest.raises(DocumentError, match="undefined template 'nope'.*refs/b"):
        store.fetch_many(["b"])


def test_selection_over_ten_adjacent_chunks_is_one_coalesced_range(tmp_path):
    b = DocBuilder(tmp_path)
    data = np.arange(1000, dtype="<i4")
    b.array("x", data, chunks=(100,))
    reader = CountingReader()
    f = LindiH5pyFile.from_reference_file_system(b.build(), range_reader=reader)
    np.testing.assert_array_equal(f["x"][:], data)
    assert len(reader.calls) == 1
    assert len(reader.calls[0]) == 1  # ten chunk refs merged into one range
    url, offset, length = reader.calls[0][0]
    assert (offset, length) == (0, b.blob.stat().st_size)


def test_gap_and_block_limits_split_ranges():
    reqs = [("u", 0, 10), ("u", 15, 10), ("u", 100, 10), ("v", 25, 5)]
    blocks, where = coalesce(reqs, CoalesceOptions(max_gap=5, max_block=1000))
    assert blocks == [("u", 0, 25), ("u", 100, 10), ("v", 25, 5)]
    assert where == [(0, 0), (0, 15), (1, 0), (2, 0)]
    blocks, _ = coalesce(reqs[:2], CoalesceOptions(max_gap=5, max_block=20))
    assert blocks == [("u", 0, 10), ("u", 15, 10)]


def test_fetch_many_is_one_reader_call_across_arrays(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("a", np.arange(10), chunks=(5,))
    b.array("b", np.arange(10.0), chunks=(5,))
    reader = CountingReader()
    store = LindiReferenceStore(from_dict(b.build()), range_reader=reader)
    out = store.fetch_many(["a/0", "a/1", "b/0", "b/1", "a/7", "a/.zarray"])
    assert len(reader.calls) == 1 and len(reader.calls[0]) == 1
    assert out["a/7"] is None and json.loads(out["a/.zarray"])["shape"] == [10]


def test_short_file_is_an_integrity_error_naming_url_and_ref(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("x", np.arange(100, dtype="<f8"), chunks=(10,), gzip=False)
    doc = b.build()
    with open(b.blob, "r+b") as fh:
        fh.truncate(500)
    f = LindiH5pyFile.from_reference_file_system(doc)
    np.testing.assert_array_equal(f["x"][:5], np.arange(5.0))
    with pytest.raises(IntegrityError) as info:
        f["x"][:]
    assert str(b.blob) in str(info.value) and "past the end" in str(info.value)


def test_a_failing_ref_in_a_batch_is_reported_with_its_own_key_and_ref(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("a", np.arange(20, dtype="<i8"), chunks=(10,), gzip=False)
    doc = b.build()
    missing = tmp_path / "missing.bin"
    doc["refs"]["a/1"] = [str(missing), 0, 80]  # the second chunk's file does not exist; a/0 reads fine
    f = LindiH5pyFile.from_reference_file_system(doc)
    with pytest.raises(RemoteError) as info:
        f["a"][:]
    message = str(info.value)
    assert "key 'a/1'" in message and "missing.bin" in message
    assert "key 'a/0'" not in message and str(b.blob) not in message


def test_a_failing_block_names_the_ref_inside_it_not_the_first_of_its_url(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("x", np.arange(100, dtype="<f8"), chunks=(10,), gzip=False)
    doc = b.build()
    with open(b.blob, "r+b") as fh:
        fh.truncate(500)  # chunks 0..5 whole, 6.. past the end
    store = LindiReferenceStore(from_dict(doc), range_reader=read_ranges, coalesce=CoalesceOptions(max_gap=0, max_block=80))
    with pytest.raises(IntegrityError) as info:
        store.fetch_many([f"x/{i}" for i in range(10)])
    assert "while reading key 'x/6'" in str(info.value)


def test_missing_chunk_reads_as_fill_value(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("x", np.arange(12, dtype="<f4").reshape(3, 4), chunks=(2, 2), fill_value=-1.5, skip_chunks=((1, 0),))
    f = LindiH5pyFile.from_reference_file_system(b.build())
    out = f["x"][:]
    assert out[2, 0] == -1.5 and out[2, 1] == -1.5 and out[2, 2] == 10
    assert f["x"].fillvalue == np.float32(-1.5)


def test_zarr_reads_the_store_directly(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("g/x", np.arange(20, dtype="<u2").reshape(4, 5), chunks=(2, 5))
    store = LindiReferenceStore(from_dict(b.build()))
    z = zarr.open_array(store=store, path="g/x", mode="r", zarr_format=2)
    np.testing.assert_array_equal(z[:], np.arange(20, dtype="<u2").reshape(4, 5))

    async def keys(gen):
        return sorted([k async for k in gen])
    assert asyncio.run(keys(store.list_dir("g"))) == ["x"]
    assert asyncio.run(keys(store.list_prefix("g/x/"))) == ["g/x/.zarray", "g/x/0.0", "g/x/1.0"]
    with pytest.raises(ValueError):
        asyncio.run(store.set("k", default_buffer_prototype().buffer.from_bytes(b"1")))


def test_index_children_kinds_and_implicit_groups():
    idx = NodeIndex([".zgroup", "a/.zgroup", "a/b/.zarray", "a/b/0", "a/c/.zgroup", "z/y/.zarray", "a/b/.zattrs"])
    assert idx.children("") == ["a", "z"]
    assert idx.children("a") == ["b", "c"]
    assert idx.kind("a/b") == "array" and idx.kind("z") == "group" and idx.kind("a/b/0") is None


@pytest.mark.parametrize("text,match", [
    (b"{", "not valid JSON"),
    (b'{"version": 1, "refs": {"a": NaN}}', "bare NaN"),
    (b'{"version": 2, "refs": {}}', "version"),
    (b'{"version": 1, "lindi_spec": "2.0", "refs": {}}', "major version"),
    (b'{"version": 1}', "refs"),
])
def test_bad_documents_name_the_source(tmp_path, text, match):
    p = tmp_path / "bad.lindi.json"
    p.write_bytes(text)
    with pytest.raises(DocumentError, match=match) as info:
        load_document(p)
    assert str(p) in str(info.value)


def test_missing_document_and_bad_ref(tmp_path):
    with pytest.raises(DocumentError, match="cannot read document"):
        load_document(tmp_path / "nope.json")
    store = LindiReferenceStore(from_dict({"version": 1, "refs": {"a": [1, 2]}}))
    with pytest.raises(DocumentError, match="/refs/a"):
        store.fetch_many(["a"])


def test_newer_minor_warns(tmp_path):
    with pytest.warns(UserWarning, match="newer"):
        from_dict({"version": 1, "lindi_spec": "1.7", "refs": {}}, source="x")
