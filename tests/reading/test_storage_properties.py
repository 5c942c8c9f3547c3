"""h5py's creation properties (chunks, maxshape, fillvalue, filters) and attrs.get_id on hand-built documents."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from lindi.errors import DocumentError
from lindi.LindiH5pyFile import LindiH5pyFile
from lindi.h5file.storage import FilterProperties, filter_properties

from .builder import JSON2, DocBuilder


def _zarray(*codecs: dict, compressor: dict | None = None) -> dict:
    return {"filters": list(codecs) or None, "compressor": compressor}


@pytest.mark.parametrize("zarray, expected", [
    (_zarray(), FilterProperties()),
    (_zarray(compressor={"id": "zlib", "level": 4}), FilterProperties("gzip", 4)),
    (_zarray({"id": "shuffle", "elementsize": 4}, compressor={"id": "gzip", "level": 9}),
     FilterProperties("gzip", 9, shuffle=True)),
    (_zarray({"id": "shuffle", "elementsize": 4}, {"id": "zlib", "level": 1}, {"id": "fletcher32"}),
     FilterProperties("gzip", 1, shuffle=True, fletcher32=True)),
    (_zarray(compressor={"id": "lindi_hdf5_lzf", "nbytes": 64}), FilterProperties("lzf")),
    (_zarray(compressor={"id": "imagecodecs_lzf"}), FilterProperties("lzf")),
    (_zarray(compressor={"id": "imagecodecs_szip", "options_mask": 169, "pixels_per_block": 16}),
     FilterProperties("szip", ("nn", 16))),
    (_zarray(compressor={"id": "imagecodecs_szip", "options_mask": 141, "pixels_per_block": 8}),
     FilterProperties("szip", ("ec", 8))),
    (_zarray({"id": "lindi_hdf5_scaleoffset", "scale_factor": 3, "scale_type": "float_dscale"}),
     FilterProperties(scaleoffset=3)),
    (_zarray({"id": "lindi_hdf5_scaleoffset", "scale_factor": 0}, compressor={"id": "zlib", "level": 4}),
     FilterProperties("gzip", 4, scaleoffset=0)),
    (_zarray({"id": "lindi_hdf5_nbit", "precision": 25}), FilterProperties("unknown")),  # h5py: a plugin filter
    (_zarray(compressor={"id": "blosc", "cname": "lz4"}), FilterProperties("unknown")),
    (_zarray({"id": "lindi_hdf5_nbit"}, compressor={"id": "zlib", "level": 2}), FilterProperties("gzip", 2)),
    (_zarray(JSON2), FilterProperties()),  # the JSON codec is no HDF5 filter
])
def test_filter_properties_follow_h5py_naming(zarray, expected):
    assert filter_properties(zarray) == expected


def test_storage_member_sets_chunks_maxshape_and_json_fill(tmp_path):
    b = DocBuilder(tmp_path)
    b.array("contig", np.arange(10, dtype="<i4"), chunks=(4,), lindi={"storage": {"layout": "contiguous"}})
    b.array("grow", np.arange(10, dtype="<i4"), chunks=(4,),
            lindi={"storage": {"layout": "chunked", "maxshape": [None]}})
    b.array("hdf5_chunks", np.arange(12, dtype="<i4").reshape(3, 4), chunks=(3, 4),
            lindi={"storage": {"layout": "chunked", "chunks": [1, 2], "maxshape": [9, None]}})
    f = LindiH5pyFile.from_reference_file_system(b.build())
    assert f["contig"].chunks is None and f["contig"].maxshape == (10,)
    assert f["grow"].chunks == (4,) and f["grow"].maxshape == (None,)
    assert f["hdf5_chunks"].chunks == (1, 2) and f["hdf5_chunks"].maxshape == (9, None)
    assert np.array_equal(f["contig"][()], np.arange(10))


def test_without_storage_the_zarr_chunks_and_shape_are_reported(tmp_path):
    b = DocBuilder(tmp_path, legacy=True)
    b.array("x", np.arange(10, dtype="<i4"), chunks=(4,))
    f = LindiH5pyFile.from_reference_file_system(b.build())
    assert f["x"].chunks == (4,) and f["x"].maxshape == (10,)
    assert f["x"].compression == "gzip" and f["x"].compression_opts == 4


def _compound_doc(fill_value: object) -> dict:
    desc = {"class": "compound", "itemsize": 6, "fields": [{"name": "a", "offset": 0, "dtype": "<i2"},
                                                           {"name": "b", "offset": 2, "dtype": "<f4"}]}
    return {"version": 1, "lindi_spec": "1.0", "refs": {
        ".zgroup": {"zarr_format": 2},
        "c/.zarray": {"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "|O", "compressor": None,
                      "filters": [JSON2], "fill_value": None, "order": "C"},
        "c/.zattrs": {"_COMPOUND_DTYPE": [["a", "int16"], ["b", "float32"]]},
        "c/.lindi": {"dtype": desc, "storage": {"layout": "contiguous", "fill_value": fill_value}},
        "c/0": '[[1,"NaN"],"|O",[1]]'}}


def test_json_codec_fill_value_from_storage():
    f = LindiH5pyFile.from_reference_file_system(_compound_doc([3, "-Infinity"]))
    fill = f["c"].fillvalue
    assert isinstance(fill, np.void) and fill["a"] == 3 and fill["b"] == -np.inf
    assert np.isnan(f["c"][0]["b"])


def test_bad_storage_fill_value_is_a_document_error():
    f = LindiH5pyFile.from_reference_file_system(_compound_doc(["x"]))
    with pytest.raises(DocumentError, match="fill_value of /c") as info:
        f["c"].fillvalue
    assert info.value.pointer == "/refs/c~1.lindi"


def test_attrs_get_id_gives_the_stored_type(tmp_path):
    b = DocBuilder(tmp_path)
    enum = {"class": "enum", "base": "|i1", "members": {"A": 0, "B": 1}}
    b.group("", attrs={"fixed": "DIMENSION_SCALE", "ascii": "x", "utf8": "y", "enum": 1, "ints": [1, 2],
                       "null": None},
            lindi={"attrs": {"fixed": {"dtype": {"class": "string", "charset": "ascii", "length": 16}},
                             "ascii": {"dtype": {"class": "string", "charset": "ascii", "length": None}},
                             "enum": {"dtype": enum},
                             "null": {"dtype": "<f4", "null_dataspace": True}}})
    attrs = LindiH5pyFile.from_reference_file_system(b.build()).attrs
    fixed = attrs.get_id("fixed")
    assert fixed.name == b"fixed" and fixed.shape == () and fixed.dtype.itemsize == 16
    assert h5py.check_string_dtype(fixed.dtype) == h5py.check_string_dtype(h5py.string_dtype("ascii", 16))
    assert h5py.check_string_dtype(attrs.get_id("ascii").dtype).encoding == "ascii"
    assert h5py.check_string_dtype(attrs.get_id("utf8").dtype).encoding == "utf-8"
    assert h5py.check_enum_dtype(attrs.get_id("enum").dtype) == {"A": 0, "B": 1}
    ints = attrs.get_id("ints")
    assert ints.dtype == np.dtype("int64") and ints.shape == (2,)
    null = attrs.get_id("null")
    assert null.dtype == np.dtype("<f4") and null.shape is None
    with pytest.raises(KeyError):
        attrs.get_id("missing")
