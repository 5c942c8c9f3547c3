"""The validate() API: inputs (object, path, URL), caps, malformed input, the schema and the code table."""
from __future__ import annotations

import http.server
import json
import math
import re
import threading
from pathlib import Path

import jsonschema
import pytest

import lindi
from lindi.validation import ValidationReport, ValidationSourceError, validate
from lindi.codecs import codec_status
from lindi.validation.codes import ERRORS, WARNINGS
from lindi.validation.schema import SCHEMA_ID, load_schema

CASES = Path(__file__).parent / "cases"
SPEC = Path(__file__).parents[2] / "spec" / "SPEC.md"
MINIMAL = {"version": 1, "lindi_spec": "1.0", "refs": {".zgroup": {"zarr_format": 2}}}


def _codes(report: ValidationReport) -> set[str]:
    return {i.code for i in report.errors}


def test_lazy_top_level_name_and_report_shape():
    report = lindi.validate(MINIMAL)
    assert isinstance(report, lindi.ValidationReport)
    assert report.valid and report.profile == "1.0" and report.errors == [] and not report.truncated
    assert json.loads(report.model_dump_json())["valid"] is True


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_schema_is_valid_2020_12_and_has_id(version):
    schema = load_schema(version)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://lindi.neurodatawithoutborders.org/schema/lindi-{version}.schema.json"
    assert SCHEMA_ID.endswith("lindi-1.1.schema.json")


def test_schema_alone_accepts_valid_cases_and_rejects_schema_level_invalid_ones():
    """The schema is usable by other implementations: valid documents pass it whole."""
    validator = jsonschema.Draft202012Validator(load_schema())
    for case in sorted((CASES / "valid").rglob("*.json")):
        if not case.name.endswith(".expect.json"):
            assert not list(validator.iter_errors(json.loads(case.read_text()))), case
    for name in ("ref_values/url_only", "ref_values/negative_offset", "base64/bad_padding", "keys/empty_segment",
                 "unknown_member/gen", "scalar/not_true", "reference/bad_path_type", "link/malformed", "dtype/malformed"):
        assert list(validator.iter_errors(json.loads((CASES / "invalid" / f"{name}.json").read_text()))), name


def test_pointer_escapes_slashes_and_tildes():
    doc = {**MINIMAL, "refs": {**MINIMAL["refs"], "a~b/.zgroup": {"zarr_format": 2}, "a~b/0": "x"}}
    report = validate(doc)
    assert [(i.code, i.pointer) for i in report.errors] == [("LINDI-E-CHUNK-ORPHAN", "/refs/a~0b~10")]


def test_all_errors_are_reported_not_only_the_first():
    refs = {".zgroup": {"zarr_format": 2},
            "x/.zarray": {"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "compressor": None,
                          "filters": None, "fill_value": 0, "order": "C"}}
    refs.update({f"x/{i}": ["https://e.org/f", -1, 4] for i in range(2)})
    report = validate({**MINIMAL, "refs": refs})
    assert [i.code for i in report.errors] == ["LINDI-E-REF-RANGE"] * 2


def test_error_cap_truncates_with_a_final_entry():
    refs = {".zgroup": {"zarr_format": 2}, **{f"g{i}/0": "x" for i in range(50)}}
    report = validate({**MINIMAL, "refs": refs}, max_errors=10)
    assert len(report.errors) == 11 and report.truncated and not report.valid
    assert report.errors[-1].code == "LINDI-E-TOO-MANY-ERRORS"


def test_warning_cap():
    refs = {".zgroup": {"zarr_format": 2}}
    for i in range(20):
        refs[f"g{i}/.zgroup"] = {"zarr_format": 2}
        refs[f"g{i}/.zattrs"] = {"r": {"_REFERENCE": {"object_id": None, "path": "/gone", "source": ".", "source_object_id": None}}}
    report = validate({**MINIMAL, "refs": refs}, max_errors=5)
    assert report.valid and report.truncated
    assert [i.code for i in report.warnings][-1] == "LINDI-W-TOO-MANY-WARNINGS" and len(report.warnings) == 6


def test_nonfinite_float_in_object_input():
    doc = {**MINIMAL, "refs": {**MINIMAL["refs"], ".zattrs": {"x": [1.0, math.nan]}}}
    report = validate(doc)
    assert [(i.code, i.pointer) for i in report.errors] == [("LINDI-E-NONFINITE-NUMBER", "/refs/.zattrs")]


def test_deep_nesting_in_object_input_is_a_limit_error():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    report = validate({**MINIMAL, "refs": {**MINIMAL["refs"], ".zattrs": {"x": deep}}})
    assert _codes(report) == {"LINDI-E-LIMIT"}


@pytest.mark.parametrize("text, where", [
    ("not json at all", "line 1 column 1"),
    ('{"version": 1, "refs": {".zgroup": {"zarr_format": 2}', "line 1"),
    ('{"version": 1, "refs": {}, "x": Infinity}', "Infinity"),
])
def test_malformed_text_is_a_json_error_with_position(tmp_path, text, where):
    path = tmp_path / "bad.lindi.json"
    path.write_text(text)
    report = validate(path)
    assert [i.code for i in report.errors] == ["LINDI-E-JSON"] and report.profile is None
    assert where in report.errors[0].message and str(path) in report.errors[0].message


