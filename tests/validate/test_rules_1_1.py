"""Rules new or made exact in spec 1.1 that the conformance vectors do not reach from every side."""
from __future__ import annotations

import copy

import pytest

from lindi.validation import validate
from lindi.validation.attr_inference import inference_problem
from lindi.validation.compound_type import is_compound_field_type
from lindi.validation.urls import has_credentials, template_names

ZARRAY = {"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "compressor": None, "filters": None,
          "fill_value": 0, "order": "C"}
JSON2 = [{"id": "json2"}]
BASE = {"version": 1, "lindi_spec": "1.1", "refs": {
    ".zgroup": {"zarr_format": 2}, "g/.zgroup": {"zarr_format": 2}, "g/a/.zarray": ZARRAY, "g/a/0": "base64:AAAAAAAAAAA=",
    "h/.zgroup": {"zarr_format": 2}, "h/a/.zarray": ZARRAY, "h/a/0": "base64:AAAAAAAAAAA=",
    "h/.lindi": {"hard_link": "/g"}}}


def _issues(doc) -> set[tuple[str, str]]:
    report = validate(doc)
    return {(i.code, i.pointer) for i in report.errors + report.warnings}


def test_a_group_copy_is_valid_and_any_difference_below_it_is_a_link_error():
    assert _issues(BASE) == set()
    for key, value in (("h/a/1", "base64:AAAAAAAAAAA="), ("h/a/.zattrs", {"x": 1}), ("h/b/.zgroup", {"zarr_format": 2})):
        doc = copy.deepcopy(BASE)
        doc["refs"][key] = value
        assert _issues(doc) == {("LINDI-E-LINK", "/refs/h~1.lindi")}, key


def test_hard_link_marks_are_1_1_only_and_name_the_first_name():
    doc = copy.deepcopy(BASE)
    doc["lindi_spec"] = "1.0"
    assert _issues(doc) == {("LINDI-E-LINDI-META", "/refs/h~1.lindi")}
    doc = copy.deepcopy(BASE)
    doc["refs"]["k/.zgroup"] = {"zarr_format": 2}
    doc["refs"]["k/a/.zarray"] = ZARRAY
    doc["refs"]["k/a/0"] = "base64:AAAAAAAAAAA="
    doc["refs"]["k/.lindi"] = {"hard_link": "/h"}  # /h is itself a copy
    assert _issues(doc) == {("LINDI-E-LINK", "/refs/k~1.lindi")}
    doc = copy.deepcopy(BASE)
    doc["refs"]["g/a/.lindi"] = {"hard_link": "/g"}  # its own ancestor
    assert ("LINDI-E-LINK", "/refs/g~1a~1.lindi") in _issues(doc)


@pytest.mark.parametrize("spec, chunk, valid", [
    ("1.1", '[["a"],["b"],"|O",[2,1]]', True),    # nested
    ("1.0", '["a","b","|O",[2,1]]', True),        # flat
    ("1.1", '["a","b","|O",[2,1]]', True),        # flat accepted in every profile
    ("1.1", '[["a","b"],"|O",[2,1]]', False),     # neither
    ("1.1", '[["a"],["b","c"],"|O",[2,1]]', False),
])
def test_json_codec_layouts(spec, chunk, valid):
    z = dict(ZARRAY, shape=[2, 1], chunks=[2, 1], dtype="|O", filters=JSON2, fill_value=None)
    doc = {"version": 1, "lindi_spec": spec, "refs": {".zgroup": {"zarr_format": 2}, "s/.zarray": z, "s/0.0": chunk}}
    assert validate(doc).valid is valid


