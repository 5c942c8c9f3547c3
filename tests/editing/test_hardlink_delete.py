"""Deleting one name of an object that has other hard links: h5py keeps it alive under the others."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import lindi
from tests.fidelity.compare_h5 import assert_same_as_h5py


def _linked(f):
    a = f.create_group("a")
    x = a.create_group("b").create_dataset("x", data=np.arange(5))
    a.attrs["k"] = 1
    f["z"] = a
    f["m/y"] = x
    f["m/w"] = x
    f["c"] = f["a/b"]
    f["a/b/self"] = a  # a cycle
    # references made through the first names (h5py names a dereferenced object by its first name; a LINDI
    # reference keeps the name it was made with until that name goes away)
    f.create_dataset("refs", data=[a.ref, x.ref, f["a/b"].ref, f["a/b/x"].ref], dtype=h5py.ref_dtype)
    f.attrs["r"] = f["a/b"].ref
    f.attrs["rr"] = x.regionref[1:3]


SCENARIOS = {
    "stored_group_then_links": ["a", "m/y", "c"],
    "placeholder_only": ["z"],
    "stored_dataset": ["a/b/x"],
    "two_names_of_x": ["a/b/x", "m/y"],
    "group_left_only_in_a_cycle": ["z", "a"],
}


@pytest.mark.parametrize("deletions", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_delete_like_h5py(tmp_path, deletions):
    def edit(f):
        _linked(f)
        for name in deletions:
            del f[name]

    with h5py.File(tmp_path / "oracle.h5", "w") as h:
        edit(h)
    with lindi.LindiH5pyFile.from_lindi_file(tmp_path / "e.lindi.json", mode="w") as lf:
        edit(lf)
        assert_same_as_h5py(tmp_path / "oracle.h5", lf)
    report = lindi.validate(str(tmp_path / "e.lindi.json"))
    assert report.valid and not [w for w in report.warnings if "REFERENCE" in w.code], report
    assert_same_as_h5py(tmp_path / "oracle.h5", lindi.LindiH5pyFile.from_lindi_file(tmp_path / "e.lindi.json"))


def test_object_moves_to_first_remaining_name():
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    f.create_dataset("a", data=np.arange(3), chunks=(2,))
    f["q"] = f["a"]
    f["k"] = f["a"]
    del f["a"]
    refs = f.to_reference_file_system()["refs"]
    assert "k/.zarray" in refs and "k/0" in refs and "k/.lindi" in refs  # stored under the first name
    assert refs["q/.lindi"]["hard_link"] == "/k"  # a marked full copy (spec 1.1)
    assert not any(key.startswith("a/") for key in refs)
    np.testing.assert_array_equal(f["q"][()], [0, 1, 2])
    assert f["q"] == f["k"]


def test_deleting_an_unlinked_object_still_removes_everything():
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    f.create_group("g").create_dataset("d", data=[1, 2])
    f["g"].attrs["r"] = f["g/d"].ref
    del f["g"]
    assert list(f.to_reference_file_system()["refs"]) == [".zgroup"]
