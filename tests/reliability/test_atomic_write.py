"""lindi._atomic: the one atomic-write helper keeps the mode, writes through symlinks, fsyncs file and folder."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import numpy as np
import pytest

import lindi
from lindi import _atomic


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_replacing_keeps_the_old_mode(tmp_path):
    target = tmp_path / "doc.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    _atomic.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o644
    os.chmod(target, 0o640)
    _atomic.atomic_write(target, b"newer")
    assert _mode(target) == 0o640


def test_a_new_file_gets_the_umask_default(tmp_path):
    old = os.umask(0o027)
    try:
        _atomic.atomic_write(tmp_path / "new.json", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.json") == 0o640


def test_file_and_folder_are_fsynced(tmp_path, monkeypatch):
    synced: list[tuple[int, bool]] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        st = os.fstat(fd)
        synced.append((st.st_ino, stat.S_ISDIR(st.st_mode)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    _atomic.atomic_write(tmp_path / "doc.json", b"data")
    folder_ino = os.stat(tmp_path).st_ino
    file_ino = os.stat(tmp_path / "doc.json").st_ino
    assert (file_ino, False) in synced
    assert (folder_ino, True) in synced
    assert synced.index((file_ino, False)) < synced.index((folder_ino, True))


def test_a_failed_write_leaves_the_old_content_and_no_temporary(tmp_path):
    target = tmp_path / "doc.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), _atomic.atomic_file(target) as f:
        f.write(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["doc.json"]


def test_a_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    _atomic.atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    host = _atomic.writer_tag().partition("@")[2]
    (tmp_path / f".tmp-lindi-{dead}@{host}-abc").write_bytes(b"x")
    (tmp_path / f".tmp-lindi-d-{dead}@{host}-abc").mkdir()
    (tmp_path / f".tmp-lindi-d-{dead}@{host}-abc" / "blob").write_bytes(b"x")
    kept = [f".tmp-lindi-{_atomic.writer_tag()}-live",  # a write in progress
            f".tmp-lindi-{dead}@another.host-abc"]  # another machine sharing the folder judges its own
    for name in kept:
        (tmp_path / name).write_bytes(b"in progress")
    removed = _atomic.remove_stale_temporaries(str(tmp_path))
    assert len(removed) == 2
    assert sorted(os.listdir(tmp_path)) == sorted(kept)


def test_r_plus_keeps_the_mode_of_a_document(tmp_path):
    """Issue 16/18 L1: closing a 0644 document opened with r+ left it 0600."""
    path = tmp_path / "doc.lindi.json"
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="w") as f:
        f.attrs["a"] = 1
    os.chmod(path, 0o644)
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+") as f:
        f.attrs["b"] = 2
    assert _mode(path) == 0o644
    with lindi.LindiH5pyFile.from_lindi_file(str(path)) as f:
        assert f.attrs["b"] == 2


@pytest.mark.parametrize("suffix", [".lindi.tar", ".lindi.d"])
def test_r_plus_keeps_the_mode_of_a_container(tmp_path, suffix):
    path = tmp_path / f"doc{suffix}"
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="w") as f:
        f.create_dataset("x", data=np.arange(5000), chunks=(1000,))
    os.chmod(path, 0o750 if suffix == ".lindi.d" else 0o640)
    before = _mode(path)
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+") as f:
        f.attrs["edited"] = True
    assert _mode(path) == before


def test_converter_output_keeps_the_mode(tmp_path):
    import h5py

    from lindi.LindiH5ZarrStore import LindiH5ZarrStore

    h5 = tmp_path / "a.h5"
    with h5py.File(h5, "w") as f:
        f.create_dataset("x", data=np.arange(10))
    out = tmp_path / "a.lindi.json"
    out.write_text("{}")
    os.chmod(out, 0o604)
    with LindiH5ZarrStore.from_file(str(h5)) as store:
        store.write_reference_file_system(str(out))
    assert _mode(out) == 0o604
