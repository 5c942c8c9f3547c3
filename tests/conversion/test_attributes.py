"""Attributes keep their dtype, shape and creation order (spec section 5.1)."""
from __future__ import annotations

import h5py
import numpy as np


def test_plain_json_when_inference_is_exact(tmp_path, convert):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f.attrs["s"] = "text"
        f.attrs["i"] = np.int64(5)
        f.attrs["x"] = 2.5
        f.attrs["b"] = np.bool_(True)
        f.attrs["li"] = np.array([1, 2], dtype="<i8")
        f.attrs["ls"] = ["a", "b"]
    c = convert(path)
    assert c.meta("", ".zattrs") == {"b": True, "i": 5, "li": [1, 2], "ls": ["a", "b"], "s": "text", "x": 2.5}
    assert ".lindi" not in c.refs


def test_type_info_whenever_inference_differs(tmp_path, convert):
    path = tmp_path / "t.h5"
    with h5py.File(path, "w") as f:
        a = f.create_group("g").attrs
        a["i16"] = np.int16(-3)
        a["f32"] = np.float32(0.5)
        a["f64_integral"] = 3.0
        a["one"] = np.array([7], dtype="<i8")
        a["u64"] = np.uint64(2**64 - 1)
        a["c"] = np.complex64(1 - 2j)
        a["nan_string"] = "NaN"
        a["nan_float"] = np.nan
        a["fixed"] = np.bytes_("abc")
        a["badutf8"] = np.bytes_(b"\xff\xfe")
        a["ascii_vlen"] = np.array(b"x", dtype=h5py.string_dtype("ascii"))
        a["empty"] = np.zeros((0,), dtype="<f4")
        a["null"] = h5py.Empty("<f4")
        a["enum"] = np.array(1, dtype=h5py.enum_dtype({"A": 0, "B": 1}, basetype="u1"))
        a["compound"] = np.array((1, 2.5), dtype=[("p", "<i4"), ("q", "<f8")])
        a["vlen"] = np.array([np.array([1, 2], "<i4"), np.array([3], "<i4")], dtype=h5py.vlen_dtype("<i4"))
        a["matrix"] = np.arange(6, dtype=">i4").reshape(2, 3)
    c = convert(path)
    values, types = c.meta("g", ".zattrs"), c.meta("g", ".lindi")["attrs"]
    expected = {
        "i16": (-3, {"dtype": "<i2"}), "f32": (0.5, {"dtype": "<f4"}), "f64_integral": (3.0, {"dtype": "<f8"}),
        "one": ([7], {"dtype": "<i8", "shape": [1]}), "u64": (2**64 - 1, {"dtype": "<u8"}),  # exact plain integer (spec 1.1)
        "c": ([1.0, -2.0], {"dtype": "<c8"}), "nan_string": ("NaN", {"dtype": {"class": "string",
                                                                               "charset": "utf-8", "length": None}}),
        "fixed": ("abc", {"dtype": {"class": "string", "charset": "ascii", "length": 3}}),
        "badutf8": ("base64://4=", {"dtype": {"class": "string", "charset": "ascii", "length": 2},
                                    "encoding": "base64"}),
        "ascii_vlen": ("x", {"dtype": {"class": "string", "charset": "ascii", "length": None}}),
        "empty": ([], {"dtype": "<f4", "shape": [0]}),
        "null": (None, {"dtype": "<f4", "null_dataspace": True}),
        "enum": (1, {"dtype": {"class": "enum", "base": "|u1", "members": {"A": 0, "B": 1}}}),
        "vlen": ([[1, 2], [3]], {"dtype": {"class": "vlen", "base": "<i4"}, "shape": [2]}),
        "matrix": ([[0, 1, 2], [3, 4, 5]], {"dtype": ">i4", "shape": [2, 3]}),
    }
    for name, (value, info) in expected.items():
        assert values[name] == value, name
        assert types[name] == info, name
    assert values["nan_float"] == "NaN" and "nan_float" not in types  # inferred back as float64
    assert values["compound"] == [1, 2.5] and types["compound"]["dtype"]["class"] == "compound"


def test_creation_order_and_large_attributes(tmp_path, convert):
    path = tmp_path / "o.h5"
    big = np.arange(20_000, dtype="<f8")  # > 64 KiB: dense attribute storage
    with h5py.File(path, "w", track_order=True) as f:
        d = f.create_dataset("d", data=[1], track_order=True)
        for name in ("zz", "aa", "mm"):
            d.attrs[name] = 1
        plain = f.create_dataset("plain", data=[1])
        plain.attrs["b"], plain.attrs["a"] = 1, 2
        f.attrs["big"] = big
    c = convert(path)
    assert c.meta("d", ".lindi")["attr_order"] == ["zz", "aa", "mm"]
    assert list(c.meta("d", ".zattrs")) == ["aa", "mm", "zz"]
    assert c.meta("plain", ".lindi") == {"storage": {"layout": "contiguous"}}  # no attribute type info
    assert np.array_equal(np.array(c.meta("", ".zattrs")["big"]), big)
    assert c.meta("", ".lindi")["attrs"]["big"] == {"dtype": "<f8", "shape": [20_000]}


def test_one_bad_attribute_is_reported_alone(tmp_path, convert):
    import pytest

    from lindi.errors import UnsupportedObjectError
    from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts

    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g.attrs["dangling"] = f.create_dataset("gone", data=[1]).ref
        g.attrs["fine"] = 1
        g.create_group("child")
        del f["gone"]
    c = convert(path)
    assert c.meta("g", ".zattrs") == {"fine": 1}
    assert "g/child/.zgroup" in c.refs  # the group and its subtree still convert
    assert [u.path for u in c.report.unsupported] == ["/g (attribute 'dangling')"]
    with pytest.raises(UnsupportedObjectError, match="dangling.*object /g"):
        LindiH5ZarrStore.from_file(path, opts=LindiH5ZarrStoreOpts(strict=True)).to_reference_file_system()
