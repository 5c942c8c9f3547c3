""".lindi.d and .lindi.tar: round trips through the reader, the LINDI 0.4 tar layout, remote tars, traversal."""
from __future__ import annotations

import io
import json
import os
import tarfile

import numpy as np
import pytest

from lindi.staging import ContainerError, StagingArea, load_container, write_container
from lindi.staging.lindi_tar import ENTRY_NAME, INDEX_NAME

from .helpers import chunk_bytes, read_values, staged_document

VALUES = np.arange(37, dtype="<i4") * 3 - 50


@pytest.fixture
def staged(tmp_path):
    with StagingArea.create(base_dir=tmp_path / "staging") as area:
        yield staged_document(area, VALUES)


@pytest.mark.parametrize("name", ["x.lindi.d", "x.lindi.tar"])
def test_round_trip_through_the_reader(staged, tmp_path, name):
    expected = chunk_bytes(staged)
    path = write_container(staged, tmp_path / name)
    doc, base = load_container(path)
    assert chunk_bytes(doc, base) == expected
    np.testing.assert_array_equal(read_values(doc, base), VALUES)
    assert doc["refs"]["x/.zattrs"] == {"units": "m"}


def test_dir_layout_is_relative_and_deduplicated(staged, tmp_path):
    path = write_container(staged, tmp_path / "x.lindi.d")
    doc = json.loads((tmp_path / "x.lindi.d" / "lindi.json").read_text())
    urls = {v[0] for k, v in doc["refs"].items() if k.startswith("x/") and isinstance(v, list)}
    assert all(u.startswith("./blobs/sha256/") for u in urls)
    blobs = [p for p in (tmp_path / "x.lindi.d" / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == len(urls) == 10
    os.rename(path, tmp_path / "moved.lindi.d")  # relocatable
    doc, base = load_container(tmp_path / "moved.lindi.d")
    np.testing.assert_array_equal(read_values(doc, base), VALUES)


def test_tar_layout_matches_lindi_04(staged, tmp_path):
    path = write_container(staged, tmp_path / "x.lindi.tar")
    with tarfile.open(path) as tar:
        members = tar.getmembers()
        assert [m.name for m in members[:3]] == [ENTRY_NAME, INDEX_NAME, "lindi.json"]
        assert (members[0].offset, members[0].offset_data, members[0].size) == (0, 512, 1024)
        entry = json.loads(tar.extractfile(members[0]).read())
        index = json.loads(tar.extractfile(members[1]).read())
    assert entry["index"] == {"n": INDEX_NAME, "o": members[1].offset, "d": members[1].offset_data,
                              "s": members[1].size}
    assert {f["n"]: (f["o"], f["d"], f["s"]) for f in index["files"]} == \
        {m.name: (m.offset, m.offset_data, m.size) for m in members}
    inner = json.loads(tarfile.open(path).extractfile("lindi.json").read())
    assert all(v[0].startswith("./blobs/sha256/") for k, v in inner["refs"].items() if k[-1].isdigit())


def _tar_04(path, members: list[tuple[str, bytes]]) -> None:
    """A tar laid out as LINDI 0.4 writes it: entry, index, padded lindi.json, blobs/<key>, a trashed entry."""
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_reads_a_lindi_04_tar(tmp_path):
    chunk0 = np.array([1, 2, 3, 4], "<i4").tobytes()
    chunk1 = np.array([5, 6, 0, 0], "<i4").tobytes()
    refs = {".zgroup": json.dumps({"zarr_format": 2}), "x/.zattrs": "{}",
            "x/.zarray": json.dumps({"zarr_format": 2, "shape": [6], "chunks": [4], "dtype": "<i4",
                                     "compressor": None, "filters": None, "fill_value": 0, "order": "C"}),
            "x/0": ["./blobs/x/0", 0, 16], "x/1": ["./blobs/x/1", 0, 16]}
    rfs = json.dumps({"version": 1, "refs": refs}, indent=2).encode()
    rfs += b" " * (8192 - len(rfs))  # 0.4 pads lindi.json to leave room for growth
    entry = json.dumps({"index": {"n": INDEX_NAME, "o": 1536, "d": 2048, "s": 1024}}).encode()
    index = json.dumps({"files": []}).encode()  # not consulted for a local tar: the headers are
    _tar_04(tmp_path / "old.lindi.tar", [
        (ENTRY_NAME, entry + b" " * (1024 - len(entry))), (INDEX_NAME, index + b" " * (1024 - len(index))),
        (".trash/lindi.json.abcdefghij", b"-" * 100), ("lindi.json", rfs),
        ("blobs/x/0", chunk0), ("blobs/x/1", chunk1)])
    doc, base = load_container(tmp_path / "old.lindi.tar")
    np.testing.assert_array_equal(read_values(doc, base), [1, 2, 3, 4, 5, 6])


def test_remote_tar_is_read_through_its_index(staged, tmp_path, range_server, registry):
    path = write_container(staged, tmp_path / "x.lindi.tar")
    url = range_server.put("remote.lindi.tar", open(path, "rb").read())
    doc, base = load_container(url)
    assert base == url
    assert all(v[0] == url for k, v in doc["refs"].items() if k[-1].isdigit())
    assert chunk_bytes(doc) == chunk_bytes(staged)


# -- path traversal ------------------------------------------------------------------------------

def _write_dir(root, refs):
    root.mkdir()
    (root / "lindi.json").write_text(json.dumps({"version": 1, "refs": {".zgroup": {"zarr_format": 2}, **refs}}))


@pytest.mark.parametrize("url", ["./../secret.bin", "blobs/../../secret.bin", "/etc/passwd",
                                 "file:///etc/passwd", "C:\\evil"])
def test_dir_rejects_refs_leaving_it(tmp_path, url):
    (tmp_path / "secret.bin").write_bytes(b"secret")
    _write_dir(tmp_path / "bad.lindi.d", {"a/0": [url, 0, 6]})
    with pytest.raises(ContainerError, match="container|outside") as info:
        load_container(tmp_path / "bad.lindi.d")
    assert "/refs/a~10" in str(info.value)


def test_dir_rejects_a_symlink_out(tmp_path):
    (tmp_path / "secret.bin").write_bytes(b"secret")
    _write_dir(tmp_path / "bad.lindi.d", {"a/0": ["./blobs/link", 0, 6]})
    (tmp_path / "bad.lindi.d" / "blobs").mkdir()
    os.symlink(tmp_path / "secret.bin", tmp_path / "bad.lindi.d" / "blobs" / "link")
    with pytest.raises(ContainerError, match="outside the container"):
        load_container(tmp_path / "bad.lindi.d")


def test_dir_templates_cannot_smuggle_a_path_out(tmp_path):
    (tmp_path / "bad.lindi.d").mkdir()
    (tmp_path / "bad.lindi.d" / "lindi.json").write_text(json.dumps(
        {"version": 1, "templates": {"u": ".."}, "refs": {".zgroup": {"zarr_format": 2}, "a/0": ["{{u}}/x", 0, 1]}}))
    with pytest.raises(ContainerError):
        load_container(tmp_path / "bad.lindi.d")


def _doc_bytes(refs):
    return json.dumps({"version": 1, "refs": {".zgroup": {"zarr_format": 2}, **refs}}).encode()


@pytest.mark.parametrize("member", ["../evil", "/abs/evil", "a/../../evil"])
def test_tar_rejects_traversing_entries(tmp_path, member):
    _tar_04(tmp_path / "bad.lindi.tar", [("lindi.json", _doc_bytes({})), (member, b"x")])
    with pytest.raises(ContainerError, match="leaves the container"):
        load_container(tmp_path / "bad.lindi.tar")


def test_tar_rejects_links(tmp_path):
    with tarfile.open(tmp_path / "bad.lindi.tar", "w", format=tarfile.USTAR_FORMAT) as tar:
        data = _doc_bytes({"a/0": ["./blobs/link", 0, 4]})
        info = tarfile.TarInfo("lindi.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("blobs/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(ContainerError, match="is a link"):
        load_container(tmp_path / "bad.lindi.tar")


@pytest.mark.parametrize("ref, match", [(["./blobs/missing", 0, 1], "not in the archive"),
                                        (["./blobs/b", 2, 10], "outside member"),
                                        (["../blobs/b", 0, 1], "leaves the container")])
def test_tar_rejects_bad_refs(tmp_path, ref, match):
    _tar_04(tmp_path / "bad.lindi.tar", [("lindi.json", _doc_bytes({"a/0": ref})), ("blobs/b", b"12345")])
    with pytest.raises(ContainerError, match=match):
        load_container(tmp_path / "bad.lindi.tar")
