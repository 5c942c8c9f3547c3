"""Real fixtures for the reliability suite: a small HDF5 file, its LINDI document, local servers on 127.0.0.1."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

from lindi.LindiH5ZarrStore import LindiH5ZarrStore
from lindi.testing.range_server import RangeServer

REPO_ROOT = Path(__file__).resolve().parents[2]
H5_NAME = "sample.h5"
DOC_NAME = "sample.lindi.json"
FAST_RETRY = {"base_delay": 0.005, "max_delay": 0.05, "max_attempts": 4, "max_total_seconds": 5}


def ground_truth() -> dict[str, np.ndarray]:
    """The numpy values every read is compared with."""
    rng = np.random.default_rng(12)
    return {
        "gzip": rng.integers(-1000, 1000, size=(200, 16), dtype=np.int16),
        "contig": np.linspace(0.0, 1.0, 3000).reshape(300, 10),
        "shuffled": rng.integers(0, 2**31, size=(1000,), dtype=np.int64),
    }


def write_sample(path: Path) -> Path:
    """A small HDF5 file with chunked+gzip, contiguous and shuffled datasets, strings and attributes."""
    truth = ground_truth()
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "reliability sample"
        f.create_dataset("gzip", data=truth["gzip"], chunks=(20, 16), compression="gzip")
        g = f.create_group("group")
        g.create_dataset("contig", data=truth["contig"])
        g.create_dataset("shuffled", data=truth["shuffled"], chunks=(100,), shuffle=True, compression="gzip")
        g.create_dataset("names", data=np.array(["a", "bb", "ccc"], dtype=object), dtype=h5py.string_dtype())
        g.attrs["rate"] = 30000.0
    return path


def convert(h5_path: Path, url: str | None = None) -> dict:
    """The LINDI document of ``h5_path`` with chunk refs pointing at ``url`` (default: the path)."""
    with LindiH5ZarrStore.from_file(str(h5_path), url=url) as store:
        return store.to_reference_file_system()


def read_all(f) -> dict[str, np.ndarray]:
    """Every dataset of the sample as read through LindiH5pyFile."""
    return {"gzip": f["gzip"][()], "contig": f["group/contig"][()], "shuffled": f["group/shuffled"][()]}


def assert_truth(values: dict[str, np.ndarray]) -> None:
    truth = ground_truth()
    for name, expected in truth.items():
        np.testing.assert_array_equal(values[name], expected, err_msg=name)


@pytest.fixture(scope="session")
def sample_h5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("sample") / H5_NAME)


@pytest.fixture(scope="session")
def sample_doc(sample_h5: Path) -> dict:
    """The document with refs relative to the document (``./sample.h5``)."""
    return convert(sample_h5, url="./" + H5_NAME)


@pytest.fixture(scope="session", autouse=True)
def _fast_retries() -> Iterator[None]:
    """Backends retry quickly against the local servers; no user config, LINDI_ALLOW_LOCAL unset."""
    from lindi.backends import configure, set_registry

    saved = os.environ.pop("LINDI_ALLOW_LOCAL", None)
    configure(retry=FAST_RETRY)
    yield
    set_registry(None)
    if saved is not None:
        os.environ["LINDI_ALLOW_LOCAL"] = saved


@pytest.fixture
def server(sample_h5: Path, sample_doc: dict) -> Iterator[RangeServer]:
    """A private range server (faults and counts per test) serving the sample and its document."""
    with RangeServer() as srv:
        srv.put(H5_NAME, sample_h5.read_bytes())
        srv.put(DOC_NAME, json.dumps(sample_doc).encode())
        srv.reset_stats()
        yield srv


# ---- hostile documents and a stand-in private server (URL policy tests) ------------------------

SECRET = b"private bytes 0123456789abcdef!!"


def raw_array_document(url: str, n: int) -> dict:
    """A document whose array ``x`` is the ``n`` bytes at ``url`` (uncompressed, one chunk)."""
    return {"version": 1, "lindi_spec": "1.0", "refs": {
        ".zgroup": {"zarr_format": 2}, ".zattrs": {},
        "x/.zarray": {"zarr_format": 2, "shape": [n], "chunks": [n], "dtype": "|u1", "compressor": None,
                      "fill_value": 0, "filters": None, "order": "C"},
        "x/.zattrs": {}, "x/0": [url, 0, n]}}


def external_array_document(url: str) -> dict:
    """A document whose array ``x`` is the dataset ``/secret`` of the HDF5 file at ``url``."""
    return {"version": 1, "lindi_spec": "1.0", "refs": {
        ".zgroup": {"zarr_format": 2}, ".zattrs": {},
        "x/.zarray": {"zarr_format": 2, "shape": [len(SECRET)], "chunks": [len(SECRET)], "dtype": "|u1",
                      "compressor": None, "fill_value": 0, "filters": None, "order": "C"},
        "x/.zattrs": {"_EXTERNAL_ARRAY_LINK": {"link_type": "hdf5_dataset", "url": url, "name": "secret"}}}}


def external_link_document(url: str) -> dict:
    """A document whose group ``g`` is an HDF5 external link to ``/`` of the file at ``url``."""
    return {"version": 1, "lindi_spec": "1.0", "refs": {
        ".zgroup": {"zarr_format": 2}, ".zattrs": {},
        "g/.zgroup": {"zarr_format": 2}, "g/.lindi": {"link": {"type": "external", "file": url, "target": "/"}}}}


@pytest.fixture(scope="module")
def secret_h5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("secret", data=np.frombuffer(SECRET, dtype="u1"))
    return path


@pytest.fixture
def private(secret_h5: Path) -> Iterator[RangeServer]:
    """The stand-in for a private server: 127.0.0.2, holding bytes no remote document may read."""
    with RangeServer(host="127.0.0.2") as srv:
        srv.put("secret.bin", SECRET)
        srv.put("secret.h5", secret_h5.read_bytes())
        yield srv


@pytest.fixture
def origin() -> Iterator[RangeServer]:
    """The hostile document's own origin (127.0.0.1), which answers some paths with redirects."""
    with RangeServer() as srv:
        yield srv
