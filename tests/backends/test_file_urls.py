"""One set of URL helpers: a ``file://`` URL naming another host is refused everywhere, never read locally.

Before, ``lindi.store.ranges.local_path`` (used to open documents) dropped the
host of ``file://otherhost/...`` and opened the local file at that path, while
the local backend refused the same URL. Each test puts a real file at the
path of the URL, so reading it by mistake would succeed.
"""
from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

import lindi
import lindi.backends.base as backends_base
from lindi.backends import read_ranges
from lindi.backends.local import LocalBackend
from lindi.backends.urls import local_path
from lindi.errors import RemoteError, SourceOpenError


def _other_host(path) -> str:
    return f"file://otherhost{path}"


def test_local_path_refuses_another_host_and_decodes_the_path(tmp_path):
    with pytest.raises(ValueError, match="file://otherhost/x"):
        local_path("file://otherhost/x")
    assert local_path(f"file://localhost{tmp_path}/a%20b") == f"{tmp_path}/a b"
    assert local_path(f"file://{tmp_path}/a%20b") == f"{tmp_path}/a b"
    assert local_path("rel/x.json") == "rel/x.json"


def test_the_backend_refuses_another_host(tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"0123456789")
    with pytest.raises(RemoteError, match="remote host") as info:
        LocalBackend().read_range(_other_host(blob), 0, 4)
    assert info.value.url == _other_host(blob)
    with pytest.raises(RemoteError, match="remote host"):
        read_ranges([(_other_host(blob), 0, 4)])
    assert read_ranges([(blob.as_uri(), 0, 4)]) == [b"0123"]


def test_opening_a_document_refuses_another_host(tmp_path):
    doc = tmp_path / "doc.lindi.json"
    doc.write_text(json.dumps({"version": 1, "refs": {".zgroup": {"zarr_format": 2}}}))
    assert lindi.LindiH5pyFile.from_lindi_file(str(doc)) is not None
    with pytest.raises(ValueError, match="remote host") as info:
        lindi.LindiH5pyFile.from_lindi_file(_other_host(doc))
    assert _other_host(doc) in str(info.value)


def test_converting_refuses_another_host(tmp_path):
    h5 = tmp_path / "x.h5"
    with h5py.File(h5, "w") as f:
        f["a"] = np.arange(3)
    with pytest.raises(SourceOpenError, match="remote host") as info:
        lindi.LindiH5pyFile.from_hdf5_file(_other_host(h5))
    assert _other_host(h5) in str(info.value)


def test_one_definition_of_range_request_and_reader():
    from lindi import remote_file, store
    from lindi.cache import local_cache as cache
    from lindi.store import ranges

    for module in (store, ranges, cache, remote_file):
        assert module.RangeReader is backends_base.RangeReader, module.__name__
    for module in (ranges, cache):
        assert module.RangeRequest is backends_base.RangeRequest, module.__name__
    assert not hasattr(ranges, "local_path")
