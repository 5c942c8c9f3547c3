"""Crash safety: SIGKILL a conversion, a write_lindi_file and LocalCache writers at random points.

After every kill each document on disk is absent, the old complete version or the new complete version
(never a partial file), and a rerun finishes. Publishing is killed in tests/staging/test_resume.py ("h9").
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from lindi.cache import LocalCache

ITERATIONS = int(os.environ.get("LINDI_CRASH_ITERATIONS", "6"))

CONVERT = """
import sys
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
print("ready", flush=True)
while True:
    with LindiH5ZarrStore.from_file(sys.argv[1]) as store:
        store.write_reference_file_system(sys.argv[2])
    print("wrote", flush=True)
"""

WRITE = """
import sys
from lindi import LindiH5pyFile
files = [LindiH5pyFile.from_lindi_file(p) for p in sys.argv[1:3]]
print("ready", flush=True)
i = 0
while True:
    files[i % 2].write_lindi_file(sys.argv[3])
    i += 1
    print("wrote", flush=True)
"""

CACHE = """
import sys, hashlib
from lindi.cache import LocalCache
cache = LocalCache(cache_dir=sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    refs = [(f"https://example.org/f{j % 7}.h5", j * 1000, 1000 + j % 13) for j in range(i, i + 50)]
    cache.put_many(refs, [(hashlib.sha256(repr(r).encode()).digest() * 40)[:r[2]] for r in refs])
    i += 50
"""


def _many_chunks_h5(path: Path) -> Path:
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(400_000, dtype="<i4"), chunks=(40,))
        for i in range(40):
            f.create_group(f"g{i}").attrs["i"] = i
    return path


def _kill_randomly(script: str, args: list[str], max_delay: float, rng: random.Random) -> None:
    """Start ``script``, wait until it is ready, SIGKILL it after a random delay (bounded)."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, max_delay))
        assert proc.poll() is None, "the writer died on its own before the kill"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def _whole_versions(target: Path, versions: list[str]) -> None:
    """``target`` is absent or byte-for-byte one of the complete ``versions``; no temp file took its name."""
    if target.exists():
        text = target.read_text()
        assert text in versions, f"partial or unknown document ({len(text)} bytes)"
        json.loads(text)


def _timed(script: str, args: list[str]) -> float:
    """Seconds one write takes (from 'ready' to the first 'wrote'), to aim the kills inside writes."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        start = time.monotonic()
        assert proc.stdout.readline().strip() == "wrote"
        return time.monotonic() - start
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _crash_conversions(tmp_path: Path, iterations: int) -> int:
    src = _many_chunks_h5(tmp_path / "big.h5")
    target = tmp_path / "big.lindi.json"
    from lindi.LindiH5ZarrStore import LindiH5ZarrStore

    with LindiH5ZarrStore.from_file(str(src)) as store:
        store.write_reference_file_system(tmp_path / "expected.json")
    versions = [(tmp_path / "expected.json").read_text()]
    one = _timed(CONVERT, [str(src), str(target)])
    target.unlink(missing_ok=True)
    rng = random.Random(1)
    for _ in range(iterations):
        _kill_randomly(CONVERT, [str(src), str(target)], 2.5 * one, rng)
        _whole_versions(target, versions)
    subprocess.run([sys.executable, "-m", "lindi.cli.main", "convert", str(src), "-o", str(target)], check=True,
                   capture_output=True, timeout=120)
    assert target.read_text() == versions[0]
    return iterations


def test_killed_conversions_leave_old_or_new_document(tmp_path):
    assert _crash_conversions(tmp_path, ITERATIONS) == ITERATIONS


def test_killed_write_lindi_file_leaves_old_or_new_document(tmp_path):
    from lindi.LindiH5ZarrStore import LindiH5ZarrStore

    src = _many_chunks_h5(tmp_path / "big.h5")
    a, b = tmp_path / "a.lindi.json", tmp_path / "b.lindi.json"
    with LindiH5ZarrStore.from_file(str(src)) as store:
        doc = store.to_reference_file_system()
    a.write_text(json.dumps(doc, separators=(",", ":")))
    doc["refs"][".zattrs"] = {"version": "b"}
    b.write_text(json.dumps(doc, separators=(",", ":")))
    target = tmp_path / "out.lindi.json"
    from lindi import LindiH5pyFile

    versions = []
    for p in (a, b):
        LindiH5pyFile.from_lindi_file(str(p)).write_lindi_file(target)
        versions.append(target.read_text())
    target.unlink()
    one = _timed(WRITE, [str(a), str(b), str(target)])
    rng = random.Random(2)
    for _ in range(ITERATIONS):
        _kill_randomly(WRITE, [str(a), str(b), str(target)], 3 * one, rng)
        _whole_versions(target, versions)
    LindiH5pyFile.from_lindi_file(str(a)).write_lindi_file(target)
    assert target.read_text() == versions[0]


def test_killed_cache_writers_leave_a_consistent_cache(tmp_path):
    """Entries present after a kill hold exactly the bytes written for them."""
    import hashlib

    rng = random.Random(3)
    for _ in range(ITERATIONS):
        _kill_randomly(CACHE, [str(tmp_path / "cache")], 1.0, rng)
    cache = LocalCache(cache_dir=tmp_path / "cache")
    refs = [(f"https://example.org/f{j % 7}.h5", j * 1000, 1000 + j % 13) for j in range(0, 20000)]
    found = 0
    for ref, data in zip(refs, cache.get_many(refs)):
        if data is not None:
            found += 1
            assert data == (hashlib.sha256(repr(ref).encode()).digest() * 40)[:ref[2]]
    assert found > 0


@pytest.mark.slow
def test_many_killed_conversions(tmp_path):
    assert _crash_conversions(tmp_path, 30) == 30
