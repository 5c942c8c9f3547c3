"""Dataset values, dtypes, shapes and Python types equal h5py's, per representation of spec section 3."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from lindi.LindiH5pyFile import LindiH5pyDataset, LindiH5pyFile

from .builder import DocBuilder
from .oracle import assert_same

SELECTIONS = [(), (Ellipsis,), (slice(1, 5),), (slice(None, None, 3),), ([0, 2, 5],), (np.int64(-1),), (3,)]


def _open(b: DocBuilder) -> LindiH5pyFile:
    return LindiH5pyFile.from_reference_file_system(b.build())


@pytest.fixture
def h5(tmp_path):
    f = h5py.File(tmp_path / "oracle.h5", "w")
    yield f
    f.close()


@pytest.mark.parametrize("dtype", ["|i1", "<u2", ">i4", "<u8", ">f4", "<f2", "<f8", ">i8", "|b1", "<c8", ">c16"])
def test_numeric_dtypes(tmp_path, h5, dtype):
    data = (np.arange(12) % 7 - 3).astype(dtype) if dtype != "|b1" else (np.arange(12) % 3 == 0)
    data = data.astype(dtype)
    h5.create_dataset("x", data=data, chunks=(5,), compression="gzip", shuffle=True)
    b = DocBuilder(tmp_path)
    fill = False if dtype == "|b1" else [0, 0] if dtype[1] == "c" else 0
    b.array("x", data, chunks=(5,), shuffle=True, fill_value=fill)
    f = _open(b)
    assert f["x"].dtype == h5["x"].dtype and f["x"].shape == h5["x"].shape and f["x"].chunks == (5,)
    for sel in SELECTIONS:
        assert_same(f["x"][sel], h5["x"][sel], f"{dtype} {sel}")


def test_2d_selections_fancy_step_and_mask(tmp_path, h5):
    data = np.arange(7 * 9, dtype="<i4").reshape(7, 9)
    h5.create_dataset("x", data=data, chunks=(3, 4))
    b = DocBuilder(tmp_path)
    b.array("x", data, chunks=(3, 4))
    f = _open(b)
    for sel in [(slice(1, 6, 2), slice(None, None, 4)), (2, slice(3, 8)), ([1, 4, 6], 2), (slice(None), [0, 8]),
                (Ellipsis, 3), (np.s_[0:0, :]), (data % 5 == 0,), (-1, -1)]:
        assert_same(f["x"][sel], h5["x"][sel], str(sel))
    assert len(f["x"]) == 7 and f["x"].size == 63 and f["x"].ndim == 2 and f["x"].nbytes == 252
    assert [r.tolist() for r in f["x"]] == data.tolist()
    np.testing.assert_array_equal(np.asarray(f["x"]), data)
    assert list(f["x"].iter_chunks()) == list(h5["x"].iter_chunks())
    with pytest.raises(IndexError):
        f["x"][7]
    with pytest.raises(ValueError):
        f["x"][::-1]


def test_astype_fields_and_read_direct(tmp_path, h5):
    data = np.arange(6, dtype="<i2")
    h5.create_dataset("x", data=data)
    b = DocBuilder(tmp_path)
    b.array("x", data)
    f = _open(b)
    assert_same(f["x"].astype("f8")[1:3], h5["x"].astype("f8")[1:3])
    out = np.zeros(6, dtype="<i2")
    f["x"].read_direct(out)
    np.testing.assert_array_equal(out, data)


def test_enum(tmp_path, h5):
    dt = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 7}, basetype="i1")
    data = np.array([0, 7, 1, 1], dtype="i1")
    h5.create_dataset("e", data=np.array(data.tolist(), dtype=dt))
    b = DocBuilder(tmp_path)
    b.array("e", data, lindi={"dtype": {"class": "enum", "base": "|i1", "members": {"RED": 0, "GREEN": 1, "BLUE": 7}}})
    f = _open(b)
    assert h5py.check_enum_dtype(f["e"].dtype) == {"RED": 0, "GREEN": 1, "BLUE": 7}
    for sel in [(), (1,), (slice(0, 2),)]:
        assert_same(f["e"][sel], h5["e"][sel], str(sel))


@pytest.mark.parametrize("charset", ["ascii", "utf-8"])
def test_fixed_length_strings(tmp_path, h5, charset):
    data = np.array([b"ab", b"cde", b"", "é".encode() if charset == "utf-8" else b"zz"], dtype="S4")
    h5.create_dataset("s", data=np.array(data.tolist(), dtype=h5py.string_dtype(charset, 4)))
    b = DocBuilder(tmp_path)
    lindi = {"dtype": {"class": "string", "charset": "utf-8", "length": 4}} if charset == "utf-8" else None
    b.array("s", data, lindi=lindi, fill_value="AAAAAA==")
    f = _open(b)
    for sel in [(), (0,), (slice(1, 3),)]:
        assert_same(f["s"][sel], h5["s"][sel], str(sel))
    assert_same(f["s"].asstr()[:], h5["s"].asstr()[:])


@pytest.mark.parametrize("charset", ["ascii", "utf-8"])
def test_vlen_strings(tmp_path, h5, charset):
    values = ["a", "NaN", "base64:xx", ""] + (["héllo"] if charset == "utf-8" else ["z"])
    h5.create_dataset("s", data=values, dtype=h5py.string_dtype(charset))
    h5.create_dataset("sc", data="scalar text", dtype=h5py.string_dtype(charset))
    b = DocBuilder(tmp_path)
    lindi = {"dtype": {"class": "string", "charset": "ascii", "length": None}} if charset == "ascii" else None
    b.json_array("s", values, (5,), lindi=lindi)
    b.json_array("sc", ["scalar text"], (1,), lindi=lindi, scalar=True)
    f = _open(b)
    for sel in [(), (0,), (slice(1, 4),), ([0, 4],)]:
        assert_same(f["s"][sel], h5["s"][sel], str(sel))
    assert_same(f["s"].asstr()[:], h5["s"].asstr()[:])
    assert_same(f["sc"][()], h5["sc"][()])
    assert f["sc"].shape == () and f["sc"].asstr()[()] == "scalar text"


def test_opaque(tmp_path, h5):
    data = np.array([b"\x01\x02\x03", b"\xff\x00\x10"], dtype="V3")
    h5.create_dataset("o", data=data)
    b = DocBuilder(tmp_path)
    b.array("o", data, lindi={"dtype": {"class": "opaque", "size": 3, "tag": ""}}, fill_value="AAAA")
    f = _open(b)
    assert_same(f["o"][()], h5["o"][()])
    assert_same(f["o"][1], h5["o"][1])


def test_vlen_numeric(tmp_path, h5):
    dt = h5py.vlen_dtype(np.dtype("<i4"))
    ds = h5.create_dataset("v", shape=(3,), dtype=dt)
    ds[0], ds[1], ds[2] = [1, 2, 3], [], [7]
    b = DocBuilder(tmp_path)
    b.json_array("v", [[1, 2, 3], [], [7]], (3,), lindi={"dtype": {"class": "vlen", "base": "<i4"}})
    f = _open(b)
    assert_same(f["v"][()], h5["v"][()])
    assert_same(f["v"][1], h5["v"][1])


def test_compound_with_strings_refs_nested_and_array_fields(tmp_path, h5):
    inner = np.dtype([("p", "<i2"), ("q", ">f8")])
    dt = np.dtype([("a", "<i4"), ("b", ">f8"), ("s", "S3"), ("v", h5py.string_dtype()), ("r", h5py.ref_dtype),
                   ("n", inner), ("arr", "<u1", (2,))])
    h5.create_group("tgt")
    data = np.zeros(2, dtype=dt)
    data[0] = (1, 1.5, b"ab", "x", h5["tgt"].ref, (3, 4.5), [1, 2])
    data[1] = (-2, float("nan"), b"cde", "yz", h5py.Reference(), (5, -1.0), [3, 4])
    h5.create_dataset("c", data=data)
    h5.create_dataset("cs", data=data[0])
    b = DocBuilder(tmp_path)
    b.group("tgt")
    ref = {"_REFERENCE": {"object_id": None, "path": "/tgt", "source": ".", "source_object_id": None}}
    null = {"_REFERENCE": {"object_id": None, "path": None, "source": ".", "source_object_id": None}}
    desc = {"class": "compound", "itemsize": dt.itemsize, "fields": [
        {"name": "a", "offset": 0, "dtype": "<i4"}, {"name": "b", "offset": 4, "dtype": ">f8"},
        {"name": "s", "offset": 12, "dtype": {"class": "string", "charset": "ascii", "length": 3}},
        {"name": "v", "offset": 15, "dtype": {"class": "string", "charset": "utf-8", "length": None}},
        {"name": "r", "offset": 23, "dtype": {"class": "reference"}},
        {"name": "n", "offset": 31, "dtype": {"class": "compound", "itemsize": 10, "fields": [
            {"name": "p", "offset": 0, "dtype": "<i2"}, {"name": "q", "offset": 2, "dtype": ">f8"}]}},
        {"name": "arr", "offset": 41, "dtype": {"class": "array", "base": "|u1", "shape": [2]}}]}
    compound_attr = [["a", "int32"], ["b", ">f8"], ["s", "|S3"], ["v", "object"], ["r", "<REFERENCE>"],
                     ["n", "[('p', '<i2'), ('q', '>f8')]"], ["arr", "('u1', (2,))"]]
    rows = [[1, 1.5, "ab", "x", ref, [3, 4.5], [1, 2]], [-2, "NaN", "cde", "yz", null, [5, -1.0], [3, 4]]]
    b.json_array("c", rows, (2,), attrs={"_COMPOUND_DTYPE": compound_attr}, lindi={"dtype": desc})
    b.json_array("cs", rows[:1], (1,), attrs={"_COMPOUND_DTYPE": compound_attr}, lindi={"dtype": desc}, scalar=True)
    f = _open(b)
    assert f["c"].dtype == h5["c"].dtype
    assert_same(f["c"][()], h5["c"][()])
    assert_same(f["c"][1], h5["c"][1])
    assert_same(f["cs"][()], h5["cs"][()])
    assert_same(f["c"].fields(["a", "s"])[:], h5["c"].fields(["a", "s"])[:])
    assert_same(f["c"]["b"], h5["c"]["b"])
    assert f[f["c"][0]["r"]].name == "/tgt"
    assert "c" in f and "attrs" not in f["c"].attrs and "_COMPOUND_DTYPE" not in f["c"].attrs


def test_legacy_compound_from_compound_dtype_annotation(tmp_path, h5):
    dt = np.dtype([("x", "<i4"), ("r", h5py.ref_dtype)])
    h5.create_group("t")
    h5.create_dataset("c", data=np.array([(1, h5["t"].ref)], dtype=dt))
    b = DocBuilder(tmp_path, legacy=True)
    b.group("t")
    ref = {"_REFERENCE": {"object_id": None, "path": "/t", "source": ".", "source_object_id": None}}
    b.json_array("c", [[1, ref]], (1,), attrs={"_COMPOUND_DTYPE": [["x", "int32"], ["r", "<REFERENCE>"]]})
    f = _open(b)
    assert f["c"].dtype == h5["c"].dtype
    assert_same(f["c"][()], h5["c"][()])
    assert f[f["c"][0]["r"]].name == "/t"


def test_scalars_empty_shapes_and_null_dataspace(tmp_path, h5):
    h5.create_dataset("f", data=np.float32(2.5))
    h5.create_dataset("e0", shape=(0,), dtype="<i8")
    h5.create_dataset("e2", shape=(0, 5), dtype="<f4")
    h5.create_dataset("null", data=h5py.Empty("<f8"))
    b = DocBuilder(tmp_path)
    b.array("f", np.array(2.5, dtype="<f4"), scalar=True)
    b.array("e0", np.zeros(0, "<i8"), chunks=(1,))
    b.array("e2", np.zeros((0, 5), "<f4"), chunks=(1, 5))
    b.array("null", np.zeros(0, "<f8"), chunks=(1,), lindi={"null_dataspace": True})
    f = _open(b)
    for name, sels in {"f": [(), (Ellipsis,)], "e0": [(), (slice(None),)], "e2": [(), (Ellipsis,)],
                       "null": [()]}.items():
        assert f[name].shape == h5[name].shape and f[name].size == h5[name].size, name
        for sel in sels:
            assert_same(f[name][sel], h5[name][sel], f"{name} {sel}")
    with pytest.raises(ValueError):
        f["f"][0]
    with pytest.raises(ValueError):
        f["null"][0]
    with pytest.raises(TypeError):
        len(f["f"])


def test_object_references(tmp_path, h5):
    g = h5.create_group("g")
    d = g.create_dataset("d", data=[1, 2])
    h5.create_dataset("refs", data=[g.ref, d.ref, h5.ref, h5py.Reference()], dtype=h5py.ref_dtype)
    h5.create_dataset("ref0", data=d.ref, dtype=h5py.ref_dtype)
    b = DocBuilder(tmp_path)
    b.group("g", attrs={"object_id": "uuid-g"})
    b.array("g/d", np.array([1, 2]))

    def r(path):
        return {"_REFERENCE": {"object_id": None, "path": path, "source": ".", "source_object_id": None}}
    b.json_array("refs", [r("/g"), r("/g/d"), r("/"), r(None)], (4,))
    b.json_array("ref0", [r("/g/d")], (1,), scalar=True)
    f = _open(b)
    assert f["refs"].dtype == h5["refs"].dtype and h5py.check_dtype(ref=f["refs"].dtype) is h5py.Reference
    assert_same(f["refs"][()], h5["refs"][()])
    assert_same(f["ref0"][()], h5["ref0"][()])
    assert [f[x].name for x in f["refs"][:3]] == [h5[x].name for x in h5["refs"][:3]]
    assert isinstance(f[f["refs"][1]], LindiH5pyDataset)
    with pytest.raises(ValueError):
        f[f["refs"][3]]
    assert f[f["g"].ref].name == "/g" and f["g"].ref.object_id == "uuid-g"


def test_region_references(tmp_path, h5):
    data = np.arange(20, dtype="<i4").reshape(4, 5)
    d = h5.create_dataset("d", data=data)
    regs = [d.regionref[1:3, 2:4], d.regionref[0, :], d.regionref[...]]
    h5.create_dataset("rr", data=regs, dtype=h5py.regionref_dtype)
    b = DocBuilder(tmp_path)
    b.array("d", data)

    def r(region):
        return {"_REFERENCE": {"object_id": None, "path": "/d", "source": ".", "source_object_id": None,
                               "region": region}}
    b.json_array("rr", [r({"kind": "hyperslab", "blocks": [[[1, 2], [2, 3]]]}),
                        r({"kind": "hyperslab", "blocks": [[[0, 0], [0, 4]]]}),
                        r({"kind": "all"})], (3,), lindi={"dtype": {"class": "region_reference"}})
    f = _open(b)
    assert f["rr"].dtype == h5["rr"].dtype
    for i in range(3):
        ours, theirs = f["rr"][i], h5["rr"][i]
        assert isinstance(ours, h5py.RegionReference)
        assert f[ours].name == "/d"
        assert_same(f["d"][ours], h5["d"][theirs], f"region {i}")


def test_point_and_union_regions_follow_h5py_shapes(tmp_path):
    from lindi.format.regions import region_selection
    sel, shape = region_selection({"kind": "points", "points": [[0, 1], [2, 2]]}, (3, 3))
    assert shape == (2,) and [list(s) for s in sel] == [[0, 2], [1, 2]]
    _, shape = region_selection({"kind": "hyperslab", "blocks": [[[0, 0], [0, 1]], [[2, 2], [2, 2]]]}, (3, 3))
    assert shape == (3,)


def test_external_array_link_reads_from_hdf5(tmp_path, h5):
    h5.create_dataset("big", data=np.arange(10.0), compression=32001 if False else None)
    h5.flush()
    b = DocBuilder(tmp_path)
    b.refs["x/.zarray"] = {"zarr_format": 2, "shape": [10], "chunks": [10], "dtype": "<f8", "compressor": None,
                           "filters": None, "fill_value": 0, "order": "C"}
    b.refs["x/.zattrs"] = {"_EXTERNAL_ARRAY_LINK": {"link_type": "hdf5_dataset", "url": h5.filename, "name": "/big"}}
    f = _open(b)
    np.testing.assert_array_equal(f["x"][2:4], [2.0, 3.0])
    assert "_EXTERNAL_ARRAY_LINK" not in f["x"].attrs
