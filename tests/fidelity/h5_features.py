"""One small HDF5 file per conversion feature (DESIGN section 5), written with h5py.

Each builder takes the path of the file to write (in a directory of its own, so
that external links can place their target next to it). ``FEATURES`` maps a
feature name to its builder; the pytest fixtures in ``conftest.py`` build each
file once per session.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import h5py
import hdf5plugin
import numpy as np

Builder = Callable[[Path], None]
FEATURES: dict[str, Builder] = {}

INT_TYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]
FLOAT_TYPES = ["f2", "f4", "f8"]
TRICKY_TEXT = ["NaN", "Infinity", "-Infinity", "base64:abc", "", "plain", "ünïcødé ✓ 🧠"]
TRICKY_ASCII = [b"NaN", b"Infinity", b"base64:abc", b"", b"plain", b"{\"_REFERENCE\": 1}"]


def feature(func: Builder) -> Builder:
    """Register a builder under its name without the ``build_`` prefix."""
    FEATURES[func.__name__.removeprefix("build_")] = func
    return func


def _int_values(typestr: str, n: int = 12) -> np.ndarray:
    info = np.iinfo(np.dtype(typestr))
    base = np.array([info.min, info.max, 0, 1, info.max - 1, info.min + 1], dtype=np.dtype(typestr).newbyteorder("="))
    return np.resize(base, n)


def _float_values(typestr: str, n: int = 12) -> np.ndarray:
    info = np.finfo(np.dtype(typestr))
    base = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, info.max, info.min, info.tiny, 1 / 3, -2.5, 1e-3, 7],
                    dtype=np.dtype(typestr).newbyteorder("="))
    return np.resize(base, n)


@feature
def build_numeric(path: Path) -> None:
    """Every integer and float width in both byte orders, 1-D and 2-D, plus extremes and special floats."""
    with h5py.File(path, "w") as f:
        for t in INT_TYPES + FLOAT_TYPES:
            values = _int_values(t) if t[0] in "iu" else _float_values(t)
            for order in "<>":
                dt = np.dtype(order + t)
                f.create_dataset(f"one_d/{order}{t}".replace("<", "le_").replace(">", "be_"), data=values.astype(dt))
                f.create_dataset(f"two_d/{order}{t}".replace("<", "le_").replace(">", "be_"),
                                 data=values.astype(dt).reshape(3, 4))
        # a NaN with a non-default payload must survive bit for bit
        payload = np.array([0x7FF8DEADBEEF0001, 0xFFF0000000000001], dtype="<u8").view("<f8")
        f.create_dataset("nan_payloads", data=payload)


@feature
def build_bool_enum_complex(path: Path) -> None:
    """bool (h5py's FALSE/TRUE enum), enums with names over several bases, complex64/128 both orders."""
    with h5py.File(path, "w") as f:
        f.create_dataset("bool", data=np.array([True, False, True, True]))
        f.create_dataset("bool_2d", data=np.eye(3, dtype=bool))
        colors = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i1")
        f.create_dataset("enum_i1", data=np.array([0, 42, 1, 1], dtype="i1"), dtype=colors)
        big = h5py.enum_dtype({"LOW": -5, "HIGH": 70000}, basetype=">i4")
        f.create_dataset("enum_be_i4", data=np.array([-5, 70000], dtype=">i4"), dtype=big)
        states = h5py.enum_dtype({"OFF": 0, "ON": 255}, basetype="u1")
        f.create_dataset("enum_u1_scalar", data=np.uint8(255), dtype=states)
        z = np.array([1 + 2j, np.nan + 1j, -np.inf - 0j, 0j])
        for t in ["<c8", ">c8", "<c16", ">c16"]:
            f.create_dataset(t.replace("<", "le_").replace(">", "be_"), data=z.astype(t))
        f.create_dataset("complex_2d", data=np.arange(6).reshape(2, 3).astype("c16") * (1 - 1j))


@feature
def build_strings(path: Path) -> None:
    """Fixed and variable-length strings, ascii and utf-8, with values that look like JSON specials."""
    with h5py.File(path, "w") as f:
        f.create_dataset("fixed_ascii", data=np.array(TRICKY_ASCII, dtype="S20"))
        f.create_dataset("fixed_ascii_2d", data=np.array([[b"ab", b"c"], [b"", b"NaN"]], dtype="S2"))
        utf8_fixed = h5py.string_dtype("utf-8", 30)
        f.create_dataset("fixed_utf8", data=np.array([s.encode() for s in TRICKY_TEXT], dtype=utf8_fixed))
        f.create_dataset("vlen_utf8", data=TRICKY_TEXT, dtype=h5py.string_dtype())
        f.create_dataset("vlen_utf8_2d", data=np.array([["a", "bé"], ["", "NaN"]], dtype=object),
                         dtype=h5py.string_dtype())
        f.create_dataset("vlen_ascii", data=TRICKY_ASCII, dtype=h5py.string_dtype("ascii"))
        f.create_dataset("fixed_with_nul_padding", data=np.array([b"a\x00b", b"xyz"], dtype="S5"))
        f.create_dataset("fixed_non_utf8_bytes", data=np.array([b"\xff\xfe", b"\x80"], dtype="S2"))


@feature
def build_opaque_vlen(path: Path) -> None:
    """Opaque data and ragged vlen numeric arrays."""
    with h5py.File(path, "w") as f:
        f.create_dataset("opaque_v8", data=np.array([b"\x00\x01\x02\x03\x04\x05\x06\x07", b"abcdefgh"], dtype="V8"))
        ragged_i = np.empty(4, dtype=object)
        for i, row in enumerate([[1, 2, 3], [], [-7], list(range(10))]):
            ragged_i[i] = np.array(row, dtype="i4")
        f.create_dataset("vlen_i4", data=ragged_i, dtype=h5py.vlen_dtype("i4"))
        ragged_f = np.empty(3, dtype=object)
        for i, row in enumerate([[np.nan, 1.5], [np.inf], [0.1, 0.2, 0.3]]):
            ragged_f[i] = np.array(row, dtype="f8")
        f.create_dataset("vlen_f8", data=ragged_f, dtype=h5py.vlen_dtype("f8"))
        ragged_u1 = np.empty(2, dtype=object)
        ragged_u1[0] = np.array([255, 0], dtype="u1")
        ragged_u1[1] = np.array([7], dtype="u1")
        f.create_dataset("vlen_u1", data=ragged_u1, dtype=h5py.vlen_dtype("u1"))
        # h5py stores datetime64/timedelta64 as opaque tagged "NUMPY:<typestr>" and reads them back as such
        stamps = np.array(["2024-01-02T03:04:05", "1970-01-01"], dtype="M8[s]")
        f.create_dataset("opaque_datetime", data=stamps.astype(h5py.opaque_dtype(stamps.dtype)))
        delta = h5py.opaque_dtype(np.dtype("m8[ms]"))
        f.create_dataset("opaque_timedelta_chunked", data=np.arange(5).astype("m8[ms]").astype(delta), chunks=(2,),
                         fillvalue=np.array(-1, dtype="m8[ms]").astype(delta))
        f.attrs.create("stamps", stamps, dtype=h5py.opaque_dtype(stamps.dtype))
        f.attrs.create("stamp", stamps[0], dtype=h5py.opaque_dtype(stamps.dtype))


@feature
def build_compound(path: Path) -> None:
    """Compound datasets: numeric, big-endian fields, string fields, array field, nested, reference, scalar."""
    with h5py.File(path, "w") as f:
        target = f.create_dataset("target", data=np.arange(3))
        grp = f.create_group("grp")
        numeric = np.dtype([("a", "<i4"), ("b", "<f8"), ("c", "u1")])
        f.create_dataset("numeric", data=np.array([(1, 0.5, 3), (-2, np.nan, 255)], dtype=numeric))
        be = np.dtype([("x", ">i2"), ("y", ">f4"), ("z", ">u8")])
        f.create_dataset("big_endian", data=np.array([(1, 1.5, 2**64 - 1), (-300, -np.inf, 2**53 + 1)], dtype=be))
        fixed = np.dtype([("name", "S8"), ("value", "<i4")])
        f.create_dataset("fixed_string_field", data=np.array([(b"alpha", 1), (b"NaN", 2)], dtype=fixed))
        vlen = np.dtype([("label", h5py.string_dtype()), ("n", "<i8")])
        f.create_dataset("vlen_string_field", data=np.array([("x", 1), ("Infinity", 2**60)], dtype=vlen))
        arr = np.dtype([("vec", "<f4", (3,)), ("id", "<u2")])
        f.create_dataset("array_field", data=np.array([([1, 2, 3], 7), ([4, 5, 6], 8)], dtype=arr))
        nested = np.dtype([("inner", [("p", "i1"), ("q", "<f4")]), ("r", "<i8")])
        f.create_dataset("nested", data=np.array([((1, 2.5), 3), ((-1, -0.5), -3)], dtype=nested))
        refd = np.dtype([("ref", h5py.ref_dtype), ("w", "<f8")])
        f.create_dataset("reference_field",
                         data=np.array([(target.ref, 1.0), (grp.ref, 2.0), (h5py.Reference(), 3.0)], dtype=refd))
        f.create_dataset("scalar", data=np.array((5, 6.25, 1), dtype=numeric))
        f.create_dataset("scalar_nested", data=np.array(((2, 0.25), 9), dtype=nested))


@feature
def build_scalars(path: Path) -> None:
    """0-d datasets of every type."""
    with h5py.File(path, "w") as f:
        target = f.create_dataset("target", data=[1, 2])
        for t in INT_TYPES + FLOAT_TYPES:
            for order in "<>":
                value = _int_values(t)[1] if t[0] in "iu" else _float_values(t)[5]
                f.create_dataset(f"{'le' if order == '<' else 'be'}_{t}", data=np.array(value, dtype=order + t))
        f.create_dataset("be_c8", data=np.array(1.5 - 2j, dtype=">c8"))
        f.create_dataset("nan_f8", data=np.float64(np.nan))
        f.create_dataset("bool", data=np.bool_(True))
        f.create_dataset("complex", data=np.complex128(1.5 - 2j))
        f.create_dataset("enum", data=np.int8(1), dtype=h5py.enum_dtype({"A": 0, "B": 1}, basetype="i1"))
        f.create_dataset("fixed_bytes", data=np.bytes_(b"Infinity"))
        f.create_dataset("vlen_str", data="NaN", dtype=h5py.string_dtype())
        f.create_dataset("vlen_ascii", data=b"base64:abc", dtype=h5py.string_dtype("ascii"))
        f.create_dataset("opaque", data=np.void(b"\x01\x02\x03"))
        f.create_dataset("reference", data=target.ref, dtype=h5py.ref_dtype)
        f.create_dataset("null_reference", data=h5py.Reference(), dtype=h5py.ref_dtype)


@feature
def build_empty_and_null(path: Path) -> None:
    """Empty shapes (0,) and (0, 5), and H5S_NULL datasets and attributes."""
    with h5py.File(path, "w") as f:
        f.create_dataset("empty_i4", shape=(0,), dtype="<i4")
        f.create_dataset("empty_f8_2d", shape=(0, 5), dtype=">f8")
        f.create_dataset("empty_chunked", shape=(0,), maxshape=(None,), dtype="i2", chunks=(16,))
        f.create_dataset("empty_str", shape=(0,), dtype=h5py.string_dtype())
        f.create_dataset("null_f4", data=h5py.Empty("f4"))
        f.create_dataset("null_str", data=h5py.Empty(h5py.string_dtype()))
        f.attrs["null_attr_i2"] = h5py.Empty("i2")
        f.attrs["null_attr_str"] = h5py.Empty(h5py.string_dtype())
        f.attrs["empty_array_attr"] = np.zeros((0,), dtype="f4")


@feature
def build_references(path: Path) -> None:
    """Object references in datasets and attributes: arrays, 2-D, 0-d, NULL, to root, groups, datasets."""
    with h5py.File(path, "w") as f:
        grp = f.create_group("group/sub")
        ds = grp.create_dataset("data", data=np.arange(5))
        top = f.create_dataset("top", data=[1.0])
        refs = np.array([f.ref, f["group"].ref, grp.ref, ds.ref, top.ref, h5py.Reference()], dtype=h5py.ref_dtype)
        f.create_dataset("refs", data=refs)
        f.create_dataset("refs_2d", data=refs.reshape(2, 3))
        f.create_dataset("ref_0d", data=ds.ref, dtype=h5py.ref_dtype)
        f.create_dataset("null_refs", shape=(3,), dtype=h5py.ref_dtype)
        f.attrs["ref_attr"] = grp.ref
        f.attrs.create("ref_array_attr", data=refs[:4], dtype=h5py.ref_dtype)
        ds.attrs["back_to_root"] = f.ref
        f.attrs.create("null_ref_attr", data=h5py.Reference(), dtype=h5py.ref_dtype)


@feature
def build_region_references(path: Path) -> None:
    """Region references with hyperslab, strided, point, whole and empty selections (1-D and 2-D)."""
    with h5py.File(path, "w") as f:
        d1 = f.create_dataset("d1", data=np.arange(20) * 1.5)
        d2 = f.create_dataset("d2", data=np.arange(30).reshape(5, 6))
        regs = [d1.regionref[2:7], d1.regionref[::3], d1.regionref[...], d2.regionref[1:3, 2:5],
                d2.regionref[::2, 1], d1.regionref[[1, 4, 9]]]
        f.create_dataset("regions", data=np.array(regs, dtype=h5py.regionref_dtype))
        f.create_dataset("region_0d", data=d2.regionref[0:2, 0:2], dtype=h5py.regionref_dtype)
        f.attrs.create("region_attr", data=d1.regionref[5:10], dtype=h5py.regionref_dtype)


@feature
def build_dimension_scales(path: Path) -> None:
    """Dimension scales attached with the h5py dims API (DIMENSION_LIST / REFERENCE_LIST)."""
    with h5py.File(path, "w") as f:
        data = f.create_dataset("data", data=np.arange(12.0).reshape(3, 4))
        t = f.create_dataset("time", data=[0.0, 0.1, 0.2])
        ch = f.create_dataset("channel", data=[10, 11, 12, 13])
        alt = f.create_dataset("channel_alt", data=[1, 2, 3, 4])
        t.make_scale("time")
        ch.make_scale("channel")
        alt.make_scale()
        data.dims[0].attach_scale(t)
        data.dims[1].attach_scale(ch)
        data.dims[1].attach_scale(alt)
        data.dims[0].label = "t"
        other = f.create_dataset("other", data=[5, 6, 7])
        other.dims[0].attach_scale(t)


@feature
def build_links(path: Path) -> None:
    """Soft (absolute, relative, chained, dangling), hard and external (present, missing) links."""
    target = path.with_name("external_target.h5")
    with h5py.File(target, "w") as t:
        t.create_dataset("remote/data", data=np.arange(4))
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g.create_dataset("data", data=np.arange(6).reshape(2, 3))
        g.create_group("inner").attrs["tag"] = "inner"
        f["soft_abs"] = h5py.SoftLink("/g/data")
        g["soft_rel"] = h5py.SoftLink("data")
        f["soft_to_group"] = h5py.SoftLink("/g/inner")
        f["soft_chain"] = h5py.SoftLink("/soft_abs")
        f["soft_dangling"] = h5py.SoftLink("/does/not/exist")
        f["hard_alias"] = g["data"]
        f["hard_group_alias"] = g["inner"]
        f["ext_present"] = h5py.ExternalLink(target.name, "/remote/data")
        f["ext_missing"] = h5py.ExternalLink("no_such_file.h5", "/x")


@feature
def build_layouts(path: Path) -> None:
    """Contiguous, chunked (partial edge, never-written chunks), compact (small, large), never written."""
    with h5py.File(path, "w") as f:
        f.create_dataset("contiguous", data=np.arange(1000, dtype="<i8").reshape(100, 10))
        f.create_dataset("chunked_partial_edges", data=np.arange(70, dtype="f4").reshape(10, 7), chunks=(4, 3))
        sparse = f.create_dataset("chunked_sparse", shape=(20, 20), dtype="i4", chunks=(5, 5), fillvalue=-3)
        sparse[0:5, 0:5] = 1
        sparse[17:20, 12:14] = 2
        f.create_dataset("chunked_never_written", shape=(8, 8), dtype="u2", chunks=(4, 4), fillvalue=9)
        f.create_dataset("contiguous_never_written", shape=(50,), dtype="f8", fillvalue=np.nan)
        f.create_dataset("contiguous_never_written_default", shape=(5, 2), dtype="i2")
        _create_compact(f, "compact_small", np.arange(10, dtype="<i2"))
        _create_compact(f, "compact_large", np.linspace(0, 1, 7000).astype(">f8"))
        f.create_dataset("resizable", data=np.arange(10), maxshape=(None,), chunks=(4,))
        f.create_dataset("chunked_1d_one_chunk", data=np.arange(3, dtype="u1"), chunks=(100,), maxshape=(None,))


def _create_compact(f: h5py.File, name: str, data: np.ndarray) -> None:
    """h5py has no high-level switch for the compact layout: use the low-level API."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple(data.shape)
    tid = h5py.h5t.py_create(data.dtype)
    dsid = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data))


@feature
def build_fill_values(path: Path) -> None:
    """Fill values of several types, on written and unwritten storage."""
    with h5py.File(path, "w") as f:
        f.create_dataset("int_fill", shape=(6,), dtype="i4", chunks=(2,), fillvalue=-42)[0:2] = [1, 2]
        f.create_dataset("nan_fill", shape=(6,), dtype="f4", chunks=(3,), fillvalue=np.nan)[0:3] = 0.5
        f.create_dataset("inf_fill_be", shape=(4,), dtype=">f8", chunks=(2,), fillvalue=-np.inf)
        f.create_dataset("bytes_fill", shape=(3,), dtype="S4", chunks=(1,), fillvalue=b"zz")[0] = b"ab"
        f.create_dataset("bool_fill", shape=(4,), dtype=bool, chunks=(2,), fillvalue=True)[2:] = False
        f.create_dataset("complex_fill", shape=(2,), dtype="c8", chunks=(1,), fillvalue=1 + 1j)
        f.create_dataset("u8_fill", shape=(3,), dtype="u8", chunks=(3,), fillvalue=2**64 - 1)
        # JSON-codec arrays: the fill value lives in .lindi storage
        cmp = np.dtype([("a", "i2"), ("b", "f4")])
        f.create_dataset("compound_fill", shape=(2,), dtype=cmp, chunks=(1,), fillvalue=np.array((3, 1.5), dtype=cmp))


@feature
def build_filters(path: Path) -> None:
    """gzip, shuffle, fletcher32, lzf, szip, scaleoffset (int and float), nbit, and combinations."""
    data_i = (np.arange(4000, dtype="<i4") % 97 - 40).reshape(100, 40)
    data_f = np.sin(np.arange(4000) / 10.0).astype("<f4").reshape(100, 40)
    with h5py.File(path, "w") as f:
        f.create_dataset("gzip", data=data_i, chunks=(30, 16), compression="gzip", compression_opts=4)
        f.create_dataset("gzip_shuffle", data=data_f, chunks=(30, 16), compression="gzip", shuffle=True)
        f.create_dataset("shuffle_only", data=data_i.astype(">i8"), chunks=(50, 40), shuffle=True)
        f.create_dataset("fletcher32", data=data_f, chunks=(25, 40), fletcher32=True)
        f.create_dataset("gzip_shuffle_fletcher32", data=data_i, chunks=(25, 40), compression="gzip",
                         shuffle=True, fletcher32=True)
        f.create_dataset("lzf", data=data_i, chunks=(32, 32), compression="lzf")
        f.create_dataset("lzf_shuffle", data=data_f, chunks=(32, 32), compression="lzf", shuffle=True)
        if h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
            f.create_dataset("szip", data=data_i, chunks=(32, 40), compression="szip", compression_opts=("nn", 16))
            f.create_dataset("szip_ec_f4", data=data_f, chunks=(32, 40), compression="szip",
                             compression_opts=("ec", 8))
        f.create_dataset("scaleoffset_int", data=data_i, chunks=(20, 40), scaleoffset=0)
        f.create_dataset("scaleoffset_int_bits", data=data_i.astype("u2") % 50, chunks=(20, 40), scaleoffset=6)
        f.create_dataset("scaleoffset_float", data=data_f, chunks=(20, 40), scaleoffset=3)
        f.create_dataset("scaleoffset_gzip", data=data_i.astype("<i8"), chunks=(20, 40), scaleoffset=0,
                         compression="gzip")
        _create_nbit(f, "nbit_i4", data_i, precision=25)
        f.create_dataset("gzip_partial_edges", data=np.arange(103, dtype=">i2"), chunks=(10,), compression="gzip")


def _create_nbit(f: h5py.File, name: str, data: np.ndarray, precision: int) -> None:
    """An nbit-packed integer dataset: a datatype with reduced precision plus the nbit filter."""
    tid = h5py.h5t.STD_I32LE.copy()
    tid.set_precision(precision)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((25, 40))
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, 0, ())
    space = h5py.h5s.create_simple(data.shape)
    dsid = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data, dtype="<i4"))


@feature
def build_unsupported_filter(path: Path) -> None:
    """A dataset compressed with HDF5's bitshuffle filter (no exact numcodecs equivalent) beside normal data."""
    with h5py.File(path, "w") as f:
        f.create_dataset("bitshuffle", data=np.arange(5000, dtype="<u4").reshape(50, 100), chunks=(10, 100),
                         **hdf5plugin.Bitshuffle(nelems=0, cname="lz4"))
        f.create_dataset("plain", data=np.arange(10))
        f.create_group("after").create_dataset("gzip", data=np.arange(100), chunks=(10,), compression="gzip")


@feature
def build_attributes(path: Path) -> None:
    """Attributes of every dtype, in creation order on a track_order group/dataset, and in name order."""
    with h5py.File(path, "w", track_order=True) as f:
        target = f.create_dataset("target", data=np.arange(10))
        g = f.create_group("typed", track_order=True)
        _fill_attrs(g.attrs, f, target)
        ds = f.create_dataset("dataset_with_attrs", data=[1, 2], track_order=True)
        _fill_attrs(ds.attrs, f, target)
        plain = f.create_group("name_order", track_order=False)
        for name in ["zz", "aa", "mm"]:
            plain.attrs[name] = name


def _fill_attrs(attrs: h5py.AttributeManager, f: h5py.File, target: h5py.Dataset) -> None:
    """Attributes whose names are deliberately not in alphabetical order."""
    attrs["zeta_i2"] = np.int16(-7)
    attrs["alpha_f4_array"] = np.array([1.5, np.nan, -np.inf], dtype="f4")
    attrs["int64"] = np.int64(2**62)
    attrs["int64_min"] = np.int64(-(2**63))
    attrs["uint64_max"] = np.uint64(2**64 - 1)
    attrs["python_int"] = 5
    attrs["float64"] = 0.1
    attrs["float64_integral"] = 3.0
    attrs["f2"] = np.float16(1.5)
    attrs["be_i4"] = np.array(7, dtype=">i4")
    attrs["be_f8_array"] = np.array([1.0, 2.0], dtype=">f8")
    attrs["nan"] = np.nan
    attrs["bool"] = np.bool_(True)
    attrs["bool_array"] = np.array([True, False])
    attrs["complex64"] = np.complex64(1 - 2j)
    attrs["complex128_array"] = np.array([1j, np.nan], dtype="c16")
    attrs.create("enum", data=np.int8(2), dtype=h5py.enum_dtype({"A": 1, "B": 2}, basetype="i1"))
    attrs["fixed_bytes"] = np.bytes_(b"abc")
    attrs["fixed_bytes_array"] = np.array([b"x", b"NaN", b""], dtype="S3")
    attrs["fixed_non_utf8"] = np.bytes_(b"\xff\x00\x01")
    utf8_fixed = h5py.string_dtype("utf-8", 2)
    attrs.create("fixed_utf8", data=np.array("é".encode(), dtype=utf8_fixed), dtype=utf8_fixed)
    attrs["str"] = "hello"
    attrs["str_nan"] = "NaN"
    attrs["str_infinity"] = "Infinity"
    attrs["str_base64"] = "base64:abc"
    attrs["str_empty"] = ""
    attrs["str_unicode"] = "ünïcødé ✓ 🧠"
    attrs["str_list"] = ["a", "NaN", ""]
    attrs.create("vlen_ascii", data=b"ascii bytes", dtype=h5py.string_dtype("ascii"))
    attrs.create("vlen_ascii_array", data=[b"x", b"y"], dtype=h5py.string_dtype("ascii"))
    attrs["one_element_array"] = np.array([5], dtype="i8")
    attrs["two_d"] = np.arange(6, dtype="u2").reshape(2, 3)
    cmp = np.dtype([("a", "<i4"), ("b", "S3"), ("c", "<f8")])
    attrs["compound_scalar"] = np.array((1, b"xy", 0.5), dtype=cmp)
    attrs["compound_array"] = np.array([(1, b"xy", 0.5), (2, b"z", np.nan)], dtype=cmp)
    ragged = np.empty(2, dtype=object)
    ragged[0] = np.array([1, 2, 3], dtype="i4")
    ragged[1] = np.array([], dtype="i4")
    attrs.create("vlen_i4", data=ragged, dtype=h5py.vlen_dtype("i4"))
    attrs["opaque"] = np.void(b"\x00\xff")
    attrs["ref"] = target.ref
    attrs.create("ref_array", data=[target.ref, f.ref], dtype=h5py.ref_dtype)
    attrs.create("region_ref", data=target.regionref[2:5], dtype=h5py.regionref_dtype)
    attrs["empty_null"] = h5py.Empty("f8")
    attrs["json_like_str"] = '{"_REFERENCE": {"path": "/x"}}'
    attrs["last_but_first_letter_a"] = np.uint8(1)


@feature
def build_large_attributes(path: Path) -> None:
    """Attributes larger than the 64 KiB object-header limit (dense attribute storage)."""
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["big_f8"] = np.arange(12800, dtype="f8") / 7.0
        f.attrs["big_str"] = "x" * 100_000
        f.attrs["big_i2_2d"] = (np.arange(60000, dtype="i2") % 1000).reshape(300, 200)


@feature
def build_deep_hierarchy(path: Path) -> None:
    """50 nested groups, each with an attribute, and a dataset at the bottom."""
    with h5py.File(path, "w") as f:
        g = f
        for level in range(50):
            g = g.create_group(f"level{level:02d}")
            g.attrs["depth"] = level
        g.create_dataset("leaf", data=np.arange(3))


@feature
def build_wide_hierarchy(path: Path) -> None:
    """2000 members under one group (created in non-alphabetical order), plus a wide ordered group."""
    with h5py.File(path, "w") as f:
        wide = f.create_group("wide")
        for i in range(2000):
            name = f"m{(i * 7919) % 2000:04d}"
            if i % 2:
                wide.create_group(name)
            else:
                wide.create_dataset(name, data=np.int32(i))
        ordered = f.create_group("ordered", track_order=True)
        for i in range(300):
            ordered.create_dataset(f"n{(i * 37) % 300:03d}", data=np.int16(i))
