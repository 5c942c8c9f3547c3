"""The double answers like the archive (dandi/dandi-archive ``dandiapi``), endpoint by endpoint."""
from __future__ import annotations

import uuid

import pytest
import requests

from lindi.backends.dandi_etag import dandi_etag, part_etag
from lindi.testing.dandi_double import CLI_MINIMAL_VERSION, SCHEMA_VERSION

from .conftest import DANDISET, OWNER, STRANGER

AUTH = {"Authorization": f"token {OWNER}"}
MiB = 1024 * 1024


def test_info_matches_the_current_archive(dandi_double):
    info = requests.get(f"{dandi_double.api_url}/info/", timeout=10).json()
    assert (info["schema_version"], info["cli-minimal-version"]) == ("0.7.0", "0.74.0")
    assert (SCHEMA_VERSION, CLI_MINIMAL_VERSION) == ("0.7.0", "0.74.0")
    assert "0.8.0" not in info["allowed_schema_versions"] and "0.7.0" in info["allowed_schema_versions"]
    assert info["services"]["api"]["url"] == dandi_double.api_url


def test_auth_token_with_and_without_slash(dandi_double):
    api = dandi_double.api_url
    plain = requests.get(f"{api}/auth/token", headers=AUTH, allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].endswith("/api/auth/token/")
    followed = requests.get(f"{api}/auth/token", headers=AUTH, timeout=10)
    assert followed.status_code == 200 and followed.json() == OWNER
    assert requests.get(f"{api}/auth/token/", timeout=10).json() == {
        "detail": "Authentication credentials were not provided."}
    bad = requests.get(f"{api}/auth/token/", headers={"Authorization": "token nope"}, timeout=10)
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}


def _listing(dandi_double, prefix: str, n: int) -> list:
    return [dandi_double.add_asset(DANDISET, f"{prefix}/f{i:02d}.dat", bytes([i]) * 10) for i in range(n)]


def test_asset_pagination_order_glob(dandi_double):
    prefix = f"pages-{uuid.uuid4().hex[:6]}"
    made = _listing(dandi_double, prefix, 5)
    url = f"{dandi_double.api_url}/dandisets/{DANDISET}/versions/draft/assets/"
    params = {"path": prefix, "order": "-path", "page_size": 2}
    first = requests.get(url, params=params, timeout=10).json()
    assert first["count"] == 5 and first["previous"] is None
    assert [a["path"] for a in first["results"]] == [f"{prefix}/f04.dat", f"{prefix}/f03.dat"]
    assert "metadata" not in first["results"][0]
    second = requests.get(first["next"], timeout=10).json()
    assert second["count"] is None  # LazyPagination: the count only on the first page
    for key in ("path=", "order=-path", "page_size=2", "page=3"):
        assert key in second["next"]
    assert [a["path"] for a in second["results"]] == [f"{prefix}/f02.dat", f"{prefix}/f01.dat"]
    assert "page=" not in second["previous"]
    last = requests.get(second["next"], timeout=10).json()
    assert last["next"] is None and [a["asset_id"] for a in last["results"]] == [made[0].asset_id]
    assert requests.get(url, params={**params, "page": 9}, timeout=10).status_code == 404
    globbed = requests.get(url, params={"glob": f"{prefix}/F0[1-3]*", "page_size": 10}, timeout=10).json()
    assert globbed["results"] == []  # only '*' is special; brackets are literal, as in the archive
    globbed = requests.get(url, params={"glob": f"{prefix}/*3.DAT", "metadata": "true"}, timeout=10).json()
    assert [a["path"] for a in globbed["results"]] == [f"{prefix}/f03.dat"]
    assert globbed["results"][0]["metadata"]["contentSize"] == 10
    capped = requests.get(url, params={"page_size": 5000}, timeout=10).json()
    assert len(capped["results"]) <= 1000


def test_dandisets_and_versions(dandi_double):
    api = dandi_double.api_url
    listing = requests.get(f"{api}/dandisets/", timeout=10).json()
    assert listing["count"] >= 1 and any(d["identifier"] == DANDISET for d in listing["results"])
    ds = requests.get(f"{api}/dandisets/{DANDISET}/", timeout=10).json()
    assert ds["draft_version"]["version"] == "draft" and ds["embargo_status"] == "OPEN"
    versions = requests.get(f"{api}/dandisets/{DANDISET}/versions/", timeout=10).json()
    assert [v["version"] for v in versions["results"]] == ["draft"]
    meta = requests.get(f"{api}/dandisets/{DANDISET}/versions/draft/", timeout=10).json()
    assert meta["identifier"] == f"DANDI:{DANDISET}" and meta["schemaVersion"] == SCHEMA_VERSION
    info = requests.get(f"{api}/dandisets/{DANDISET}/versions/draft/info/", timeout=10).json()
    assert info["asset_count"] == ds["draft_version"]["asset_count"] and "asset_validation_errors" in info
    assert requests.get(f"{api}/dandisets/999999/", timeout=10).status_code == 404


