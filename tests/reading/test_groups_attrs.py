"""Groups, links, attributes and the File API, compared with h5py on an equivalent file."""
from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from lindi.errors import DocumentError, LindiError
from lindi import LindiH5pyFile, LindiH5pyGroup, ReadOnlyError

from .builder import DocBuilder
from .oracle import assert_same


@pytest.fixture
def pair(tmp_path):
    """An HDF5 file with links and the hand-built LINDI document of it."""
    ext = tmp_path / "other.h5"
    with h5py.File(ext, "w") as e:
        e.create_dataset("x", data=[9, 8])
    h = h5py.File(tmp_path / "links.h5", "w")
    g = h.create_group("g")
    d = g.create_dataset("d", data=np.arange(3))
    g.create_group("sub").create_dataset("leaf", data=1.5)
    h["abs"] = h5py.SoftLink("/g/d")
    g["rel"] = h5py.SoftLink("d")
    h["chain"] = h5py.SoftLink("/abs")
    h["dangling"] = h5py.SoftLink("/nowhere")
    h["hard"] = d
    h["hardg"] = g["sub"]
    h["ext"] = h5py.ExternalLink("other.h5", "/x")
    h["extmissing"] = h5py.ExternalLink("missing.h5", "/x")
    h.close()
    h = h5py.File(tmp_path / "links.h5", "r")

    b = DocBuilder(tmp_path)
    b.group("g")
    b.array("g/d", np.arange(3))
    b.group("g/sub")
    b.array("g/sub/leaf", np.array(1.5), scalar=True)
    b.soft_link("abs", "/g/d")
    b.soft_link("g/rel", "d")
    b.soft_link("chain", "/abs")
    b.soft_link("dangling", "/nowhere")
    b.link("hard", {"type": "hard", "target": "/g/d"})
    b.link("hardg", {"type": "hard", "target": "/g/sub"})
    b.link("ext", {"type": "external", "file": "other.h5", "target": "/x"})
    b.link("extmissing", {"type": "external", "file": "missing.h5", "target": "/x"})
    doc_path = tmp_path / "links.lindi.json"
    doc_path.write_text(json.dumps(b.build()))
    f = LindiH5pyFile.from_lindi_file(str(doc_path))
    yield h, f
    h.close()
    f.close()


def test_members_and_membership(pair):
    h, f = pair
    assert list(f) == list(h) and len(f) == len(h) and list(f["g"]) == list(h["g"])
    for name in ["g", "abs", "dangling", "ext", "g/rel", "nope", "g/nope", "/g/d"]:
        assert (name in f) == (name in h), name
    assert list(f.keys()) == list(h.keys())
    assert isinstance(f["g"], LindiH5pyGroup) and isinstance(f["g"], h5py.Group) and isinstance(f, h5py.File)


def test_soft_hard_external_links(pair):
    h, f = pair
    for name in ["abs", "g/rel", "chain", "hard", "hardg/leaf"]:
        assert f[name].name == h[name].name, name
        assert_same(f[name][()], h[name][()], name)
    for name in ["abs", "dangling", "hard", "ext", "g/rel"]:
        ours, theirs = f.get(name, getlink=True), h.get(name, getlink=True)
        assert isinstance(ours, type(theirs)), name  # LINDI 0.4's LindiH5pySoftLink/HardLink subclass them
        assert getattr(ours, "path", None) == getattr(theirs, "path", None)
        assert getattr(ours, "filename", None) == getattr(theirs, "filename", None)
    assert f.get("abs", getclass=True, getlink=True) is h5py.SoftLink
    assert f["g"].get("sub", getclass=True) is h5py.Group
    with pytest.raises(KeyError):
        f["dangling"]
    with pytest.raises(KeyError):
        f["extmissing"]
    assert f.get("dangling") is None and f.get("nope", "dflt") == "dflt"
    assert_same(f["ext"][()], h["ext"][()])
    assert f["hard"].id == f["g/d"].id and f["hard"] == f["g/d"]
    assert f["abs"].parent.name == "/" and f["g/d"].parent.name == "/g"


def test_visit_each_object_once(pair):
    h, f = pair
    ours, theirs = [], []
    f.visit(ours.append)
    h.visit(theirs.append)
    assert ours == theirs
    found = f.visititems(lambda name, obj: name if name.endswith("leaf") else None)
    assert found == "g/sub/leaf"


