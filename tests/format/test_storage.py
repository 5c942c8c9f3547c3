"""The storage dtype of each descriptor and the object-codec rule (SPEC 3.1, 3.2, 4.1)."""
from __future__ import annotations

import pytest

from lindi.format.object_codecs import JSON_CODEC, OBJECT_CODEC_IDS, is_json_codec_array, is_json_encoded
from lindi.format.zarr_dtypes import OBJECT_DTYPE, accepted_storage_dtypes, default_descriptor, storage_dtype

STRING_VLEN = {"class": "string", "charset": "utf-8", "length": None}

#: (descriptor, storage dtype) per SPEC 4.1 "Storage dtype".
TABLE = [
    ("<i4", "<i4"), (">f8", ">f8"), ("|b1", "|b1"), ("<c16", "<c16"),
    ({"class": "string", "charset": "ascii", "length": 5}, "|S5"),
    (STRING_VLEN, OBJECT_DTYPE),
    ({"class": "enum", "base": "<u8", "members": {"A": 1}}, "<u8"),
    ({"class": "opaque", "size": 3, "tag": "x"}, "|V3"),
    ({"class": "opaque", "size": 8, "tag": "NUMPY:<m8[ms]"}, "<m8[ms]"),
    ({"class": "opaque", "size": 4, "tag": "NUMPY:<M8[s]"}, "|V4"),  # size does not match the tag
    ({"class": "vlen", "base": "<i4"}, OBJECT_DTYPE),
    ({"class": "reference"}, OBJECT_DTYPE),
    ({"class": "region_reference"}, OBJECT_DTYPE),
    ({"class": "compound", "itemsize": 4, "fields": [{"name": "a", "offset": 0, "dtype": "<i4"}]}, OBJECT_DTYPE),
    ({"class": "array", "base": "<i4", "shape": [2]}, OBJECT_DTYPE),
]


@pytest.mark.parametrize("desc, zdtype", TABLE, ids=[str(i) for i in range(len(TABLE))])
def test_storage_dtype_and_the_object_rule(desc, zdtype):
    assert storage_dtype(desc) == zdtype
    assert is_json_encoded(desc) == (zdtype == OBJECT_DTYPE)
    assert zdtype in accepted_storage_dtypes(desc)


def test_numpy_time_types_also_accept_their_spec_1_0_storage():
    assert accepted_storage_dtypes({"class": "opaque", "size": 8, "tag": "NUMPY:<M8[s]"}) == {"<M8[s]", "|V8"}
    assert accepted_storage_dtypes("<i4") == {"<i4"}


def test_default_descriptor_is_what_the_zarr_dtype_alone_means():
    assert default_descriptor(OBJECT_DTYPE) == STRING_VLEN
    assert default_descriptor("|S3") == {"class": "string", "charset": "ascii", "length": 3}
    assert default_descriptor("<f4") == "<f4"
    for desc in ("<i8", STRING_VLEN, {"class": "string", "charset": "ascii", "length": 9}):
        assert default_descriptor(storage_dtype(desc)) == desc  # these need no .lindi dtype


def test_json_codec_arrays():
    assert JSON_CODEC["id"] in OBJECT_CODEC_IDS
    assert is_json_codec_array({"dtype": OBJECT_DTYPE, "filters": [JSON_CODEC]})
    assert is_json_codec_array({"dtype": OBJECT_DTYPE, "filters": [{"id": "json"}]})  # early LINDI documents
    assert not is_json_codec_array({"dtype": OBJECT_DTYPE, "filters": [{"id": "vlen-utf8"}]})
    assert not is_json_codec_array({"dtype": "<i4", "filters": [JSON_CODEC]})
    assert not is_json_codec_array({"dtype": OBJECT_DTYPE, "filters": None})
