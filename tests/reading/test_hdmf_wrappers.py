"""hdmf wraps h5py datasets (StrDataset) and reaches h5py's low-level read through them."""
from __future__ import annotations

import h5py
import numpy as np
import pytest
from hdmf.utils import StrDataset

from lindi import LindiH5pyFile


@pytest.mark.parametrize("shape", [(3,), (2, 2)])
def test_strdataset_array_equals_h5py(tmp_path, shape):
    path = tmp_path / "s.h5"
    values = np.array(["2024-05-01T12:00:00", "naïve", "", "x"][: int(np.prod(shape))], dtype=object).reshape(shape)
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=values, dtype=h5py.string_dtype("utf-8"))
    with h5py.File(path, "r") as f:
        expected = np.asarray(StrDataset(f["s"], None))
    got = np.asarray(StrDataset(LindiH5pyFile.from_hdf5_file(str(path))["s"], None))
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tolist() == expected.tolist()
