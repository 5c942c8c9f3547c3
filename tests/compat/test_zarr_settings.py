"""Reads that must not depend on which zarr-python 3 release, or which zarr settings, the user has.

Runs in every environment of the suite: the 3.11 venv (zarr 3.1) and, through
test_newest_zarr.py, a 3.12 venv with the newest zarr 3.x, where the missing-chunk
option and the fused codec pipeline exist.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr
import zarr.core.codec_pipeline

import lindi
from lindi._compat import PINNED_ARRAY_CONFIG
from lindi.store import default_range_reader
from lindi.store.ranges import RangeRequest

#: Every codec pipeline this zarr release ships (the fused one arrived after 3.1, opt-in).
PIPELINES = [f"zarr.core.codec_pipeline.{name}" for name in ("BatchedCodecPipeline", "FusedCodecPipeline")
             if hasattr(zarr.core.codec_pipeline, name)]


@pytest.fixture(scope="module")
def h5_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compat") / "data.h5"
    with h5py.File(path, "w") as f:
        noise = np.random.default_rng(0).integers(0, 2**31, size=(40, 400), dtype="<i4")  # above the inline size
        f.create_dataset("gzip", data=noise, chunks=(12, 120), compression="gzip", shuffle=True, fletcher32=True)
        sparse = f.create_dataset("sparse", shape=(100,), chunks=(10,), dtype="<f8", fillvalue=7.5)
        sparse[20:30] = 1.0  # chunk 2 written, the other nine never: no refs for them
        f.create_dataset("big_endian", data=np.linspace(0, 1, 50, dtype=">f4"), chunks=(16,))
        f.create_dataset("lzf", data=np.arange(400, dtype="<i2"), chunks=(64,), compression="lzf")
        f.create_dataset("scalar", data=3.5)
    return path


@pytest.fixture(scope="module")
def rfs(h5_path: Path) -> dict:
    return lindi.LindiH5pyFile.from_hdf5_file(str(h5_path)).to_reference_file_system()


def test_this_zarr_knows_the_pinned_settings():
    array = zarr.open_array(store={}, mode="w", shape=(1,), dtype="i1", zarr_format=2)
    # zarr <= 3.1.5 (the newest that dandi-cli allows) keeps the config private
    config = array.config if hasattr(array, "config") else array.async_array._config
    for name, value in PINNED_ARRAY_CONFIG.items():
        assert getattr(config, name) is not None and type(getattr(config, name)) is type(value), name


def test_unwritten_chunks_read_as_the_fill_value_even_when_zarr_is_told_not_to(rfs, h5_path):
    expected = np.full(100, 7.5)
    expected[20:30] = 1.0
    assert not any(k.startswith("sparse/") and k.split("/")[-1] in {"0", "1", "3"} for k in rfs["refs"])
    with zarr.config.set({"array.read_missing_chunks": False}):  # a newer-zarr option; zarr 3.1 ignores it
        f = lindi.LindiH5pyFile.from_reference_file_system(rfs)
        np.testing.assert_array_equal(f["sparse"][()], expected)
        np.testing.assert_array_equal(f["sparse"][5:45:4], expected[5:45:4])
    with h5py.File(h5_path, "r") as h:
        np.testing.assert_array_equal(h["sparse"][()], expected)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_reads_equal_h5py_with_every_codec_pipeline(pipeline, rfs, h5_path):
    with zarr.config.set({"codec_pipeline.path": pipeline}):
        f = lindi.LindiH5pyFile.from_reference_file_system(rfs)
        with h5py.File(h5_path, "r") as h:
            for name in ("gzip", "sparse", "big_endian", "lzf", "scalar"):
                ours, theirs = f[name][()], h[name][()]
                assert ours.dtype == theirs.dtype, name
                np.testing.assert_array_equal(ours, theirs, err_msg=name)
            np.testing.assert_array_equal(f["gzip"][2:27, 5:395:3], h["gzip"][2:27, 5:395:3])
            np.testing.assert_array_equal(f["gzip"][[1, 38], 140:], h["gzip"][[1, 38], 140:])


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_a_selection_is_one_batched_fetch_with_every_codec_pipeline(pipeline, rfs, h5_path):
    assert sum(isinstance(v, list) for k, v in rfs["refs"].items() if k.startswith("gzip/")) == 16  # 4 x 4 refs
    batches: list[int] = []

    def counting_reader(requests: Sequence[RangeRequest]) -> list[bytes]:
        batches.append(len(requests))
        return default_range_reader(requests)

    with zarr.config.set({"codec_pipeline.path": pipeline}):
        f = lindi.LindiH5pyFile.from_reference_file_system(rfs, range_reader=counting_reader, allow_local=True)
        data = f["gzip"][:, :]
    with h5py.File(h5_path, "r") as h:
        np.testing.assert_array_equal(data, h["gzip"][()])
    assert batches == [1], batches  # one reader call for the whole selection, its 16 refs coalesced into one block
