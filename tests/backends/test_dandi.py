"""DANDI backend against the API double: redirects, caching, expiry, embargo, credentials."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from lindi.backends.dandi import DandiBackend
from lindi.errors import RemoteError

from .conftest import FAST_RETRY

DATA = bytes(range(200)) * 50


def make_backend(double, key=None, **extra):
    return DandiBackend({"instances": {"local-double": double.api_url}, "retry": FAST_RETRY, **extra},
                        credentials=lambda target: key if target == "local-double" else None)


@pytest.fixture
def asset(dandi_double):
    return dandi_double.add_asset("000001", f"sub-x/{uuid.uuid4()}.nwb", DATA)


def test_resolves_once_and_caches(dandi_double, asset):
    backend = make_backend(dandi_double)
    url = dandi_double.download_url(asset)
    before = len(dandi_double.api_requests(asset.asset_id))
    threads = [threading.Thread(target=backend.read_range, args=(url, i, 10)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert backend.read_range(url, 7, 3) == DATA[7:10]
    assert len(dandi_double.api_requests(asset.asset_id)) - before == 1  # single flight
    assert backend.resolve(url).startswith(dandi_double.storage_url)


def test_expired_url_is_reresolved_once(dandi_double, asset):
    backend = make_backend(dandi_double)
    url = dandi_double.download_url(asset, nested=True)
    assert backend.read_range(url, 0, 5) == DATA[:5]
    dandi_double.expire_issued_urls()
    assert backend.read_ranges([(url, 100, 5), (url, 200, 5)]) == [DATA[100:105], DATA[200:205]]
    # one re-resolution per expired URL; a re-sign in the same second yields the identical URL, which a
    # concurrent reader may legitimately invalidate once more
    assert 2 <= len(dandi_double.api_requests(asset.asset_id)) <= 3


def test_short_ttl_is_refreshed_before_expiry(s3_endpoint):
    from lindi.testing.dandi_double import DandiApiDouble
    with DandiApiDouble(s3_endpoint, bucket="dandi-ttl", ttl=2) as double:
        a = double.add_asset("000009", "a.nwb", DATA)
        backend = make_backend(double)
        url = double.download_url(a)
        assert backend.read_range(url, 0, 4) == DATA[:4]
        assert backend.read_range(url, 4, 4) == DATA[4:8]
        assert len(double.api_requests("download")) == 1
        time.sleep(2.2)  # past expiry: must re-sign instead of failing
        assert backend.read_range(url, 8, 4) == DATA[8:12]
        assert len(double.api_requests("download")) == 2


def test_embargo_needs_key_and_key_stays_on_api_host(dandi_double):
    dandi_double.add_dandiset("000777", embargoed=True, owners=("owner-key",))
    dandi_double.add_user("stranger-key")
    a = dandi_double.add_asset("000777", "secret.nwb", DATA)
    url = dandi_double.download_url(a)
    with pytest.raises(RemoteError, match="authentication required.*LOCAL_DOUBLE_API_KEY"):
        make_backend(dandi_double).read_range(url, 0, 1)
    with pytest.raises(RemoteError, match="may not read it"):
        make_backend(dandi_double, key="stranger-key").read_range(url, 0, 1)
    n_storage = len(dandi_double.storage_log)
    assert make_backend(dandi_double, key="owner-key").read_range(url, 10, 5) == DATA[10:15]
    api = dandi_double.api_requests(a.asset_id)
    assert api[-1].headers.get("authorization") == "token owner-key"
    assert dandi_double.storage_log[n_storage:]
    assert all("authorization" not in r.headers for r in dandi_double.storage_log)


def test_env_var_credentials_through_registry(dandi_double, monkeypatch):
    from lindi.backends import Registry, settings_with
    from lindi.backends.config import BackendSettings
    dandi_double.add_dandiset("000778", embargoed=True, owners=("env-key",))
    a = dandi_double.add_asset("000778", "e.nwb", DATA)
    monkeypatch.setenv("LOCAL_DOUBLE_API_KEY", "env-key")
    reg = Registry(settings_with(BackendSettings(), {"dandi": {"instances": {"local-double": dandi_double.api_url}}}),
                   entry_points=False)
    assert reg.read_ranges([(dandi_double.download_url(a), 0, 3)]) == [DATA[:3]]


def test_api_5xx_retried(dandi_double, asset):
    dandi_double.fail_next(2, 503)
    assert make_backend(dandi_double).read_range(dandi_double.download_url(asset), 1, 1) == DATA[1:2]


def test_zarr_and_missing_assets(dandi_double):
    z = dandi_double.add_zarr_asset("000001", "x.zarr")
    with pytest.raises(RemoteError, match="zarr"):
        make_backend(dandi_double).size(dandi_double.download_url(z))
    with pytest.raises(RemoteError, match="asset not found"):
        make_backend(dandi_double).read_range(f"{dandi_double.api_url}/assets/{uuid.uuid4()}/download/", 0, 1)
    with pytest.raises(RemoteError, match="not a DANDI asset download URL"):
        make_backend(dandi_double).read_range(f"{dandi_double.api_url}/assets/", 0, 1)


def test_error_messages_hide_signatures(dandi_double, asset):
    backend = make_backend(dandi_double)
    url = dandi_double.download_url(asset)
    with pytest.raises(RemoteError) as info:
        backend.read_range(url, len(DATA) + 5, 5)
    assert "X-Amz-Signature" not in str(info.value) and "X-Amz-Credential" not in str(info.value)


def test_double_endpoints(dandi_double, asset):
    api = dandi_double.api_url
    assert requests.get(f"{api}/info/").json()["schema_version"]
    assert requests.get(f"{api}/auth/token/").status_code == 401
    dandi_double.add_user("k1")
    assert requests.get(f"{api}/auth/token/", headers={"Authorization": "token k1"}).status_code == 200
    meta = requests.get(f"{api}/assets/{asset.asset_id}/").json()
    assert meta["contentSize"] == len(DATA) and meta["digest"]["dandi:dandi-etag"].endswith("-1")
    assert meta["contentUrl"][0] == dandi_double.download_url(asset)
    info = requests.get(f"{api}/dandisets/000001/versions/draft/assets/{asset.asset_id}/info/").json()
    assert info["path"] == asset.path and info["size"] == len(DATA)
    listing = requests.get(f"{api}/dandisets/000001/versions/draft/assets/",
                           params={"path": asset.path.upper(), "page_size": 1}).json()
    assert listing["count"] == 1 and listing["results"][0]["asset_id"] == asset.asset_id
    head = requests.head(dandi_double.download_url(asset), allow_redirects=False)
    assert head.status_code == 302
    assert requests.head(head.headers["Location"]).status_code == 403  # GET-signed URL refuses HEAD
    ranged = requests.get(head.headers["Location"], headers={"Range": "bytes=2-4"})
    assert ranged.status_code == 206 and ranged.content == DATA[2:5]


def test_dandi_etag_vectors():
    from lindi.testing.dandi_double import dandi_etag
    assert dandi_etag(b"a") == "b6ff9a06b7e20bcb2858c5b8ff744aea-1"
    assert dandi_etag(bytes(i % 256 for i in range(1000))) == "6ace433800eb9e567bb42f172288e270-1"
