"""Spec 1.1 value forms that existing readers (LINDI 0.4, zarr 2 + numcodecs, Neurosift) expect,
and the older forms (spec 1.0, LINDI 0.4) still read."""
from __future__ import annotations

import json

import h5py
import numcodecs
import numpy as np
import pytest

import lindi
from lindi.h5file.values import json_chunk_elements


def _doc(path):
    store = lindi.LindiH5ZarrStore.from_file(str(path))
    return store.to_reference_file_system()


def test_nd_json_chunks_use_numcodecs_layout(tmp_path):
    path = tmp_path / "s.h5"
    strings = np.array([["a", "bé"], ["c", "d"], ["e", "f"]], dtype=object)
    with h5py.File(path, "w") as f:
        f.create_dataset("s2d", data=strings, dtype=h5py.string_dtype())
        f.create_dataset("s3d", data=strings.reshape(3, 2, 1), dtype=h5py.string_dtype())
    doc = _doc(path)
    for name, expected in (("s2d", strings), ("s3d", strings.reshape(3, 2, 1))):
        text = doc["refs"][f"{name}/" + ".".join("0" * expected.ndim)]
        decoded = numcodecs.JSON().decode(text.encode())  # numcodecs' own codec, as zarr 2 runs it
        assert decoded.shape == expected.shape and decoded.tolist() == expected.tolist()
        assert json.loads(text)[:-2] == expected.tolist()
    with lindi.LindiH5pyFile.from_reference_file_system(doc) as f:
        assert f["s3d"][()].tolist() == [[[s.encode()] for s in row] for row in strings]
    assert lindi.validate(doc).valid


@pytest.mark.parametrize("spec, body, shape, expected", [
    (None, [[["x"]], [["y"]]], [2, 1, 1], ["x", "y"]),  # LINDI 0.4: numcodecs nests
    ("1.1", [[["x"]], [["y"]]], [2, 1, 1], ["x", "y"]),
    ("1.0", [["x"], ["y"]], [2, 1], [["x"], ["y"]]),  # 1.0 flat; elements that are lists stay elements
    ("1.0", ["a", "b", "c", "d"], [2, 2], ["a", "b", "c", "d"]),
    ("1.1", [["a", "b"], ["c", "d"]], [2, 2], ["a", "b", "c", "d"]),
])
def test_json_chunk_bodies_of_every_version(spec, body, shape, expected):
    assert json_chunk_elements(body, shape, flat=spec == "1.0") == expected


def test_nested_body_of_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="shape"):
        json_chunk_elements([["a"], ["b", "c"]], [2, 2], flat=False)


def test_deflate_is_a_filter_and_compressor_null(tmp_path):
    path = tmp_path / "z.h5"
    data = np.arange(4000, dtype="<i4").reshape(40, 100)
    with h5py.File(path, "w") as f:
        f.create_dataset("gz", data=data, chunks=(10, 100), compression="gzip", compression_opts=3, shuffle=True)
    doc = _doc(path)
    zarray = doc["refs"]["gz/.zarray"]
    assert zarray["compressor"] is None
    assert zarray["filters"] == [{"id": "shuffle", "elementsize": 4}, {"id": "zlib", "level": 3}]
    with lindi.LindiH5pyFile.from_reference_file_system(doc) as f:
        assert np.array_equal(f["gz"][()], data) and f["gz"].compression == "gzip"


def test_deflate_filter_is_bounded_like_a_compressor(tmp_path):
    """A zlib stream among the filters that inflates past the chunk size is refused, not inflated."""
    import base64
    import zlib

    bomb = zlib.compress(bytes(50_000_000))
    doc = {"version": 1, "lindi_spec": "1.1", "refs": {
        ".zgroup": {"zarr_format": 2},
        "x/.zarray": {"zarr_format": 2, "shape": [10], "chunks": [10], "dtype": "<i4", "compressor": None,
                      "filters": [{"id": "zlib", "level": 1}], "fill_value": 0, "order": "C"},
        "x/0": "base64:" + base64.b64encode(bomb).decode()}}
    with lindi.LindiH5pyFile.from_reference_file_system(doc) as f:
        with pytest.raises(lindi.LindiError, match="zlib would inflate it beyond"):
            f["x"][()]