def test_a_legacy_compressed_json_chunk_is_decoded():
    import numcodecs

    z = dict(ZARRAY, shape=[2], chunks=[2], dtype="|O", filters=JSON2, fill_value=0,
             compressor={"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0})
    raw = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1).encode(b'["a","b","|O",[2]]')
    doc = {"version": 1, "refs": {".zgroup": {"zarr_format": 2}, "s/.zarray": z,
                                  "s/0": "base64:" + __import__("base64").b64encode(raw).decode()}}
    assert _issues(doc) == {("LINDI-W-LEGACY-PROFILE", "")}
    doc["refs"]["s/0"] = "base64:" + __import__("base64").b64encode(raw[:-3]).decode()
    assert ("LINDI-E-JSON-CHUNK", "/refs/s~10") in _issues(doc)



@pytest.mark.parametrize("compressor", [{"id": "zlib", "level": 9}, {"id": "gzip", "level": 9},
                                        {"id": "bz2", "level": 9}, {"id": "zstd", "level": 19}])
def test_a_compressed_json_chunk_is_decoded_within_max_chunk_bytes(compressor, monkeypatch):
    """A small legacy JSON chunk that inflates to 8 MB is refused at the 1 MB cap, not inflated first."""
    import base64

    import numcodecs

    monkeypatch.setenv("LINDI_MAX_CHUNK_BYTES", str(1024 * 1024))
    text = b'["' + b"a" * (8 * 1024 * 1024) + b'","|O",[1]]'
    raw = numcodecs.get_codec(compressor).encode(text)
    assert len(raw) < 64 * 1024
    z = dict(ZARRAY, shape=[1], chunks=[1], dtype="|O", filters=JSON2, fill_value=None, compressor=compressor)
    doc = {"version": 1, "refs": {".zgroup": {"zarr_format": 2}, "s/.zarray": z,
                                  "s/0": "base64:" + base64.b64encode(raw).decode()}}
    report = validate(doc)
    problems = [i for i in report.errors if i.code == "LINDI-E-JSON-CHUNK"]
    assert [i.pointer for i in problems] == ["/refs/s~10"]
    assert "more than 1048576 bytes" in problems[0].message
    monkeypatch.setenv("LINDI_MAX_CHUNK_BYTES", str(16 * 1024 * 1024))
    assert not [i for i in validate(doc).errors if i.code == "LINDI-E-JSON-CHUNK"]

@pytest.mark.parametrize("url, parts", [
    ("{{u1}}/x", ["", "u1", "/x"]), ("a{b}c", ["a{b}c"]), ("{{{u1}}", None), ("x}}", None), ("{{1a}}", None),
    ("{{a}}{{b}}", ["", "a", "", "b", ""]),
])
def test_template_scan_is_left_to_right(url, parts):
    assert template_names(url) == parts


@pytest.mark.parametrize("url, found", [
    ("https://u:p@h/x", True), ("s3://key@bucket/x", True), ("https://h/x?X-Amz-Signature=1", True),
    ("https://h/x?sig=1&a=2", True), ("https://h/x?signature_version=2", False), ("./rel@x", False),
    ("https://h/x", False),
])
def test_credentials(url, found):
    assert has_credentials(url) is found


@pytest.mark.parametrize("value, ok", [
    (1, True), (1.0, True), (2**64, True), ([1, 2.5], True), (["NaN", 1], True), ([[1, 2], [3, 4]], True),
    (None, False), ([], False), ([True, 1], False), (["a", 1], False), ([[1], [2, 3]], False), ([1, None], False),
])
def test_untyped_attribute_inference(value, ok):
    assert (inference_problem(value) is None) is ok


@pytest.mark.parametrize("text, ok", [
    ("int32", True), ("datetime64[ns]", True), ("[('x', '<f4'), (\"it's\", 'S2', (2, 3))]", True),
    ("('<i2', (3,))", True), ("<U7", True), ("int31", False), ("[('x', 'f4')]", False), ("('<i2', ())", False),
])
def test_compound_field_type_grammar(text, ok):
    assert is_compound_field_type(text) is ok


def test_a_template_that_is_not_a_string_is_one_issue_at_the_template_and_refs_using_it_do_not_crash():
    """Fuzz finding: a null template value used by a ref crashed the ref loop (TypeError joining the URL)."""
    from lindi import validate

    doc = {"version": 1, "lindi_spec": "1.0", "templates": {"u1": None},
           "refs": {".zgroup": {"zarr_format": 2},
                    "a/.zarray": {"zarr_format": 2, "shape": [2], "chunks": [2], "dtype": "<i4", "compressor": None,
                                  "filters": None, "fill_value": 0, "order": "C"},
                    "a/0": ["{{u1}}", 0, 8]}}
    report = validate(doc)
    assert not report.valid
    assert [(i.code, i.pointer) for i in report.errors] == [("LINDI-E-TEMPLATE", "/templates/u1")]
