"""Standard HDF5 filters and hdf5plugin filters: raw chunks decode to h5py's values via numcodecs and zarr 3."""
from __future__ import annotations

import h5py
import hdf5plugin
import numpy as np
import pytest

from hdf5_chunk_testing import check_both, check_numcodecs_decode, expected_chunk, stored_chunks, zarr_array
from lindi.codecs import ChunkCodecError, decode_chunk, encode_chunk, hdf5_pipeline
from lindi.errors import UnsupportedObjectError

SHAPE, CHUNKS = (45, 14), (10, 6)  # partial edge chunks on both axes


def _smooth(dtype: str) -> np.ndarray:
    return (np.arange(np.prod(SHAPE)).reshape(SHAPE) // 5 % 100).astype(dtype)


CASES = {
    "gzip": dict(compression="gzip", compression_opts=4),
    "shuffle_gzip": dict(shuffle=True, compression="gzip"),
    "shuffle_gzip_fletcher32": dict(shuffle=True, compression="gzip", fletcher32=True),
    "fletcher32": dict(fletcher32=True),
    "shuffle": dict(shuffle=True),
    "lzf": dict(compression="lzf"),
    "shuffle_lzf": dict(shuffle=True, compression="lzf"),
    "szip_nn": dict(compression="szip", compression_opts=("nn", 8)),
    "szip_ec": dict(compression="szip", compression_opts=("ec", 16)),
    "blosc_lz4": dict(**hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)),
    "blosc_zstd_bit": dict(**hdf5plugin.Blosc(cname="zstd", clevel=3, shuffle=hdf5plugin.Blosc.BITSHUFFLE)),
    "zstd": dict(**hdf5plugin.Zstd(clevel=5)),
    "lz4": dict(**hdf5plugin.LZ4()),
    "bitshuffle": dict(**hdf5plugin.Bitshuffle(cname="none")),
}
DTYPES = ["<i4", ">i4", "<f8", ">f8", "<u2", "|u1", ">c8"]


@pytest.fixture(scope="module")
def filter_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("filters") / "filters.h5"
    with h5py.File(path, "w") as f:
        for case, kwargs in CASES.items():
            for dt in DTYPES:
                if not _valid(case, dt):
                    continue
                f.create_dataset(f"{case}{dt}", data=_smooth(dt), chunks=CHUNKS, **kwargs)
        sparse = f.create_dataset("sparse", shape=SHAPE, dtype="<f4", chunks=CHUNKS, compression="gzip",
                                  fillvalue=np.float32(-2.5))
        sparse[12:17, 3:9] = 1.25  # most chunks never written: zarr must give the fill value
    with h5py.File(path, "r") as f:
        yield f


def _valid(case: str, dt: str) -> bool:
    return not (case.startswith("szip") and dt[1] == "c")  # szip takes integer/float types only


@pytest.mark.parametrize(("case", "dt"), [(c, d) for c in CASES for d in DTYPES if _valid(c, d)])
def test_filter_chunks_decode_like_hdf5(filter_file, case, dt):
    dset = filter_file[f"{case}{dt}"]
    if any(mask for _, mask, _ in stored_chunks(dset)):
        check_numcodecs_decode(dset)  # a chunk HDF5 stored with a filter skipped: zarr has no per-chunk pipeline
    else:
        check_both(dset)


def test_codec_placement_mirrors_hdf5_order(filter_file):
    p = hdf5_pipeline(filter_file["shuffle_gzip<i4"])
    # deflate stays last in filters, as LINDI 0.4 writes it (spec 1.1)
    assert p.filters == [{"id": "shuffle", "elementsize": 4}, {"id": "zlib", "level": 4}]
    assert p.compressor is None
    p = hdf5_pipeline(filter_file["shuffle_gzip_fletcher32>f8"])
    assert [c["id"] for c in p.filters] == ["shuffle", "zlib", "fletcher32"]
    assert p.compressor is None  # the last HDF5 filter is not a compressor
    p = hdf5_pipeline(filter_file["szip_nn<i4"])
    assert p.filters is None and p.compressor["id"] == "imagecodecs_szip"
    p = hdf5_pipeline(filter_file["lzf|u1"])
    assert p.compressor == {"id": "lindi_hdf5_lzf", "nbytes": 60}
    gzip = hdf5_pipeline(filter_file["gzip<i4"])
    assert gzip.filters == [{"id": "zlib", "level": 4}] and gzip.compressor is None


def test_unfiltered_dataset_has_no_codecs(tmp_path):
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        p = hdf5_pipeline(f.create_dataset("x", data=np.arange(10), chunks=(5,)))
    assert p.filters is None and p.compressor is None and p.stages == ()


