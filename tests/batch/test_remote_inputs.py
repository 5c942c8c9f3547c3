"""Inputs given as URLs (served by the local range server): fingerprinted by size, credentials redacted."""
from __future__ import annotations

import json

import pytest

from lindi.batch import ClusterOptions, convert_many, validate_many
from lindi.testing.range_server import RangeServer
from lindi.validation import validate

from .conftest import write_plain


@pytest.fixture
def served(tmp_path):
    write_plain(tmp_path / "remote.h5", 5)
    (tmp_path / "doc.lindi.json").write_text(json.dumps({"version": 1, "refs": {".zgroup": {"zarr_format": 2}}}))
    with RangeServer(tmp_path) as server:
        yield tmp_path, server


def test_remote_document_validated_and_skipped_on_rerun(served, tmp_path, client):
    root, server = served
    url = server.url_for("doc.lindi.json")
    cluster = ClusterOptions(client=client)
    first = validate_many([url], jsonl=tmp_path / "v.jsonl", cluster=cluster)
    assert (first.records[0].status, first.records[0].fingerprint) == ("ok", {"size": (root / "doc.lindi.json")
                                                                                 .stat().st_size})
    again = validate_many([url], jsonl=tmp_path / "v.jsonl", cluster=cluster)
    assert again.records[0].status == "skipped"


def test_remote_hdf5_input_is_reported_with_its_url_redacted(served, tmp_path, client):
    root, server = served
    url = server.url_for("remote.h5") + "?X-Amz-Signature=secret123&v=1"
    result = convert_many([url], tmp_path / "out", cluster=ClusterOptions(client=client))
    [record] = result.records
    assert "secret123" not in json.dumps(record.to_dict())
    assert record.output.endswith("/remote.h5.lindi.json") and record.output.startswith(str(tmp_path / "out"))
    assert record.fingerprint == {"size": (root / "remote.h5").stat().st_size}
    if record.status == "ok":  # the converter reads URLs: chunk refs point at the server
        assert validate(record.output).valid
        text = (tmp_path / "out").joinpath(record.output).read_text()
        assert server.url_for("remote.h5") + "?v=1" in text and "secret123" not in text
    else:
        assert record.status == "failed" and record.reason
