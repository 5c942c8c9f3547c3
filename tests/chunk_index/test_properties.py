"""Property tests: random shapes, chunks, fill patterns, filters and library bounds; corrupt index bytes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindi.conversion.chunk_index import ChunkIndexReader, local_batch_reader
from lindi.conversion.chunks import chunked_table
from lindi.errors import ConversionError

from .corpus import assert_same, fast_records, hdf5_misplaces_coordinates, oracle


@st.composite
def datasets(draw):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 12), min_size=rank, max_size=rank)))
    chunks = tuple(draw(st.integers(1, max(1, s))) for s in shape)
    kind = draw(st.sampled_from(["fixed", "larger_max", "unlimited_first", "unlimited_any", "all_unlimited"]))
    if kind == "fixed":
        maxshape = shape
    elif kind == "larger_max":
        maxshape = tuple(s + draw(st.integers(0, 6)) for s in shape)
    elif kind == "unlimited_first":
        maxshape = (None, *shape[1:])
    elif kind == "unlimited_any":
        axis = draw(st.integers(0, rank - 1))
        maxshape = tuple(None if a == axis else s for a, s in enumerate(shape))
    else:
        maxshape = (None,) * rank
    libver = draw(st.sampled_from(["earliest", "latest"]))
    compression = draw(st.sampled_from([None, "gzip"]))
    early = compression is None and draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([0.0, 0.3, 1.0]))
    return shape, chunks, maxshape, libver, compression, early, seed, density


def _write(path: Path, spec) -> None:
    shape, chunks, maxshape, libver, compression, early, seed, density = spec
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w", libver=libver) as f:
        if early:
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_chunk(chunks)
            dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
            space = h5py.h5s.create_simple(shape, tuple(h5py.h5s.UNLIMITED if m is None else m for m in maxshape))
            h5py.h5d.create(f.id, b"x", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
            d = f["x"]
        else:
            d = f.create_dataset("x", shape=shape, maxshape=maxshape, chunks=chunks, dtype="i2",
                                 compression=compression)
        grid = [range(0, s, c) for s, c in zip(shape, chunks)]
        for origin in np.array(np.meshgrid(*grid, indexing="ij")).reshape(len(shape), -1).T:
            if rng.random() < density:
                d[tuple(slice(o, o + c) for o, c in zip(origin, chunks))] = rng.integers(-99, 99)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_random_datasets_equal_chunk_iter(spec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.h5"
        _write(path, spec)
        misplaced = hdf5_misplaces_coordinates(path, "x")
        ours = fast_records(path, "x")
        if misplaced:  # HDF5's chunk_iter is wrong there: check the bytes HDF5 reads instead
            data = path.read_bytes()
            with h5py.File(path, "r") as f:
                for origin, offset, size in zip(ours.origins, ours.offsets, ours.sizes):
                    assert f["x"].id.read_direct_chunk(tuple(map(int, origin)))[1] == data[offset:offset + size]
        else:
            assert_same(ours, oracle(path, "x"), str(spec))


def _index_file(tmp: Path, libver: str, maxshape) -> tuple[Path, int]:
    """A 1-D dataset with many chunks and the address of its index root (from the layout message)."""
    path = tmp / f"c_{libver}.h5"
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset("data/x", shape=(3000,), maxshape=maxshape, chunks=(4,), dtype="i2", compression="gzip")
        d[::2] = 7
    fd = os.open(path, os.O_RDONLY)
    try:
        with h5py.File(path, "r") as f:
            reader = ChunkIndexReader(f, local_batch_reader(fd), os.path.getsize(path))
            from lindi.conversion.chunk_index.layout import read_layout
            layout = read_layout(reader.reads, h5py.h5o.get_info(f["data/x"].id).addr, reader._checksum)
    finally:
        os.close(fd)
    return path, layout.address


@pytest.mark.parametrize("libver,maxshape", [("earliest", (3000,)), ("latest", (3000,)), ("latest", (None,))])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, 2000), flip=st.integers(1, 255))
def test_corrupt_index_bytes_never_give_a_wrong_table(tmp_path: Path, libver, maxshape, position, flip) -> None:
    """A damaged index gives HDF5's own table or a ConversionError naming the dataset, never another table."""
    path, root = _index_file(tmp_path, libver, maxshape)
    raw = bytearray(path.read_bytes())
    raw[root + position % max(1, len(raw) - root)] ^= flip
    path.write_bytes(bytes(raw))
    try:
        with h5py.File(path, "r") as f:
            try:
                expected = [tuple(r) for r in chunked_table(f["data/x"], "data/x/").items()]
            except ConversionError:
                expected = None
            fd = os.open(path, os.O_RDONLY)
            try:
                reader = ChunkIndexReader(f, local_batch_reader(fd), len(raw))
                try:
                    got = [tuple(r) for r in chunked_table(f["data/x"], "data/x/", reader).items()]
                except ConversionError as exc:
                    assert "/data/x" in str(exc)
                    got = None
            finally:
                os.close(fd)
    except OSError:
        return  # the damage hit metadata h5py needs to open the file or the dataset
    assert got == expected


def test_corrupt_btree_signature_names_the_dataset(tmp_path: Path) -> None:
    path, root = _index_file(tmp_path, "earliest", (3000,))
    raw = bytearray(path.read_bytes())
    raw[root:root + 4] = b"XXXX"
    path.write_bytes(bytes(raw))
    fd = os.open(path, os.O_RDONLY)
    try:
        with h5py.File(path, "r") as f:
            reader = ChunkIndexReader(f, local_batch_reader(fd), len(raw))
            with pytest.raises(ConversionError, match=r"/data/x.*|chunk index unreadable") as info:
                chunked_table(f["data/x"], "data/x/", reader)
            assert "/data/x" in str(info.value) and "signature" in str(info.value)
    finally:
        os.close(fd)