def test_never_written_chunks_read_as_fill_value(filter_file):
    dset = filter_file["sparse"]
    assert len(stored_chunks(dset)) < 4
    got = zarr_array(dset)[...]
    assert got.tobytes() == dset[()].tobytes()
    assert got[0, 0] == np.float32(-2.5)


def test_corrupt_fletcher32_chunk_is_a_clear_error(filter_file):
    dset = filter_file["fletcher32<i4"]
    _, _, raw = stored_chunks(dset)[0]
    broken = bytes([raw[0] ^ 1]) + raw[1:]
    with pytest.raises(ChunkCodecError, match=r"filter 3 \(fletcher32\)"):
        decode_chunk(broken, hdf5_pipeline(dset))


@pytest.fixture
def lzf_mixed(tmp_path):
    """One compressible chunk and one random chunk HDF5 stores uncompressed (lzf skipped: filter_mask 1)."""
    rng = np.random.default_rng(5)
    data = np.zeros((2, 500), dtype="<i4")
    data[1] = rng.integers(-(2**31), 2**31 - 1, size=500)
    with h5py.File(tmp_path / "lzf.h5", "w") as f:
        f.create_dataset("x", data=data, chunks=(1, 500), compression="lzf")
        f.create_dataset("y", data=data, chunks=(1, 500), shuffle=True, compression="lzf", fletcher32=True)
    with h5py.File(tmp_path / "lzf.h5", "r") as f:
        yield f, data


@pytest.mark.parametrize("name", ["x", "y"])
def test_lzf_skipped_filter_mask_is_honoured(lzf_mixed, name):
    f, data = lzf_mixed
    dset = f[name]
    pipeline = hdf5_pipeline(dset)
    masks = {index: mask for index, mask, _ in stored_chunks(dset)}
    assert masks[(0, 0)] == 0
    lzf_bit = 1 << [s.name for s in pipeline.stages].index("lzf")
    assert masks[(1, 0)] == lzf_bit
    for index, mask, raw in stored_chunks(dset):
        got = decode_chunk(raw, pipeline, mask)
        assert got == data[index[0]].tobytes()
        # the converter stores such a chunk re-encoded with the full pipeline: zarr then decodes it
        again = encode_chunk(got, pipeline)
        assert decode_chunk(again, pipeline) == got


def test_encode_chunk_output_is_read_back_by_hdf5(tmp_path):
    """Chunks LINDI encodes are valid HDF5 chunks for the same filters (write_direct_chunk + h5py read)."""
    values = _smooth("<i4")[:10, :6].copy()
    with h5py.File(tmp_path / "enc.h5", "w") as f:
        for case in ("shuffle_gzip_fletcher32", "lzf", "szip_nn", "blosc_lz4", "zstd", "lz4", "bitshuffle"):
            d = f.create_dataset(case, shape=(10, 6), dtype="<i4", chunks=(10, 6), **CASES[case])
            d.id.write_direct_chunk((0, 0), encode_chunk(values.tobytes(), hdf5_pipeline(d)))
    with h5py.File(tmp_path / "enc.h5", "r") as f:
        for name in f:
            np.testing.assert_array_equal(f[name][()], values, err_msg=name)


@pytest.mark.parametrize("cname", ["lz4", "zstd"])
def test_bitshuffle_with_compression_is_unsupported(tmp_path, cname):
    with h5py.File(tmp_path / "bs.h5", "w") as f:
        d = f.create_dataset("grp_bs", data=_smooth("<i4"), chunks=CHUNKS, **hdf5plugin.Bitshuffle(cname=cname))
        with pytest.raises(UnsupportedObjectError) as info:
            hdf5_pipeline(d)
    message = str(info.value)
    assert "32008" in message and "bitshuffle" in message and "/grp_bs" in message
    assert info.value.h5_path == "/grp_bs"


def test_unknown_filter_names_dataset_filter_and_reason(tmp_path):
    with h5py.File(tmp_path / "b2.h5", "w") as f:
        d = f.create_dataset("deep/b2", data=_smooth("<f8"), chunks=CHUNKS, **hdf5plugin.Blosc2())
        with pytest.raises(UnsupportedObjectError, match=r"HDF5 filter 32026 .*no codec implements.*/deep/b2"):
            hdf5_pipeline(d)


def test_expected_chunk_helper_pads_edges_with_fill(filter_file):
    dset = filter_file["sparse"]
    chunk = expected_chunk(dset, (4, 2), dset[()])
    assert chunk.shape == CHUNKS and chunk[5:, :].tolist() == np.full((5, 6), -2.5).tolist()
