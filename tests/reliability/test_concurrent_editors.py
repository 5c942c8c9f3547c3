"""Two processes editing one document (issue 18 D3): the second writer is refused with a clear error while
the first holds the document, and locking can be turned off. Editors that retry: test_fuzz_editing.py."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import lindi
from lindi.errors import DocumentLockedError

from .fuzz_editing import SUFFIXES

HOLD = r"""
import sys, time
import lindi
f = lindi.LindiH5pyFile.from_lindi_file(sys.argv[1], mode="r+")
f.attrs["holder"] = "first"
open(sys.argv[2], "w").close()
while not __import__("os").path.exists(sys.argv[3]):
    time.sleep(0.02)
f.close()
"""

EDIT = r"""
import sys
import lindi
from lindi.errors import DocumentLockedError
try:
    with lindi.LindiH5pyFile.from_lindi_file(sys.argv[1], mode="r+") as f:
        f.attrs["second"] = 2
except DocumentLockedError as exc:
    print(exc)
    sys.exit(3)
"""



def _make(path: Path) -> None:
    with lindi.LindiH5pyFile.from_lindi_file(str(path), mode="w") as f:
        f.create_dataset("x", data=np.arange(3000), chunks=(1000,))


def _wait_for(flag: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "holder ended"
        assert time.monotonic() < deadline, "the holder did not open the document"
        time.sleep(0.02)


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_second_writer_is_refused_and_nothing_is_lost(tmp_path, suffix):
    path = tmp_path / f"doc{suffix}"
    _make(path)
    opened, release = tmp_path / "opened", tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(opened), str(release)],
                              stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(opened, holder)
        second = _run(EDIT, str(path))
        assert second.returncode == 3, second.stderr
        assert "open for writing by process" in second.stdout and str(holder.pid) in second.stdout
        assert "LINDI_USE_FILE_LOCKING" in second.stdout
    finally:
        release.touch()
        assert holder.wait(timeout=60) == 0
    third = _run(EDIT, str(path))  # once the first writer closed, the document can be edited again
    assert third.returncode == 0, third.stdout + third.stderr
    with lindi.LindiH5pyFile.from_lindi_file(str(path)) as f:
        assert f.attrs["holder"] == "first" and f.attrs["second"] == 2
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, "opened", "release"])  # the lock file is gone


def test_locking_can_be_turned_off(tmp_path):
    path = tmp_path / "doc.lindi.json"
    _make(path)
    first = lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+")
    try:
        with pytest.raises(DocumentLockedError, match="locking=False"):
            lindi.LindiH5pyFile.from_lindi_file(str(path), mode="a")
        second = _run(EDIT, str(path), env={"LINDI_USE_FILE_LOCKING": "FALSE"})
        assert second.returncode == 0, second.stdout + second.stderr
        lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+", locking=False).close()
        lindi.LindiH5pyFile.from_lindi_file(str(path)).close()  # readers never wait for writers
    finally:
        first.close()


def test_an_unlockable_location_is_a_clear_error(tmp_path):
    path = tmp_path / "doc.lindi.json"
    _make(path)
    (tmp_path / ".doc.lindi.json.lindi-lock").mkdir()  # the lock file cannot be created
    with pytest.raises(DocumentLockedError, match="cannot create the lock file"):
        lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+")
    lindi.LindiH5pyFile.from_lindi_file(str(path), mode="r+", locking=False).close()
