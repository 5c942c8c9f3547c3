"""Crash and resume: a publish subprocess killed at random points, rerun, uploads each blob once."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import numpy as np

from lindi.staging import StagingArea, load_container

from .conftest import DANDI_INSTANCE, FAST_RETRY
from .helpers import chunk_bytes, staged_document

SCRIPT = """
import sys, lindi.backends
lindi.backends.configure({{"dandi": {{"instances": {{"{instance}": "{api}"}}, "retry": {retry}}}}})
from lindi.staging import publish
print(publish(sys.argv[1], sys.argv[2], progress=False, workers=2).url)
"""


def test_killed_publish_resumes_without_double_uploads(tmp_path, registry, dandi_double):
    rng = random.Random(1234)
    dest_path = "resume/killed.nwb.lindi.json"
    dest = f"dandi://{DANDI_INSTANCE}/000001/{dest_path}"
    script = SCRIPT.format(instance=DANDI_INSTANCE, api=dandi_double.api_url, retry=json.dumps(FAST_RETRY))
    with StagingArea.create(base_dir=tmp_path) as area:
        doc = staged_document(area, np.arange(240, dtype="<i4") * 11 + rng.randrange(1000))  # 60 distinct chunks
        src = tmp_path / "killed.lindi.json"
        src.write_text(json.dumps(doc))
        before = list(dandi_double.blob_uploads)
        url = None
        progress = []
        for _ in range(4):
            proc = subprocess.Popen([sys.executable, "-c", script, str(src), dest], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            # kill once this run has uploaded a few more blobs (not after a fixed delay, which a loaded
            # machine can spend on imports alone); bounded by a deadline
            target = len(dandi_double.blob_uploads) + rng.randint(2, 12)
            deadline = time.monotonic() + 60
            while len(dandi_double.blob_uploads) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            proc.kill()
            out, _ = proc.communicate(timeout=30)
            docs = [a for a in dandi_double.assets.values() if a.path == dest_path]
            assert len(docs) <= 1
            progress.append(len(dandi_double.blob_uploads) - len(before))
            if docs:  # a document that went up is complete: every ref resolves
                url = dandi_double.download_url(docs[0])
                published, _ = load_container(url)
                assert chunk_bytes(published) == chunk_bytes(doc)
        final = subprocess.run([sys.executable, "-c", script, str(src), dest], capture_output=True, text=True,
                               timeout=120)
        assert final.returncode == 0, final.stderr
        assert progress[-1] > 0 and progress[0] < 61, progress  # the kills landed mid-publish
        url = final.stdout.strip().splitlines()[-1]
        published, _ = load_container(url)
        assert chunk_bytes(published) == chunk_bytes(doc)
    new = dandi_double.blob_uploads[len(before):]
    assert len(new) == len(set(new)), "a blob was uploaded twice"
    assert len(new) == 61  # 60 chunks and the document, each once
    assert not list(tmp_path.glob("*.journal"))  # finished: the journal is gone
    blob_paths = [a.path for a in dandi_double.assets.values() if a.path.startswith(".lindi/")]
    assert len(blob_paths) == len(set(blob_paths))
