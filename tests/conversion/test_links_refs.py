"""References (object, region, NULL), dimension scales, and soft/hard/external links."""
from __future__ import annotations

import h5py
import numpy as np


def _ref(path=None, object_id=None, **extra):
    return {"_REFERENCE": {"object_id": object_id, "path": path, "source": ".", "source_object_id": "root-id",
                           **extra}}


def test_object_references(tmp_path, convert):
    path = tmp_path / "r.h5"
    with h5py.File(path, "w") as f:
        f.attrs["object_id"] = "root-id"
        g = f.create_group("g")
        g.attrs["object_id"] = "g-id"
        d = f.create_dataset("d", data=[1, 2, 3])
        refs = np.array([[f.ref, g.ref], [d.ref, h5py.Reference()]], dtype=h5py.ref_dtype)
        f["refs2d"] = refs
        f["ref0d"] = np.array(g.ref, dtype=h5py.ref_dtype)
        d.attrs["to_group"] = g.ref
        d.attrs["ref_array"] = np.array([d.ref, f.ref], dtype=h5py.ref_dtype)
    c = convert(path)
    assert c.meta("refs2d", ".zarray")["dtype"] == "|O"
    assert c.json_chunk("refs2d/0.0") == [[_ref("/", "root-id"), _ref("/g", "g-id")], [_ref("/d"), _ref()]]
    assert c.json_chunk("ref0d/0") == [_ref("/g", "g-id")]
    assert c.meta("ref0d", ".zattrs")["_SCALAR"] is True
    zattrs = c.meta("d", ".zattrs")
    assert zattrs["to_group"] == _ref("/g", "g-id")
    assert zattrs["ref_array"] == [_ref("/d"), _ref("/", "root-id")]
    assert "attrs" not in c.meta("d", ".lindi")  # lists of references are inferred exactly


def test_region_references_keep_selection(tmp_path, convert):
    path = tmp_path / "reg.h5"
    with h5py.File(path, "w") as f:
        f.attrs["object_id"] = "root-id"
        d = f.create_dataset("d", data=np.arange(100).reshape(10, 10))
        regions = np.array([d.regionref[1:3, 2:5], d.regionref[...], h5py.RegionReference()],
                           dtype=h5py.regionref_dtype)
        f.create_dataset("regions", data=regions)
        space = d.id.get_space()
        space.select_elements(np.array([[0, 1], [5, 6]]))
        f.attrs["points"] = h5py.h5r.create(d.id, b".", h5py.h5r.DATASET_REGION, space)
    c = convert(path)
    assert c.meta("regions", ".lindi")["dtype"] == {"class": "region_reference"}
    items = c.json_chunk("regions/0")
    assert items[0] == _ref("/d", region={"kind": "hyperslab", "blocks": [[[1, 2], [2, 4]]]})
    assert items[1]["_REFERENCE"]["region"]["kind"] in ("all", "hyperslab")
    assert items[2] == _ref()
    assert c.meta("", ".zattrs")["points"] == _ref("/d", region={"kind": "points", "points": [[0, 1], [5, 6]]})
    assert c.meta("", ".lindi")["attrs"]["points"] == {"dtype": {"class": "region_reference"}}


def test_dimension_scales(tmp_path, convert):
    path = tmp_path / "ds.h5"
    with h5py.File(path, "w") as f:
        f["data"] = np.zeros((3, 4))
        f["t"] = np.arange(3.0)
        f["t"].make_scale("time")
        f["data"].dims[0].attach_scale(f["t"])
    c = convert(path)
    dim_list = c.meta("data", ".zattrs")["DIMENSION_LIST"]
    assert dim_list[0][0]["_REFERENCE"]["path"] == "/t" and dim_list[1] == []
    assert c.meta("data", ".lindi")["attrs"]["DIMENSION_LIST"]["dtype"] == {"class": "vlen",
                                                                         "base": {"class": "reference"}}
    t_attrs = c.meta("t", ".zattrs")
    assert t_attrs["NAME"] == "time"
    assert t_attrs["REFERENCE_LIST"][0][0]["_REFERENCE"]["path"] == "/data" and t_attrs["REFERENCE_LIST"][0][1] == 0
    assert c.meta("t", ".lindi")["attrs"]["REFERENCE_LIST"]["dtype"]["class"] == "compound"