def test_attributes_types_and_order(tmp_path):
    h = h5py.File(tmp_path / "a.h5", "w", track_order=True)
    g = h.create_group("g", track_order=True)
    g.attrs["zeta"] = "text"
    g.attrs["alpha"] = np.int16(-3)
    g.attrs["i64"] = 7
    g.attrs["f64"] = 2.5
    g.attrs["nan"] = np.nan
    g.attrs["flag"] = True
    g.attrs["f32arr"] = np.array([1.5, 2.5], dtype="<f4")
    g.attrs["strs"] = ["a", "bc"]
    g.attrs["one"] = np.array([5])
    g.attrs["fixed"] = np.bytes_(b"abc")
    g.attrs["raw"] = np.bytes_(b"\xff\x00")
    g.attrs["cplx"] = np.complex64(1 + 2j)
    g.attrs["empty"] = h5py.Empty("<i4")
    g.attrs["nanstr"] = "NaN"
    g.attrs["big"] = np.uint64(2**63 + 5)
    g.attrs["ref"] = h["g"].ref
    g.attrs["m2d"] = np.arange(6).reshape(2, 3)
    b = DocBuilder(tmp_path)
    ref = {"_REFERENCE": {"object_id": None, "path": "/g", "source": ".", "source_object_id": None}}
    attrs = {"zeta": "text", "alpha": -3, "i64": 7, "f64": 2.5, "nan": "NaN", "flag": True, "f32arr": [1.5, 2.5],
             "strs": ["a", "bc"], "one": [5], "fixed": "abc", "raw": "base64:/wA=", "cplx": [1.0, 2.0],
             "empty": None, "nanstr": "NaN", "big": str(2**63 + 5), "ref": ref, "m2d": [[0, 1, 2], [3, 4, 5]]}
    types = {"alpha": {"dtype": "<i2"}, "f32arr": {"dtype": "<f4", "shape": [2]}, "one": {"dtype": "<i8", "shape": [1]},
             "fixed": {"dtype": {"class": "string", "charset": "ascii", "length": 3}},
             "raw": {"dtype": {"class": "string", "charset": "ascii", "length": 2}, "encoding": "base64"},
             "cplx": {"dtype": "<c8"}, "empty": {"dtype": "<i4", "null_dataspace": True},
             "nanstr": {"dtype": {"class": "string", "charset": "utf-8", "length": None}}, "big": {"dtype": "<u8"}}
    b.group("g", attrs=attrs, lindi={"attrs": types, "attr_order": list(g.attrs)})
    f = LindiH5pyFile.from_reference_file_system(b.build())
    assert list(f["g"].attrs) == list(g.attrs) and len(f["g"].attrs) == len(g.attrs)
    for name in g.attrs:
        assert_same(f["g"].attrs[name], g.attrs[name], name)
    assert f[f["g"].attrs["ref"]].name == "/g"
    assert "alpha" in f["g"].attrs and "_SCALAR" not in f["g"].attrs
    with pytest.raises(KeyError):
        f["g"].attrs["missing"]
    with pytest.raises(ReadOnlyError):
        f["g"].attrs["new"] = 1
    h.close()


def test_member_order_from_lindi(tmp_path):
    b = DocBuilder(tmp_path)
    b.group("", lindi={"member_order": ["b", "a"]})
    b.group("a")
    b.group("b")
    f = LindiH5pyFile.from_reference_file_system(b.build())
    assert list(f) == ["b", "a"]


def test_legacy_profile_reads(tmp_path):
    b = DocBuilder(tmp_path, legacy=True)
    b.array("x", np.arange(4, dtype="<i8"), attrs={"unit": "s"})
    b.json_array("names", ["a", "b"], (2,))
    b.soft_link("alias", "/x")
    doc = b.build()
    doc["generationMetadata"] = {"generatedBy": "lindi 0.4"}
    f = LindiH5pyFile.from_reference_file_system(doc)
    assert f["alias"][2] == 2 and f["x"].attrs["unit"] == "s"
    assert f["names"][1] == b"b" and h5py.check_string_dtype(f["names"].dtype).encoding == "utf-8"
    assert f.to_reference_file_system()["generationMetadata"] == {"generatedBy": "lindi 0.4"}


