"""Conversions in several threads at once (as dask's threaded workers run them) must not crash libhdf5.

The index reader calls two libhdf5 functions through ctypes; HDF5 is not thread-safe, so those calls
take h5py's own lock. Without it, a conversion in another thread crashed the process (a segfault in
the batch tests).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np

from lindi.LindiH5ZarrStore import LindiH5ZarrStore


def _many_objects(path) -> None:
    with h5py.File(path, "w") as f:
        for g in range(20):
            grp = f.create_group(f"g{g}")
            for d in range(10):
                ds = grp.create_dataset(f"d{d}", data=np.arange(400, dtype="<i4"), chunks=(40,))
                ds.attrs["a"] = d
            grp["alias"] = grp["d0"]  # hard links: the address/refcount call runs for every object


def test_concurrent_conversions_in_threads(tmp_path):
    paths = [tmp_path / f"f{i}.h5" for i in range(6)]
    for path in paths:
        _many_objects(path)

    def convert(path):
        with LindiH5ZarrStore.from_file(str(path)) as store:
            return store.to_reference_file_system()

    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(3):
            docs = list(pool.map(convert, paths))
            for doc in docs:
                assert sum(1 for k in doc["refs"] if k.endswith("/.zarray")) == 20 * 11
                assert doc["refs"]["g3/d0/.lindi"]["hard_link"] == "/g3/alias"  # "alias" sorts first
