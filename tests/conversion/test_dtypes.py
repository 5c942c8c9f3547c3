"""Every dataset datatype: .zarray dtype, .lindi descriptor, and the data itself."""
from __future__ import annotations

import h5py
import numpy as np
import pytest


@pytest.mark.parametrize("dtype", ["<i1", "|u1", "<i2", ">i2", "<u4", ">u4", "<i8", ">u8", "<f2", ">f2",
                                   "<f4", ">f4", "<f8", ">f8"])
def test_numeric_widths_and_byte_orders(tmp_path, convert, dtype):
    path = tmp_path / "n.h5"
    data = (np.arange(2000) % 120).astype(dtype)
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=data)
    c = convert(path, inline_threshold=0)
    zarray = c.meta("x", ".zarray")
    assert zarray["dtype"] == np.dtype(dtype).str
    assert isinstance(c.refs["x/0"], list)  # referenced, not copied
    assert np.array_equal(np.frombuffer(c.raw("x/0"), dtype=dtype), data)
    assert c.meta("x", ".lindi") == {"storage": {"layout": "contiguous"}}  # the typestr is the dtype


def test_bool_complex_enum(tmp_path, convert):
    path = tmp_path / "t.h5"
    enum = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i2")
    with h5py.File(path, "w") as f:
        f["b"] = np.array([True, False, True])
        f["c8"] = np.array([1 + 2j, 3 - 4j], dtype="<c8")
        f["c16"] = np.array([1 + 2j, np.nan + 1j], dtype=">c16")
        f.create_dataset("e", data=np.array([0, 42, 1], dtype="i2"), dtype=enum)
    c = convert(path)
    assert c.meta("b", ".zarray")["dtype"] == "|b1"
    assert np.frombuffer(c.raw("b/0"), "|b1").tolist() == [True, False, True]
    assert c.meta("c8", ".zarray")["dtype"] == "<c8"
    assert c.meta("c16", ".zarray")["dtype"] == ">c16"
    assert np.array_equal(np.frombuffer(c.raw("c16/0"), ">c16"), np.array([1 + 2j, np.nan + 1j]), equal_nan=True)
    assert c.meta("e", ".zarray")["dtype"] == "<i2"
    assert c.meta("e", ".lindi")["dtype"] == {"class": "enum", "base": "<i2",
                                              "members": {"RED": 0, "GREEN": 1, "BLUE": 42}}
    assert np.frombuffer(c.raw("e/0"), "<i2").tolist() == [0, 42, 1]


def test_fixed_strings_and_opaque(tmp_path, convert):
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f["ascii"] = np.array([b"NaN", b"abc"], dtype="S5")
        f["utf8"] = np.array(["é".encode(), b"x"], dtype=h5py.string_dtype("utf-8", 4))
        opaque = np.array([b"\x00\x01\x02\x03"], dtype="V4")
        tid = h5py.h5t.py_create(opaque.dtype)
        tid.set_tag(b"my-tag")
        space = h5py.h5s.create_simple((1,))
        dsid = h5py.h5d.create(f.id, b"opaque", tid, space)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, opaque, mtype=tid)
    c = convert(path)
    assert c.meta("ascii", ".zarray")["dtype"] == "|S5"
    assert c.meta("ascii", ".lindi") == {"storage": {"layout": "contiguous"}}
    assert c.raw("ascii/0") == b"NaN\x00\x00abc\x00\x00"
    assert c.meta("utf8", ".lindi")["dtype"] == {"class": "string", "charset": "utf-8", "length": 4}
    assert c.meta("opaque", ".zarray")["dtype"] == "|V4"
    assert c.meta("opaque", ".lindi")["dtype"] == {"class": "opaque", "size": 4, "tag": "my-tag"}
    assert c.raw("opaque/0") == b"\x00\x01\x02\x03"


