"""Small HDF5 files, one per feature, that the `read/` and `legacy/` vectors are made from (with h5py).

Each builder writes one file; ``READ_FEATURES`` maps the vector directory name to the builders of that
feature, ``LEGACY_FEATURES`` lists those whose content LINDI 0.4 represents without loss.
"""
from __future__ import annotations

from collections.abc import Callable

import h5py
import numpy as np

Builder = Callable[[h5py.File], None]


def numeric(f: h5py.File) -> None:
    for code in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"):
        for order in ("<", ">"):
            dt = np.dtype(order + code)
            if dt.kind == "f":
                data = np.array([0.5, -1.25, 3.0, 1e-3], dtype=dt)
            else:
                info = np.iinfo(dt)
                data = np.array([info.min, 0, 1, info.max], dtype=dt)
            f.create_dataset(f"{code}_{'le' if order == '<' else 'be'}", data=data)
    f.create_dataset("f8_2d", data=np.arange(12, dtype="f8").reshape(3, 4) / 8)
    f.create_dataset("specials", data=np.array([np.nan, np.inf, -np.inf, -0.0, 1e300, 2.0**60], dtype="f8"))


def bool_complex(f: h5py.File) -> None:
    f.create_dataset("bool", data=np.array([True, False, True]))
    f.create_dataset("c8", data=np.array([1 + 2j, -0.5j], dtype="c8"))
    f.create_dataset("c16", data=np.array([[1 + 2j, np.nan + 1j]], dtype="c16"))
    f.create_dataset("c8_be", data=np.array([1.5 - 2j, 3j], dtype=">c8"))  # each part big-endian, real first
    f.create_dataset("c16_be", data=np.array([-0.25 + 1e300j], dtype=">c16"))


def enum(f: h5py.File) -> None:
    dt = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i1")
    f.create_dataset("colors", data=np.array([0, 1, 42, 1], dtype="i1"), dtype=dt)
    wide = h5py.enum_dtype({"NEG": -(2**63), "BIG": 2**62 + 1}, basetype="<i8")  # 8-byte enums: exact integers
    f.create_dataset("wide_i8", data=np.array([-(2**63), 2**62 + 1], dtype="<i8"), dtype=wide)
    unsigned = h5py.enum_dtype({"ZERO": 0, "HIGH": 2**63 - 1}, basetype=">u8")  # h5py takes C longs
    f.create_dataset("wide_u8_be", data=np.array([2**63 - 1, 0], dtype=">u8"), dtype=unsigned)


def strings(f: h5py.File) -> None:
    f.create_dataset("fixed_ascii", data=np.array([b"abc", b"", b"NaN"], dtype="S5"))
    f.create_dataset("fixed_utf8", data=np.array(["héllo".encode()], dtype=h5py.string_dtype("utf-8", 8)))
    f.create_dataset("vlen_utf8", data=["NaN", "Infinity", "base64:abc", "", "ünïcode"],
                     dtype=h5py.string_dtype("utf-8"))
    f.create_dataset("vlen_ascii", data=[b"plain", b"text"], dtype=h5py.string_dtype("ascii"))


def opaque(f: h5py.File) -> None:
    f.create_dataset("opaque", data=np.array([b"\x00\x01\x02\x03", b"\xff\xfe\xfd\xfc"], dtype="V4"))


def vlen(f: h5py.File) -> None:
    ds = f.create_dataset("ragged", shape=(3,), dtype=h5py.vlen_dtype("i4"))
    ds[0] = [1, 2, 3]
    ds[1] = []
    ds[2] = [-7]


