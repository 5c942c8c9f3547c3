"""lindi_hdf5_scaleoffset against chunks HDF5 itself wrote (read back by h5py after reopening)."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from hdf5_chunk_testing import check_both, expected_chunk, new_file, stored_chunks
from lindi.codecs import HDF5ScaleOffset, encode_chunk, hdf5_pipeline

INT_DTYPES = ["|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4", "<i8", ">i8", "<u8", ">u8"]
FLOAT_DTYPES = ["<f4", ">f4", "<f8", ">f8"]


def _ints(dt: str, rng: np.random.Generator) -> np.ndarray:
    info = np.iinfo(dt)
    a = rng.integers(max(info.min, -500), min(info.max, 500), size=(27, 13), endpoint=True).astype(dt)
    a[0, :4] = 0  # equals the default fill value: HDF5 codes it specially
    return a


@pytest.fixture(scope="module")
def int_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("so") / "ints.h5"
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        for dt in INT_DTYPES:
            a = _ints(dt, rng)
            f.create_dataset(f"auto{dt}", data=a, chunks=(10, 6), scaleoffset=True)
            f.create_dataset(f"bits4{dt}", data=a, chunks=(10, 6), scaleoffset=4)  # lossy on purpose
            f.create_dataset(f"fill{dt}", data=a, chunks=(10, 6), scaleoffset=True, fillvalue=3)
            info = np.iinfo(dt)
            extremes = np.array([info.min, info.max] * 30, dtype=dt).reshape(10, 6)
            f.create_dataset(f"fullwidth{dt}", data=extremes, chunks=(10, 6), scaleoffset=True)
            f.create_dataset(f"const{dt}", data=np.full((10, 6), 5, dtype=dt), chunks=(10, 6), scaleoffset=True)
            sparse = f.create_dataset(f"sparse{dt}", shape=(30, 12), dtype=dt, chunks=(10, 6),
                                      scaleoffset=True, fillvalue=2)
            sparse[12:15, 7:9] = a[:3, :2]
    with h5py.File(path, "r") as f:
        yield f


@pytest.fixture(scope="module")
def float_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("so") / "floats.h5"
    rng = np.random.default_rng(8)
    with h5py.File(path, "w") as f:
        for dt in FLOAT_DTYPES:
            a = (rng.normal(size=(27, 13)) * 50).astype(dt)
            for d in (0, 1, 2, 3):
                f.create_dataset(f"d{d}{dt}", data=a, chunks=(10, 6), scaleoffset=d)
            f.create_dataset(f"fill{dt}", data=a, chunks=(10, 6), scaleoffset=2, fillvalue=-7.25)
            f.create_dataset(f"huge{dt}", data=np.array([-1e30, 1e30] * 30, dtype=dt).reshape(10, 6),
                             chunks=(10, 6), scaleoffset=3)
    with h5py.File(path, "r") as f:
        yield f


@pytest.mark.parametrize("kind", ["auto", "bits4", "fill", "fullwidth", "const", "sparse"])
@pytest.mark.parametrize("dt", INT_DTYPES)
def test_integer_chunks_decode_like_hdf5(int_file, kind, dt):
    pipeline = check_both(int_file[f"{kind}{dt}"])
    assert pipeline.filters == [pipeline.stages[0].config]
    assert pipeline.stages[0].config["id"] == "lindi_hdf5_scaleoffset"
    assert pipeline.compressor is None


@pytest.mark.parametrize("name", [f"{k}{dt}" for dt in FLOAT_DTYPES for k in ("d0", "d1", "d2", "d3", "fill", "huge")])
def test_float_chunks_decode_like_hdf5(float_file, name):
    pipeline = check_both(float_file[name])
    assert pipeline.filters[0]["scale_type"] == "float_dscale"


@pytest.mark.parametrize("dt", INT_DTYPES + FLOAT_DTYPES)
def test_encode_reproduces_hdf5_bytes(tmp_path, dt):
    rng = np.random.default_rng(3)
    a = _ints(dt, rng) if dt[1] in "iu" else (rng.normal(size=(27, 13)) * 50).astype(dt)
    with new_file(tmp_path) as f:
        f.create_dataset("x", data=a, chunks=(10, 6), scaleoffset=True if dt[1] in "iu" else 2)
    with h5py.File(tmp_path / "data.h5", "r") as f:
        dset = f["x"]
        pipeline = hdf5_pipeline(dset)
        for index, mask, raw in stored_chunks(dset):
            assert mask == 0
            original = expected_chunk(dset, index, a)
            assert encode_chunk(original.tobytes(), pipeline) == raw, f"chunk {index}"


def test_encoded_chunk_read_back_by_hdf5(tmp_path):
    """A chunk LINDI encodes is valid HDF5 scale-offset data: h5py decodes it to our decode."""
    a = np.arange(60, dtype="<i4").reshape(10, 6) * 3 - 40
    with new_file(tmp_path) as f:
        d = f.create_dataset("x", shape=(10, 6), dtype="<i4", chunks=(10, 6), scaleoffset=True)
        pipeline = hdf5_pipeline(d)
        d.id.write_direct_chunk((0, 0), encode_chunk(a.tobytes(), pipeline))
    with h5py.File(tmp_path / "data.h5", "r") as f:
        np.testing.assert_array_equal(f["x"][()], a)


def test_codec_round_trip_without_fill_value():
    codec = HDF5ScaleOffset(dtype="<i2", nelements=6, scale_type="integer", scale_factor=0, fill_value=None)
    a = np.array([100, 101, 105, 100, 107, 102], dtype="<i2")
    encoded = codec.encode(a)
    assert int.from_bytes(encoded[:4], "little") == 3  # span 8 -> 3 bits
    assert bytes(codec.decode(encoded)) == a.tobytes()
    same = HDF5ScaleOffset(dtype=">f8", nelements=4, scale_type="float_dscale", scale_factor=1)
    b = np.array([2.5, 2.5, 2.5, 2.5], dtype=">f8")
    assert len(same.encode(b)) == 22 and int.from_bytes(same.encode(b)[:4], "little") == 0
    assert bytes(same.decode(same.encode(b))) == b.tobytes()


def test_config_round_trips_through_json():
    import json

    codec = HDF5ScaleOffset(dtype="<u8", nelements=10, scale_type="integer", scale_factor=0,
                            fill_value=2**63 + 5)
    config = codec.get_config()
    assert config["fill_value"] == str(2**63 + 5)  # unsafe integer as a decimal string
    again = HDF5ScaleOffset.from_config({k: v for k, v in json.loads(json.dumps(config)).items() if k != "id"})
    assert again.fill_value == 2**63 + 5
    nan_fill = HDF5ScaleOffset(dtype="<f4", nelements=2, scale_type="float_dscale", scale_factor=1,
                               fill_value=float("nan"))
    assert nan_fill.get_config()["fill_value"] == "NaN"


@pytest.mark.parametrize("kwargs, message", [
    ({"dtype": "<f4", "scale_type": "integer", "scale_factor": 0}, "integer dtype"),
    ({"dtype": "<i4", "scale_type": "float_dscale", "scale_factor": 2}, "float32 or float64"),
    ({"dtype": "<i4", "scale_type": "escale", "scale_factor": 2}, "unknown scale_type"),
    ({"dtype": "<i2", "scale_type": "integer", "scale_factor": 17}, "out of range"),
])
def test_bad_configs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        HDF5ScaleOffset(nelements=4, **kwargs)


def test_truncated_chunk_is_an_error():
    codec = HDF5ScaleOffset(dtype="<i4", nelements=4, scale_type="integer", scale_factor=0)
    with pytest.raises(ValueError, match="header"):
        codec.decode(b"\x03\x00")
