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
