import math

import pytest

from lindi import strict_json
from lindi.errors import DocumentError


def test_bare_nan_rejected_with_position():
    with pytest.raises(DocumentError, match="NaN"):
        strict_json.loads('{"a": NaN}')


def test_truncated_json_names_line_and_column():
    with pytest.raises(DocumentError, match="line 1 column"):
        strict_json.loads('{"refs": {')


def test_special_float_round_trip():
    for v in (math.inf, -math.inf, 1.5):
        assert strict_json.decode_float(strict_json.encode_float(v)) == v
    assert math.isnan(strict_json.decode_float(strict_json.encode_float(math.nan)))
    with pytest.raises(ValueError):
        strict_json.decode_float("nan")


def test_integers_stay_exact_plain_integers():
    for big in (2**64 - 1, -(2**63), 2**53 + 1):
        assert strict_json.encode_int(big) == big and type(strict_json.encode_int(big)) is int
        assert strict_json.loads(strict_json.dumps([strict_json.encode_int(big)])) == [big]
    assert strict_json.decode_int(str(2**63 - 1)) == 2**63 - 1  # spec 1.0 documents wrote decimal strings


def test_dumps_refuses_nan():
    with pytest.raises(ValueError):
        strict_json.dumps({"x": math.nan})


def test_write_document_streams_the_same_document_and_stays_strict():
    import io
    import json

    from lindi.strict_json import copy_document, write_document
    doc = {"version": 1, "templates": {"u1": "s3://b/ü k"},
           "refs": {".zgroup": {"zarr_format": 2}, "a/0.0": ["{{u1}}", 0, 10], "a/0.1": ["https://x/\"q\"", 5, 2],
                    "b/0": "base64:AAAA", "c/.zattrs": {"x": [1.5, "NaN", None, True]}, "d/0": ["u", 1.0, 2],
                    "ünï/0": ["{{u1}}", 2**60, 1]}}
    out = io.StringIO()
    write_document(doc, out, batch=2)
    assert out.getvalue().isascii() and json.loads(out.getvalue()) == doc
    copied = copy_document(doc)
    assert copied == doc and copied["refs"]["a/0.0"] is not doc["refs"]["a/0.0"]
    bad = {"version": 1, "refs": {"a/.zattrs": {"x": math.nan}, "a/0": ["u", 0, 1]}}
    with pytest.raises(ValueError):
        write_document(bad, io.StringIO())
    with pytest.raises(ValueError):
        copy_document(bad)


def test_loads_is_strict_whichever_parser_answers():
    for text in ('{"a": NaN}', '{"a": Infinity}', '[-Infinity]', '{"a": 1,}', "{'a': 1}"):
        with pytest.raises(DocumentError):
            strict_json.loads(text)
    assert strict_json.loads('{"big": 123456789012345678901234567890}')["big"] == 123456789012345678901234567890
    for below_int64 in (-(2**63) - 1, -9999999999999999999):  # 19 digits, beyond what orjson keeps exact
        parsed = strict_json.loads(f"[{below_int64}]".encode())
        assert parsed == [below_int64] and type(parsed[0]) is int
    assert strict_json.loads(b'{"x": "\\ud800", "y": [1.5, -0.0, 1e300]}') == {"x": "\ud800", "y": [1.5, -0.0, 1e300]}
    assert strict_json.loads("[" * 500 + "]" * 500) is not None
    with pytest.raises(DocumentError, match="too deep"):
        strict_json.loads("[" * 100000 + "]" * 100000)


def test_long_integer_across_a_scan_block_boundary_stays_exact(monkeypatch):
    """The digit-run scan works in blocks; a run that starts near a block's end is still found."""
    monkeypatch.setattr(strict_json, "_SCAN_BLOCK", 16)
    for pad in range(20):
        text = ('{"pad": "' + "x" * pad + '", "v": -9223372036854775809}').encode()
        assert type(strict_json.loads(text)["v"]) is int, pad
    assert strict_json._has_long_digit_run(b"1" * 18 + b"," + b"2" * 18) is False
