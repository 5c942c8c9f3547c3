"""HDF5 files covering every chunk index type, written by h5py (and h5repack when installed)."""
from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np

from lindi.conversion.chunk_index import (
    ChunkIndexReader,
    ChunkRecords,
    chunk_iter_records,
    local_batch_reader,
)
from lindi.conversion.chunk_index.layout import EXTENSIBLE_ARRAY

LIBVERS = ("earliest", "latest")


def build_index_types(path: Path, libver: str) -> None:
    """Each index type (with ``libver='latest'``), 1-D to 4-D, edge chunks, holes, filters, resized datasets."""
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("fixed", data=np.arange(100).reshape(10, 10), chunks=(3, 3))
        f.create_dataset("fixed_gzip", data=np.arange(100).reshape(10, 10), chunks=(3, 3), compression="gzip")
        f.create_dataset("single", data=np.arange(100).reshape(10, 10), chunks=(10, 10))
        f.create_dataset("single_gzip", data=np.arange(100).reshape(10, 10), chunks=(10, 10), compression="gzip")
        f.create_dataset("single_unwritten", shape=(4, 4), dtype="i4", chunks=(4, 4))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((3, 3))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        h5py.h5d.create(f.id, b"implicit", h5py.h5t.STD_I32LE, h5py.h5s.create_simple((10, 10)), dcpl=dcpl)
        d = f.create_dataset("extensible", shape=(10, 10), maxshape=(None, 10), dtype="i4", chunks=(3, 3))
        d[:] = 1
        d = f.create_dataset("extensible_paged", shape=(20000,), maxshape=(None,), dtype="i2", chunks=(2,),
                             compression="gzip")
        d[::3] = 1
        d = f.create_dataset("fixed_paged", shape=(5000,), dtype="i2", chunks=(2,))
        d[:4000:3] = 1
        d = f.create_dataset("btree2_gzip", shape=(10, 10), maxshape=(None, None), dtype="i4", chunks=(3, 3),
                             compression="gzip")
        d[:] = 1
        d = f.create_dataset("btree2_deep", shape=(300, 300), maxshape=(None, None), dtype="i1", chunks=(3, 3))
        d[::2, ::5] = 1
        d = f.create_dataset("shuffled_holes", shape=(300, 300), dtype="i1", chunks=(3, 3), shuffle=True)
        d[::2, ::5] = 1
        d = f.create_dataset("grown", shape=(5, 5), maxshape=(None, None), dtype="i4", chunks=(2, 2))
        d[:] = 1
        d.resize((50, 9))
        d[40:] = 2
        d = f.create_dataset("grown_1d", shape=(5,), maxshape=(None,), dtype="f8", chunks=(4,), compression="lzf")
        d[:] = 1
        d.resize((4000,))
        d[3000:] = 2
        d = f.create_dataset("d4", shape=(5, 6, 7, 8), dtype="f4", chunks=(2, 3, 4, 5), fletcher32=True)
        d[1:4, :, 3] = 1.5
        d = f.create_dataset("d1_edge", shape=(7,), dtype="f4", chunks=(2,))
        d[:] = 1
        d = f.create_dataset("d3_scaleoffset", shape=(9, 9, 9), dtype="i4", chunks=(4, 4, 4), scaleoffset=0)
        d[:] = np.arange(729).reshape(9, 9, 9)
        d = f.create_dataset("never_written", shape=(100, 100), dtype="i4", chunks=(10, 10))


def build_filter_mask(path: Path, libver: str) -> None:
    """Chunks written with ``write_direct_chunk`` and a non-zero filter mask (a filter skipped)."""
    with h5py.File(path, "w", libver=libver) as f:
        for name, maxshape in (("masked", (40,)), ("masked_unlimited", (None,)), ("masked_2unlimited", (None, None))):
            shape = (40,) if len(maxshape) == 1 else (40, 4)
            d = f.create_dataset(name, shape=shape, maxshape=maxshape, dtype="i4", chunks=(8,) + shape[1:],
                                 compression="gzip")
            raw = np.arange(int(np.prod((8,) + shape[1:])), dtype="<i4").tobytes()
            d.id.write_direct_chunk((8,) + (0,) * (len(shape) - 1), raw, filter_mask=1)
            d[16:24] = 5


def _with_reader(path: Path, name: str, use):
    fd = os.open(path, os.O_RDONLY)
    try:
        with h5py.File(path, "r") as f:
            return use(ChunkIndexReader(f, local_batch_reader(fd), os.path.getsize(path)), f[name])
    finally:
        os.close(fd)


def fast_records(path: Path, name: str) -> ChunkRecords:
    """The reader's table for one dataset of a local file."""
    return _with_reader(path, name, lambda reader, dset: reader.records(dset))


def chunked_datasets(path: Path) -> list[str]:
    names: list[str] = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.chunks else None)
    return names


def hdf5_misplaces_coordinates(path: Path, name: str) -> bool:
    """HDF5 2.0's ``chunk_iter`` reports wrong coordinates for an extensible array whose unlimited axis
    is not the first one (its reads are right): see test_chunk_iter_coordinate_bug."""
    layout = _with_reader(path, name, lambda reader, dset: reader.layout(dset))
    with h5py.File(path, "r") as f:
        return layout.index_type == EXTENSIBLE_ARRAY and f[name].maxshape[0] is not None


def oracle(path: Path, name: str) -> ChunkRecords:
    """``chunk_iter``'s table."""
    with h5py.File(path, "r") as f:
        return chunk_iter_records(f[name])


def assert_same(ours: ChunkRecords, theirs: ChunkRecords, what: str) -> None:
    for field in ("origins", "offsets", "sizes", "masks"):
        a, b = getattr(ours, field), getattr(theirs, field)
        assert a.shape == b.shape and np.array_equal(a, b), f"{what}: {field} differ"
