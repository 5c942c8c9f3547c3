"""Layouts, filters, fill values: refs point at exactly the stored chunk bytes."""
from __future__ import annotations

import h5py
import hdf5plugin
import numpy as np
import pytest

import lindi
from lindi.errors import UnsupportedObjectError
from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts

from .conftest import decoded_chunk


def test_chunked_refs_match_read_direct_chunk(tmp_path, convert):
    path = tmp_path / "c.h5"
    data = np.arange(35 * 17, dtype="<i4").reshape(35, 17)
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=data, chunks=(10, 5), compression="gzip", shuffle=True, fletcher32=True)
    c = convert(path, inline_threshold=0)
    zarray = c.meta("x", ".zarray")
    assert zarray["chunks"] == [10, 5]
    assert zarray["filters"][0] == {"id": "shuffle", "elementsize": 4}
    keys = c.array_keys("x")
    assert len(keys) == 4 * 4  # partial edge chunks included
    with h5py.File(path, "r") as f:
        d = f["x"]
        for key in keys:
            i, j = map(int, key.split("/")[1].split("."))
            mask, stored = d.id.read_direct_chunk((i * 10, j * 5))
            assert mask == 0 and c.raw(key) == stored
            chunk = decoded_chunk(stored, zarray)
            expect = data[i * 10:(i + 1) * 10, j * 5:(j + 1) * 5]
            assert np.array_equal(chunk[:expect.shape[0], :expect.shape[1]], expect)
    assert c.report.chunks_referenced == 16


def test_never_written_chunks_are_absent_and_fill_value_kept(tmp_path, convert):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", shape=(100,), chunks=(10,), dtype="<f4", fillvalue=np.nan)
        d[25:35] = 1.0
        f.create_dataset("i", shape=(4,), dtype=">i2", fillvalue=-7)
        f.create_dataset("s", shape=(2,), dtype="S3", fillvalue=b"ab")
        f.create_dataset("z", shape=(2,), dtype="<c8", fillvalue=1 + 2j)
    c = convert(path, inline_threshold=0)
    assert c.array_keys("x") == ["x/2", "x/3"]
    assert c.meta("x", ".zarray")["fill_value"] == "NaN"
    assert c.meta("i", ".zarray")["fill_value"] == -7
    assert c.array_keys("i") == []  # contiguous, never written
    assert c.meta("s", ".zarray")["fill_value"] == "YWIA"
    assert c.meta("z", ".zarray")["fill_value"] == [1.0, 2.0]


def test_compact_is_inlined_at_any_size(tmp_path, convert):
    path = tmp_path / "k.h5"
    data = np.arange(8000, dtype="<u1")
    with h5py.File(path, "w") as f:
        space = h5py.h5s.create_simple((8000,))
        plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        plist.set_layout(h5py.h5d.COMPACT)
        h5py.h5d.create(f.id, b"k", h5py.h5t.STD_U8LE, space, dcpl=plist).write(h5py.h5s.ALL, h5py.h5s.ALL, data)
    c = convert(path, inline_threshold=0)
    assert c.refs["k/0"].startswith("base64:")
    assert np.array_equal(np.frombuffer(c.raw("k/0"), "<u1"), data)
    assert c.report.bytes_inlined == 8000


def test_contiguous_split_into_rows(tmp_path, convert):
    path = tmp_path / "s.h5"
    data = np.arange(7 * 3, dtype="<i8").reshape(7, 3)
    with h5py.File(path, "w") as f:
        f["x"] = data
        offset = f["x"].id.get_offset()
    c = convert(path, inline_threshold=0, contiguous_dataset_max_chunk_size=50)
    assert c.meta("x", ".zarray")["chunks"] == [2, 3]
    assert c.array_keys("x") == ["x/0.0", "x/1.0", "x/2.0", "x/3.0"]
    assert c.refs["x/1.0"][1:] == [offset + 48, 48]
    assert c.refs["x/3.0"][1:] == [offset + 144, 24]  # short last chunk: exactly the remaining row
    rows = b"".join(c.raw(k) for k in c.array_keys("x"))
    assert np.array_equal(np.frombuffer(rows, "<i8").reshape(7, 3), data)


def test_small_arrays_inlined_below_threshold(tmp_path, convert):
    path = tmp_path / "t.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("small", data=np.arange(10, dtype="<i2"), chunks=(4,), compression="gzip")
        f["big"] = np.arange(1000, dtype="<i8")
    c = convert(path, inline_threshold=100)
    assert all(c.refs[k].startswith("base64:") for k in c.array_keys("small"))
    zarray = c.meta("small", ".zarray")
    got = np.concatenate([decoded_chunk(c.raw(k), zarray) for k in c.array_keys("small")])[:10]
    assert got.tolist() == list(range(10))
    assert isinstance(c.refs["big/0"], list)


