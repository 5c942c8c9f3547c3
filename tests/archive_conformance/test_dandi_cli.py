"""dandi-cli, the archive's reference client, against the double: read, upload, download, and after lindi publish.

Each flow runs dandi-cli's own code (``DandiAPIClient``, ``dandi upload``,
``dandi download`` through its click CLI) against the double by URL, with
``DANDI_PAGINATION_DISABLE_FALLBACK=1`` so any pagination difference fails.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from lindi import demo
from lindi.testing.dandi_double import DandiApiDouble

from .conftest import FAST_RETRY, OWNER

MiB = 1024 * 1024
LOWERED_PART_SIZE = 5 * MiB  # dandischema's smallest legal part size


def client(double: DandiApiDouble):
    from dandi.dandiapi import DandiAPIClient

    return DandiAPIClient(api_url=double.api_url, token=OWNER)


def write_nwb(path: Path, *, noise_bytes: int = 0, subject_id: str = "mouse1", n_samples: int = 3000) -> Path:
    """A small NWB file dandi-cli accepts; ``noise_bytes`` of uncompressed data make it large."""
    from pynwb import TimeSeries
    from pynwb.file import Subject

    nwbfile = demo.new_nwbfile(f"dandi-cli-{uuid.uuid4().hex[:8]}")
    nwbfile.subject = Subject(subject_id=subject_id, species="Mus musculus", sex="M", age="P90D",
                              description="a test mouse")
    demo.add_ecephys(nwbfile, n_samples=n_samples, n_channels=4)  # gzip chunks of 5000 samples
    if noise_bytes:
        noise = np.random.default_rng(7).integers(-2**15, 2**15, noise_bytes // 2, dtype=np.int16)
        nwbfile.add_acquisition(TimeSeries(name="noise", data=noise, unit="V", rate=1000.0,
                                           description="incompressible"))
    path.parent.mkdir(parents=True, exist_ok=True)
    demo.write_nwbfile(nwbfile, path)
    return path


def run_dandi(*args: str) -> str:
    from dandi.cli.command import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def validation(double: DandiApiDouble, dandiset: str, asset_id: str) -> dict:
    import requests

    url = f"{double.api_url}/dandisets/{dandiset}/versions/draft/assets/{asset_id}/validation/"
    return requests.get(url, timeout=60).json()


def test_read_side(dandi_double):
    dandi_double.add_dandiset("000010", owners=(OWNER,), name="Read side")
    data = {f"sub-{i}/sub-{i}_ses-{j}.dat": bytes([i, j]) * (100 + i) for i in range(3) for j in range(2)}
    for path, payload in data.items():
        dandi_double.add_asset("000010", path, payload)
    before = len(dandi_double.api_log)
    with client(dandi_double) as api:  # the token is checked at GET /auth/token, redirected to /auth/token/
        assert [r.path for r in dandi_double.api_log[before:] if "/auth/" in r.path] == [
            "/api/auth/token", "/api/auth/token/"]
        api.page_size = 2  # three pages of assets: page 2 and 3 fetched through dandi-cli's concurrent path
        ds = api.get_dandiset("000010", lazy=False)
        assert ds.version_id == "draft" and ds.version.asset_count == len(data)
        assert [str(v) for v in ds.get_versions()] == ["draft"]
        assert ds.get_raw_metadata()["name"] == "Read side"
        assert [a.path for a in ds.get_assets(order="path")] == sorted(data)
        assert [a.path for a in ds.get_assets(order="-path")] == sorted(data, reverse=True)
        assert sorted(a.path for a in ds.get_assets_by_glob("sub-1/*")) == sorted(p for p in data if p[:6] == "sub-1/")
        assert sorted(a.path for a in ds.get_assets_with_path_prefix("sub-2")) == [p for p in sorted(data)
                                                                                   if p.startswith("sub-2")]
        asset = ds.get_asset_by_path("sub-2/sub-2_ses-1.dat")
        meta = asset.get_raw_metadata()
        assert meta["digest"]["dandi:sha2-256"] == hashlib.sha256(data[asset.path]).hexdigest()
        assert b"".join(asset.get_download_file_iter()()) == data[asset.path]
        assert asset.get_content_url(follow_redirects=1, strip_query=True) == meta["contentUrl"][1]
        assert api.get_asset(asset.identifier).path == asset.path
        assert any(d.identifier == "000010" for d in api.get_dandisets())


def test_upload_multipart_two_threads_and_download(dandi_double, cli_env, tmp_path, monkeypatch):
    from dandischema.digests.dandietag import PartGenerator

    dandi_double.add_dandiset("000011", owners=(OWNER,), name="Upload")
    monkeypatch.setattr(PartGenerator, "DEFAULT_PART_SIZE", LOWERED_PART_SIZE)  # dandi-cli's etag layout
    monkeypatch.setattr(dandi_double, "part_size", LOWERED_PART_SIZE)  # the server's: they must agree
    local = tmp_path / "000011"
    local.mkdir()
    (local / "dandiset.yaml").write_text("identifier: DANDI:000011\nname: Upload\n")
    big = write_nwb(local / "sub-mouse1" / "sub-mouse1_ses-big.nwb", noise_bytes=6 * MiB)
    small = write_nwb(local / "sub-mouse2" / "sub-mouse2_ses-small.nwb", subject_id="mouse2")
    assert big.stat().st_size > LOWERED_PART_SIZE
    before = len(dandi_double.storage_log)
    run_dandi("upload", "-i", dandi_double.api_url, "--jobs", "1:2", str(big), str(small))
    part_puts = [r for r in dandi_double.storage_log[before:] if r.method == "PUT"]
    assert sorted(int(r.query["partNumber"][0]) for r in part_puts) == [1, 1, 2]  # big: 2 parts, small: 1
    with client(dandi_double) as api:
        ds = api.get_dandiset("000011")
        uploaded = {a.path: a for a in ds.get_assets()}
        assert set(uploaded) == {"sub-mouse1/sub-mouse1_ses-big.nwb", "sub-mouse2/sub-mouse2_ses-small.nwb"}
        for path, asset in uploaded.items():
            meta = asset.get_raw_metadata()
            assert meta["encodingFormat"] == "application/x-nwb"
            assert meta["contentSize"] == (local / path).stat().st_size
            assert validation(dandi_double, "000011", asset.identifier) == {"status": "Valid", "validation_errors": []}
    out = tmp_path / "downloaded"
    out.mkdir()
    run_dandi("download", "-o", str(out), f"{dandi_double.api_url}/dandisets/000011/versions/draft/")
    for path in uploaded:
        assert (out / "000011" / path).read_bytes() == (local / path).read_bytes()
    assert "identifier" in (out / "000011" / "dandiset.yaml").read_text()


def test_dandi_cli_reads_what_lindi_publishes(dandi_double, tmp_path, monkeypatch):
    import lindi
    import lindi.backends
    from lindi.staging import publish

    dandi_double.add_dandiset("000012", owners=(OWNER,), name="Published with lindi")
    nwb = write_nwb(tmp_path / "source.nwb", n_samples=23_000)
    source = tmp_path / "source.nwb.lindi.json"
    lindi.LindiH5pyFile.from_hdf5_file(str(nwb)).write_lindi_file(str(source))
    monkeypatch.setenv("LOCAL_DOUBLE_API_KEY", OWNER)
    registry = lindi.backends.configure({"dandi": {"instances": {"local-double": dandi_double.api_url},
                                                   "retry": FAST_RETRY}})
    try:
        dest = "dandi://local-double/000012/sub-mouse1/sub-mouse1_ses-1.nwb.lindi.json"
        result = publish(str(source), dest, progress=False)
        uploads = len(dandi_double.blob_uploads)
        publish(str(source), dest, progress=False)  # republishing: nothing new, every asset still valid
        assert len(dandi_double.blob_uploads) == uploads
        with lindi.LindiH5pyFile.from_lindi_file(result.url) as remote, \
                lindi.LindiH5pyFile.from_hdf5_file(str(nwb)) as local:
            name = "acquisition/ElectricalSeries/data"
            assert np.array_equal(remote[name][:], local[name][:])
    finally:
        lindi.backends.set_registry(None)
        registry.close()
    assert result.blobs >= 5  # the ElectricalSeries' gzip chunks
    with client(dandi_double) as api:
        ds = api.get_dandiset("000012")
        assets = {a.path: a for a in ds.get_assets()}
        blob_assets = [p for p in assets if p.startswith(".lindi/blobs/sha256/")]
        assert len(blob_assets) == result.blobs and "sub-mouse1/sub-mouse1_ses-1.nwb.lindi.json" in assets
        for path in blob_assets:
            content = b"".join(assets[path].get_download_file_iter()())
            assert hashlib.sha256(content).hexdigest() == path.rsplit("/", 1)[-1]
        doc_asset = assets["sub-mouse1/sub-mouse1_ses-1.nwb.lindi.json"]
        document = json.loads(b"".join(doc_asset.get_download_file_iter()()))
        assert document == result.document
        for path, asset in assets.items():
            meta = asset.get_raw_metadata()
            assert meta["schemaVersion"] == dandi_double.schema_version
            assert meta["encodingFormat"] == ("application/json" if path.endswith(".json")
                                              else "application/octet-stream")
            assert validation(dandi_double, "000012", asset.identifier) == {"status": "Valid",
                                                                           "validation_errors": []}, path
        info = api.get("/dandisets/000012/versions/draft/info/")
        assert info["asset_validation_errors"] == []
