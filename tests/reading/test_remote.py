"""Reading a document and its chunks over http from a real local range server (127.0.0.1)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from lindi.errors import IntegrityError
from lindi.LindiH5pyFile import LindiH5pyFile
from lindi.testing.range_server import RangeServer

from .builder import DocBuilder


@pytest.mark.network
def test_remote_document_with_relative_refs_and_checked_ranges(tmp_path):
    b = DocBuilder(tmp_path)
    data = np.arange(400, dtype="<i4").reshape(20, 20)
    b.array("x", data, chunks=(5, 5))
    doc = b.build()
    for k, v in doc["refs"].items():
        if isinstance(v, list):
            v[0] = "./blob.bin"
    (tmp_path / "doc.lindi.json").write_text(json.dumps(doc))
    with RangeServer(tmp_path) as server:
        f = LindiH5pyFile.from_lindi_file(server.url_for("doc.lindi.json"))
        before = server.requests
        np.testing.assert_array_equal(f["x"][3:17, ::2], data[3:17, ::2])
        assert server.requests - before == 1  # 16 chunk refs, one coalesced range request
        server.inject("short")
        with pytest.raises(IntegrityError, match="blob.bin"):
            f["x"][:]