def compound(f: h5py.File) -> None:
    simple = np.dtype([("x", "<i4"), ("y", ">f8"), ("name", "S6")])
    f.create_dataset("simple", data=np.array([(1, 2.5, b"one"), (2, -1.0, b"two")], dtype=simple))
    nested = np.dtype([("id", "<u2"), ("pos", [("x", "<f4"), ("y", "<f4")]), ("v", "<i2", (3,))])
    f.create_dataset("nested", data=np.array([(7, (0.5, 1.5), [1, 2, 3])], dtype=nested))
    f.create_dataset("scalar", data=np.array((3, 0.25, b"s"), dtype=simple))
    with_ref = np.dtype([("target", h5py.ref_dtype), ("weight", "<f8")])
    f.create_dataset("refs", data=np.array([(f["simple"].ref, 1.0), (f.ref, 2.0)], dtype=with_ref))
    with_str = np.dtype([("label", h5py.string_dtype("utf-8")), ("n", "<i8")])
    f.create_dataset("with_vlen_str", data=np.array([("a", 1), ("bé", 2**60)], dtype=with_str))


def scalars(f: h5py.File) -> None:
    f.create_dataset("int", data=np.int16(-5))
    f.create_dataset("float", data=np.float32(0.1))
    f.create_dataset("bool", data=np.bool_(True))
    f.create_dataset("vlen_str", data="hello", dtype=h5py.string_dtype("utf-8"))
    f.create_dataset("fixed_str", data=np.bytes_(b"fix"))
    f.create_dataset("ref", data=f.ref, dtype=h5py.ref_dtype)


def empty_null(f: h5py.File) -> None:
    f.create_dataset("empty_1d", shape=(0,), dtype="f4")
    f.create_dataset("empty_2d", shape=(0, 5), dtype="i2")
    f.create_dataset("null", data=h5py.Empty("f8"))
    f.attrs["null_attr"] = h5py.Empty("i4")


def references(f: h5py.File) -> None:
    g = f.create_group("group")
    d = g.create_dataset("data", data=np.arange(10, dtype="i4"))
    f.create_dataset("refs", data=np.array([f.ref, g.ref, d.ref, h5py.Reference()], dtype=h5py.ref_dtype))
    f.create_dataset("refs_2d", data=np.array([[g.ref, d.ref], [d.ref, f.ref]], dtype=h5py.ref_dtype))
    d.attrs["self"] = d.ref
    d.attrs["many"] = np.array([f.ref, g.ref], dtype=h5py.ref_dtype)
    f["alias"] = d  # a second name that comes first in traversal order: references name the object /alias
    f.create_dataset("to_linked", data=np.array([f["group/data"].ref, f["alias"].ref], dtype=h5py.ref_dtype))


def region_references(f: h5py.File) -> None:
    d = f.create_dataset("data", data=np.arange(20, dtype="f4").reshape(4, 5))
    regs = [d.regionref[1:3, 0:2], d.regionref[...], d.regionref[0, 4]]
    f.create_dataset("regions", data=np.array(regs, dtype=h5py.regionref_dtype))


def dimension_scales(f: h5py.File) -> None:
    t = f.create_dataset("time", data=np.arange(4, dtype="f8"))
    t.make_scale("time")
    d = f.create_dataset("signal", data=np.zeros((4, 2), dtype="f4"))
    d.dims[0].attach_scale(t)
    d.dims[0].label = "t"


def links(f: h5py.File) -> None:
    g = f.create_group("a")
    g.create_dataset("x", data=np.arange(3, dtype="i2"))
    f["abs"] = h5py.SoftLink("/a/x")
    g["rel"] = h5py.SoftLink("x")
    f["chain"] = h5py.SoftLink("/abs")
    f["dangling"] = h5py.SoftLink("/nowhere")
    f["b"] = g["x"]  # hard link: a second name of /a/x
    f["z_group_alias"] = g  # hard link to a group
    f["ext"] = h5py.ExternalLink("other.h5", "/some/path")


def layouts(f: h5py.File) -> None:
    f.create_dataset("contiguous", data=np.arange(30, dtype="<i4").reshape(6, 5))
    ch = f.create_dataset("chunked_partial", shape=(7, 5), chunks=(3, 2), dtype="<f4", fillvalue=-1)
    ch[0:3, 0:4] = np.arange(12, dtype="f4").reshape(3, 4)  # other chunks never written
    f.create_dataset("compact", data=np.arange(8, dtype="u1"),
                     dcpl=_compact_plist())
    f.create_dataset("never_written", shape=(4,), dtype="i8", fillvalue=9)
    f.create_dataset("large", data=np.arange(1000, dtype="<f8") * 0.5, chunks=(300,))


