"""The URL policy beyond reading a remote .lindi.json (issue 18, S3, S4 and L5).

Publishing a remote document, indexing a remote HDF5 file and opening a container
each apply one rule to every place a document can name a local file.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from lindi import LindiH5pyFile
from lindi.errors import UrlPolicyError
from lindi.staging import ContainerError, publish

from .conftest import (
    REPO_ROOT,
    SECRET,
    external_array_document,
    external_link_document,
    raw_array_document,
)

pytestmark = pytest.mark.network


def _files_holding(root: Path, data: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


@pytest.fixture
def secret_bin(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "secret.bin"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


# ---- S3: publish URL DEST -----------------------------------------------------------------------

@pytest.mark.parametrize("form", ["abs", "file"])
def test_publish_of_a_remote_document_does_not_copy_local_files(origin, secret_bin, tmp_path, form):
    ref = {"abs": str(secret_bin), "file": secret_bin.as_uri()}[form]
    url = origin.put("hostile.lindi.json", json.dumps(raw_array_document(ref, len(SECRET))).encode())
    dest = tmp_path / "published"
    env = {k: v for k, v in os.environ.items() if k != "LINDI_ALLOW_LOCAL"} | {"PYTHONPATH": str(REPO_ROOT)}
    run = subprocess.run([sys.executable, "-m", "lindi.cli.main", "publish", url, str(dest), "--no-progress"],
                         check=False, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, env=env)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "/refs/x~10" in run.stderr
    assert not dest.exists() or not _files_holding(dest, SECRET)


def test_publish_api_applies_the_remote_policy_and_the_opt_in(origin, secret_bin, tmp_path, monkeypatch):
    url = origin.put("hostile.lindi.json", json.dumps(raw_array_document(str(secret_bin), len(SECRET))).encode())
    with pytest.raises(UrlPolicyError, match="local file"):
        publish(url, str(tmp_path / "a"), progress=False)
    monkeypatch.setenv("LINDI_ALLOW_LOCAL", "1")  # the user's explicit opt-in still works
    publish(url, str(tmp_path / "b"), progress=False)
    assert _files_holding(tmp_path / "b", SECRET)


def test_publish_of_a_local_document_still_copies_its_local_chunks(secret_bin, tmp_path):
    doc = tmp_path / "doc.lindi.json"
    doc.write_text(json.dumps(raw_array_document(str(secret_bin), len(SECRET))))
    result = publish(str(doc), str(tmp_path / "out"), progress=False)
    assert result.uploaded == 1 and _files_holding(tmp_path / "out", SECRET)


# ---- S4: from_hdf5_file(url) ---------------------------------------------------------------------

@pytest.fixture
def linking_h5(tmp_path: Path, secret_h5: Path) -> Path:
    """An HDF5 file with an ordinary dataset and an external link to a local file (absolute path)."""
    path = tmp_path / "outer.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("ok", data=np.arange(3))
        f["link"] = h5py.ExternalLink(str(secret_h5), "/")
    return path


def test_remote_hdf5_external_link_to_a_local_file_is_refused(origin, linking_h5, secret_h5):
    url = origin.put("outer.h5", linking_h5.read_bytes())
    f = LindiH5pyFile.from_hdf5_file(url)
    np.testing.assert_array_equal(f["ok"][()], np.arange(3))
    with pytest.raises(UrlPolicyError, match="local file") as info:
        f["link/secret"][()]
    assert str(secret_h5) in str(info.value)
    opted = LindiH5pyFile.from_hdf5_file(url, allow_local=True)
    assert opted["link/secret"][()].tobytes() == SECRET


def test_local_hdf5_external_link_is_followed(linking_h5):
    assert LindiH5pyFile.from_hdf5_file(str(linking_h5))["link/secret"][()].tobytes() == SECRET


# ---- L5: one rule for a container's range refs and its link targets -----------------------------

def _write_dir(root: Path, doc: dict) -> Path:
    root.mkdir()
    (root / "lindi.json").write_text(json.dumps(doc))
    return root


def _write_tar(path: Path, doc: dict) -> Path:
    data = json.dumps(doc).encode()
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("lindi.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", ["dir", "tar"])
@pytest.mark.parametrize("make", [external_array_document, external_link_document])
@pytest.mark.parametrize("form", ["abs", "file", "dotdot"])
def test_container_link_targets_follow_the_range_ref_rule(tmp_path, secret_h5, kind, make, form):
    target = {"abs": str(secret_h5), "file": secret_h5.as_uri(), "dotdot": f"../{secret_h5.parent.name}/secret.h5"}
    doc = make(target[form])
    if kind == "dir":
        where = _write_dir(tmp_path / "x.lindi.d", doc)
    else:
        where = _write_tar(tmp_path / "x.lindi.tar", doc)
    with pytest.raises(ContainerError, match="container") as info:
        f = LindiH5pyFile.from_lindi_file(str(where))
        f["x"][()] if "x" in f else f["g/secret"][()]
    assert "/refs/" in str(info.value)


def test_container_link_target_inside_the_container_is_followed(tmp_path, secret_h5):
    root = _write_dir(tmp_path / "x.lindi.d", external_array_document("./data/secret.h5"))
    (root / "data").mkdir()
    (root / "data" / "secret.h5").write_bytes(secret_h5.read_bytes())
    assert LindiH5pyFile.from_lindi_file(str(root))["x"][()].tobytes() == SECRET


def test_container_link_target_through_a_symlink_out_is_refused(tmp_path, secret_h5):
    root = _write_dir(tmp_path / "x.lindi.d", external_array_document("./data/secret.h5"))
    (root / "data").symlink_to(secret_h5.parent, target_is_directory=True)
    with pytest.raises(ContainerError, match="outside the container"):
        LindiH5pyFile.from_lindi_file(str(root))["x"][()]


@pytest.mark.parametrize("suffix", [".lindi.d", ".lindi.tar"])
def test_writing_a_container_with_an_absolute_link_target_fails_before_writing(tmp_path, secret_h5, suffix):
    from lindi.staging import write_container

    target = tmp_path / f"x{suffix}"
    with pytest.raises(ContainerError, match="absolute local path"):
        write_container(external_array_document(str(secret_h5)), str(target), base=str(tmp_path))
    assert list(tmp_path.iterdir()) == []
