"""Concurrency: threads and processes sharing one LocalCache; processes converting to one output path."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from lindi import LindiH5pyFile, LocalCache

from .conftest import DOC_NAME, REPO_ROOT, assert_truth, ground_truth, read_all

pytestmark = pytest.mark.network

READER = """
import sys, json
import numpy as np
sys.path.insert(0, sys.argv[3])
from lindi import LindiH5pyFile, LocalCache
from tests.reliability.conftest import ground_truth
f = LindiH5pyFile.from_lindi_file(sys.argv[1], local_cache=LocalCache(cache_dir=sys.argv[2]))
truth = ground_truth()
rng = np.random.default_rng(int(sys.argv[4]))
for _ in range(40):
    a = int(rng.integers(0, 190)); b = a + int(rng.integers(1, 60))
    np.testing.assert_array_equal(f["gzip"][a:b], truth["gzip"][a:b])
    c = int(rng.integers(0, 990))
    np.testing.assert_array_equal(f["group/shuffled"][c:c + 7], truth["shuffled"][c:c + 7])
np.testing.assert_array_equal(f["group/contig"][()], truth["contig"])
print("ok")
"""

CONVERTER = """
import sys
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
for _ in range(int(sys.argv[3])):
    with LindiH5ZarrStore.from_file(sys.argv[1]) as store:
        store.write_reference_file_system(sys.argv[2])
print("ok")
"""


def test_many_threads_one_cache(server, tmp_path):
    cache = LocalCache(cache_dir=tmp_path / "cache")
    f = LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME), local_cache=cache)
    truth = ground_truth()

    def work(seed: int) -> int:
        rng = random.Random(seed)
        for _ in range(30):
            a = rng.randrange(0, 190)
            b = a + rng.randrange(1, 60)
            np.testing.assert_array_equal(f["gzip"][a:b], truth["gzip"][a:b])
            c = rng.randrange(0, 990)
            np.testing.assert_array_equal(f["group/shuffled"][c:c + 9], truth["shuffled"][c:c + 9])
        assert_truth(read_all(f))
        return seed

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert sorted(pool.map(work, range(16))) == list(range(16))
    before = server.requests
    again = LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME), local_cache=cache)
    assert_truth(read_all(again))
    assert server.requests - before <= 2  # the document (size + body); every chunk came from the cache


def test_several_processes_one_cache(server, tmp_path):
    cache_dir = tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-c", READER, server.url_for(DOC_NAME), str(cache_dir),
                               str(REPO_ROOT), str(seed)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
    f = LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME), local_cache=LocalCache(cache_dir=cache_dir))
    assert_truth(read_all(f))


def test_several_processes_convert_to_one_path(sample_h5, tmp_path):
    """Four converters racing on one output: a reader polling meanwhile never sees a partial document."""
    from lindi.LindiH5ZarrStore import LindiH5ZarrStore

    target = tmp_path / "out.lindi.json"
    with LindiH5ZarrStore.from_file(str(sample_h5)) as store:
        store.write_reference_file_system(tmp_path / "expected.json")
    expected = (tmp_path / "expected.json").read_text()
    procs = [subprocess.Popen([sys.executable, "-c", CONVERTER, str(sample_h5), str(target), "15"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    seen = 0
    deadline = time.monotonic() + 120
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        if target.exists():
            assert target.read_text() == expected
            seen += 1
        time.sleep(0.01)
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
    assert target.read_text() == expected and seen > 0
    assert_truth(read_all(LindiH5pyFile.from_lindi_file(str(target))))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".lindi-")]  # no temp file left behind
