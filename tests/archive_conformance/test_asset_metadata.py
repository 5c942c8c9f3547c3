"""Asset metadata from lindi publish is valid exactly as the archive checks it.

The archive stores the client's metadata, adds its own fields
(``Asset.full_metadata``) and what publishing adds (``published_metadata``),
then calls ``dandischema.metadata.validate(..., schema_key="PublishedAsset",
json_validation=True)``. Here the instance runs the installed dandischema's own
schema version, so that call is made unchanged, offline.
"""
from __future__ import annotations

import hashlib
import uuid

import pytest
import requests

import lindi.backends
from lindi.backends.dandi_upload import BLOB_FORMAT, DOCUMENT_FORMAT, asset_metadata
from lindi.testing.dandi_double import DandiApiDouble
from lindi.testing.dandi_double.validation import published_metadata

from .conftest import FAST_RETRY, OWNER


@pytest.fixture
def current_schema_double(s3_endpoint):
    from dandischema.consts import DANDI_SCHEMA_VERSION

    with DandiApiDouble(s3_endpoint, bucket=f"dandi-schema-{uuid.uuid4().hex[:8]}",
                        schema_version=DANDI_SCHEMA_VERSION) as double:
        double.add_dandiset("000020", owners=(OWNER,))
        yield double


def archive_check(metadata: dict) -> None:
    from dandischema.metadata import validate

    validate(published_metadata(metadata), schema_key="PublishedAsset", json_validation=True)


def test_client_metadata_fields():
    meta = asset_metadata(".lindi/blobs/sha256/ab/cd/x", b"abc", BLOB_FORMAT, "0.7.0")
    assert meta == {"schemaKey": "Asset", "schemaVersion": "0.7.0", "encodingFormat": "application/octet-stream",
                    "contentSize": 3, "path": ".lindi/blobs/sha256/ab/cd/x",
                    "digest": {"dandi:dandi-etag": hashlib.md5(hashlib.md5(b"abc").digest()).hexdigest() + "-1",
                               "dandi:sha2-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}}
    assert asset_metadata("a.json", b"{}", DOCUMENT_FORMAT, "0.7.0")["encodingFormat"] == "application/json"


def test_published_assets_pass_the_archive_check(current_schema_double, tmp_path, monkeypatch):
    from dandischema.exceptions import JsonschemaValidationError

    from lindi.staging import publish

    double = current_schema_double
    data = tmp_path / "raw.bin"
    data.write_bytes(bytes(range(32)))
    doc = {"version": 1, "refs": {".zgroup": {"zarr_format": 2},
                    "x/.zarray": {"chunks": [4], "compressor": None, "dtype": "<i4", "fill_value": 0,
                                  "filters": None, "order": "C", "shape": [8], "zarr_format": 2},
                    "x/0": [str(data), 0, 16], "x/1": [str(data), 16, 16]}}
    monkeypatch.setenv("LOCAL_DOUBLE_API_KEY", OWNER)
    registry = lindi.backends.configure({"dandi": {"instances": {"local-double": double.api_url},
                                                   "retry": FAST_RETRY}})
    try:
        dest = "dandi://local-double/000020/sub-1/doc.nwb.lindi.json"
        publish(doc, dest, progress=False)
        doc["refs"]["x/1"] = [str(data), 8, 16]  # a changed document replaces the old asset (PUT)
        publish(doc, dest, progress=False)
    finally:
        lindi.backends.set_registry(None)
        registry.close()
    assets = list(double.assets.values())
    assert sorted(a.path.split("/")[0] for a in assets) == [".lindi"] * 3 + ["sub-1"]
    for asset in assets:
        served = requests.get(f"{double.api_url}/assets/{asset.asset_id}/", timeout=10).json()
        archive_check(served)  # raises on any problem, exactly as the archive's validation task
        assert double.validation_status(asset) == "Valid"
    legacy = dict(served)
    del legacy["encodingFormat"], legacy["schemaKey"]  # what lindi publish sent before: just the path
    with pytest.raises(JsonschemaValidationError) as info:
        archive_check(legacy)
    messages = {e.message for e in info.value.errors}
    assert {"'encodingFormat' is a required property", "'schemaKey' is a required property"} <= messages


def test_republish_repairs_assets_published_with_path_only_metadata(dandi_double, tmp_path, monkeypatch):
    """Assets an older lindi published (metadata ``{"path"}``, Invalid) get valid metadata, without re-uploading."""
    from lindi.backends.content import blob_relpath, sha256_hex
    from lindi.staging import publish

    dandi_double.add_dandiset("000021", owners=(OWNER,))
    chunk = bytes(range(16))
    path = f".lindi/{blob_relpath(sha256_hex(chunk))}"
    legacy = dandi_double.add_asset("000021", path, chunk, metadata={"path": path})
    assert dandi_double.validation_status(legacy) == "Invalid"
    raw = tmp_path / "raw.bin"
    raw.write_bytes(chunk)
    doc = {"version": 1, "refs": {".zgroup": {"zarr_format": 2},
                                  "x/.zarray": {"chunks": [4], "compressor": None, "dtype": "<i4", "fill_value": 0,
                                                "filters": None, "order": "C", "shape": [4], "zarr_format": 2},
                                  "x/0": [str(raw), 0, 16]}}
    monkeypatch.setenv("LOCAL_DOUBLE_API_KEY", OWNER)
    registry = lindi.backends.configure({"dandi": {"instances": {"local-double": dandi_double.api_url},
                                                   "retry": FAST_RETRY}})
    uploads = len(dandi_double.blob_uploads)
    try:
        publish(doc, "dandi://local-double/000021/doc.lindi.json", progress=False)
    finally:
        lindi.backends.set_registry(None)
        registry.close()
    assert len(dandi_double.blob_uploads) == uploads + 1  # only the document: the chunk's blob was known
    repaired = [a for a in dandi_double.assets.values() if a.dandiset == "000021" and a.path == path]
    assert len(repaired) == 1 and repaired[0].asset_id != legacy.asset_id
    assert all(dandi_double.validation_status(a) == "Valid"
               for a in dandi_double.assets.values() if a.dandiset == "000021")