def test_error_shapes_and_paths_rules(dandi_double):
    api = dandi_double.api_url
    base = f"{api}/dandisets/{DANDISET}/versions/draft/assets/"
    file_asset = dandi_double.add_asset(DANDISET, f"conflict-{uuid.uuid4().hex[:6]}", b"abc")
    blob_id = dandi_double.blobs[file_asset.etag].blob_id
    meta = {"schemaKey": "Asset", "encodingFormat": "text/plain"}

    def create(path: str, **extra):
        return requests.post(base, json={"metadata": {**meta, "path": path}, "blob_id": blob_id, **extra},
                             headers=AUTH, timeout=10)

    under = create(file_asset.path + "/b.txt")  # 'a' is a file: 'a/b.txt' cannot exist
    assert under.status_code == 409 and file_asset.path in under.json()
    folder_file = dandi_double.add_asset(DANDISET, f"dir-{uuid.uuid4().hex[:6]}/x.txt", b"x")
    over = create(folder_file.path.split("/")[0])  # a folder of existing files cannot become a file
    assert over.status_code == 409 and folder_file.path in over.json()
    assert create(file_asset.path).json() == "An asset with that path already exists"
    slash = create("/leading.txt")
    assert slash.status_code == 400 and slash.json() == {"non_field_errors": ["Path must not begin with /"]}
    both = create("x.txt", zarr_id=str(uuid.uuid4()))
    assert both.json() == {"blob_id": ["Exactly one of blob_id or zarr_id must be specified."]}
    init = requests.post(f"{api}/uploads/initialize/", headers=AUTH, timeout=10, json={
        "contentSize": 3, "dandiset": DANDISET, "digest": {"algorithm": "md5", "value": "x"}})
    assert init.status_code == 400 and init.json() == ["Unsupported Digest Type"]
    not_owner = requests.post(f"{api}/uploads/initialize/", headers={"Authorization": f"token {STRANGER}"},
                              timeout=10, json={"contentSize": 3, "dandiset": DANDISET,
                                                "digest": {"algorithm": "dandi:dandi-etag", "value": "x-1"}})
    assert not_owner.status_code == 403 and not_owner.json() == "Action not allowed"
    denied = requests.post(base, json={"metadata": {"path": "x.txt"}, "blob_id": blob_id},
                           headers={"Authorization": f"token {STRANGER}"}, timeout=10)
    assert denied.status_code == 403 and "detail" in denied.json()
    assert requests.get(f"{api}/assets/{uuid.uuid4()}/", timeout=10).json() == {"detail": "Not found."}


