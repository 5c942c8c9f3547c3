"""LocalCache on remote reads: refs cached across selections, zero requests when warm, safe across threads."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from lindi import LindiH5pyFile, LocalCache

from .conftest import CHUNK_ROWS, DOC_NAME, NWB_NAME
from .nwb_summary import read_summary

pytestmark = pytest.mark.network
DATA = "acquisition/ElectricalSeries/data"


@pytest.fixture(scope="module")
def expected_data(sample_nwb):
    return read_summary(str(sample_nwb))["es_data"]


def test_second_read_makes_no_request(http_server, tmp_path, expected_data):
    cache = LocalCache(cache_dir=tmp_path)
    f = LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME), local_cache=cache)
    np.testing.assert_array_equal(f[DATA][:], expected_data)
    http_server.reset_stats()
    np.testing.assert_array_equal(f[DATA][:], expected_data)
    assert http_server.requests == 0
    # entries are the individual chunk refs, so a different selection of cached chunks is a hit too
    reopened = LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME), local_cache=LocalCache(tmp_path))
    http_server.reset_stats()
    sel = (slice(CHUNK_ROWS + 7, 3 * CHUNK_ROWS), 3)
    np.testing.assert_array_equal(reopened[DATA][sel], expected_data[sel])
    assert http_server.requests == 0


def test_partial_hits_fetch_only_the_misses(http_server, tmp_path, expected_data):
    f = LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME), local_cache=LocalCache(tmp_path))
    f[DATA][:2 * CHUNK_ROWS]
    http_server.reset_stats()
    np.testing.assert_array_equal(f[DATA][:], expected_data)
    assert http_server.requests == 1
    first, last = (int(x) for x in http_server.log[0].range.split("=")[1].split("-"))
    chunk0 = f.to_reference_file_system()["refs"][f"{DATA}/2.0"]
    assert first == chunk0[1]  # the fetch starts at the first chunk not yet cached


def test_remote_hdf5_with_cache(http_server, tmp_path, expected_data):
    url = http_server.url_for(NWB_NAME)
    first = LindiH5pyFile.from_hdf5_file(url, local_cache=LocalCache(tmp_path))
    np.testing.assert_array_equal(first[DATA][:], expected_data)
    http_server.reset_stats()
    again = LindiH5pyFile.from_hdf5_file(url, local_cache=LocalCache(tmp_path))
    np.testing.assert_array_equal(again[DATA][:], expected_data)
    assert http_server.requests == 1  # only the size probe: metadata blocks and chunks come from the cache


def test_threads_share_one_document_and_cache(http_server, tmp_path, expected_data):
    f = LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME), local_cache=LocalCache(tmp_path))
    data = f[DATA]
    slices = [slice(start, start + 3 * CHUNK_ROWS + 123) for start in range(0, 40_000, 2_500)] * 2

    def read(sel: slice) -> bool:
        return bool(np.array_equal(data[sel], expected_data[sel]))

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert all(pool.map(read, slices))
    http_server.reset_stats()
    np.testing.assert_array_equal(data[:], expected_data)
    assert http_server.requests == 0