def test_integer_attributes_are_exact_plain_integers(tmp_path):
    path = tmp_path / "i.h5"
    with h5py.File(path, "w") as f:
        f.attrs["u8max"] = np.uint64(2**64 - 1)
        f.attrs["i8min"] = np.int64(-(2**63))
        f.attrs["u8arr"] = np.array([0, 2**64 - 1], dtype="<u8")
    doc = _doc(path)
    zattrs = doc["refs"][".zattrs"]
    assert zattrs["u8max"] == 2**64 - 1 and zattrs["i8min"] == -(2**63) and zattrs["u8arr"] == [0, 2**64 - 1]
    assert doc["refs"][".lindi"]["attrs"]["u8max"]["dtype"] == "<u8"
    text = json.dumps(doc)
    assert "18446744073709551615" in text and '"18446744073709551615"' not in text
    with lindi.LindiH5pyFile.from_reference_file_system(json.loads(text)) as f, h5py.File(path, "r") as h:
        for name in h.attrs:
            assert np.asarray(f.attrs[name]).dtype == np.asarray(h.attrs[name]).dtype
            assert np.array_equal(f.attrs[name], h.attrs[name])


def test_lindi04_uint64_attribute_without_dtype_reads():
    """LINDI 0.4 wrote uint64 attributes as plain integers with no type info."""
    doc = {"version": 1, "refs": {".zgroup": {"zarr_format": 2},
                                  ".zattrs": {"big": 2**64 - 1, "bigs": [1, 2**64 - 1], "neg": -(2**63)}}}
    with lindi.LindiH5pyFile.from_reference_file_system(doc) as f:
        assert f.attrs["big"] == 2**64 - 1 and np.asarray(f.attrs["big"]).dtype == np.uint64
        assert f.attrs["bigs"].tolist() == [1, 2**64 - 1] and f.attrs["bigs"].dtype == np.uint64
        assert f.attrs["neg"] == -(2**63)


def test_numpy_datetimes_are_zarr_m8_and_void_form_still_reads(tmp_path):
    path = tmp_path / "t.h5"
    stamps = np.array(["2024-01-02T03:04:05", "NaT"], dtype="M8[s]")
    delta = h5py.opaque_dtype(np.dtype("m8[ms]"))
    with h5py.File(path, "w") as f:
        f["stamps"] = stamps.astype(h5py.opaque_dtype(stamps.dtype))
        f.create_dataset("delta", data=np.arange(5).astype("m8[ms]").astype(delta), chunks=(2,),
                         fillvalue=np.array(-1, dtype="m8[ms]").astype(delta))
    doc = _doc(path)
    assert doc["refs"]["stamps/.zarray"]["dtype"] == "<M8[s]"
    assert doc["refs"]["delta/.zarray"]["dtype"] == "<m8[ms]"
    # the form written before spec 1.1 (opaque |V8, base64 fill value) reads the same and stays valid
    legacy = json.loads(json.dumps(doc))
    legacy["refs"]["stamps/.zarray"].update(dtype="|V8", fill_value="AAAAAAAAAAA=")
    legacy["refs"]["delta/.zarray"].update(dtype="|V8", fill_value="//////////8=")
    for d in (doc, legacy):
        assert lindi.validate(d).valid
        with h5py.File(path, "r") as h5, lindi.LindiH5pyFile.from_reference_file_system(d) as f:
            for name in ("stamps", "delta"):
                assert f[name].dtype == h5[name].dtype and f[name].dtype.metadata == h5[name].dtype.metadata
                assert np.array_equal(f[name][()], h5[name][()], equal_nan=True)
                assert f[name].fillvalue == h5[name].fillvalue
