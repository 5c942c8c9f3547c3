"""SIGKILL a container edit at its worst moments (issue 18 D4, L6): after each kill the container opens with
the old or the new content, and the next write leaves no temporaries of the killed writer behind.

The child process pauses at the chosen point (it wraps ``os.rename`` or ``shutil.rmtree`` or the blob
writer, a hook in the test only) and announces it; the parent then kills it with SIGKILL.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import lindi

CHILD = r"""
import os, shutil, sys, time
import lindi
from lindi import _atomic
from lindi.staging import lindi_dir

path, point, flag = sys.argv[1:4]

def pause():
    open(flag, "w").close()
    time.sleep(120)

if point == "between-renames":
    _atomic.exchange_paths = lambda a, b: False  # the two-rename path, as on systems without RENAME_EXCHANGE
    real_rename = os.rename
    def rename(a, b):
        real_rename(a, b)
        if ".old-" in os.fspath(b):
            pause()
    os.rename = rename
elif point == "after-exchange":
    real_rmtree = shutil.rmtree
    def rmtree(p, *a, **k):
        if ".tmp-lindi-d-" in os.fspath(p):
            pause()
        real_rmtree(p, *a, **k)
    lindi_dir.shutil.rmtree = rmtree
elif point == "tar-blobs":
    import tarfile
    real_addfile = tarfile.TarFile.addfile
    def addfile(self, *a, **k):
        real_addfile(self, *a, **k)
        if self.offset > 4096:
            pause()
    tarfile.TarFile.addfile = addfile
elif point == "copying-blobs":
    real_write = lindi_dir.atomic_write
    def write(p, data):
        real_write(p, data)
        pause()
    lindi_dir.atomic_write = write

with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
    f.attrs["version"] = 2
    f.create_dataset("new", data=list(range(3000)), chunks=(1000,))
"""


def _kill_at(path: Path, point: str) -> int:
    flag = path.parent / f"paused-{point}"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), point, str(flag)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            if proc.poll() is not None:
                raise AssertionError(f"child ended before the pause point: {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("child did not reach the pause point")
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    flag.unlink()
    return proc.pid


def _scratch_of(pid: int) -> list[str]:
    """The killed editor's staging folders still in the temp folder."""
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(f".tmp-lindi-staging-{pid}@")]


def _make(path: Path) -> None:
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="w") as f:
        f.attrs["version"] = 1
        f.create_dataset("old", data=np.arange(5000), chunks=(1000,))


def _version(path: Path) -> int:
    with lindi.LindiH5pyFile.from_lindi_file(str(path)) as f:
        np.testing.assert_array_equal(f["old"][()], np.arange(5000))
        return int(f.attrs["version"])


def _leftovers(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".tmp-") or ".old-" in n)


@pytest.mark.parametrize("point, expected", [("between-renames", 1), ("after-exchange", 2), ("copying-blobs", 1)])
def test_a_killed_lindi_d_write_leaves_a_readable_container(tmp_path, point, expected):
    path = tmp_path / "doc.lindi.d"
    _make(path)
    pid = _kill_at(path, point)
    assert _scratch_of(pid)  # the killed editor had its new chunks staged
    assert _version(path) == expected  # D4: between the renames the name was missing until recovery
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+") as f:
        f.attrs["version"] = 3
    assert _version(path) == 3
    assert _leftovers(tmp_path) == []  # L6: the killed writer's copies are gone
    assert _scratch_of(pid) == []


def test_a_killed_tar_write_leaves_the_old_tar_and_no_temporary(tmp_path):
    path = tmp_path / "doc.lindi.tar"
    _make(path)
    pid = _kill_at(path, "tar-blobs")
    assert any(n.startswith(".tmp-lindi-") for n in os.listdir(tmp_path))
    assert _version(path) == 1
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+") as f:
        f.attrs["version"] = 3
    assert _version(path) == 3
    assert _leftovers(tmp_path) == [] and _scratch_of(pid) == []
