"""Datatype descriptors <-> numpy dtypes (SPEC 4.1): the format layer gives exactly h5py's dtypes and back."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from lindi.conversion.dtypes import describe as describe_h5py
from lindi.errors import DocumentError, UnsupportedObjectError
from lindi.format.compound import compound_dtype_annotation, legacy_compound_dtype
from lindi.format.descriptors import describe, descriptor_to_dtype, typestr_dtype
from lindi.h5file.dtypes import H5PY_REFERENCES

_COMPOUND = np.dtype({"names": ["a", "s", "r", "v"],
                      "formats": ["<i4", h5py.string_dtype(), h5py.ref_dtype, h5py.vlen_dtype(np.dtype("<f8"))],
                      "offsets": [0, 8, 16, 24], "itemsize": 40})
_NESTED = np.dtype([("x", "<u2"), ("inner", [("y", ">f4"), ("e", h5py.enum_dtype({"A": 1, "B": 7}, basetype="u1"))]),
                    ("arr", "<i8", (2, 3))])

#: (h5py dtype, its descriptor): every descriptor class and the typestrs of SPEC 4.1.
CASES = [
    *[(np.dtype(t), np.dtype(t).str) for t in ("<i2", ">i4", "<i8", "|i1", "|u1", "<u2", ">u4", "<u8",
                                                "<f2", "<f4", ">f8", "<c8", ">c16")],
    (np.dtype(bool), "|b1"),
    (h5py.string_dtype(), {"class": "string", "charset": "utf-8", "length": None}),
    (h5py.string_dtype("ascii"), {"class": "string", "charset": "ascii", "length": None}),
    (h5py.string_dtype("ascii", 7), {"class": "string", "charset": "ascii", "length": 7}),
    (h5py.string_dtype("utf-8", 12), {"class": "string", "charset": "utf-8", "length": 12}),
    (h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1"),
     {"class": "enum", "base": "|i1", "members": {"RED": 0, "GREEN": 1}}),
    (h5py.enum_dtype({"BIG": 2**63 - 1}, basetype=">i8"), {"class": "enum", "base": ">i8", "members": {"BIG": 2**63 - 1}}),
    (h5py.vlen_dtype(np.dtype("<i4")), {"class": "vlen", "base": "<i4"}),
    (h5py.vlen_dtype(h5py.string_dtype("ascii", 3)),
     {"class": "vlen", "base": {"class": "string", "charset": "ascii", "length": 3}}),
    (h5py.ref_dtype, {"class": "reference"}),
    (h5py.regionref_dtype, {"class": "region_reference"}),
    (np.dtype(("<f4", (2, 2))), {"class": "array", "base": "<f4", "shape": [2, 2]}),
    (_COMPOUND, {"class": "compound", "itemsize": 40, "fields": [
        {"name": "a", "offset": 0, "dtype": "<i4"},
        {"name": "s", "offset": 8, "dtype": {"class": "string", "charset": "utf-8", "length": None}},
        {"name": "r", "offset": 16, "dtype": {"class": "reference"}},
        {"name": "v", "offset": 24, "dtype": {"class": "vlen", "base": "<f8"}}]}),
    (_NESTED, {"class": "compound", "itemsize": 2 + 5 + 48, "fields": [
        {"name": "x", "offset": 0, "dtype": "<u2"},
        {"name": "inner", "offset": 2, "dtype": {"class": "compound", "itemsize": 5, "fields": [
            {"name": "y", "offset": 0, "dtype": ">f4"},
            {"name": "e", "offset": 4, "dtype": {"class": "enum", "base": "|u1", "members": {"A": 1, "B": 7}}}]}},
        {"name": "arr", "offset": 7, "dtype": {"class": "array", "base": "<i8", "shape": [2, 3]}}]}),
]


def _h5py_view(dt: np.dtype) -> tuple:
    """Everything h5py and hdmf look at in a dtype: the dtype itself and h5py's tags, recursively."""
    if dt.names is not None:
        return (dt, dt.itemsize, tuple((n, dt.fields[n][1], _h5py_view(dt.fields[n][0])) for n in dt.names))
    if dt.subdtype is not None:
        return (dt, _h5py_view(dt.subdtype[0]), dt.subdtype[1])
    vlen = h5py.check_vlen_dtype(dt)
    return (dt, h5py.check_string_dtype(dt), h5py.check_enum_dtype(dt), h5py.check_ref_dtype(dt),
            _h5py_view(np.dtype(vlen)) if vlen not in (None, str, bytes) else vlen)


