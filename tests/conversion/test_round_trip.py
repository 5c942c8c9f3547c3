"""The converter's cross-component contracts, read back through LindiH5pyFile."""
from __future__ import annotations

import h5py
import numpy as np

from lindi.LindiH5pyFile import LindiH5pyFile


def test_split_contiguous_skipped_filter_and_scalars_read_back(tmp_path, convert):
    path = tmp_path / "rt.h5"
    rng = np.random.default_rng(1)
    with h5py.File(path, "w") as f:
        f["split"] = np.arange(8 * 3, dtype=">i8").reshape(8, 3)  # split into 4 chunks of 2 rows
        d = f.create_dataset("lzf", shape=(100,), chunks=(64,), dtype="<i8", compression="lzf")
        d[:] = rng.integers(0, 2**62, size=100)  # incompressible: lzf skipped, chunk re-encoded inline
        f.create_dataset("sparse", shape=(50,), chunks=(10,), dtype="<f4", fillvalue=-1)[20:30] = 5
        f["be_scalar"] = np.array(3, dtype=">i2")
        f["strings"] = np.array(["NaN", "base64:x"], dtype=h5py.string_dtype())
    c = convert(path, inline_threshold=0, contiguous_dataset_max_chunk_size=50)
    with h5py.File(path, "r") as expected:
        got = LindiH5pyFile.from_reference_file_system(c.doc)
        for name in ("split", "lzf", "sparse", "be_scalar"):
            assert got[name].dtype == expected[name].dtype, name
            assert np.array_equal(got[name][()], expected[name][()]), name
        assert list(got["strings"].asstr()[()]) == ["NaN", "base64:x"]


def test_split_contiguous_with_a_short_last_chunk_reads_back(tmp_path, convert):
    """7 rows in chunks of 2: the last ref is one row long (LINDI 0.4 writes such refs too)."""
    path = tmp_path / "short.h5"
    data = np.arange(7 * 3, dtype="<i8").reshape(7, 3)
    with h5py.File(path, "w") as f:
        f["x"] = data
    for inline_threshold in (0, 10**6):  # a short range ref, then short inline bytes
        c = convert(path, inline_threshold=inline_threshold, contiguous_dataset_max_chunk_size=50)
        assert len(c.raw("x/3.0")) == 24
        got = LindiH5pyFile.from_reference_file_system(c.doc)
        assert np.array_equal(got["x"][()], data)
        assert np.array_equal(got["x"][5:], data[5:]) and np.array_equal(got["x"][-1, 1:], data[-1, 1:])
        assert got["x"].chunks is None and got["x"].maxshape == (7, 3)
