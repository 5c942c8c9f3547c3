"""Faulty servers: the reader returns the ground-truth values or raises a LindiError, never wrong data."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator

import numpy as np
import pytest

from lindi import LindiH5pyFile
from lindi.errors import IntegrityError, LindiError, RemoteError
from lindi.testing.range_server import RangeServer

from .conftest import DOC_NAME, FAST_RETRY, H5_NAME, assert_truth, convert, ground_truth, read_all

pytestmark = pytest.mark.network

TRANSIENT = ("status", "reset", "truncate")  # retried by the backends
WRONG_BYTES = ("ignore_range", "short", "long", "html")  # never retried into wrong data


@pytest.mark.parametrize("count", [1, 3, 50])
@pytest.mark.parametrize("mode", TRANSIENT + WRONG_BYTES)
def test_fault_gives_truth_or_lindi_error(server, mode, count):
    """Every dataset read while ``count`` faulty responses are queued: right values or a clear error."""
    f = LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME))
    server.inject(mode, count, status=503, path=H5_NAME)
    truth = ground_truth()
    outcomes = []
    for name, path in (("gzip", "gzip"), ("contig", "group/contig"), ("shuffled", "group/shuffled")):
        try:
            value = f[path][()]
        except LindiError as exc:
            assert H5_NAME in str(exc)  # names the URL
            outcomes.append("error")
            continue
        np.testing.assert_array_equal(value, truth[name], err_msg=f"{mode} x{count} gave wrong data for {name}")
        outcomes.append("ok")
    if mode in WRONG_BYTES:
        assert outcomes[0] == "error"  # the first read met the fault: refused, not passed on
    if mode in TRANSIENT and count < FAST_RETRY["max_attempts"]:
        assert outcomes == ["ok"] * 3  # retried transparently
    server.clear_faults()
    assert_truth(read_all(f))  # the file object is still usable after the faults


@pytest.mark.parametrize("mode", WRONG_BYTES)
def test_wrong_bytes_error_names_the_ref(server, mode):
    f = LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME))
    server.inject(mode, path=H5_NAME)
    with pytest.raises(IntegrityError) as info:
        f["group/contig"][()]
    assert "group/contig/0.0" in str(info.value) and server.url_for(H5_NAME) in str(info.value)


def test_latency_and_5xx_bursts_with_many_reads(sample_h5, sample_doc):
    with RangeServer(latency=0.02) as srv:
        srv.put(H5_NAME, sample_h5.read_bytes())
        srv.put(DOC_NAME, json.dumps(sample_doc).encode())
        f = LindiH5pyFile.from_lindi_file(srv.url_for(DOC_NAME))
        truth = ground_truth()["gzip"]
        for i in range(10):
            srv.fail_next(2, status=(500, 502, 503, 429)[i % 4], path=H5_NAME)
            rows = slice(i * 20, i * 20 + 35)
            np.testing.assert_array_equal(f["gzip"][rows], truth[rows])


def test_server_that_stops_mid_transfer(sample_h5, sample_doc):
    """The server goes away between reads: a RemoteError naming the URL, then data once it is back."""
    srv = RangeServer()
    srv.start()
    srv.put(H5_NAME, sample_h5.read_bytes())
    srv.put(DOC_NAME, json.dumps(sample_doc).encode())
    f = LindiH5pyFile.from_lindi_file(srv.url_for(DOC_NAME))
    srv.inject("truncate", 100, path=H5_NAME)  # every answer hangs up half-way
    with pytest.raises(RemoteError, match=H5_NAME):
        f["group/contig"][()]
    port = int(srv.url.rsplit(":", 1)[1])
    srv.stop()
    with pytest.raises(RemoteError, match=H5_NAME):
        f["gzip"][()]
    with RangeServer(port=port) as again:
        again.put(H5_NAME, sample_h5.read_bytes())
        assert_truth(read_all(f))


@pytest.fixture(scope="module")
def dandi(sample_h5) -> Iterator[tuple]:
    """The sample as a DANDI asset (document and HDF5 both assets) on the DANDI API double over moto S3."""
    from lindi.backends import Registry, set_registry
    from lindi.backends.config import load_settings
    from lindi.backends.registry import settings_with
    from lindi.testing.cloud_servers import MOTO_CREDENTIALS, moto_s3_server
    from lindi.testing.dandi_double import DandiApiDouble

    saved = dict(os.environ)
    os.environ.update({"AWS_ACCESS_KEY_ID": MOTO_CREDENTIALS["aws_access_key_id"],
                       "AWS_SECRET_ACCESS_KEY": MOTO_CREDENTIALS["aws_secret_access_key"]})
    try:
        with moto_s3_server() as endpoint, DandiApiDouble(endpoint, ttl=3600) as double:
            double.add_dandiset("000001")
            reg = Registry(settings_with(load_settings(), {
                "dandi": {"instances": {"local-double": double.api_url}, "retry": FAST_RETRY},
                "http": {"retry": FAST_RETRY}, "s3": {"endpoint_url": endpoint, "retry": FAST_RETRY}}),
                entry_points=False)
            old = set_registry(reg)
            asset = double.add_asset("000001", "sub-x/sample.h5", sample_h5.read_bytes())
            h5_url = double.download_url(asset)
            doc = json.dumps(convert(sample_h5, url=h5_url)).encode()
            doc_url = double.download_url(double.add_asset("000001", "sub-x/sample.lindi.json", doc))
            yield double, doc_url
            set_registry(old)
            reg.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_expired_dandi_signatures_are_reresolved(dandi):
    double, doc_url = dandi
    f = LindiH5pyFile.from_lindi_file(doc_url)
    truth = ground_truth()
    for i in range(5):
        double.expire_issued_urls()
        np.testing.assert_array_equal(f["gzip"][i * 40:(i + 1) * 40], truth["gzip"][i * 40:(i + 1) * 40])
    assert_truth(read_all(f))


def test_dandi_api_5xx_burst(dandi):
    double, doc_url = dandi
    f = LindiH5pyFile.from_lindi_file(doc_url)
    double.expire_issued_urls()
    double.fail_next(2, status=503)
    np.testing.assert_array_equal(f["group/shuffled"][()], ground_truth()["shuffled"])
