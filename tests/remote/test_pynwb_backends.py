"""pynwb reads the sample NWB file through every backend, as a remote .lindi.json and as a remote .nwb."""
from __future__ import annotations

import numpy as np
import pytest

from lindi import LindiH5pyFile

from .conftest import CHUNK_ROWS, DOC_NAME, N_SAMPLES, NWB_NAME
from .nwb_summary import assert_same, read_summary

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def expected(sample_nwb):
    return read_summary(str(sample_nwb))


@pytest.mark.parametrize("backend", ["s3", "gcs", "dandi"])
def test_remote_lindi_json(published, expected, backend):
    f = LindiH5pyFile.from_lindi_file(published[backend].doc_url)
    assert_same(read_summary(f), expected)


@pytest.mark.parametrize("backend", ["s3", "gcs", "dandi"])
def test_remote_hdf5(published, expected, backend):
    f = LindiH5pyFile.from_hdf5_file(published[backend].nwb_url)
    doc = f.to_reference_file_system()
    chunk_url = doc["refs"]["acquisition/ElectricalSeries/data/0.0"][0]
    for name, value in doc.get("templates", {}).items():
        chunk_url = chunk_url.replace("{{%s}}" % name, value)
    assert chunk_url == published[backend].nwb_url  # chunks stay in the remote file
    assert_same(read_summary(f), expected)


def test_http_lindi_json_relative_refs_and_request_counts(http_server, expected):
    f = LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME))
    summary = {k: v for k, v in read_summary(f).items()}
    assert_same(summary, expected)
    log = list(http_server.log)
    doc_requests = [r for r in log if r.path.endswith(DOC_NAME)]
    assert len(doc_requests) == 1  # one plain GET of the whole document; all metadata is in it
    es_requests = [r for r in log if r.path.endswith("/" + NWB_NAME)]
    assert len(es_requests) <= 3  # the 10-chunk slab, the positions and the timestamps: one each

    http_server.reset_stats()
    data = f["acquisition/ElectricalSeries/data"]
    assert data.chunks == (CHUNK_ROWS, 16)
    np.testing.assert_array_equal(data[:], expected["es_data"])
    assert http_server.requests == 1  # 10 chunk refs, coalesced into one range request


def test_http_open_and_all_metadata_in_one_request(http_server):
    import pynwb

    f = LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME))
    nwb = pynwb.NWBHDF5IO(file=f, mode="r").read()
    nwb.electrodes.to_dataframe()
    nwb.trials.to_dataframe()
    list(nwb.units["quality"][:])
    assert nwb.acquisition["ElectricalSeries"].data.shape == (N_SAMPLES, 16)
    assert http_server.requests == 1


def test_http_remote_hdf5_few_requests(http_server, expected):
    f = LindiH5pyFile.from_hdf5_file(http_server.url_for(NWB_NAME))
    opened = http_server.requests
    assert opened <= 6  # size probe + read-ahead blocks of h5py's metadata reads
    assert_same(read_summary(f), expected)
    # the small datasets pynwb reads lie in blocks fetched while indexing; only the slab costs a request
    assert http_server.requests - opened <= 3
