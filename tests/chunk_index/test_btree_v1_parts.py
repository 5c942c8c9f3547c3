"""The version-1 B-tree read a part of a level at a time (local files) gives ``chunk_iter``'s table exactly,
and a large leaf level costs the table plus one part, not the level's bytes several times over."""
from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import h5py
import numpy as np
import pytest

from lindi.conversion.chunk_index import ChunkIndexReader, IndexCorrupt, btree_v1, local_batch_reader
from lindi.conversion.chunk_index.reads import FileFacts, IndexReads
from lindi.conversion.chunk_index.records import ChunkRecords, check_increasing

from .corpus import assert_same, oracle


def _many_chunks(path: Path, n_rows: int = 400) -> None:
    """A 2-D dataset of n_rows x 100 chunks of 1x1 with a hole: a v1 B-tree of two levels and many leaves."""
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", shape=(n_rows, 100), dtype="i1", chunks=(1, 1))
        data = np.ones((n_rows, 100), "i1")
        d[:] = data
        d.id.write_direct_chunk((3, 7), b"\0")  # rewritten chunk: same place in the tree


def _records(path: Path, batch_bytes: int | None) -> tuple[ChunkRecords, int]:
    fd = os.open(path, os.O_RDONLY)
    try:
        with h5py.File(path, "r") as f:
            reader = ChunkIndexReader(f, local_batch_reader(fd), os.path.getsize(path), batch_bytes=batch_bytes)
            return reader.records(f["x"]), reader.reads.batches
    finally:
        os.close(fd)


@pytest.mark.parametrize("batch_bytes", [None, 1, 3000, 50_000, 1 << 20])
def test_parts_of_a_level_give_chunk_iters_table(tmp_path: Path, batch_bytes: int | None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "many.h5"
    _many_chunks(path)
    monkeypatch.setattr(btree_v1, "_NODES_PER_GROUP", 7)  # groups that straddle nothing in particular
    ours, batches = _records(path, batch_bytes)
    assert_same(ours, oracle(path, "x"), f"batch_bytes={batch_bytes}")
    assert len(ours) == 40_000
    unbounded = _records(path, None)[1]
    if batch_bytes is not None and batch_bytes < 50_000:
        assert batches > unbounded  # the leaf level really was read in several parts


def test_read_parts_bounds_each_batch() -> None:
    seen: list[list[tuple[int, int]]] = []

    def read_batch(ranges):
        seen.append(list(ranges))
        return [bytes(length) for _, length in ranges]

    reads = IndexReads(read_batch, FileFacts(8, 8, 10_000, 32), batch_bytes=100)
    ranges = [(0, 60), (100, 30), (200, 20), (300, 150), (500, 10)]
    parts = list(reads.read_parts(ranges))
    assert [first for first, _ in parts] == [0, 2, 3, 4]
    assert seen == [[(0, 60), (100, 30)], [(200, 20)], [(300, 150)], [(500, 10)]]  # a larger range alone
    assert [len(b) for _, part in parts for b in part] == [60, 30, 20, 150, 10]
    assert list(IndexReads(read_batch, FileFacts(8, 8, 10_000, 32)).read_parts(ranges))[0][0] == 0
    assert seen[-1] == ranges  # unbounded: the whole level in one batch


def test_out_of_order_rows_across_a_check_block_are_refused() -> None:
    from lindi.conversion.chunk_index import records

    n = records._CHECK_ROWS + 5
    origins = np.arange(n, dtype=np.int64).reshape(-1, 1)
    ok = ChunkRecords(origins.copy(), np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.uint32))
    check_increasing(ok)
    for row in (records._CHECK_ROWS - 1, records._CHECK_ROWS, records._CHECK_ROWS + 1):
        bad = origins.copy()
        bad[row] = bad[row - 1]  # a repeat whose pair may straddle two blocks
        with pytest.raises(IndexCorrupt, match="out of order or repeated"):
            check_increasing(ChunkRecords(bad, ok.offsets, ok.sizes, ok.masks))


def test_leaf_level_memory_is_the_table_plus_one_part(tmp_path: Path) -> None:
    """Before: the level's node bytes, their slices and the joined buffer were held together (about 3x the
    entries' bytes beside the table); now the peak is the table plus a bounded part."""
    path = tmp_path / "many.h5"
    _many_chunks(path, n_rows=1000)  # 100,000 chunks: ~4 MB of leaf entries, ~4.5 MB of leaf nodes
    fd = os.open(path, os.O_RDONLY)
    try:
        with h5py.File(path, "r") as f:
            reader = ChunkIndexReader(f, local_batch_reader(fd), os.path.getsize(path), batch_bytes=256 * 1024)
            tracemalloc.start()
            try:
                records = reader.records(f["x"])
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    finally:
        os.close(fd)
    table = sum(a.nbytes for a in (records.origins, records.offsets, records.sizes, records.masks))
    assert len(records) == 100_000
    assert peak < table * 1.15 + 3 * 2**20, (peak, table)  # 3.4 MB table; before this change 11.6 MB


def test_table_checks_reach_every_block() -> None:
    from lindi.conversion.chunk_index import records

    n = records._CHECK_ROWS * 2 + 3
    origins = (np.arange(n, dtype=np.int64) * 4).reshape(-1, 1)
    good = ChunkRecords(origins, np.arange(n, dtype=np.int64) * 10, np.full(n, 10, np.int64), np.zeros(n, np.uint32))
    records.check(good, (4,), (None,), eof=10 * n, unfiltered_size=10)
    for field, value, message in (("origins", 5, "not on the chunk grid"), ("sizes", 11, "outside the file"),
                                  ("masks", 1, "filter mask")):
        bad = ChunkRecords(good.origins.copy(), good.offsets, good.sizes.copy(), good.masks.copy())
        getattr(bad, field)[-1] = value  # the last row, in the last (short) block
        with pytest.raises(IndexCorrupt, match=message):
            records.check(bad, (4,), (None,), eof=10 * n, unfiltered_size=10)


def test_table_from_records_keeps_the_origins_and_consumes_the_rest(tmp_path: Path) -> None:
    from lindi.conversion.chunks import ChunkTable

    path = tmp_path / "many.h5"
    _many_chunks(path, n_rows=20)
    records, _ = _records(path, 3000)
    origins, expected = records.origins, oracle(path, "x")
    table = ChunkTable.from_records("x/", (1, 1), records)
    assert np.shares_memory(table.origins, origins)  # kept, not copied
    assert len(records.offsets) == len(records.sizes) == len(records.masks) == 0  # the rest released
    assert list(table.offsets) == expected.offsets.tolist() and list(table.sizes) == expected.sizes.tolist()
    assert [(key, offset) for key, offset, _ in table.items()][:2] == [("0.0", expected.offsets[0]),
                                                                       ("0.1", expected.offsets[1])]
    with pytest.raises(TypeError, match="cannot be added"):
        table.add((20, 0), 0, 1)
