"""Remote conversion reads chunk tables a tree level per batch, over the project's range server."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from lindi.LindiH5pyFile import LindiH5pyFile
from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts
from lindi.testing.range_server import RangeServer


def _many_chunks(path: Path, libver: str) -> None:
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset("acq/data", shape=(20000, 8), dtype="i2", chunks=(2, 8), compression="gzip")
        d[::2] = np.arange(8, dtype="i2")
        f.create_dataset("acq/grown", shape=(10,), maxshape=(None,), dtype="f4", chunks=(16,))
        f["acq/grown"].resize((5000,))
        f["acq/grown"][:] = 1


def _refs(doc: dict, url: str) -> dict:
    token = "{{u1}}" if doc.get("templates", {}).get("u1") == url else url
    return {k: (v if not isinstance(v, list) else ["URL" if v[0] == token else v[0], v[1], v[2]])
            for k, v in doc["refs"].items() if isinstance(v, list)}


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_remote_tables_equal_local_in_few_round_trips(tmp_path: Path, libver: str) -> None:
    path = tmp_path / "many.h5"
    _many_chunks(path, libver)
    with LindiH5ZarrStore.from_file(path, opts=LindiH5ZarrStoreOpts(inline_threshold=0)) as store:
        local = _refs(store.to_reference_file_system(), str(path))
    batches: list[int] = []
    with RangeServer(root=tmp_path) as server:
        url = server.url_for("many.h5")
        with LindiH5ZarrStore.from_file(url, opts=LindiH5ZarrStoreOpts(inline_threshold=0),
                                        read_progress=lambda n, size: batches.append(size)) as store:
            remote = _refs(store.to_reference_file_system(), url)
        requests = server.requests
    assert remote == local and len(remote) == 10000 + 313
    # v1 B-tree of 10,000 chunks: root + 2 levels; arrays: header + data block(s); a few more for the small one
    assert len(batches) <= 8, batches
    assert requests < 60, requests


def test_from_hdf5_file_url_reads_the_same_values(tmp_path: Path) -> None:
    path = tmp_path / "many.h5"
    _many_chunks(path, "earliest")
    with RangeServer(root=tmp_path) as server:
        f = LindiH5pyFile.from_hdf5_file(server.url_for("many.h5"))
        with h5py.File(path, "r") as h:
            assert np.array_equal(f["acq/data"][:4000], h["acq/data"][:4000])
            assert np.array_equal(f["acq/grown"][()], h["acq/grown"][()])
        f.close()


def test_cli_progress_shows_index_requests_and_bytes(tmp_path: Path) -> None:
    import io

    from tqdm import tqdm

    from lindi.cli.convert import _read_counter

    bar = tqdm(file=io.StringIO())
    update = _read_counter(bar)
    path = tmp_path / "many.h5"
    _many_chunks(path, "earliest")
    with RangeServer(root=tmp_path) as server, \
            LindiH5ZarrStore.from_file(server.url_for("many.h5"), read_progress=update) as store:
        store.to_reference_file_system()
    bar.close()
    requests, megabytes = bar.postfix.removeprefix("index reads ").split(", ")
    assert 3 <= int(requests) < 200 and 0.1 < float(megabytes.removesuffix(" MB")) < 5