def _compact_plist() -> h5py.h5p.PropDCID:
    plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    plist.set_layout(h5py.h5d.COMPACT)
    return plist


def filters(f: h5py.File) -> None:
    data = (np.arange(400, dtype="<i4") % 17).reshape(20, 20)
    f.create_dataset("gzip", data=data, chunks=(10, 10), compression="gzip", compression_opts=4)
    f.create_dataset("shuffle_gzip", data=data, chunks=(10, 10), shuffle=True, compression="gzip")
    f.create_dataset("fletcher32", data=data, chunks=(10, 10), fletcher32=True)
    f.create_dataset("lzf", data=data, chunks=(10, 10), compression="lzf")
    f.create_dataset("scaleoffset_int", data=data, chunks=(10, 10), scaleoffset=0)
    f.create_dataset("scaleoffset_float", data=data.astype("f8") / 4, chunks=(10, 10), scaleoffset=2)


def attributes(f: h5py.File) -> None:
    g = f.create_group("ordered", track_order=True)
    for name in ("zeta", "alpha", "mid"):
        g.attrs[name] = name
    a = f.attrs
    a["int"] = 42
    a["big"] = 2**60
    a["float"] = 0.25
    a["nan"] = np.nan
    a["text"] = "hello"
    a["text_nan"] = "NaN"
    a["bool"] = np.bool_(False)
    a.create("i2", -3, dtype="i2")
    a.create("f4_arr", [1.5, 2.5], dtype="f4")
    a.create("one_elem", [7], dtype="i8")
    a.create("fixed", b"abc", dtype="S4")
    a.create("ascii_vlen", "ascii", dtype=h5py.string_dtype("ascii"))
    a.create("str_list", ["x", "yz"], dtype=h5py.string_dtype("utf-8"))
    a.create("complex", 1 + 1j, dtype="c16")
    a.create("enum", 1, dtype=h5py.enum_dtype({"OFF": 0, "ON": 1}, basetype="u1"))
    a.create("compound", np.array((1, 2.0), dtype=[("a", "<i4"), ("b", "<f8")]))
    a.create("vlen", [np.array([1, 2]), np.array([3])], dtype=h5py.vlen_dtype("i4"))
    a["large"] = np.arange(5000, dtype="<i4")
    a["whole"] = 30.0  # a float64 whose value is integral: it needs type info (SPEC 5.1)
    a.create("whole_f4", 2.0, dtype="f4")
    a["whole_list"] = np.array([1.0, 2.0])
    a["mixed_list"] = np.array([1.0, 2.5])


def hierarchy(f: h5py.File) -> None:
    g = f
    for depth in range(12):
        g = g.create_group(f"level{depth}")
    g.attrs["deep"] = True
    wide = f.create_group("wide")
    for i in range(40):
        wide.create_group(f"m{i:03d}")
    ordered = f.create_group("created_order", track_order=True)
    for name in ("c", "a", "b"):
        ordered.create_group(name)


def storage(f: h5py.File) -> None:
    """HDF5 storage facts in .lindi storage; a contiguous dataset split into row chunks whose last is short."""
    f.create_dataset("split", data=np.arange(300, dtype="<i4").reshape(100, 3))  # chunks of 85 rows, then 15
    f.create_dataset("growable", data=np.arange(10, dtype="<f8"), chunks=(4,), maxshape=(None,), fillvalue=-2.5)
    f.create_dataset("strings_chunked", data=["a", "bé", "c"], dtype=h5py.string_dtype("utf-8"), chunks=(2,))


def separator(f: h5py.File) -> None:
    """2-d and 3-d chunked arrays; the vector's document uses dimension_separator "/" (make_vectors)."""
    f.create_dataset("grid", data=np.arange(35, dtype="<i2").reshape(5, 7), chunks=(2, 3))
    f.create_dataset("cube", data=np.arange(24, dtype="<f4").reshape(2, 3, 4), chunks=(1, 2, 4))


