"""ls/info/diff/cat on documents served by the range server: the inspecting commands fetch the document only."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

from lindi import strict_json
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
from lindi.staging import load_container, write_container
from lindi.testing.range_server import RangeServer

from .conftest import json_lines

pytestmark = pytest.mark.network
DOC, DATA, TAR = "doc.lindi.json", "data.h5", "doc.lindi.tar"


@pytest.fixture
def served(h5_feature_file, converted, tmp_path) -> Iterator[tuple[RangeServer, Path, Path]]:
    """A server with the layouts feature file, its document (relative refs) and a .lindi.tar of it."""
    source = h5_feature_file("layouts")
    with LindiH5ZarrStore.from_file(source, url="./" + DATA) as store:
        doc = store.to_reference_file_system()
    conv = converted("h5:layouts")
    tar = Path(write_container(conv.written_document(), tmp_path / TAR, base=str(conv.lindi_path.parent)))
    with RangeServer() as server:
        server.put(DATA, source.read_bytes())
        server.put(DOC, strict_json.dumps(doc).encode())
        server.put(TAR, tar.read_bytes())
        server.reset_stats()
        yield server, source, tar


def _paths(server: RangeServer) -> set[str]:
    return {r.path for r in server.log}


@pytest.mark.parametrize("command", [["ls", "-r", "-a"], ["info"], ["ls", "--json"], ["info", "--json"]])
def test_inspecting_a_url_fetches_only_the_document(served, run, command):
    server = served[0]
    result = run(command[0], server.url_for(DOC), *command[1:])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "/contiguous" in result.stdout
    assert _paths(server) == {"/" + DOC}


def test_diff_of_two_urls_fetches_only_the_documents(served, run):
    server = served[0]
    assert run("diff", server.url_for(DOC), server.url_for(DOC)).exit_code == 0
    assert _paths(server) == {"/" + DOC}


def test_info_lists_the_origin_host_as_allowed(served, run):
    server = served[0]
    summary = json_lines(run("info", server.url_for(DOC), "--json").stdout.replace("\n", " "))[0]
    assert summary["sources"] == [{"source": server.url_for(DATA), "kind": "remote", "refs": summary["chunk_refs"],
                                   "bytes": summary["referenced_bytes"], "templates": []}]
    assert summary["chunk_refs"] > 0
    assert [(h["host"], h["verdict"]) for h in summary["hosts"]] == [(server.url, "allowed")]


def test_ls_shows_the_host_of_the_chunks(served, run):
    server = served[0]
    records = {r["path"]: r for r in json_lines(run("ls", server.url_for(DOC), "--json").stdout)}
    assert records["/contiguous"]["places"] == {server.url: records["/contiguous"]["chunks_referenced"]}


def test_cat_reads_through_the_reader_and_the_cache(served, run, tmp_path):
    server, source, _ = served
    with h5py.File(source, "r") as f:
        expected = f["contiguous"][10:20, ::3]
    cache = tmp_path / "cache"
    args = ["cat", server.url_for(DOC), "/contiguous[10:20, ::3]", "--format", "npy", "--cache-dir", cache]
    first = run(*args)
    assert first.exit_code == 0, first.stderr
    np.testing.assert_array_equal(np.load(io.BytesIO(first.stdout_bytes)), expected)
    data_requests = sum(r.path == "/" + DATA for r in server.log)
    assert data_requests >= 1
    second = run(*args)
    assert second.stdout_bytes == first.stdout_bytes
    assert sum(r.path == "/" + DATA for r in server.log) == data_requests  # served from the cache
    run(*args[:-2], "--no-cache")
    assert sum(r.path == "/" + DATA for r in server.log) > data_requests


def test_remote_tar_is_inspected_without_touching_its_chunks(served, run):
    server, _, tar = served
    rfs, _ = load_container(str(tar))
    chunks = [(v[1], v[1] + v[2] - 1) for k, v in rfs["refs"].items()
              if isinstance(v, list) and not k.rsplit("/", 1)[-1].startswith(".")]
    assert chunks
    for command in (["ls", "-r"], ["info"]):
        result = run(command[0], server.url_for(TAR), *command[1:])
        assert result.exit_code == 0, result.stdout + result.stderr
    summary = json_lines(run("info", server.url_for(TAR), "--json").stdout.replace("\n", " "))[0]
    assert [h["kind"] for h in summary["hosts"]] == ["container"]
    assert _paths(server) == {"/" + TAR}
    for record in server.log:
        m = re.fullmatch(r"bytes=(\d+)-(\d+)", record.range or "")
        assert m, record  # the tar is read by ranges (its index and document), never whole
        start, end = int(m.group(1)), int(m.group(2))
        assert not any(start <= c_end and c_start <= end for c_start, c_end in chunks), (record.range, chunks)


def test_local_containers_show_their_chunks_inside(served, run, tmp_path, converted):
    _, source, tar = served
    conv = converted("h5:layouts")
    folder = write_container(conv.written_document(), tmp_path / "doc.lindi.d", base=str(conv.lindi_path.parent))
    with h5py.File(source, "r") as f:
        expected = f["compact_large"][::500]
    for container in (tar, folder):
        records = {r["path"]: r for r in json_lines(run("ls", container, "--json").stdout)}
        assert records["/contiguous"]["places"] == {"container": records["/contiguous"]["chunks_referenced"]}
        result = run("cat", container, "/compact_large[::500]", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert strict_json.loads(result.stdout)["data"] == expected.tolist()
    diff = strict_json.loads(run("diff", conv.lindi_path, tar, "--json").stdout)
    changed = {o["path"] for o in diff["objects"]}
    assert "/contiguous" in changed  # the refs now point into the tar: a data change
    assert diff["counts"]["added"] == diff["counts"]["removed"] == 0
