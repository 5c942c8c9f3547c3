"""The raw reference store serves a document's ``.zarray`` as written; zarr reads through BoundedCodecStore.

The bounded codecs used to be written into ``.zarray`` inside the reference store's ``get``; now the raw
store hands out the document's bytes and :class:`~lindi.store.bounded_codecs.BoundedCodecStore` (which the
reader opens its arrays over) serves the capped pipeline. A decompression bomb read through the public
reader still ends in the same LimitExceededError.
"""
from __future__ import annotations

import asyncio
import json
import pickle
import zlib
from pathlib import Path

import numpy as np
import pytest
from zarr.abc.store import RangeByteRequest
from zarr.core.buffer import default_buffer_prototype

from lindi import LindiH5pyFile
from lindi.errors import DocumentError, LimitExceededError
from lindi.security import Limits
from lindi.store import LindiReferenceStore
from lindi.store.bounded_codecs import BoundedCodecStore, open_array
from lindi.store.document import from_dict, load_document

#: A .zarray as a document might spell it: odd spacing and member order, which the raw store must keep.
ZARRAY_TEXT = ('{"zarr_format":2, "chunks":[10,10],"shape":[10,10], "dtype":"<i4","fill_value":0,'
               '"order":"C","compressor":{"id":"zlib","level":9},"filters":null}')
BOUNDED_ID = "lindi_bounded_pipeline"


def _get(store, key, byte_range=None):
    buf = asyncio.run(store.get(key, default_buffer_prototype(), byte_range))
    return None if buf is None else buf.to_bytes()


def _doc(tmp_path: Path, chunk: bytes, zarray_as: str = "text") -> dict:
    """Array ``a`` (10 x 10 int32, zlib) whose one chunk is ``chunk``; its .zarray inline or as a ref."""
    blob = tmp_path / "blob.bin"
    blob.write_bytes(ZARRAY_TEXT.encode() + chunk)
    zarray_ref = ZARRAY_TEXT if zarray_as == "text" else [str(blob), 0, len(ZARRAY_TEXT)]
    return {"version": 1, "lindi_spec": "1.0",
            "refs": {".zgroup": {"zarr_format": 2}, "a/.zarray": zarray_ref,
                     "a/0.0": [str(blob), len(ZARRAY_TEXT), len(chunk)]}}


@pytest.mark.parametrize("zarray_as", ["text", "ref"])
def test_raw_store_serves_zarray_byte_for_byte_and_the_wrapper_serves_bounded_codecs(tmp_path, zarray_as):
    data = np.arange(100, dtype="<i4")
    store = LindiReferenceStore(from_dict(_doc(tmp_path, zlib.compress(data.tobytes()), zarray_as)))
    assert _get(store, "a/.zarray") == ZARRAY_TEXT.encode()
    assert store.get_sync("a/.zarray").to_bytes() == ZARRAY_TEXT.encode()

    wrapped = BoundedCodecStore(store)
    served = json.loads(_get(wrapped, "a/.zarray"))
    assert served["filters"] is None
    pipeline = served["compressor"]
    assert pipeline["id"] == BOUNDED_ID
    assert pipeline["compressor"] == {"id": "zlib", "level": 9} and pipeline["filters"] == []
    assert pipeline["nbytes"] == 400 and pipeline["items"] == 100 and pipeline["array"] == "a"
    assert {k: served[k] for k in ("shape", "chunks", "dtype", "fill_value")} == \
        {"shape": [10, 10], "chunks": [10, 10], "dtype": "<i4", "fill_value": 0}
    assert wrapped.get_sync("a/.zarray").to_bytes() == _get(wrapped, "a/.zarray")
    assert _get(wrapped, "a/.zarray", RangeByteRequest(0, 5)) == _get(wrapped, "a/.zarray")[:5]
    # every other key, and the listing, are the raw store's
    assert _get(wrapped, "a/0.0") == _get(store, "a/0.0") == zlib.compress(data.tobytes())
    assert _get(wrapped, ".zgroup") == _get(store, ".zgroup")
    assert _get(wrapped, "b/.zarray") is None and wrapped.get_sync("b/.zarray") is None

    async def listing(s):
        return sorted([k async for k in s.list()])
    assert asyncio.run(listing(wrapped)) == asyncio.run(listing(store))


