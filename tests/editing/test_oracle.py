"""The same edits through h5py (on a real HDF5 file) and through LindiH5pyFile must give equal files.

Compared with the fidelity comparer (values, dtypes, shapes, attributes,
link kinds, chunks/compression/fill values), after a write and a reload.
"""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import lindi
from tests.fidelity.compare_h5 import assert_same_as_h5py

ENUM = h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1")
COMPOUND = np.dtype([("a", "<i4"), ("b", "<f8")])
ATTRS = {
    "i8": np.int8(-3), "u2": np.uint16(7), "i4": np.int32(5), "i64": 2**60, "f2": np.float16(1.5),
    "f4": np.float32(2.5), "f8": 3.25, "be": np.array([1, 2], dtype=">i4"), "b": np.bool_(True),
    "c8": np.complex64(1 + 2j), "c16": np.array([1j, 2]), "s": "text", "s_nan": "NaN", "bytes": b"fixed",
    "strs": ["a", "bc"], "one": np.array([4]), "nan": np.nan, "inf": np.array([np.inf, -np.inf]),
    "empty": h5py.Empty("f4"), "enum": np.array(1, dtype=ENUM), "cmp": np.array((1, 2.0), dtype=COMPOUND),
    "m2": np.arange(6).reshape(2, 3), "vlen": np.array([np.arange(2), np.arange(3)], dtype=h5py.vlen_dtype("i4")),
}
DATASETS = {
    "f8_gzip": dict(data=np.linspace(0, 1, 1000), chunks=(64,), compression="gzip", compression_opts=5),
    "i2_shuffle": dict(data=np.arange(-500, 500, dtype=">i2").reshape(20, 50), chunks=(7, 9), shuffle=True,
                       fletcher32=True, compression="gzip"),
    "u1_lzf": dict(data=np.arange(300, dtype="u1") % 7, chunks=(100,), compression="lzf"),
    "fill": dict(shape=(10, 3), dtype="f4", chunks=(4, 2), fillvalue=-1.5),
    "resizable": dict(data=np.arange(10), maxshape=(None,), chunks=(3,)),
    "contiguous": dict(data=np.arange(12.0).reshape(3, 4)),
    "scalar": dict(data=np.float32(7.5)),
    "str_scalar": dict(data="hello", dtype=h5py.string_dtype()),
    "strs": dict(data=["a", "bb", "NaN", "base64:x"], dtype=h5py.string_dtype()),
    "ascii": dict(data=np.array([b"ab", b"cde"], dtype="S3")),
    "bool": dict(data=np.array([True, False, True])),
    "enum": dict(data=np.array([0, 1, 1], dtype=ENUM), dtype=ENUM),
    "complex": dict(data=np.array([1 + 1j, 2 - 3j], dtype="c16")),
    "compound": dict(data=np.array([(1, 2.0), (3, 4.5)], dtype=COMPOUND)),
    "ragged": dict(data=np.array([np.arange(3), np.arange(1)], dtype=object), dtype=h5py.vlen_dtype("i4")),
    "empty_shape": dict(shape=(0, 5), dtype="i4"),
    "null": dict(data=h5py.Empty("i8")),
    "opaque": dict(data=np.array([b"\x01\x02", b"\x03\x04"], dtype="V2")),
}


def _edit(f):
    """The edits under test, written against the h5py API only."""
    g = f.create_group("g/sub")
    f.create_group("tracked", track_order=True).create_group("z")
    f["tracked"].create_group("a")
    for name, value in ATTRS.items():
        g.attrs[name] = value
    g.attrs.create("typed", [1, 2, 3], dtype="u8")
    g.attrs.create("shaped", np.arange(6), shape=(2, 3))
    f.attrs["root_attr"] = "root"
    for name, kwds in DATASETS.items():
        f.create_dataset(f"d/{name}", **kwds)
    d = f["d/f8_gzip"]
    d[10:500:3] = -1.0
    d[999] = 42.0
    f["d/i2_shuffle"][3:15, [1, 4, 40]] = 9
    f["d/fill"][1:3, 1] = [5.0, 6.0]
    f["d/resizable"].resize((25,))
    f["d/resizable"][20:] = 7
    f["d/resizable"].resize(15, axis=0)
    f["d/resizable"].resize((22,))
    f["d/strs"][1] = "changed"
    f["d/compound"][0] = (9, 9.5)
    f["d/str_scalar"][()] = "bye"
    f["d/ragged"][1] = np.arange(5)
    f["d/i2_shuffle"].attrs["units"] = "mV"
    f["soft"] = h5py.SoftLink("/d/f8_gzip")
    f["g/relative"] = h5py.SoftLink("sub")
    f["dangling"] = h5py.SoftLink("/nowhere")
    f["ext"] = h5py.ExternalLink("other.h5", "/x")
    f["hard"] = f["d/contiguous"]
    refs = f.create_dataset("refs", shape=(3,), dtype=h5py.ref_dtype)
    refs[0] = f["d/bool"].ref
    refs[1:] = [f["g"].ref, f["d/fill"].ref]
    f.attrs["ref"] = f["d/scalar"].ref
    f.attrs["refs"] = np.array([f["g/sub"].ref, f.ref], dtype=h5py.ref_dtype)
    f.require_group("g")
    f.require_dataset("d/bool", shape=(3,), dtype="?")
    f.require_dataset("d/new", shape=(2,), dtype="i4")
    del f["g/sub"].attrs["i4"]
    f.create_group("gone/deep")
    del f["gone"]
    f.create_dataset("gone2", data=[1, 2])
    del f["gone2"]
    f.copy("d/complex", "complex_copy")


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("oracle")
    with h5py.File(tmp / "oracle.h5", "w") as h:
        _edit(h)
    lf = lindi.LindiH5pyFile.from_lindi_file(tmp / "edited.lindi.json", mode="w")
    _edit(lf)
    assert_same_as_h5py(tmp / "oracle.h5", lf)  # in memory, before it is written
    lf.close()
    return tmp


def test_edits_equal_h5py_after_reload(edited):
    reloaded = lindi.LindiH5pyFile.from_lindi_file(edited / "edited.lindi.json")
    assert_same_as_h5py(edited / "oracle.h5", reloaded)


def test_edited_document_is_valid(edited):
    report = lindi.validate(str(edited / "edited.lindi.json"))
    assert report.valid, report


def test_attribute_dtypes_kept(edited):
    f = lindi.LindiH5pyFile.from_lindi_file(edited / "edited.lindi.json")
    with h5py.File(edited / "oracle.h5") as h:
        for name in h["g/sub"].attrs:
            assert f["g/sub"].attrs.get_id(name).dtype == h["g/sub"].attrs.get_id(name).dtype, name


def test_member_order_tracked(edited):
    f = lindi.LindiH5pyFile.from_lindi_file(edited / "edited.lindi.json")
    assert list(f["tracked"]) == ["z", "a"]


def test_readers_see_edits_immediately(tmp_path):
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    d = f.create_dataset("x", data=np.arange(4), maxshape=(None,), chunks=(2,))
    d.attrs["a"] = 1
    assert d.attrs["a"] == 1 and "x" in f and list(f) == ["x"]
    d.resize((6,))
    assert d.shape == (6,) and f["x"].shape == (6,)
    d.attrs["a"] = "two"
    assert f["x"].attrs["a"] == "two"
    del f["x"]
    assert "x" not in f and list(f) == []
