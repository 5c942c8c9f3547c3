"""The comparer itself: silent on identical trees, and it catches each kind of difference."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import h5py
import numpy as np
import pytest

from .compare_h5 import assert_same_as_h5py, differences_from_h5py
from .h5_features import FEATURES


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_feature_file_equals_itself(h5_feature_file, name):
    path = h5_feature_file(name)
    with h5py.File(path, "r") as a, h5py.File(path, "r") as b:
        assert differences_from_h5py(a, b) == []
        assert_same_as_h5py(path, b)


def _pair(tmp_path: Path, build: Callable[[h5py.File, bool], None]) -> list[str]:
    """Build two files that differ only where ``build`` makes them differ, and compare them."""
    paths = []
    for variant in (False, True):
        path = tmp_path / f"{variant}.h5"
        with h5py.File(path, "w", track_order=variant and None) as f:
            build(f, variant)
        paths.append(path)
    with h5py.File(paths[0], "r") as a, h5py.File(paths[1], "r") as b:
        return differences_from_h5py(a, b)


def _ragged(rows: list[list[int]]) -> np.ndarray:
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = np.array(row, dtype="i4")
    return out


CASES: dict[str, tuple[Callable[[h5py.File, bool], None], str]] = {
    "negative zero": (lambda f, v: f.create_dataset("x", data=[-0.0 if v else 0.0]), "/x[()]: values (exact bits)"),
    "nan payload": (lambda f, v: f.create_dataset(
        "x", data=np.array([0x7FF8000000000001 if v else 0x7FF8000000000000], dtype="<u8").view("<f8")),
        "values (exact bits)"),
    "byte order": (lambda f, v: f.create_dataset("x", data=np.arange(3, dtype=">i4" if v else "<i4")), "/x: dtype"),
    "bytes vs str": (lambda f, v: f.create_dataset(
        "x", data=["a"], dtype=h5py.string_dtype() if v else "S1"), "/x: dtype"),
    "ascii vs utf-8 vlen": (lambda f, v: f.create_dataset(
        "x", data=[b"a"], dtype=h5py.string_dtype("ascii" if v else "utf-8")), "check_string_dtype"),
    "enum vs int": (lambda f, v: f.create_dataset(
        "x", data=np.int8(1), dtype=h5py.enum_dtype({"A": 1}, basetype="i1") if v else "i1"), "check_enum_dtype"),
    "attribute width": (lambda f, v: f.attrs.create("a", 1, dtype="i4" if v else "i8"), "/@a: Python type"),
    "attribute scalar vs 1-element": (lambda f, v: f.attrs.create("a", [1] if v else 1), "/@a: Python type"),
    "attribute value": (lambda f, v: f.attrs.create("a", "NaN" if v else "nan"), "/@a: value"),
    "member missing": (lambda f, v: f.create_group("g") if v else None, "/: member names"),
    "shape": (lambda f, v: f.create_dataset("x", data=np.zeros((2, 3) if v else (3, 2))), "/x: shape"),
    "soft vs hard link": (lambda f, v: (f.create_dataset("d", data=[1]),
                                        f.__setitem__("l", h5py.SoftLink("/d") if v else f["d"])), "/l: link"),
    "soft link target": (lambda f, v: f.__setitem__("l", h5py.SoftLink("/a" if v else "/b")), "/l: link"),
    "external link file": (lambda f, v: f.__setitem__("l", h5py.ExternalLink("a.h5" if v else "b.h5", "/")),
                           "/l: link"),
    "reference target": (lambda f, v: (f.create_group("a"), f.create_group("b"),
                                       f.create_dataset("r", data=f["a" if v else "b"].ref, dtype=h5py.ref_dtype)),
                         "reference target"),
    "null reference": (lambda f, v: (f.create_group("a"), f.create_dataset(
        "r", data=h5py.Reference() if v else f["a"].ref, dtype=h5py.ref_dtype)), "reference is null"),
    "region selection": (lambda f, v: (f.create_dataset("d", data=np.arange(10)), f.create_dataset(
        "r", data=f["d"].regionref[1:4] if v else f["d"].regionref[1:5], dtype=h5py.regionref_dtype)), " region:"),
    "fill value": (lambda f, v: f.create_dataset("x", shape=(2,), dtype="i4", fillvalue=1 if v else 2),
                   "/x fillvalue"),
    "chunks": (lambda f, v: f.create_dataset("x", data=np.arange(10), chunks=(5,) if v else (2,)), "/x: chunks"),
    "chunked vs contiguous": (lambda f, v: f.create_dataset("x", data=np.arange(10), chunks=(5,) if v else None),
                              "/x: chunks"),
    "json-encoded chunks": (lambda f, v: f.create_dataset("x", data=["a", "b"], dtype=h5py.string_dtype(),
                                                          chunks=(1,) if v else (2,)), "/x: chunks"),
    "maxshape": (lambda f, v: f.create_dataset("x", data=np.arange(4), chunks=(2,), maxshape=(None,) if v else (8,)),
                 "/x: maxshape"),
    "gzip level": (lambda f, v: f.create_dataset("x", data=np.arange(4), compression="gzip",
                                                 compression_opts=4 if v else 5), "/x: compression_opts"),
    "shuffle": (lambda f, v: f.create_dataset("x", data=np.arange(4), chunks=(2,), shuffle=v), "/x: shuffle"),
    "scaleoffset": (lambda f, v: f.create_dataset("x", data=np.arange(4), scaleoffset=2 if v else 3),
                    "/x: scaleoffset"),
    "fixed attribute string length": (lambda f, v: f.attrs.create("a", b"xy", dtype="S3" if v else "S2"),
                                      "/@a get_id: dtype"),
    "ascii vs utf-8 attribute": (lambda f, v: f.attrs.create("a", "x", dtype=h5py.string_dtype(
        "ascii" if v else "utf-8")), "/@a get_id: dtype metadata"),
    "vlen element": (lambda f, v: f.create_dataset(
        "x", data=_ragged([[1, 2 if v else 3]]), dtype=h5py.vlen_dtype("i4")), "[flat 0]"),
    "compound field string": (lambda f, v: f.create_dataset("x", data=np.array(
        [("a" if v else "b", 1)], dtype=[("s", h5py.string_dtype()), ("n", "i4")])), "/x[()].s[flat 0]: value"),
    "null dataspace vs empty": (lambda f, v: f.create_dataset(
        "x", data=h5py.Empty("f4")) if v else f.create_dataset("x", shape=(0,), dtype="f4"), "/x: shape"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_comparer_catches(tmp_path, case):
    build, expected_fragment = CASES[case]
    diffs = _pair(tmp_path, build)
    assert any(expected_fragment in d for d in diffs), diffs


def test_comparer_catches_attribute_order(tmp_path):
    def build(f: h5py.File, tracked: bool) -> None:
        g = f.create_group("g", track_order=tracked)
        g.attrs["b"] = 1
        g.attrs["a"] = 2

    assert any("/g: attribute order" in d for d in _pair(tmp_path, build))


def test_comparer_catches_member_order(tmp_path):
    def build(f: h5py.File, tracked: bool) -> None:
        g = f.create_group("g", track_order=tracked)
        g.create_group("b")
        g.create_group("a")

    assert any("/g: member order" in d for d in _pair(tmp_path, build))


def test_assert_lists_every_difference(tmp_path):
    def build(f: h5py.File, variant: bool) -> None:
        f.create_dataset("x", data=[1, 2 if variant else 3])
        f.attrs["a"] = 1.0 if variant else 2.0

    paths = []
    for variant in (False, True):
        paths.append(tmp_path / f"{variant}.h5")
        with h5py.File(paths[-1], "w") as f:
            build(f, variant)
    with h5py.File(paths[1], "r") as other:
        with pytest.raises(AssertionError) as info:
            assert_same_as_h5py(paths[0], other)
    message = str(info.value)
    assert "/@a: values (exact bits)" in message and "/x[()]: values (exact bits)" in message


class _RaisingDataset(h5py.Dataset):
    """An h5py dataset whose reads fail, standing in for a reader that breaks on one object."""

    def __getitem__(self, key):
        raise RuntimeError("boom")


def test_comparer_reports_reader_exceptions_per_object(tmp_path):
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1, 2])
    with h5py.File(path, "r") as a, h5py.File(path, "r") as b:
        broken = _RaisingDataset(b["x"].id)
        diffs = differences_from_h5py(a["x"], broken)
    assert any("/x: [()] raised RuntimeError: boom" in d for d in diffs)