def test_multipart_completion_sorts_parts_and_refuses_empty(dandi_double, monkeypatch):
    monkeypatch.setattr(dandi_double, "part_size", 5 * MiB)
    data = bytes(range(256)) * (5 * MiB // 256) + b"tail" * 1000
    api = dandi_double.api_url
    init = requests.post(f"{api}/uploads/initialize/", headers=AUTH, timeout=10, json={
        "contentSize": len(data), "dandiset": DANDISET,
        "digest": {"algorithm": "dandi:dandi-etag", "value": "0" * 32 + "-2"}})
    # the double splits like the archive, with the lowered part size; this etag is a placeholder
    body = init.json()
    assert [p["size"] for p in body["parts"]] == [5 * MiB, len(data) - 5 * MiB]
    uid = body["upload_id"]
    empty = requests.post(f"{api}/uploads/{uid}/complete/", json={"parts": []}, headers=AUTH, timeout=10)
    assert empty.status_code == 400 and empty.json() == {"parts": {"non_field_errors": ["This list may not be empty."]}}
    done = []
    for part in reversed(body["parts"]):  # finishing order, as dandi-cli's threads report it
        chunk = data[(part["part_number"] - 1) * 5 * MiB:][:part["size"]]
        resp = requests.put(part["upload_url"], data=chunk, timeout=30)
        assert resp.headers["ETag"].strip('"') == part_etag(chunk)
        done.append({"part_number": part["part_number"], "size": part["size"], "etag": part_etag(chunk)})
    completion = requests.post(f"{api}/uploads/{uid}/complete/", json={"parts": done}, headers=AUTH,
                               timeout=10).json()
    assert completion["body"].index("<PartNumber>1<") < completion["body"].index("<PartNumber>2<")
    final = requests.post(completion["complete_url"], data=completion["body"], timeout=30)
    assert final.status_code == 200, final.text
    expected = dandi_etag(data) if len(data) <= 64 * MiB else None
    assert expected is not None
    # the upload declared a wrong etag: validate names both, in the archive's list shape
    bad = requests.post(f"{api}/uploads/{uid}/validate/", headers=AUTH, timeout=10)
    assert bad.status_code == 400 and isinstance(bad.json(), list) and "does not match actual ETag" in bad.json()[0]


def test_public_blob_urls_head_and_digest_lookup(dandi_double):
    asset = dandi_double.add_asset(DANDISET, f"public-{uuid.uuid4().hex[:6]}.bin", b"0123456789" * 7)
    meta = requests.get(f"{dandi_double.api_url}/assets/{asset.asset_id}/", timeout=10).json()
    api_url, s3_url = meta["contentUrl"]
    assert api_url == dandi_double.download_url(asset)
    assert "?" not in s3_url
    assert requests.get(s3_url, timeout=10).content == b"0123456789" * 7  # unsigned, public
    assert requests.get(s3_url, headers={"Range": "bytes=3-5"}, timeout=10).content == b"345"
    assert requests.head(s3_url, timeout=10).headers["Content-Length"] == "70"
    nested = dandi_double.download_url(asset, nested=True)
    head = requests.head(nested, allow_redirects=False, timeout=10)
    assert head.status_code == 302 and "X-Amz-Signature" in head.headers["Location"]
    for algorithm, value in (("dandi:dandi-etag", meta["digest"]["dandi:dandi-etag"]),
                             ("dandi:sha2-256", meta["digest"]["dandi:sha2-256"])):
        found = requests.post(f"{dandi_double.api_url}/blobs/digest/", json={"algorithm": algorithm, "value": value},
                              timeout=10).json()
        assert found["etag"] == asset.etag and found["size"] == 70
    assert requests.post(f"{dandi_double.api_url}/blobs/digest/", timeout=10,
                         json={"algorithm": "md5", "value": "x"}).status_code == 400


def test_embargoed_blob_has_no_public_url(dandi_double):
    dandi_double.add_dandiset("000555", embargoed=True, owners=(OWNER,))
    asset = dandi_double.add_asset("000555", "secret.bin", b"secret")
    meta = requests.get(f"{dandi_double.api_url}/assets/{asset.asset_id}/", headers=AUTH, timeout=10).json()
    assert meta["access"][0]["status"] == "dandi:EmbargoedAccess"
    denied = requests.get(meta["contentUrl"][1], timeout=10)
    assert denied.status_code == 403 and b"AccessDenied" in denied.content


def test_asset_paths_listing(dandi_double):
    top = f"tree-{uuid.uuid4().hex[:6]}"
    for path in (f"{top}/a/1.bin", f"{top}/a/2.bin", f"{top}/c.bin"):
        dandi_double.add_asset(DANDISET, path, b"xyz")
    url = f"{dandi_double.api_url}/dandisets/{DANDISET}/versions/draft/assets/paths/"
    listing = requests.get(url, params={"path_prefix": top + "/"}, timeout=10).json()
    rows = {r["path"]: r for r in listing["results"]}
    assert set(rows) == {f"{top}/a", f"{top}/c.bin"}
    assert (rows[f"{top}/a"]["aggregate_files"], rows[f"{top}/a"]["aggregate_size"], rows[f"{top}/a"]["asset"]) \
        == (2, 6, None)
    assert rows[f"{top}/c.bin"]["asset"]["url"].endswith(dandi_double.assets[
        rows[f"{top}/c.bin"]["asset"]["asset_id"]].blob_key)
    root = requests.get(url, timeout=10).json()
    assert any(r["path"] == top for r in root["results"])
    missing = requests.get(url, params={"path_prefix": "no-such-dir/"}, timeout=10)
    assert missing.status_code == 404 and missing.json() == {"detail": "Specified path not found."}


@pytest.mark.parametrize("metadata,valid", [
    ({"schemaKey": "Asset", "schemaVersion": "0.7.0", "encodingFormat": "application/json"}, True),
    ({"path": "ignored"}, False),  # what lindi publish used to send
    ({"schemaKey": "Asset", "schemaVersion": "0.8.0", "encodingFormat": "application/json"}, False),  # too new
])
def test_validation_status_from_dandischema(dandi_double, metadata, valid):
    asset = dandi_double.add_asset(DANDISET, f"valid-{uuid.uuid4().hex[:6]}.json", b"{}", metadata=metadata)
    url = f"{dandi_double.api_url}/dandisets/{DANDISET}/versions/draft/assets/{asset.asset_id}/validation/"
    got = requests.get(url, timeout=60).json()
    assert got["status"] == ("Valid" if valid else "Invalid")
    assert bool(got["validation_errors"]) != valid
    if not valid:
        info = requests.get(f"{dandi_double.api_url}/dandisets/{DANDISET}/versions/draft/info/", timeout=60).json()
        assert any(e["path"] == asset.path for e in info["asset_validation_errors"])