def test_lzf_chunk_with_skipped_filter_is_reencoded_inline(tmp_path, convert):
    path = tmp_path / "l.h5"
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 2**63, size=64, dtype="<i8")
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", shape=(128,), chunks=(64,), dtype="<i8", compression="lzf")
        d[:64] = noisy
        d[64:] = 0
        masks = {}
        d.id.chunk_iter(lambda info: masks.__setitem__(info.chunk_offset, info.filter_mask))
    assert masks[(0,)] != 0 and masks[(64,)] == 0  # lzf gave up on the random chunk
    c = convert(path, inline_threshold=0)
    zarray = c.meta("x", ".zarray")
    assert c.refs["x/0"].startswith("base64:") and isinstance(c.refs["x/1"], list)
    assert np.array_equal(decoded_chunk(c.raw("x/0"), zarray), noisy)
    assert not decoded_chunk(c.raw("x/1"), zarray).any()


def test_unsupported_filter_becomes_external_array_link(tmp_path, convert):
    path = tmp_path / "u.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("bs", data=np.arange(1000, dtype="<f4"), chunks=(100,),
                         **hdf5plugin.Bitshuffle(cname="lz4"))
        f["ok"] = np.arange(5)
    c = convert(path)
    link = c.meta("bs", ".zattrs").get("_EXTERNAL_ARRAY_LINK")
    if link is None:
        pytest.skip("bitshuffle+lz4 is expressible with the installed codecs")
    assert link == {"link_type": "hdf5_dataset", "url": str(path), "name": "/bs"}
    assert c.array_keys("bs") == [] and c.meta("bs", ".zarray")["shape"] == [1000]
    assert [u.path for u in c.report.unsupported] == ["/bs"]
    assert "32008" in c.report.unsupported[0].reason
    assert c.array_keys("ok") == ["ok/0"]
    with pytest.raises(UnsupportedObjectError, match="/bs"):
        LindiH5ZarrStore.from_file(path, opts=LindiH5ZarrStoreOpts(strict=True)).to_reference_file_system()


def test_legacy_chunk_count_threshold(tmp_path, convert):
    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(100), chunks=(10,))
    c = convert(path, num_dataset_chunks_threshold=5)
    assert c.meta("x", ".zattrs")["_EXTERNAL_ARRAY_LINK"]["name"] == "/x"
    assert c.array_keys("x") == [] and c.report.unsupported == []


def test_storage_member_records_layout_hdf5_chunks_maxshape_and_json_fill(tmp_path, convert):
    path = tmp_path / "st.h5"
    cmp = np.dtype([("a", "<i2"), ("b", "<f4")])
    with h5py.File(path, "w") as f:
        f["contiguous"] = np.arange(6)
        f.create_dataset("resizable", data=np.arange(10), chunks=(4,), maxshape=(None,))
        f.create_dataset("grows_to", shape=(3, 2), dtype="u1", chunks=(1, 2), maxshape=(5, None))
        f.create_dataset("strings", data=["a", "b", "c"], dtype=h5py.string_dtype(), chunks=(2,))
        f.create_dataset("compound_fill", shape=(2,), dtype=cmp, fillvalue=np.array((3, 1.5), dtype=cmp))
        f.create_dataset("compound_zero_fill", shape=(2,), dtype=cmp)
        f["scalar"] = 5
        f.create_dataset("null", dtype="f4", data=h5py.Empty("f4"))
        space = h5py.h5s.create_simple((4,))
        plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        plist.set_layout(h5py.h5d.COMPACT)
        h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_U8LE, space, dcpl=plist)
    c = convert(path)
    assert c.meta("contiguous", ".lindi")["storage"] == {"layout": "contiguous"}
    assert c.meta("resizable", ".lindi")["storage"] == {"layout": "chunked", "maxshape": [None]}
    assert c.meta("grows_to", ".lindi")["storage"] == {"layout": "chunked", "maxshape": [5, None]}
    # a JSON-codec array is one Zarr chunk: the HDF5 chunk shape is kept beside it
    assert c.meta("strings", ".zarray")["chunks"] == [3]
    assert c.meta("strings", ".lindi")["storage"] == {"layout": "chunked", "chunks": [2]}
    assert c.meta("compound_fill", ".zarray")["fill_value"] is None
    assert c.meta("compound_fill", ".lindi")["storage"] == {"layout": "contiguous", "fill_value": [3, 1.5]}
    assert c.meta("compound_zero_fill", ".lindi")["storage"] == {"layout": "contiguous"}
    assert c.meta("scalar", ".lindi")["storage"] == {"layout": "contiguous"}  # maxshape () == shape ()
    assert c.meta("null", ".lindi") == {"null_dataspace": True, "storage": {"layout": "contiguous"}}
    assert c.meta("compact", ".lindi")["storage"] == {"layout": "compact"}
    assert lindi.validate(c.doc).valid