def test_the_reader_opens_arrays_over_the_wrapper(tmp_path):
    data = np.arange(100, dtype="<i4")
    store = LindiReferenceStore(from_dict(_doc(tmp_path, zlib.compress(data.tobytes()))))
    array = open_array(store, "a")
    assert isinstance(array.store, BoundedCodecStore) and array.store._store is store
    assert array.metadata.compressor.codec_id == BOUNDED_ID
    np.testing.assert_array_equal(array[:], data.reshape(10, 10))
    f = LindiH5pyFile.from_reference_file_system(_doc(tmp_path, zlib.compress(data.tobytes())))
    np.testing.assert_array_equal(f["a"][:], data.reshape(10, 10))


def test_batched_and_partial_reads_go_through_the_caps(tmp_path):
    """zarr's multi-key reads (``_get_many``, ``get_partial_values``) must not reach the raw .zarray."""
    store = LindiReferenceStore(from_dict(_doc(tmp_path, zlib.compress(bytes(400)))))
    wrapped = BoundedCodecStore(store)
    proto = default_buffer_prototype()

    async def many():
        return {k: v.to_bytes() async for k, v in wrapped._get_many([("a/.zarray", proto, None)])}

    async def partial():
        return await wrapped.get_partial_values(proto, [("a/.zarray", None)])
    assert json.loads(asyncio.run(many())["a/.zarray"])["compressor"]["id"] == BOUNDED_ID
    assert json.loads(asyncio.run(partial())[0].to_bytes())["compressor"]["id"] == BOUNDED_ID


def test_wrapper_pickles_and_compares_like_its_store(tmp_path):
    store = LindiReferenceStore(from_dict(_doc(tmp_path, zlib.compress(bytes(400)))))
    wrapped = BoundedCodecStore(store)
    copy = pickle.loads(pickle.dumps(wrapped))
    assert copy == wrapped and hash(copy) == hash(wrapped) and copy.read_only
    assert _get(copy, "a/.zarray") == _get(wrapped, "a/.zarray")
    assert "blob.bin" not in repr(wrapped) and repr(wrapped).startswith("BoundedCodecStore(LindiReferenceStore(")


def test_forbidden_codec_and_oversized_chunk_are_refused_by_the_wrapper_only(tmp_path):
    """The raw store hands out what the document says; the wrapper refuses what zarr must never see."""
    pickled = {"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "|O", "fill_value": None, "order": "C",
               "compressor": None, "filters": [{"id": "pickle"}]}
    big = {"zarr_format": 2, "shape": [100, 100], "chunks": [100, 100], "dtype": "<f8", "fill_value": 0,
           "order": "C", "compressor": None, "filters": None}
    doc = from_dict({"version": 1, "lindi_spec": "1.0",
                     "refs": {".zgroup": {"zarr_format": 2}, "p/.zarray": pickled, "big/.zarray": big}},
                    source="hostile.lindi.json")
    doc.limits = Limits(max_chunk_bytes=1000)
    store = LindiReferenceStore(doc)
    assert json.loads(_get(store, "big/.zarray")) == big
    wrapped = BoundedCodecStore(store)
    with pytest.raises(LimitExceededError, match=r"chunk of array /big too large \(80000 > 1000\).*"
                                                 r"LINDI_MAX_CHUNK_BYTES") as info:
        _get(wrapped, "big/.zarray")
    assert info.value.pointer == "/refs/big~1.zarray" and info.value.source == "hostile.lindi.json"
    store.document.refs.pop("big/.zarray")
    with pytest.raises(DocumentError, match="pickle") as info:
        wrapped.get_sync("p/.zarray")
    assert info.value.pointer == "/refs/p~1.zarray"


#: What the reader raised for this bomb when the reference store still rewrote .zarray inside its get.
BOMB_MESSAGE = ("chunk of array /a: zlib would inflate it beyond 400 bytes (decompression bomb guard; "
                "chunk shape x item size = 400)")


def test_bomb_through_the_public_reader_fails_as_before(tmp_path):
    bomb = zlib.compress(bytes(16 * 1024**2), 9)
    path = tmp_path / "bomb.lindi.json"
    path.write_text(json.dumps(_doc(tmp_path, bomb)))
    with pytest.raises(LimitExceededError) as info:
        LindiH5pyFile.from_lindi_file(str(path), limits=Limits(max_ref_factor=10**6))["a"][:]
    assert str(info.value) == f"{BOMB_MESSAGE} ({path} at /refs/a~1.zarray)"
    assert info.value.pointer == "/refs/a~1.zarray" and info.value.source == str(path)
    # the document's own bytes are untouched by the read
    assert load_document(path).refs["a/.zarray"] == ZARRAY_TEXT