def test_write_lindi_file_round_trip_and_atomicity(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("x", np.arange(5.0))
    f = LindiH5pyFile.from_reference_file_system(b.build())
    out = tmp_path / "out.lindi.json"
    f.write_lindi_file(out)
    g = LindiH5pyFile.from_lindi_file(str(out))
    np.testing.assert_array_equal(g["x"][:], np.arange(5.0))
    assert g.to_reference_file_system() == f.to_reference_file_system()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".lindi-")] == []
    with pytest.raises(OSError):
        f.write_lindi_file(tmp_path / "no_such_dir" / "x.json")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".lindi-")] == []


def test_writes_are_refused_in_mode_r(tmp_path):  # write modes: tests/editing
    b = DocBuilder(tmp_path)
    b.array("x", np.arange(3))
    f = LindiH5pyFile.from_reference_file_system(b.build())
    with pytest.raises(LindiError):
        f.create_group("new")
    with pytest.raises(LindiError):
        f["x"][0] = 1
    with f as ctx:
        assert ctx.mode == "r" and ctx.filename


def test_bad_metadata_names_the_key(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("x", np.arange(3))
    doc = b.build()
    doc["refs"]["x/.zattrs"] = "{not json"
    f = LindiH5pyFile.from_reference_file_system(doc)
    with pytest.raises(DocumentError, match="x/.zattrs"):
        f["x"].attrs["a"]
    doc["refs"]["x/.zattrs"] = {"a": [1, "x", 2.5]}
    doc["refs"]["x/.lindi"] = {"attrs": {"a": {"dtype": "<i4", "shape": [3]}}}
    f = LindiH5pyFile.from_reference_file_system(doc)
    with pytest.raises(DocumentError, match="attribute 'a' of /x"):
        f["x"].attrs["a"]


@pytest.mark.parametrize("order", [[["b"], "a"], "ba", {"b": 1}])
def test_malformed_attr_order_is_a_document_error_naming_it(order):
    """Fuzz finding (issue 18 runs): a list inside attr_order raised TypeError (unhashable) instead."""
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2}, "g/.zgroup": {"zarr_format": 2},
                    "g/.zattrs": {"a": 1, "b": 2}, "g/.lindi": {"attr_order": order}}}
    f = LindiH5pyFile.from_reference_file_system(doc)
    with pytest.raises(DocumentError, match="attr_order") as info:
        list(f["g"].attrs)
    assert info.value.pointer == "/refs/g~1.lindi/attr_order"


def _untyped(attrs: dict, *, legacy: bool) -> dict:
    refs = {".zgroup": {"zarr_format": 2}, ".zattrs": attrs}
    doc = {"version": 1, "refs": refs} if legacy else {"version": 1, "lindi_spec": "1.1", "refs": refs}
    f = LindiH5pyFile.from_reference_file_system(doc)
    return {name: f.attrs[name] for name in attrs}


def test_untyped_numbers_are_classified_by_value_in_1x_documents():
    """Spec 1.1 section 5.1: 1, 1.0 and 1e0 are the same value (a JavaScript parser cannot tell them apart)."""
    got = _untyped({"one": 1.0, "half": 2.5, "ints": [1, 2.0], "mixed": [1, 2.5], "big": 2**64 - 1,
                    "neg": -(2**63), "nan": "NaN"}, legacy=False)
    assert type(got["one"]) is np.int64 and got["one"] == 1
    assert type(got["half"]) is np.float64 and got["half"] == 2.5
    assert got["ints"].dtype == np.int64 and got["ints"].tolist() == [1, 2]
    assert got["mixed"].dtype == np.float64 and got["mixed"].tolist() == [1.0, 2.5]
    assert type(got["big"]) is np.float64 and got["big"] == float(2**64 - 1)  # beyond int64: float64
    assert type(got["neg"]) is np.int64 and got["neg"] == -(2**63)
    assert np.isnan(got["nan"])


def test_untyped_numbers_of_legacy_documents_keep_their_written_form():
    got = _untyped({"one": 1.0, "ints": [1, 2], "floats": [1.0, 2.0], "u64": 2**64 - 1}, legacy=True)
    assert type(got["one"]) is np.float64
    assert got["ints"].dtype == np.int64 and got["floats"].dtype == np.float64
    assert type(got["u64"]) is np.uint64 and got["u64"] == 2**64 - 1  # LINDI 0.4 wrote uint64 without a dtype
