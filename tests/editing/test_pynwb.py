"""pynwb writing through LindiH5pyFile: new files (.lindi.json with staging, .lindi.tar), appends, publishing."""
from __future__ import annotations

import json
import uuid

import numpy as np
import pynwb
import pytest
from hdmf.backends.hdf5 import H5DataIO
from hdmf.data_utils import DataChunkIterator

import lindi
from tests.fidelity.compare_nwb import assert_same_nwb

from .nwb_build import build_nwb

BIG = np.arange(1_000_000, dtype=np.float32) * 0.5


def assert_reads_like(plain_nwb, f):
    with pynwb.NWBHDF5IO(str(plain_nwb), "r") as io1, pynwb.NWBHDF5IO(file=f, mode="r") as io2:
        assert_same_nwb(io1.read(), io2.read())


def test_write_new_lindi_json_with_staging_area(plain_nwb, tmp_path):
    with lindi.StagingArea.create(base_dir=tmp_path / "stage") as area:
        f = lindi.LindiH5pyFile.from_lindi_file(tmp_path / "new.lindi.json", mode="w", staging_area=area)
        with pynwb.NWBHDF5IO(file=f, mode="w") as io:
            io.write(build_nwb())
        doc = json.loads((tmp_path / "new.lindi.json").read_text())
        assert doc["lindi_spec"] == "1.1" and lindi.validate(doc).valid
        assert_reads_like(plain_nwb, lindi.LindiH5pyFile.from_lindi_file(tmp_path / "new.lindi.json"))


def test_write_new_lindi_tar(plain_nwb, tmp_path):
    f = lindi.LindiH5pyFile.from_lindi_file(tmp_path / "new.lindi.tar", mode="w")
    with pynwb.NWBHDF5IO(file=f, mode="w") as io:
        io.write(build_nwb())
    assert not any(tmp_path.glob("lindi-staging-*"))
    assert_reads_like(plain_nwb, lindi.LindiH5pyFile.from_lindi_file(tmp_path / "new.lindi.tar"))


def test_data_chunk_iterator_grows_the_dataset(tmp_path):
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    with pynwb.NWBHDF5IO(file=f, mode="w") as io:
        io.write(build_nwb())
    dset = f["acquisition/dci/data"]
    assert dset.shape == (20, 3) and dset.maxshape == (None, 3)
    np.testing.assert_array_equal(dset[:], np.arange(60.0).reshape(20, 3))


def _append_big_series(path, area):
    f = lindi.LindiH5pyFile.from_lindi_file(path, mode="r+", staging_area=area)
    with pynwb.NWBHDF5IO(file=f, mode="a") as io:
        nwb = io.read()
        module = nwb.create_processing_module("proc", "analysis results")
        module.add(pynwb.TimeSeries(name="big", unit="u", rate=1000.0,
                                    data=H5DataIO(BIG, chunks=(100_000,), compression="gzip")))
        io.write(nwb)


@pytest.fixture
def converted(plain_nwb, tmp_path):
    path = tmp_path / "conv.nwb.lindi.json"
    lindi.LindiH5pyFile.from_hdf5_file(plain_nwb).write_lindi_file(path)
    return path


def test_append_processing_module_to_converted_file(converted, plain_nwb, tmp_path):
    before = json.loads(converted.read_text())["refs"]
    with lindi.StagingArea.create(base_dir=tmp_path / "stage") as area:
        _append_big_series(converted, area)
        assert len(area.digests()) == 10  # ten 400 kB gzip chunks, staged once each
        after = json.loads(converted.read_text())["refs"]
        assert all(after[k] == v for k, v in before.items() if k != ".zattrs" and not k.endswith("/.zattrs")
                   and not k.endswith("/.lindi"))  # nothing of the original data was touched
        with pynwb.NWBHDF5IO(file=lindi.LindiH5pyFile.from_lindi_file(converted), mode="r") as io:
            nwb = io.read()
            series = nwb.processing["proc"]["big"]
            np.testing.assert_array_equal(series.data[:], BIG)
            assert series.data.chunks == (100_000,) and series.data.compression == "gzip"
            np.testing.assert_array_equal(nwb.acquisition["es"].data[:], np.arange(400).reshape(100, 4))


def test_data_chunk_iterator_without_maxshape_fails_clearly(tmp_path):
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    dset = f.create_dataset("x", shape=(2,), dtype="f8", chunks=(2,))
    with pytest.raises(lindi.LindiError, match="maxshape"):
        dset.id.extend((5,))
    assert dset.shape == (2,)


@pytest.mark.parametrize("where", ["local", "s3"])
def test_stage_publish_read_with_pynwb(converted, tmp_path, where, request):
    with lindi.StagingArea.create(base_dir=tmp_path / "stage") as area:
        _append_big_series(converted, area)
        if where == "local":
            dest = str(tmp_path / "published")
        else:
            dest = f"s3://{request.getfixturevalue('s3_registry')}/{uuid.uuid4().hex[:8]}/"
        result = lindi.publish(converted, dest, progress=False)
    assert not any(isinstance(v, list) and v[0].startswith("file:") and "lindi-staging" in v[0]
                   for v in result.document["refs"].values())
    f = lindi.LindiH5pyFile.from_lindi_file(result.url)  # the staging area is gone: data comes from dest
    with pynwb.NWBHDF5IO(file=f, mode="r") as io:
        np.testing.assert_array_equal(io.read().processing["proc"]["big"].data[:], BIG)


def test_iterator_chunks_match_h5py(tmp_path):
    """A DataChunkIterator dataset written here equals the same one written through h5py."""
    import h5py
    data = np.arange(35, dtype="i4").reshape(7, 5)
    with h5py.File(tmp_path / "o.h5", "w") as h:
        h.create_dataset("d", shape=(0, 5), maxshape=(None, 5), chunks=(2, 5), dtype="i4")
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    d = f.create_dataset("d", shape=(0, 5), maxshape=(None, 5), chunks=(2, 5), dtype="i4")
    with h5py.File(tmp_path / "o.h5", "a") as h:
        for chunk in DataChunkIterator(data=iter(data), buffer_size=3):
            for target in (h["d"], d):
                target.id.extend(chunk.get_min_bounds())
                target[chunk.selection] = chunk.data
        np.testing.assert_array_equal(d[:], h["d"][:])
        assert d.shape == h["d"].shape == (7, 5)