def test_soft_external_and_hard_links(tmp_path, convert):
    path = tmp_path / "l.h5"
    with h5py.File(tmp_path / "other.h5", "w") as o:
        o["there"] = [1]
    with h5py.File(path, "w") as f:
        g = f.create_group("a/b")
        d = g.create_dataset("data", data=np.arange(3000, dtype="<i8"))
        f["abs"] = h5py.SoftLink("/a/b/data")
        g["rel"] = h5py.SoftLink("data")
        f["chain"] = h5py.SoftLink("/abs")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["ext"] = h5py.ExternalLink("other.h5", "/there")
        f["ext_missing"] = h5py.ExternalLink("missing.h5", "/x")
        f["z_second_name"] = d  # hard link, later in byte order
        f["a/c"] = g  # hard link to a group
    c = convert(path, inline_threshold=0)
    assert c.meta("abs", ".zattrs") == {"_SOFT_LINK": {"path": "/a/b/data"}}
    assert c.meta("a/b/rel", ".zattrs") == {"_SOFT_LINK": {"path": "data"}}
    assert c.meta("chain", ".zattrs") == {"_SOFT_LINK": {"path": "/abs"}}
    assert c.meta("dangling", ".zattrs") == {"_SOFT_LINK": {"path": "/nowhere"}}
    for name in ("abs", "chain", "dangling", "ext", "a/c"):
        assert c.meta(name, ".zgroup") == {"zarr_format": 2}
    # as HDF5 holds them, until the document is written to a folder (then from there: tests/interop)
    assert c.meta("ext", ".lindi") == {"link": {"type": "external", "file": "other.h5", "target": "/there"}}
    assert c.meta("ext_missing", ".lindi")["link"]["file"] == "missing.h5"
    # spec 1.1: every name of a hard link holds the full object, later names marked as links
    assert c.meta("z_second_name", ".lindi") == {**c.meta("a/b/data", ".lindi"), "hard_link": "/a/b/data"}
    assert c.meta("z_second_name", ".zarray") == c.meta("a/b/data", ".zarray")
    assert c.refs["z_second_name/0"] == c.refs["a/b/data/0"]  # the same byte range: no data copied
    assert c.meta("a/c", ".lindi")["hard_link"] == "/a/b"
    # only the top of a copy is marked: below it, the copy equals what lies below the first name
    assert c.refs["a/c/data/0"] == c.refs["a/b/data/0"] and c.meta("a/c/data", ".lindi") == c.meta("a/b/data", ".lindi")
    assert c.array_keys("a/b/data") == ["a/b/data/0"]
    assert c.report.links == 10 and c.report.unsupported == []  # the copy at a/c meets data and rel again


def test_member_order_and_deep_wide_hierarchy(tmp_path, convert):
    path = tmp_path / "h.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("tracked", track_order=True)
        for name in ("zeta", "alpha", "mid"):
            g.create_group(name)
        deep = f
        for i in range(60):
            deep = deep.create_group(f"level{i}")
        deep["leaf"] = [1]
        wide = f.create_group("wide")
        for i in range(500):
            wide.create_group(f"g{i}")
    c = convert(path)
    assert c.meta("tracked", ".lindi")["member_order"] == ["zeta", "alpha", "mid"]
    assert "/".join(f"level{i}" for i in range(60)) + "/leaf/.zarray" in c.refs
    assert sum(1 for k in c.refs if k.startswith("wide/g") and k.endswith(".zgroup")) == 500
    assert c.report.groups == 1 + 1 + 3 + 60 + 1 + 500