def test_vlen_strings_json_chunk(tmp_path, convert):
    path = tmp_path / "v.h5"
    values = ["NaN", "Infinity", "base64:abc", "", "ünïcode"]
    with h5py.File(path, "w") as f:
        f.create_dataset("u", data=values, dtype=h5py.string_dtype("utf-8"))
        f.create_dataset("a", data=[b"x", b"NaN"], dtype=h5py.string_dtype("ascii"))
        f.create_dataset("s", data="scalar", dtype=h5py.string_dtype())
        f.create_dataset("m", data=np.array([["a", "b"], ["c", "d"]], dtype=object), dtype=h5py.string_dtype())
    c = convert(path)
    zarray = c.meta("u", ".zarray")
    assert zarray["dtype"] == "|O" and zarray["filters"][0]["id"] == "json2" and zarray["compressor"] is None
    assert zarray["chunks"] == zarray["shape"] == [5]
    assert c.json_chunk("u/0") == values
    assert c.meta("u", ".lindi") == {"storage": {"layout": "contiguous"}}  # utf-8 vlen is the |O default
    assert c.meta("a", ".lindi")["dtype"] == {"class": "string", "charset": "ascii", "length": None}
    assert c.json_chunk("a/0") == ["x", "NaN"]
    assert c.meta("s", ".zattrs")["_SCALAR"] is True
    assert c.meta("s", ".zarray")["shape"] == [1]
    assert c.json_chunk("s/0") == ["scalar"]
    assert c.json_chunk("m/0.0") == [["a", "b"], ["c", "d"]]  # numcodecs' nested layout (spec 1.1)


def test_vlen_numeric(tmp_path, convert):
    path = tmp_path / "r.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("r", shape=(3,), dtype=h5py.vlen_dtype("<i4"))
        d[0], d[1], d[2] = [1, 2, 3], [], [7]
        g = f.create_dataset("f", shape=(1,), dtype=h5py.vlen_dtype("<f8"))
        g[0] = [np.nan, np.inf, 0.5]
    c = convert(path)
    assert c.meta("r", ".lindi")["dtype"] == {"class": "vlen", "base": "<i4"}
    assert c.json_chunk("r/0") == [[1, 2, 3], [], [7]]
    assert c.json_chunk("f/0") == [["NaN", "Infinity", 0.5]]


def test_compound_variants(tmp_path, convert):
    path = tmp_path / "c.h5"
    inner = np.dtype([("p", "<i2"), ("q", ">f4")])
    dt = np.dtype([("a", ">i4"), ("s", "S3"), ("v", h5py.string_dtype()), ("arr", "<f4", (2,)),
                   ("nest", inner), ("ref", h5py.ref_dtype)])
    with h5py.File(path, "w") as f:
        target = f.create_dataset("target", data=[1, 2])
        data = np.zeros(2, dtype=dt)
        data[0] = (1, b"ab", "NaN", [0.5, np.inf], (3, 1.5), target.ref)
        data[1] = (-2, b"", "x", [1, 2], (4, -1), h5py.Reference())
        f["c"] = data
        f["scalar"] = np.array((7, 2.5), dtype=inner)
    c = convert(path)
    zattrs = c.meta("c", ".zattrs")
    assert zattrs["_COMPOUND_DTYPE"] == [["a", ">i4"], ["s", "|S3"], ["v", "object"], ["arr", "('<f4', (2,))"],
                                         ["nest", str(inner)], ["ref", "<REFERENCE>"]]
    desc = c.meta("c", ".lindi")["dtype"]
    assert desc["class"] == "compound" and desc["itemsize"] == dt.itemsize
    assert [f["name"] for f in desc["fields"]] == list(dt.names)
    assert desc["fields"][3]["dtype"] == {"class": "array", "base": "<f4", "shape": [2]}
    assert desc["fields"][4]["dtype"]["fields"][1] == {"name": "q", "offset": 2, "dtype": ">f4"}
    rows = c.json_chunk("c/0")
    assert rows[0][:5] == [1, "ab", "NaN", [0.5, "Infinity"], [3, 1.5]]
    assert rows[0][5]["_REFERENCE"]["path"] == "/target"
    assert rows[1][5]["_REFERENCE"]["path"] is None
    assert c.meta("scalar", ".zattrs")["_SCALAR"] is True
    assert c.json_chunk("scalar/0") == [[7, 2.5]]


