"""lindi_hdf5_nbit against chunks HDF5 itself packed (datasets made with h5py's low-level API)."""
from __future__ import annotations

import h5py
import numpy as np
import pytest
from h5py import h5d, h5p, h5s, h5t, h5z

from hdf5_chunk_testing import check_both, expected_chunk, stored_chunks
from lindi.codecs import HDF5Nbit, encode_chunk, hdf5_pipeline
from lindi.errors import UnsupportedObjectError

# (name, base type, precision, offset, low, high)
INT_CASES = [
    ("i32le_p12_o4", h5t.STD_I32LE, 12, 4, -2048, 2047),
    ("i32be_p12_o4", h5t.STD_I32BE, 12, 4, -2048, 2047),
    ("u16le_p7_o3", h5t.STD_U16LE, 7, 3, 0, 127),
    ("u16be_p9_o0", h5t.STD_U16BE, 9, 0, 0, 511),
    ("i8_p5_o1", h5t.STD_I8LE, 5, 1, -16, 15),
    ("u8_p3_o5", h5t.STD_U8LE, 3, 5, 0, 7),
    ("i64be_p40_o9", h5t.STD_I64BE, 40, 9, -(2**39), 2**39 - 1),
    ("u64le_p63_o1", h5t.STD_U64LE, 63, 1, 0, 2**63 - 1),
    ("u8_full", h5t.STD_U8LE, 8, 0, 0, 255),
]
# (name, base type, fields (spos, epos, esize, mpos, msize), precision, offset)
FLOAT_CASES = [
    ("f32le_m11", h5t.IEEE_F32LE, (31, 23, 8, 12, 11), 20, 12),
    ("f32be_m15", h5t.IEEE_F32BE, (31, 23, 8, 8, 15), 24, 8),
    ("f64be_m32", h5t.IEEE_F64BE, (63, 52, 11, 20, 32), 44, 20),
    ("f64le_m40", h5t.IEEE_F64LE, (63, 52, 11, 12, 40), 52, 12),
]
SHAPE, CHUNKS = (27, 13), (10, 6)


def _make(f: h5py.File, name: str, tid, data: np.ndarray) -> None:
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk(CHUNKS)
    dcpl.set_filter(h5z.FILTER_NBIT, 0, ())
    h5d.create(f.id, name.encode(), tid, h5s.create_simple(data.shape), dcpl=dcpl)
    f[name][...] = data


def _float_type(base, fields, precision, offset):
    tid = base.copy()
    tid.set_fields(*fields)
    size = tid.get_size()
    tid.set_offset(offset)  # may grow the size for a moment
    tid.set_precision(precision)
    tid.set_size(size)
    return tid


@pytest.fixture(scope="module")
def nbit_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("nbit") / "nbit.h5"
    rng = np.random.default_rng(11)
    sources = {}
    with h5py.File(path, "w") as f:
        for name, base, precision, offset, low, high in INT_CASES:
            tid = base.copy()
            tid.set_precision(precision)
            tid.set_offset(offset)
            data = rng.integers(low, high, size=SHAPE, endpoint=True, dtype=np.int64 if low < 0 else np.uint64)
            _make(f, name, tid, data)
            sources[name] = data
        for name, base, fields, precision, offset in FLOAT_CASES:
            data = rng.normal(size=SHAPE) * 100
            _make(f, name, _float_type(base, fields, precision, offset), data)
    with h5py.File(path, "r") as f:
        yield f


@pytest.mark.parametrize("name", [c[0] for c in INT_CASES] + [c[0] for c in FLOAT_CASES])
def test_nbit_chunks_decode_like_hdf5(nbit_file, name):
    pipeline = check_both(nbit_file[name])
    if name == "u8_full":  # HDF5 marks a full-precision type "no compression needed": a no-op stage
        assert pipeline.filters is None and pipeline.stages[0].config is None
    else:
        assert pipeline.filters[0]["id"] == "lindi_hdf5_nbit"


@pytest.mark.parametrize("name", [c[0] for c in INT_CASES[:-1]] + [c[0] for c in FLOAT_CASES])
def test_nbit_encode_reproduces_hdf5_bytes(nbit_file, name):
    dset = nbit_file[name]
    pipeline = hdf5_pipeline(dset)
    values = dset[()]
    for index, _mask, raw in stored_chunks(dset):
        assert encode_chunk(expected_chunk(dset, index, values).tobytes(), pipeline) == raw


def test_nbit_float_layout_that_cannot_be_expressed(tmp_path):
    tid = h5t.IEEE_F32LE.copy()
    tid.set_fields(30, 22, 8, 6, 16)  # the exponent is not where IEEE puts it
    tid.set_precision(31)
    with h5py.File(tmp_path / "odd.h5", "w") as f:
        _make(f, "odd", tid, np.ones(SHAPE))
    with h5py.File(tmp_path / "odd.h5", "r") as f:
        with pytest.raises(UnsupportedObjectError, match=r"filter 5 \(nbit\).*IEEE.*object /odd"):
            hdf5_pipeline(f["odd"])


def test_nbit_codec_bit_layout():
    codec = HDF5Nbit(dtype="<i2", nelements=3, precision=4, offset=0)
    encoded = codec.encode(np.array([-1, 2, 7], dtype="<i2"))
    assert encoded == bytes([0b11110010, 0b01110000])  # 1111 0010 0111 + pad, floor(12/8)+1 bytes
    assert np.frombuffer(codec.decode(encoded), "<i2").tolist() == [-1, 2, 7]


@pytest.mark.parametrize("kwargs", [
    {"dtype": "|S4", "precision": 4, "offset": 0},
    {"dtype": "<i2", "precision": 12, "offset": 5},
    {"dtype": "<i2", "precision": 0, "offset": 0},
])
def test_nbit_bad_configs_are_refused(kwargs):
    with pytest.raises(ValueError):
        HDF5Nbit(nelements=4, **kwargs)