def test_text_too_deep_for_the_parser_is_a_limit_error(tmp_path):
    """SPEC 7: nesting is a limit of the format, never a JSON syntax error."""
    path = tmp_path / "deep.lindi.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    report = validate(path)
    assert [(i.code, i.pointer) for i in report.errors] == [("LINDI-E-LIMIT", "")]


def test_huge_string_value_gives_short_message(tmp_path):
    path = tmp_path / "big.lindi.json"
    huge = "x" * 100_000_000
    path.write_text(json.dumps({**MINIMAL, "refs": {".zgroup": huge}}))
    del huge
    report = validate(path)
    assert _codes(report) == {"LINDI-E-METADATA-JSON"}
    assert all(len(i.message) <= 600 for i in report.errors)


def test_missing_file_raises_source_error(tmp_path):
    with pytest.raises(ValidationSourceError, match="cannot read"):
        validate(tmp_path / "nope.lindi.json")
    assert issubclass(ValidationSourceError, lindi.LindiError)


class _Handler(http.server.BaseHTTPRequestHandler):
    documents: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 (http.server API)
        body = self.documents.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.documents = {"/ok.lindi.json": json.dumps(MINIMAL).encode(), "/bad.lindi.json": b"{nope"}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_input(server):
    report = validate(f"{server}/ok.lindi.json")
    assert report.valid and report.source == f"{server}/ok.lindi.json"
    assert _codes(validate(f"{server}/bad.lindi.json")) == {"LINDI-E-JSON"}
    with pytest.raises(ValidationSourceError, match="HTTP 404"):
        validate(f"{server}/missing.lindi.json")


def test_unreachable_url_and_unsupported_scheme():
    with pytest.raises(ValidationSourceError, match="cannot read http://127.0.0.1:9/"):
        validate("http://127.0.0.1:9/x.lindi.json")
    with pytest.raises(ValidationSourceError, match="only http and https"):
        validate("s3://bucket/x.lindi.json")


def test_codec_status():
    assert codec_status("zlib") == "known"
    assert codec_status("lindi_hdf5_scaleoffset") == "known"
    assert codec_status("lindi_hdf5_lzf") == "known"
    assert codec_status("pickle") == "forbidden"
    assert codec_status("lindi_test_registered_here_only") == "registered"  # see conftest.py
    assert codec_status("no_such_codec") == "unknown"


def test_spec_lists_exactly_the_codes_of_the_code_table():
    in_spec = set(re.findall(r"LINDI-[EW]-[A-Z0-9-]*[A-Z0-9]", SPEC.read_text()))
    assert in_spec == set(ERRORS) | set(WARNINGS)


def test_lindi_validate_is_the_function_after_importing_the_package():
    import lindi.validation

    assert lindi.validate is lindi.validation.validate and lindi.validate(MINIMAL).valid


def test_large_attribute_values_are_still_fully_checked():
    values = [float(i) for i in range(100_000)]
    doc = {"version": 1, "lindi_spec": "1.0", "generator": {"name": "lindi"},
           "refs": {".zgroup": {"zarr_format": 2}, ".zattrs": {"big": values}}}
    assert validate(doc).valid
    bad_ref = [[1, 2], [3, {"_REFERENCE": {"path": 5}}]]  # an object deep inside a list is still schema-checked
    doc["refs"][".zattrs"]["refs"] = bad_ref
    report = validate(doc)
    assert {i.code for i in report.errors} == {"LINDI-E-REFERENCE"}
    del doc["refs"][".zattrs"]["refs"]
    values[77_777] = float("nan")
    report = validate(doc)
    assert [i.code for i in report.errors] == ["LINDI-E-NONFINITE-NUMBER"]
    assert report.errors[0].pointer == "/refs/.zattrs"


def test_float_fill_value_that_is_a_list_is_reported_not_raised():
    """Found by scripts/fuzz.py: a list fill value of a float array raised TypeError (unhashable)."""
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2},
                    "a/.zarray": {"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<f4", "compressor": None,
                                  "filters": None, "fill_value": [1, 2], "order": "C"}}}
    assert "LINDI-E-ZARRAY" in {i.code for i in validate(doc).errors}


def test_null_template_used_by_a_ref_is_reported_not_raised():
    """Found by the fuzz suite after the merge of spec 1.1: a null template used in a URL raised TypeError."""
    doc = {"version": 1, "lindi_spec": "1.0", "templates": {"u1": None},
           "refs": {".zgroup": {"zarr_format": 2},
                    "a/.zarray": {"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<f4", "compressor": None,
                                  "filters": None, "fill_value": 0, "order": "C"},
                    "a/0": ["{{u1}}", 0, 4]}}
    assert {i.code for i in validate(doc).errors} == {"LINDI-E-TEMPLATE"}


def test_validating_a_file_or_a_container_does_not_import_zarr(tmp_path):
    """The validator reads containers through the light ``lindi.container_layout``, never the staging code
    (whose zarr import costs more than checking a large document)."""
    import subprocess
    import sys

    path = tmp_path / "doc.lindi.json"
    path.write_text("\n  " + json.dumps(MINIMAL))
    probe = ("import sys, lindi.validation as v; r = v.validate(sys.argv[1]); "
             "print(r.valid, any(m in sys.modules for m in ('lindi.staging', 'zarr')))")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "False"]
    folder = tmp_path / "doc.lindi.d"
    folder.mkdir()
    (folder / "lindi.json").write_text(json.dumps(MINIMAL))
    out = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "False"]
