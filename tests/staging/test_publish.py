"""publish(): stage -> publish -> read back from local, S3, GCS and the DANDI double; errors; callbacks; CLI."""
from __future__ import annotations

import json
import os
import threading
import uuid

import numpy as np
import pytest
from click.testing import CliRunner

import lindi
from lindi.backends.s3 import S3Backend
from lindi.cli.main import cli
from lindi.errors import LindiError, RemoteError
from lindi.staging import (BackendDestination, PublishError, StagingArea, callback_destination, load_container,
                           publish, write_container)

from .conftest import DANDI_INSTANCE, S3_BUCKET, STRANGER_KEY
from .helpers import chunk_bytes, read_values, staged_document

VALUES = np.arange(50, dtype="<i4") * 7 + 1


@pytest.fixture
def source(tmp_path):
    """A .lindi.json whose chunks are staged, the staging area kept until the test ends."""
    with StagingArea.create(base_dir=tmp_path / "staging") as area:
        doc = staged_document(area, VALUES)
        path = tmp_path / "src.lindi.json"
        path.write_text(json.dumps(doc))
        yield path, doc


def check_published(result, expected_doc, *, local_urls_expected=False):
    """Every ref of the document fetched back from its URL resolves to the staged bytes."""
    doc, base = load_container(result.url)
    assert doc == result.document
    assert chunk_bytes(doc, base) == chunk_bytes(expected_doc)
    np.testing.assert_array_equal(read_values(doc, base), VALUES)
    if not local_urls_expected:  # nothing may still point into the staging area
        assert not any(isinstance(v, list) and v[0].startswith("file:") for v in doc["refs"].values())
    return doc


def test_local_publish(source, tmp_path, registry):
    path, doc = source
    result = publish(path, tmp_path / "out", progress=False)
    assert result.url == (tmp_path / "out" / "src.lindi.json").as_uri()
    assert (result.blobs, result.uploaded, result.resumed) == (13, 13, 0)
    published = check_published(result, doc)
    assert all(v[0].startswith("./blobs/sha256/") for k, v in published["refs"].items() if k[-1].isdigit())
    assert not os.path.exists(result.journal)  # finished: nothing to resume


@pytest.mark.parametrize("kind", ["lindi.d", "lindi.tar"])
def test_publish_a_container(source, tmp_path, registry, kind):
    path, doc = source
    container = write_container(doc, tmp_path / f"c.{kind}")
    result = publish(container, f"s3://{S3_BUCKET}/{uuid.uuid4().hex[:8]}/", progress=False)
    assert result.url.endswith("/c.lindi.json")
    check_published(result, doc)


def test_s3_publish_with_multipart_blob(tmp_path, registry, s3_endpoint):
    big = os.urandom(6 * 1024 * 1024)  # above the 5 MiB multipart threshold of the fixture
    with StagingArea.create(base_dir=tmp_path) as area:
        doc = staged_document(area, VALUES)
        doc["refs"]["big/0"] = area.store_chunk(big)
        prefix = f"s3://{S3_BUCKET}/{uuid.uuid4().hex[:8]}/"
        result = publish(doc, prefix + "doc.lindi.json", progress=False)
    assert result.url == prefix + "doc.lindi.json"
    url = result.document["refs"]["big/0"][0]
    assert url.startswith(prefix + "blobs/sha256/")
    head = registry.backend("s3").client.head_object(Bucket=S3_BUCKET, Key=url[len(f"s3://{S3_BUCKET}/"):])
    assert head["ETag"].strip('"').endswith("-2")  # two 5 MiB-ish parts: a real multipart upload
    assert lindi.backends.read_ranges([(url, 0, len(big))]) == [big]


def test_gcs_publish(source, registry):
    path, doc = source
    result = publish(path, f"gs://lindi-publish-tests/{uuid.uuid4().hex[:8]}/", progress=False)
    check_published(result, doc)


def test_dandi_publish_and_republish(source, registry, dandi_double):
    path, doc = source
    dest = f"dandi://{DANDI_INSTANCE}/000001/sub-1/{uuid.uuid4().hex[:8]}.nwb.lindi.json"
    before = len(dandi_double.blob_uploads)
    result = publish(path, dest, progress=False)
    assert result.url.startswith(dandi_double.api_url + "/assets/")
    check_published(result, doc)
    assert len(dandi_double.blob_uploads) - before == 14  # 13 chunk blobs and the document
    paths = {a.path for a in dandi_double.assets.values()}
    for ref in result.document["refs"].values():
        if isinstance(ref, list):
            aid = ref[0].split("/assets/")[1].split("/")[0]
            assert dandi_double.assets[aid].path.startswith(".lindi/blobs/sha256/")  # attached, never orphaned
    # republish a changed document: no chunk uploaded again, the document asset is replaced
    changed = json.loads(path.read_text())
    changed["refs"]["x/.zattrs"] = {"units": "cm"}
    path.write_text(json.dumps(changed))
    again = publish(path, dest, progress=False)
    assert len(dandi_double.blob_uploads) - before == 15
    assert again.url != result.url
    assert {a.path for a in dandi_double.assets.values()} == paths
    assert load_container(again.url)[0]["refs"]["x/.zattrs"] == {"units": "cm"}


