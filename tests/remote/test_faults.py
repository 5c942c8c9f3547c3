"""Misbehaving servers: retried when transient, a clear error naming URL and ref otherwise, never wrong data."""
from __future__ import annotations

import numpy as np
import pytest

from lindi import LindiH5pyFile
from lindi.errors import IntegrityError, RemoteError, UrlPolicyError

from .conftest import DOC_NAME, NWB_NAME, lindi_document
from .nwb_summary import read_summary

pytestmark = pytest.mark.network
DATA = "acquisition/ElectricalSeries/data"


@pytest.fixture
def opened(http_server):
    return LindiH5pyFile.from_lindi_file(http_server.url_for(DOC_NAME))


@pytest.fixture(scope="module")
def expected_data(sample_nwb):
    return read_summary(str(sample_nwb))["es_data"]


def test_5xx_burst_is_retried(http_server, opened, expected_data):
    http_server.fail_next(3, status=503, path=NWB_NAME)
    np.testing.assert_array_equal(opened[DATA][:], expected_data)
    assert len([r for r in http_server.log if r.path.endswith(NWB_NAME)]) == 4  # 3 x 503, then the block


@pytest.mark.parametrize("mode, message", [("ignore_range", "ignored the Range header"),
                                           ("short", "short body"),
                                           ("html", "HTML page")])
def test_bad_range_response_names_url_and_ref(http_server, opened, mode, message):
    http_server.inject(mode, path=NWB_NAME)
    with pytest.raises(IntegrityError, match=message) as info:
        opened[DATA][:10]
    text = str(info.value)
    assert http_server.url_for(NWB_NAME) in text and f"key '{DATA}/0.0'" in text


def test_missing_object_is_a_remote_error(http_server):
    with pytest.raises(RemoteError, match="404.*missing.lindi.json"):
        LindiH5pyFile.from_lindi_file(http_server.url_for("missing.lindi.json"))


def test_expired_dandi_signature_is_reresolved_once(published, dandi_double, expected_data):
    f = LindiH5pyFile.from_lindi_file(published["dandi"].doc_url)
    np.testing.assert_array_equal(f[DATA][:5000], expected_data[:5000])
    asset_id = published["dandi"].nwb_url.rstrip("/").split("/")[-2]
    before = len(dandi_double.api_requests(asset_id))
    dandi_double.expire_issued_urls()
    np.testing.assert_array_equal(f[DATA][5000:], expected_data[5000:])
    assert len(dandi_double.api_requests(asset_id)) - before == 1


def test_remote_document_may_not_reference_local_files(http_server, sample_nwb):
    http_server.put("local.lindi.json", lindi_document(sample_nwb, str(sample_nwb)))
    f = LindiH5pyFile.from_lindi_file(http_server.url_for("local.lindi.json"))
    with pytest.raises(UrlPolicyError, match="local file"):
        f[DATA][:10]
    allowed = LindiH5pyFile.from_lindi_file(http_server.url_for("local.lindi.json"), allow_local_files=True)
    assert allowed[DATA][:10].shape == (10, 16)


def test_document_may_not_reference_another_private_host(http_server, sample_nwb, expected_data):
    from lindi.testing.range_server import RangeServer

    with RangeServer() as other:
        nwb_url = other.put(NWB_NAME, sample_nwb.read_bytes())
        http_server.put("elsewhere.lindi.json", lindi_document(sample_nwb, nwb_url))
        f = LindiH5pyFile.from_lindi_file(http_server.url_for("elsewhere.lindi.json"))
        with pytest.raises(UrlPolicyError, match="may not reference") as info:
            f[DATA][:10]
        assert nwb_url in str(info.value) and other.requests == 0
        allowed = LindiH5pyFile.from_lindi_file(http_server.url_for("elsewhere.lindi.json"),
                                                allow_private_hosts=True)
        np.testing.assert_array_equal(allowed[DATA][:10], expected_data[:10])