def test_scalars_empty_and_null(tmp_path, convert):
    path = tmp_path / "e.h5"
    with h5py.File(path, "w") as f:
        f["i"] = np.int16(-3)
        f["f"] = np.float32(np.nan)
        f["b"] = np.bool_(True)
        f.create_dataset("e0", shape=(0,), dtype="f4")
        f.create_dataset("e05", shape=(0, 5), dtype="i1", chunks=(4, 5), maxshape=(None, 5))
        f.create_dataset("null", data=h5py.Empty("<i4"))
        f.create_dataset("nullstr", data=h5py.Empty(h5py.string_dtype()))
    c = convert(path)
    assert c.meta("i", ".zattrs") == {"_SCALAR": True}
    assert np.frombuffer(c.raw("i/0"), "<i2")[0] == -3
    assert np.isnan(np.frombuffer(c.raw("f/0"), "<f4")[0])
    assert c.raw("b/0") == b"\x01"
    assert c.meta("e0", ".zarray")["shape"] == [0] and c.meta("e0", ".zarray")["chunks"] == [1]
    assert c.array_keys("e0") == [] and c.array_keys("e05") == []
    assert c.meta("e05", ".zarray")["shape"] == [0, 5]
    for name, dtype in (("null", "<i4"), ("nullstr", "|O")):
        zarray = c.meta(name, ".zarray")
        assert zarray["shape"] == [0] and zarray["chunks"] == [1] and zarray["dtype"] == dtype
        assert c.meta(name, ".lindi")["null_dataspace"] is True
        assert c.array_keys(name) == []


def test_big_endian_scalars_keep_file_byte_order(tmp_path, convert):
    path = tmp_path / "be.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("i", data=3, dtype=">i4")
        f.create_dataset("f", data=1.5, dtype=">f8")
    c = convert(path)
    assert np.frombuffer(c.raw("i/0"), ">i4")[0] == 3
    assert np.frombuffer(c.raw("f/0"), ">f8")[0] == 1.5


def test_datetime_opaque_keeps_numpy_tag(tmp_path, convert):
    path = tmp_path / "dt.h5"
    values = np.array(["2020-01-01T00:00:01", "NaT"], dtype="datetime64[ns]")
    with h5py.File(path, "w") as f:
        f["d"] = values.astype(h5py.opaque_dtype(values.dtype))
    c = convert(path)
    # stored as LINDI 0.4 stored it (the Zarr M8 dtype, so zarr 2 reads the values); .lindi keeps h5py's view
    assert c.meta("d", ".zarray")["dtype"] == "<M8[ns]"
    assert c.meta("d", ".lindi")["dtype"] == {"class": "opaque", "size": 8, "tag": "NUMPY:<M8[ns]"}
    assert np.array_equal(np.frombuffer(c.raw("d/0"), "<M8[ns]"), values, equal_nan=True)


def test_timedelta_opaque_fill_value_is_its_integer_count(tmp_path, convert):
    path = tmp_path / "td.h5"
    delta = h5py.opaque_dtype(np.dtype(">m8[ms]"))
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=np.arange(3).astype(">m8[ms]").astype(delta), chunks=(2,),
                         fillvalue=np.array(-7, dtype=">m8[ms]").astype(delta))
    zarray = convert(path).meta("d", ".zarray")
    assert (zarray["dtype"], zarray["fill_value"]) == (">m8[ms]", -7)


def test_other_opaque_types_stay_void(tmp_path, convert):
    path = tmp_path / "op.h5"
    with h5py.File(path, "w") as f:
        f["plain"] = np.array([b"12345678"], dtype="V8")
        tagged = h5py.h5t.create(h5py.h5t.OPAQUE, 8)
        tagged.set_tag(b"camera frame id")
        dset = h5py.h5d.create(f.id, b"tagged", tagged, h5py.h5s.create_simple((1,)))
        dset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b"abcdefgh"], dtype="V8"), mtype=tagged)
    c = convert(path)
    assert c.meta("plain", ".zarray")["dtype"] == "|V8"
    assert c.meta("tagged", ".zarray")["dtype"] == "|V8"
    assert c.meta("tagged", ".lindi")["dtype"] == {"class": "opaque", "size": 8, "tag": "camera frame id"}


def test_array_dtype_dataset_and_committed_datatype(tmp_path, convert):
    path = tmp_path / "arr.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("a", shape=(2,), dtype=np.dtype(("<i2", (3,))))[:] = [[1, 2, 3], [4, 5, 6]]
        f["named_type"] = np.dtype("<f8")
    c = convert(path)
    assert c.meta("a", ".lindi")["dtype"] == {"class": "array", "base": "<i2", "shape": [3]}
    assert c.json_chunk("a/0") == [[1, 2, 3], [4, 5, 6]]
    assert [(u.path, "committed datatype" in u.reason) for u in c.report.unsupported] == [("/named_type", True)]
