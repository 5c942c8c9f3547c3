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


def test_unsafe_integers_become_strings():
    big = 2**63 - 1
    assert strict_json.encode_int(big) == str(big)
    assert strict_json.decode_int(strict_json.encode_int(big)) == big
    assert strict_json.encode_int(2**53 - 1) == 2**53 - 1


def test_dumps_refuses_nan():
    with pytest.raises(ValueError):
        strict_json.dumps({"x": math.nan})
