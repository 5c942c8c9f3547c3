"""Region references made with ``dset.regionref[sel]``, stored and read back, against h5py doing the same."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import lindi
from tests.fidelity.compare_h5 import assert_same_as_h5py

SELECTIONS = [np.s_[...], np.s_[1:3, ::2], np.s_[[0, 2], 1], np.s_[2], np.s_[0:0], np.s_[-1, 1:4]]


def _edit(f):
    d = f.create_dataset("d", data=np.arange(20).reshape(4, 5))
    s = f.create_dataset("s", data=3.0)
    refs = [d.regionref[sel] for sel in SELECTIONS] + [d.regionref[d[...] > 10], s.regionref[()]]
    f.create_dataset("regs", data=refs, dtype=h5py.regionref_dtype)
    later = f.create_dataset("g/later", shape=(3,), dtype=h5py.regionref_dtype)
    later[1] = d.regionref[1:2, 3]
    f.attrs["one"] = d.regionref[1:3, 1:3]
    f.attrs.create("many", refs[:3], dtype=h5py.regionref_dtype)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("regionref")
    with h5py.File(tmp / "oracle.h5", "w") as h:
        _edit(h)
    with lindi.LindiH5pyFile.from_lindi_file(tmp / "r.lindi.json", mode="w") as lf:
        _edit(lf)
        assert_same_as_h5py(tmp / "oracle.h5", lf)
    return tmp


def test_region_references_equal_h5py_after_reload(written):
    assert_same_as_h5py(written / "oracle.h5", lindi.LindiH5pyFile.from_lindi_file(written / "r.lindi.json"))
    assert lindi.validate(str(written / "r.lindi.json")).valid


def test_selected_values_and_targets(written):
    f = lindi.LindiH5pyFile.from_lindi_file(written / "r.lindi.json")
    with h5py.File(written / "oracle.h5") as h:
        for mine, theirs in zip(f["regs"][()], h["regs"][()]):
            assert f[mine].name == h[theirs].name
            target, oracle = f[mine], h[theirs]
            got, expected = target[mine], oracle[theirs]
            assert type(got) is type(expected) and np.shape(got) == np.shape(expected)
            np.testing.assert_array_equal(got, expected)
            assert f["d"].regionref.selection(mine) == h["d"].regionref.selection(theirs) or target.name == "/s"
            assert target.regionref.shape(mine) == oracle.shape


def test_region_member_written_per_spec():
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    d = f.create_dataset("d", data=np.arange(10))
    f.attrs["r"] = d.regionref[2:4]
    body = f.to_reference_file_system()["refs"][".zattrs"]["r"]["_REFERENCE"]
    # HDF5 describes a strided slice as one block per element (start, count, block=1), and so does the region
    assert body["path"] == "/d" and body["region"] == {"kind": "hyperslab", "blocks": [[[2], [2]], [[3], [3]]]}
    assert d.regionref[[1, 5]].region == {"kind": "hyperslab", "blocks": [[[1], [1]], [[5], [5]]]}
    assert d.regionref[...].region == {"kind": "all"}


def test_region_references_work_in_read_mode_too(written):
    f = lindi.LindiH5pyFile.from_lindi_file(written / "r.lindi.json")
    ref = f["d"].regionref[1, :]
    assert isinstance(ref, h5py.RegionReference)
    np.testing.assert_array_equal(f["d"][ref], np.arange(5, 10).reshape(1, 5))


def test_bad_region_selections_are_clear():
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    d = f.create_dataset("d", data=np.arange(10))
    with pytest.raises(IndexError, match="/d"):
        d.regionref[20]
    null = f.create_dataset("null", data=h5py.Empty("i4"))
    with pytest.raises(lindi.LindiError, match="/null.*null dataspace"):
        null.regionref[...]
    other = f.create_dataset("e", data=np.arange(10))
    with pytest.raises(ValueError, match="this dataset"):
        other[d.regionref[1:2]]