def test_dandi_without_permission_uploads_nothing(source, registry, dandi_double, monkeypatch):
    path, _ = source
    monkeypatch.setenv("LOCAL_DOUBLE_API_KEY", STRANGER_KEY)
    before = len(dandi_double.api_requests("/uploads/"))
    with pytest.raises(RemoteError, match="permission denied"):
        publish(path, f"dandi://{DANDI_INSTANCE}/000001/x.nwb.lindi.json", progress=False)
    assert len(dandi_double.api_requests("/uploads/")) - before == 1  # refused at the first initialize
    monkeypatch.delenv("LOCAL_DOUBLE_API_KEY")
    with pytest.raises(RemoteError, match="no API key.*LOCAL_DOUBLE_API_KEY"):
        publish(path, f"dandi://{DANDI_INSTANCE}/000001/x.nwb.lindi.json", progress=False)
    assert len(dandi_double.api_requests("/uploads/")) - before == 1
    with pytest.raises(PublishError, match="needs the document's path"):
        publish(path, f"dandi://{DANDI_INSTANCE}/000001/", progress=False)


def test_s3_without_credentials_fails_before_upload(source, s3_endpoint):
    path, _ = source
    dest = BackendDestination(S3Backend({"endpoint_url": s3_endpoint, "anonymous": True}),
                              f"s3://{S3_BUCKET}/anon/", f"s3://{S3_BUCKET}/anon/doc.lindi.json")
    with pytest.raises(RemoteError, match="no AWS credentials"):
        publish(path, dest, progress=False)


def test_read_only_local_destination(source, tmp_path, registry):
    path, _ = source
    target = tmp_path / "ro"
    target.mkdir()
    (target / "blobs").write_text("a file where the blob directory should be")
    with pytest.raises(LindiError):
        publish(path, target, progress=False)
    assert not (target / "src.lindi.json").exists()  # the document never goes up without its blobs


def test_callback_adapter(source, tmp_path, registry):
    path, doc = source
    store = tmp_path / "uploaded"
    store.mkdir()
    calls = []

    def on_upload_blob(p: str) -> str:
        calls.append("blob")
        target = store / os.path.basename(p)
        target.write_bytes(open(p, "rb").read())
        return target.as_uri()

    def on_upload_main(p: str) -> str:
        calls.append("main")
        target = store / "main.lindi.json"
        target.write_bytes(open(p, "rb").read())
        return target.as_uri()

    result = publish(path, callback_destination(on_upload_blob, on_upload_main), progress=False)
    assert calls == ["blob"] * 13 + ["main"]
    assert result.url == (store / "main.lindi.json").as_uri()
    check_published(result, doc, local_urls_expected=True)


def test_concurrent_publishers_share_blobs(tmp_path, registry, dandi_double):
    shared = os.urandom(4096)
    docs = []
    with StagingArea.create(base_dir=tmp_path) as area:
        for i in range(3):
            doc = staged_document(area, VALUES + i)
            doc["refs"]["shared/0"] = area.store_chunk(shared)
            docs.append(doc)
        results, errors = [None] * 3, []

        def run(i: int) -> None:
            try:
                results[i] = publish(docs[i], f"dandi://{DANDI_INSTANCE}/000001/conc/{i}.nwb.lindi.json",
                                     progress=False)
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors[0]
        assert len(dandi_double.blob_uploads) == len(set(dandi_double.blob_uploads))
        assert len({r.document["refs"]["shared/0"][0] for r in results}) == 1
        for doc, result in zip(docs, results):
            assert chunk_bytes(load_container(result.url)[0]) == chunk_bytes(doc)


def test_cli(source, tmp_path, registry):
    path, doc = source
    out = CliRunner().invoke(cli, ["publish", str(path), str(tmp_path / "cli-out"), "--no-progress", "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.output)
    assert info["blobs"] == 13 and info["url"].endswith("/cli-out/src.lindi.json")
    bad = CliRunner().invoke(cli, ["publish", str(tmp_path / "missing.lindi.json"), str(tmp_path / "o")])
    assert bad.exit_code == 2 and "cannot read document" in bad.output