def large_values(f: h5py.File) -> None:
    """Non-numeric arrays past 256 elements: the dump digests their canonical JSON (floats, non-ASCII text)."""
    words = [f"wört {i} \u2603 {'𝄞' if i % 7 == 0 else ''}" for i in range(300)]
    f.create_dataset("texts", data=words, dtype=h5py.string_dtype("utf-8"))
    rec = np.dtype([("x", "<f8"), ("label", h5py.string_dtype("utf-8")), ("n", "<i8")])
    values = [(i / 3 if i % 5 else 1e-7 * i, f"é{i}", 2**60 + i) for i in range(300)]
    f.create_dataset("records", data=np.array(values, dtype=rec))
    ragged = f.create_dataset("ragged", shape=(300,), dtype=h5py.vlen_dtype("f4"))
    for i in range(300):
        ragged[i] = np.arange(i % 4, dtype="f4") / 3


def spec_1_1(f: h5py.File) -> None:
    """Content whose 1.1 form differs from 1.0: 2-d JSON-codec arrays, deflate, 64-bit limit integers."""
    f.create_dataset("words", data=np.array([["a", "bé"], ["c", ""]], dtype=object), dtype=h5py.string_dtype("utf-8"))
    f.create_dataset("refs", data=np.array([[f.ref, f.ref], [f.ref, h5py.Reference()]], dtype=h5py.ref_dtype))
    f.create_dataset("deflate", data=np.arange(100, dtype="<i4"), chunks=(50,), compression="gzip", shuffle=True)
    f.attrs.create("u8_max", 2**64 - 1, dtype="<u8")
    f.attrs.create("i8_min", -(2**63), dtype="<i8")
    f.attrs.create("u8_list", [2**63, 1], dtype="<u8")
    f.create_dataset("u8_fill", shape=(2,), dtype="<u8", fillvalue=2**64 - 2)


READ_FEATURES: dict[str, Builder] = {
    "numeric": numeric, "bool_complex": bool_complex, "enum": enum, "strings": strings, "opaque": opaque,
    "vlen": vlen, "compound": compound, "scalars": scalars, "empty_null": empty_null,
    "references": references, "region_references": region_references,
    "dimension_scales": dimension_scales, "links": links, "layouts": layouts, "filters": filters,
    "attributes": attributes, "hierarchy": hierarchy, "storage": storage, "separator": separator,
    "large_values": large_values, "spec_1_1": spec_1_1,
}


def legacy_basic(f: h5py.File) -> None:
    """Content LINDI 0.4 keeps exactly: f8/i8 numbers, vlen strings, soft links, references, gzip."""
    f.attrs["title"] = "legacy"
    f.attrs["count"] = 3
    f.attrs["ratio"] = 0.5
    g = f.create_group("acquisition")
    g.create_dataset("data", data=np.arange(60, dtype="<f8").reshape(20, 3), chunks=(5, 3),
                     compression="gzip")
    g.create_dataset("labels", data=["a", "b", "c"], dtype=h5py.string_dtype("utf-8"))
    g.create_dataset("rate", data=np.float64(30.0))
    f["link"] = h5py.SoftLink("/acquisition/data")
    f.create_dataset("ref", data=np.array([g["data"].ref], dtype=h5py.ref_dtype))
    f.create_dataset("table", data=np.array([(1, 0.5), (2, 1.5)], dtype=[("id", "<i8"), ("v", "<f8")]))


LEGACY_FEATURES: dict[str, Builder] = {"basic": legacy_basic}


def build(builder: Builder, path: str) -> None:
    """Write one feature file (h5py's default libver, so LINDI 0.4 can read it too)."""
    with h5py.File(path, "w") as f:
        builder(f)
# READ_FEATURES whose content LINDI 0.4.6 converts without loss (also made into legacy/ vectors).
LEGACY_READ_FEATURES = ("numeric", "layouts")  # 0.4.6 loses creation order, fails on refs in attrs
