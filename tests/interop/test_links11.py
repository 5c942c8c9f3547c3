"""Spec 1.1 links: hard links hold the full object at every name; external link files resolve from
the document's location, wherever the document is written."""
from __future__ import annotations

import json

import h5py
import numpy as np

import lindi


def _linked_file(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        d = g.create_dataset("data", data=np.arange(20, dtype="<i4"), chunks=(5,))
        d.attrs["unit"] = "s"
        g.create_dataset("small", data=[1, 2, 3])
        f["z_alias"] = d
        f["z_galias"] = g
        g["loop"] = g  # a hard link to its own ancestor


def _refs_under(refs, node):
    return {k[len(node):]: v for k, v in refs.items() if k.startswith(node + "/")}


def test_every_name_holds_the_object_and_reads_through_any_name(tmp_path):
    _linked_file(tmp_path / "l.h5")
    with lindi.LindiH5ZarrStore.from_file(str(tmp_path / "l.h5")) as store:
        rfs = store.to_reference_file_system()
    refs = rfs["refs"]
    assert refs["z_alias/.lindi"]["hard_link"] == "/g/data"
    data = _refs_under(refs, "g/data")
    alias = _refs_under(refs, "z_alias")
    assert {k: v for k, v in alias.items() if k != "/.lindi"} == {k: v for k, v in data.items() if k != "/.lindi"}
    assert refs["z_galias/data/0"] == refs["g/data/0"]  # a group copy repeats its members' chunk refs
    assert refs["g/loop/.lindi"] == {"link": {"type": "hard", "target": "/g"}}  # a cycle stays a placeholder
    assert not any(k.startswith("g/loop/") and not k.endswith((".zgroup", ".lindi")) for k in refs)
    assert lindi.validate(rfs).valid
    with lindi.LindiH5pyFile.from_reference_file_system(rfs) as f, h5py.File(tmp_path / "l.h5", "r") as h:
        for name in ("z_alias", "z_galias/data", "g/loop/data", "g/loop/loop/small"):
            assert np.array_equal(f[name][()], h[name][()]), name
        assert f["z_alias"].attrs["unit"] == "s"
        assert f["z_galias/loop"].name == "/z_galias/loop"


def test_edits_through_any_name_keep_every_copy_identical(tmp_path):
    _linked_file(tmp_path / "l.h5")
    doc = tmp_path / "l.lindi.json"
    lindi.LindiH5pyFile.from_hdf5_file(str(tmp_path / "l.h5")).write_lindi_file(str(doc))
    with lindi.LindiH5pyFile.from_lindi_file(str(doc), mode="r+") as f:
        f["z_alias"].attrs["note"] = "via alias"
        f["z_galias/data"][0] = 99
        f["g/data"].attrs["unit"] = "ms"
        f["z_galias"].create_dataset("new", data=[7])
    refs = json.loads(doc.read_text())["refs"]
    for node in ("z_alias", "z_galias/data"):
        copy = _refs_under(refs, node)
        original = _refs_under(refs, "g/data")
        assert {k: v for k, v in copy.items() if k != "/.lindi"} == \
               {k: v for k, v in original.items() if k != "/.lindi"}, node
        assert refs[node + "/.zattrs"] == {"unit": "ms", "note": "via alias"}
    assert _refs_under(refs, "z_galias/new") == _refs_under(refs, "g/new")
    with lindi.LindiH5pyFile.from_lindi_file(str(doc)) as f:
        assert f["z_alias"][0] == 99 and f["g/data"][0] == 99 and f["z_galias/new"][()].tolist() == [7]


def _external_file(folder):
    folder.mkdir(parents=True, exist_ok=True)
    with h5py.File(folder / "target.h5", "w") as t:
        t["x"] = np.arange(4)
    with h5py.File(folder / "main.h5", "w") as f:
        f["ext"] = h5py.ExternalLink("target.h5", "/x")


def test_external_link_file_resolves_from_the_document_folder(tmp_path):
    _external_file(tmp_path / "data")
    main = str(tmp_path / "data" / "main.h5")
    cases = {tmp_path / "data" / "beside.lindi.json": "target.h5",
             tmp_path / "above.lindi.json": "data/target.h5",
             tmp_path / "elsewhere" / "far.lindi.json": str(tmp_path / "data" / "target.h5")}
    for doc, expected in cases.items():
        doc.parent.mkdir(exist_ok=True)
        with lindi.LindiH5ZarrStore.from_file(main) as store:
            store.write_reference_file_system(str(doc))
        assert json.loads(doc.read_text())["refs"]["ext/.lindi"]["link"]["file"] == expected
        with lindi.LindiH5pyFile.from_lindi_file(str(doc)) as f:
            assert f["ext"][()].tolist() == [0, 1, 2, 3], doc


def test_rewriting_a_document_elsewhere_keeps_its_external_links(tmp_path):
    _external_file(tmp_path / "data")
    first = tmp_path / "data" / "a.lindi.json"
    with lindi.LindiH5ZarrStore.from_file(str(tmp_path / "data" / "main.h5")) as store:
        store.write_reference_file_system(str(first))
    moved = tmp_path / "other" / "b.lindi.json"
    moved.parent.mkdir()
    with lindi.LindiH5pyFile.from_lindi_file(str(first)) as f:
        f.write_lindi_file(str(moved))
    assert json.loads(moved.read_text())["refs"]["ext/.lindi"]["link"]["file"] == str(tmp_path / "data" / "target.h5")
    with lindi.LindiH5pyFile.from_lindi_file(str(moved)) as f:
        assert f["ext"][()].tolist() == [0, 1, 2, 3]
