"""The pynwb comparer: silent on two reads of one file, loud on a changed value or a changed link."""
from __future__ import annotations

import shutil

import h5py
import pynwb
import pytest

from .compare_h5 import differences_from_h5py
from .compare_nwb import assert_same_nwb
from .nwb_features import NWB_FEATURES


@pytest.mark.parametrize("name", sorted(NWB_FEATURES))
def test_nwb_file_equals_itself(nwb_feature_file, name):
    path = nwb_feature_file(name)
    with pynwb.NWBHDF5IO(path, "r") as io_a, pynwb.NWBHDF5IO(path, "r") as io_b:
        assert_same_nwb(io_a.read(), io_b.read())
    with h5py.File(path, "r") as a, h5py.File(path, "r") as b:
        assert differences_from_h5py(a, b, selections=False) == []


def _changed_copy(src, dst, change):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        change(f)
    return dst


@pytest.mark.parametrize("change, fragment", [
    (lambda f: f["units/spike_times"].__setitem__(3, 0.123), "spike_times"),
    (lambda f: f["acquisition/ElectricalSeries/data"].__setitem__((7, 1), 12345), "['ElectricalSeries'].data"),
    (lambda f: f["general/extracellular_ephys/electrodes/label"].__setitem__(0, "other"), "label"),
    (lambda f: f["units"].attrs.__setitem__("description", "changed"), "units.description"),
])
def test_nwb_comparer_catches(nwb_feature_file, tmp_path, change, fragment):
    changed = _changed_copy(nwb_feature_file("units"), tmp_path / "changed.nwb", change)
    with pynwb.NWBHDF5IO(nwb_feature_file("units"), "r") as io_a, pynwb.NWBHDF5IO(changed, "r") as io_b:
        with pytest.raises(AssertionError) as info:
            assert_same_nwb(io_a.read(), io_b.read())
    assert fragment in str(info.value)
