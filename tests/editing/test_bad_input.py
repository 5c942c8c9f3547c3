"""Refused edits: a clear LindiError naming the place, and the document unchanged."""
from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

import lindi
from lindi.editing import EditError
from lindi import ReadOnlyError


@pytest.fixture
def f():
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    f.create_group("g")
    f.create_dataset("d", data=np.arange(6), chunks=(2,))
    return f


def _unchanged(f, before):
    assert f.to_reference_file_system() == before


@pytest.mark.parametrize("name", ["a//b", "", "/", "a/", ".", "..", "a/../b", "g/./x", ".hidden"])
def test_bad_names(f, name):
    before = f.to_reference_file_system()
    for create in (f.create_group, lambda n: f.create_dataset(n, data=[1]),
                   lambda n: f.__setitem__(n, h5py.SoftLink("/g"))):
        with pytest.raises(EditError, match="invalid name"):
            create(name)
    _unchanged(f, before)


@pytest.mark.parametrize("dtype", ["f16", "c32"])
def test_dtype_the_spec_cannot_hold(f, dtype):
    before = f.to_reference_file_system()
    with pytest.raises(EditError, match="cannot hold"):
        f.create_dataset("new/x", shape=(2,), dtype=dtype)
    with pytest.raises(EditError, match="cannot hold"):
        f["g"].attrs["bad"] = np.zeros(2, dtype=dtype)
    _unchanged(f, before)


def test_failed_data_write_rolls_back_the_new_dataset(f):
    before = f.to_reference_file_system()
    with pytest.raises(EditError):
        f.create_dataset("x/y", shape=(3,), dtype="i4", data=np.arange(4))
    with pytest.raises(lindi.LindiError):
        f.create_dataset("x/z", dtype="f8", data=np.zeros(10**6))  # too big inline and no staging area
    _unchanged(f, before)
    assert "x" not in f


def test_existing_names_and_reserved_attributes(f):
    before = f.to_reference_file_system()
    with pytest.raises(EditError, match="already exists"):
        f.create_group("g")
    with pytest.raises(EditError, match="reserved"):
        f["d"].attrs["_SCALAR"] = True
    with pytest.raises(EditError, match="not a group"):
        f.create_group("d/x")
    with pytest.raises(EditError, match="maxshape"):
        f["d"].resize((10,))
    with pytest.raises(TypeError, match="Shapes do not match"):
        f.require_dataset("d", shape=(5,), dtype="i8")
    with pytest.raises(EditError):
        f["d"][0:2] = np.zeros((3, 3))
    _unchanged(f, before)


def test_mode_r_refuses_every_write(tmp_path, f):
    f.write_lindi_file(tmp_path / "x.lindi.json")
    r = lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json")
    for op in (lambda: r.create_group("n"), lambda: r.attrs.__setitem__("a", 1), lambda: r["d"].__setitem__(0, 1),
               lambda: r["d"].resize((3,)), lambda: r.__delitem__("g"), lambda: r["g"].attrs.create("a", 1)):
        with pytest.raises(ReadOnlyError):
            op()
    with pytest.raises(lindi.LindiError, match="mode"):
        lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json", mode="rw")
    with pytest.raises(lindi.LindiError, match="exists"):
        lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json", mode="x")


def test_modes_on_disk(tmp_path):
    path = tmp_path / "m.lindi.json"
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="a") as f:  # a: created when missing
        f.attrs["n"] = 1
        assert f.mode == "r+"
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
        assert f.attrs["n"] == 1
        f.attrs["n"] = 2
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="a") as f:
        assert f.attrs["n"] == 2
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="w") as f:  # w: truncated
        assert len(f.attrs) == 0
    assert json.loads(path.read_text())["refs"] == {".zgroup": {"zarr_format": 2}}


def test_remote_chunks_never_rewritten(tmp_path):
    """Editing a converted file rewrites only touched chunks, as new inline/staged values."""
    with h5py.File(tmp_path / "src.h5", "w") as h:
        h.create_dataset("x", data=np.arange(100_000, dtype="i8"), chunks=(10_000,))
    lindi.LindiH5pyFile.from_hdf5_file(tmp_path / "src.h5").write_lindi_file(tmp_path / "c.lindi.json")
    before = json.loads((tmp_path / "c.lindi.json").read_text())["refs"]
    with lindi.StagingArea.create(base_dir=tmp_path) as area:
        with lindi.LindiH5pyFile.from_lindi_file(tmp_path / "c.lindi.json", mode="r+", staging_area=area) as f:
            f["x"][15_000] = -1
        after = json.loads((tmp_path / "c.lindi.json").read_text())["refs"]
        changed = sorted(k for k in before if after[k] != before[k])
        assert changed == ["x/1"] and area.contains(after["x/1"][0])
        expected = np.arange(100_000)
        expected[15_000] = -1
        np.testing.assert_array_equal(lindi.LindiH5pyFile.from_lindi_file(tmp_path / "c.lindi.json")["x"][:],
                                      expected)
