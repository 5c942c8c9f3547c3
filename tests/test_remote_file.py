import io

import h5py
import numpy as np
import pytest

from lindi.errors import IntegrityError
from lindi.remote_file import RemoteFile


class CountingReader:
    def __init__(self, data: bytes):
        self.data = data
        self.calls = []

    def __call__(self, requests):
        self.calls.append(list(requests))
        return [self.data[o:o + n] for _, o, n in requests]


def test_reads_match_source_everywhere():
    rng = np.random.default_rng(0)
    data = rng.integers(0, 256, 1_000_003, dtype=np.uint8).tobytes()
    f = RemoteFile("u", len(data), CountingReader(data), block_size=4096)
    for _ in range(300):
        off = int(rng.integers(0, len(data) + 10))
        n = int(rng.integers(0, 20000))
        f.seek(off)
        assert f.read(n) == data[off:off + n]
    f.seek(-5, io.SEEK_END)
    assert f.read() == data[-5:]


def test_sequential_reads_grow_readahead():
    data = bytes(range(256)) * 4096  # 1 MiB
    reader = CountingReader(data)
    f = RemoteFile("u", len(data), reader, block_size=1024, max_readahead=32)
    out = b"".join(iter(lambda: f.read(1000), b""))
    assert out == data
    # 1024 reads of ~1 KiB each, but read-ahead doubles: far fewer requests than blocks.
    assert len(reader.calls) < 60
    assert max(n for call in reader.calls for _, _, n in call) == 32 * 1024


def test_short_response_is_an_integrity_error():
    data = b"x" * 10000

    def truncating_reader(requests):
        return [data[o:o + n - 1] for _, o, n in requests]

    f = RemoteFile("https://h/f.nwb", len(data), truncating_reader, block_size=1024)
    with pytest.raises(IntegrityError, match="https://h/f.nwb"):
        f.read(10)


def test_h5py_opens_through_it(tmp_path):
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("a/b", data=np.arange(100000), chunks=(1000,), compression="gzip")
        h5["a"].attrs["note"] = "hello"
    data = path.read_bytes()
    reader = CountingReader(data)
    with h5py.File(RemoteFile(str(path), len(data), reader, block_size=16 * 1024), "r") as h5:
        assert h5["a"].attrs["note"] == "hello"
        np.testing.assert_array_equal(h5["a/b"][5000:7000], np.arange(5000, 7000))
    assert len(reader.calls) < 20
