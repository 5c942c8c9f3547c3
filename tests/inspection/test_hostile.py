"""Hostile documents: refs, metadata, links and external arrays that point at places that must not be contacted.

``ls``/``info``/``diff`` read the document only, so the second server (the places the document
points at) sees no request, whether the URL policy would allow the place (a local document) or not
(a document fetched from a URL). ``cat`` reads through the reader, so the policy decides.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lindi import strict_json
from lindi.testing.range_server import RangeServer

from .conftest import json_lines, write_doc

pytestmark = pytest.mark.network
ZARRAY = {"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "compressor": None, "filters": None,
          "fill_value": 0, "order": "C"}


def hostile_document(elsewhere: str, secret_file: Path) -> dict[str, Any]:
    """Every kind of pointer a document has, all aimed at ``elsewhere`` or at a local file."""
    json_array = {**ZARRAY, "dtype": "|O", "shape": [1], "chunks": [1], "filters": [{"id": "json2"}]}
    return {"version": 1, "lindi_spec": "1.0", "templates": {"far": elsewhere}, "refs": {
        ".zgroup": {"zarr_format": 2},
        "chunks/.zarray": ZARRAY, "chunks/0": [f"{elsewhere}/secret.bin", 0, 8], "chunks/1": ["{{far}}/secret.bin", 8, 8],
        "metadata_elsewhere/.zarray": [f"{elsewhere}/zarray.json", 0, 200],
        "object_told_by_data/.zarray": json_array, "object_told_by_data/0": [f"{elsewhere}/strings.json", 0, 30],
        "external_link/.zgroup": {"zarr_format": 2},
        "external_link/.lindi": {"link": {"type": "external", "file": f"{elsewhere}/ext.h5", "target": "/a"}},
        "external_array/.zarray": ZARRAY,
        "external_array/.zattrs": {"_EXTERNAL_ARRAY_LINK": {"link_type": "hdf5_dataset", "url": f"{elsewhere}/ext.h5",
                                                            "name": "/a"}},
        "local_secret/.zarray": ZARRAY, "local_secret/0": [secret_file.as_uri(), 0, 8],
        "climbing/.zarray": ZARRAY, "climbing/0": ["../../../outside.bin", 0, 8],
    }}


@pytest.fixture
def elsewhere() -> Iterator[RangeServer]:
    """The place the hostile document points at: any request it receives is a failure of inspection."""
    with RangeServer(blobs={"secret.bin": bytes(range(16)), "strings.json": b'["a",' + b" " * 24 + b"]",
                            "zarray.json": strict_json.dumps(ZARRAY).encode()}) as server:
        yield server


@pytest.fixture
def hostile(elsewhere, tmp_path) -> Iterator[tuple[RangeServer, str, Path]]:
    """(server of the document, its URL, a local copy of it)."""
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"top secret")
    doc = hostile_document(elsewhere.url, secret)
    local = write_doc(tmp_path / "hostile.lindi.json", doc)
    with RangeServer() as origin:
        url = origin.put("hostile.lindi.json", strict_json.dumps(doc).encode())
        yield origin, url, local


@pytest.mark.parametrize("where", ["url", "local"])
@pytest.mark.parametrize("command", [["ls", "-r", "-a"], ["ls", "-r", "--json"], ["info"], ["info", "--json"]])
def test_inspecting_contacts_nothing_the_document_points_at(hostile, elsewhere, run, command, where):
    origin, url, local = hostile
    result = run(command[0], url if where == "url" else local, *command[1:])
    assert result.exit_code == 1, result.stdout + result.stderr  # the metadata ref is reported, not fetched
    assert "metadata_elsewhere" in result.stdout and "external_array" in result.stdout
    assert elsewhere.requests == 0, elsewhere.log
    assert {r.path for r in origin.log} <= {"/hostile.lindi.json"}


@pytest.mark.parametrize("where", ["url", "local"])
def test_diff_contacts_nothing(hostile, elsewhere, run, tmp_path, where):
    _, url, local = hostile
    doc = strict_json.loads(local.read_text())
    doc["refs"]["chunks/1"] = ["{{far}}/secret.bin", 0, 8]
    other = write_doc(tmp_path / "other.lindi.json", doc)
    result = run("diff", url if where == "url" else local, other, "--json")
    assert result.exit_code == 1
    changes = {o["path"]: o["changes"] for o in strict_json.loads(result.stdout)["objects"]}
    assert [c["what"] for c in changes["/chunks"]] == ["data"]
    assert changes["/chunks"][0]["detail"] == {"changed": {"count": 1, "first": ["1"]}}
    assert elsewhere.requests == 0


def test_ls_reports_what_it_did_not_read(hostile, run):
    _, _, local = hostile
    records = {r["path"]: r for r in json_lines(run("ls", local, "-r", "--json").stdout)}
    assert "would have fetched" in records["/metadata_elsewhere"]["error"]
    assert records["/object_told_by_data"]["dtype"].startswith("object (str or reference")
    assert records["/external_array"]["external_array"]["url"].endswith("/ext.h5")
    assert records["/external_link"]["kind"] == "external link"
    assert records["/chunks"]["chunks_referenced"] == 2 and records["/chunks"]["error"] is None


def test_info_shows_the_policy_verdicts(hostile, elsewhere, run):
    _, url, local = hostile
    remote = json_lines(run("info", url, "--json").stdout.replace("\n", " "))[0]
    verdicts = {h["host"]: h for h in remote["hosts"]}
    assert verdicts[elsewhere.url]["verdict"].startswith("refused: a remote document may not reference the private")
    assert verdicts[elsewhere.url]["refs"] == 3 and verdicts[elsewhere.url]["links"] == 2
    assert verdicts["local files"]["verdict"].startswith("refused: a remote document may not reference the local")
    assert any(h["verdict"].startswith("refused") and "climbs out" in h["verdict"] for h in remote["hosts"])
    from_disk = json_lines(run("info", local, "--json").stdout.replace("\n", " "))[0]
    assert {h["host"]: h["verdict"] for h in from_disk["hosts"]}[elsewhere.url] == "allowed"
    assert elsewhere.requests == 0


def test_info_text_names_the_refused_host(hostile, elsewhere, run):
    _, url, _ = hostile
    result = run("info", url)
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith(elsewhere.url))
    assert "refused" in line
    assert result.exit_code == 1


def test_cat_goes_through_the_url_policy(hostile, elsewhere, run):
    _, url, local = hostile
    refused = run("cat", url, "/chunks", "--no-cache")
    assert refused.exit_code == 2 and "private address" in refused.stderr
    assert elsewhere.requests == 0
    allowed = run("cat", local, "/chunks", "--no-cache", "--format", "json")  # a local document may point there
    assert allowed.exit_code == 0, allowed.stderr
    assert strict_json.loads(allowed.stdout)["data"] == np.frombuffer(bytes(range(16)), "<i4").tolist()
    assert elsewhere.requests > 0  # the counter does see a reader that fetches


def test_paths_through_external_links_are_not_followed(converted, run):
    """Listing below an external link would open the linked HDF5 file: refused, the file stays unopened."""
    conv = converted("h5:links")
    result = run("ls", conv.lindi_path, "/ext_present/data")
    assert result.exit_code == 2 and "would have opened the HDF5 file '" in result.stderr
    assert "external_target.h5' named at ext_present/.lindi" in result.stderr
    words = run("ls", conv.lindi_path, "/ext_present").stdout.split()
    assert words[:4] == ["/ext_present", "external", "link", "->"]
    assert words[4].endswith("external_target.h5:/remote/data") and len(words) == 5
