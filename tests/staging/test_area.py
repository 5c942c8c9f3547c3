"""StagingArea: content-addressed, atomic, cleaned up, clear errors on a full or read-only disk."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import lindi
from lindi.staging import StagingArea, StagingError


def test_store_chunk_is_content_addressed(tmp_path):
    with lindi.StagingArea.create(base_dir=tmp_path) as area:
        ref = area.store_chunk(b"hello")
        digest = hashlib.sha256(b"hello").hexdigest()
        assert ref == [Path(area.blob_path(digest)).as_uri(), 0, 5]
        assert ref[0].endswith(f"/blobs/sha256/{digest[:2]}/{digest[2:4]}/{digest}")
        assert Path(area.blob_path(digest)).read_bytes() == b"hello"
        assert area.store_chunk(bytearray(b"hello")) == ref
        area.store_chunk(b"other")
        assert area.digests() == sorted([digest, hashlib.sha256(b"other").hexdigest()])
        assert area.contains(ref[0]) and not area.contains(str(tmp_path / "elsewhere"))
        directory = area.directory
        assert directory.startswith(str(tmp_path))
    assert not os.path.exists(directory)


def test_keep_leaves_the_directory(tmp_path):
    with StagingArea.create(base_dir=tmp_path, keep=True) as area:
        ref = area.store_chunk(b"kept")
    assert os.path.exists(area.blob_path(hashlib.sha256(b"kept").hexdigest()))
    assert ref[2] == 4
    area.cleanup()
    assert not os.path.exists(area.directory)


def test_storing_after_cleanup_is_a_clear_error(tmp_path):
    area = StagingArea.create(base_dir=tmp_path)
    area.cleanup()
    with pytest.raises(StagingError, match="no longer exists"):
        area.store_chunk(b"late")


def test_full_disk_gives_a_clear_error_and_no_half_file(tmp_path):
    """A file-size limit makes the write fail midway, as a full disk does; nothing half-written remains."""
    script = textwrap.dedent(f"""
        import resource, signal, os
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        from lindi.staging import StagingArea, StagingError
        area = StagingArea.create(base_dir={str(tmp_path)!r}, keep=True)
        area.store_chunk(b"small")
        try:
            area.store_chunk(os.urandom(300_000))
        except StagingError as exc:
            print("ERR", exc)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "ERR cannot write" in out.stdout and "file size limit" in out.stdout, out.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in files] == [b"small"]  # no partial blob, no temporary file


@pytest.fixture
def read_only_dir(tmp_path):
    """A directory nobody can write: a read-only tmpfs when running as root, else mode 0555."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0:
        target.chmod(0o555)
        yield target
        target.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(target)],
                      capture_output=True).returncode != 0:
        pytest.skip("running as root without permission to mount a read-only file system")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], capture_output=True)


def test_read_only_disk_gives_a_clear_error(read_only_dir):
    with pytest.raises(StagingError, match="read-only|permission denied"):
        StagingArea.create(base_dir=read_only_dir)
    area = StagingArea(read_only_dir)
    with pytest.raises(StagingError, match="read-only|permission denied"):
        area.store_chunk(b"data")
    assert list(read_only_dir.iterdir()) == []