@pytest.mark.parametrize("dt, desc", CASES, ids=[str(i) for i in range(len(CASES))])
def test_descriptor_round_trip(dt, desc):
    assert describe(dt) == desc
    back = descriptor_to_dtype(desc, H5PY_REFERENCES)
    assert _h5py_view(back) == _h5py_view(dt)
    assert describe(back) == desc


def test_opaque_and_numpy_time_types():
    assert descriptor_to_dtype({"class": "opaque", "size": 5, "tag": "blob"}, H5PY_REFERENCES) == np.dtype("V5")
    time = descriptor_to_dtype({"class": "opaque", "size": 8, "tag": "NUMPY:<M8[s]"}, H5PY_REFERENCES)
    assert time == np.dtype("<M8[s]") and time.metadata == {"h5py_opaque": True}
    assert describe(time) == {"class": "opaque", "size": 8, "tag": "NUMPY:<M8[s]"}
    # a NUMPY tag whose size does not match is plain opaque bytes
    assert descriptor_to_dtype({"class": "opaque", "size": 4, "tag": "NUMPY:<M8[s]"}, H5PY_REFERENCES) == np.dtype("V4")


def test_opaque_tags_come_from_the_stored_hdf5_type(tmp_path):
    """The tag of an opaque type (at any depth) is not in the numpy dtype: the converter reads it off the TypeID."""
    opaque = h5py.h5t.create(h5py.h5t.OPAQUE, 4)
    opaque.set_tag(b"my tag")
    compound = h5py.h5t.create(h5py.h5t.COMPOUND, 12)
    compound.insert(b"n", 0, h5py.h5t.STD_I64LE)
    compound.insert(b"o", 8, opaque)
    with h5py.File(tmp_path / "o.h5", "w") as f:
        space = h5py.h5s.create_simple((2,))
        h5py.h5d.create(f.id, b"plain", opaque, space)
        h5py.h5d.create(f.id, b"nested", compound, space)
        plain, nested = f["plain"], f["nested"]
        assert describe_h5py(plain.dtype, plain.id.get_type()) == {"class": "opaque", "size": 4, "tag": "my tag"}
        assert describe_h5py(nested.dtype, nested.id.get_type())["fields"][1]["dtype"] == \
            {"class": "opaque", "size": 4, "tag": "my tag"}
        assert describe_h5py(plain.dtype) == {"class": "opaque", "size": 4, "tag": ""}  # no HDF5 type: no tag


def test_typestrs_read_as_h5py_reports_them():
    assert h5py.check_string_dtype(typestr_dtype("|S6")) == h5py.check_string_dtype(h5py.string_dtype("ascii", 6))
    with pytest.raises(DocumentError, match="needs a datatype descriptor") as info:
        typestr_dtype("|O", where="/refs/a~1.zarray")
    assert info.value.pointer == "/refs/a~1.zarray"


@pytest.mark.parametrize("bad", [
    {"class": "nope"}, {"class": "enum", "base": "<f4", "members": {}}, {"class": "compound", "fields": [{}]},
    {"class": "array", "base": "<i4"}, "not a dtype", 3, {"no": "class"},
])
def test_invalid_descriptors_name_their_place(bad):
    with pytest.raises(DocumentError) as info:
        descriptor_to_dtype(bad, H5PY_REFERENCES, where="/refs/x~1.lindi")
    assert info.value.pointer == "/refs/x~1.lindi"


def test_types_without_a_descriptor_are_refused():
    with pytest.raises(UnsupportedObjectError):
        describe(np.dtype("<U3"))


def test_compound_dtype_annotation_round_trip():
    dt = np.dtype([("id", "<i4"), ("name", h5py.string_dtype()), ("target", h5py.ref_dtype), ("t", "<M8[s]")])
    annotation = compound_dtype_annotation(dt)
    assert annotation == [["id", "int32"], ["name", "object"], ["target", "<REFERENCE>"], ["t", "datetime64[s]"]]
    back = legacy_compound_dtype(annotation, H5PY_REFERENCES)
    assert back == dt
    assert h5py.check_ref_dtype(back["target"]) is h5py.Reference
    assert h5py.check_string_dtype(back["name"]).length is None
    with pytest.raises(DocumentError, match="_COMPOUND_DTYPE") as info:
        legacy_compound_dtype([["a", "no such type"]], H5PY_REFERENCES, where="/refs/c~1.zattrs")
    assert info.value.pointer == "/refs/c~1.zattrs"


def test_subclasses_of_h5py_reference_classes_keep_their_kind():
    from lindi.h5file.reference import LindiH5pyReference, LindiH5pyRegionReference

    assert describe(np.dtype("O", metadata={"ref": LindiH5pyRegionReference})) == {"class": "region_reference"}
    assert describe(np.dtype("O", metadata={"ref": LindiH5pyReference})) == {"class": "reference"}
