"""The slice syntax of ``lindi cat``: numpy's, parsed as text, never evaluated."""
from __future__ import annotations

import numpy as np
import pytest

from lindi.inspection.slicing import SliceError, parse_selection, split_target


@pytest.mark.parametrize("text, expected", [
    ("0", (0,)), ("-1", (-1,)), ("1:5", (slice(1, 5),)), (" ::2 , 3", (slice(None, None, 2), 3)),
    ("..., 0", (Ellipsis, 0)), ("-3:", (slice(-3, None),)), (":", (slice(None),)), ("1:10:-2", (slice(1, 10, -2),)),
])
def test_parses_numpy_syntax(text, expected):
    assert parse_selection(text) == expected


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("1:2:3:4", "at most"), ("::0", "zero"), ("a", "not an integer"),
    ("__import__('os').system('x')", "not an integer"), ("1.5", "not an integer"), ("..., ...", "single ellipsis"),
    ("0,,1", "not an integer"), ("None", "not an integer"),
])
def test_refuses_anything_else(text, words):
    with pytest.raises(SliceError, match=words):
        parse_selection(text)


def test_split_target():
    assert split_target("/a/b") == ("/a/b", None)
    assert split_target("/a/b[1:3, 0]") == ("/a/b", (slice(1, 3), 0))
    assert split_target("/weird[name]/x[2]") == ("/weird[name]/x", (2,))
    with pytest.raises(SliceError):
        split_target("/a]")


def test_selection_means_what_numpy_means():
    arr = np.arange(60).reshape(3, 4, 5)
    for text in ["1", "-1, ::2", "..., 1:4", "0:3:2, 1, -2:", ":, :, ::-1"]:
        numpy_view = arr[eval(f"np.s_[{text}]")]  # the oracle; the parser itself never evaluates
        assert np.array_equal(arr[parse_selection(text)], numpy_view), text
