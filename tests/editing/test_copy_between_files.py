"""``f.copy(source, dest)`` from an h5py file and from another LINDI document, against h5py copying the same."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import lindi
from lindi.editing import EditError
from tests.editing.test_oracle import ATTRS, DATASETS
from tests.fidelity.compare_h5 import assert_same_as_h5py


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("copy")
    with h5py.File(tmp / "src.h5", "w") as h:
        g = h.create_group("g")
        for name, kwds in DATASETS.items():
            g.create_dataset(f"d/{name}", **kwds)
        for name, value in ATTRS.items():
            g.attrs[name] = value
        h.create_dataset("outside", data=np.arange(7))
        g["hl_out"] = h["outside"]  # copied as a new object
        g["hl_in"] = g["d/contiguous"]  # stays a hard link inside the copy
        g["soft"] = h5py.SoftLink("/outside")
        g["ext"] = h5py.ExternalLink("other.h5", "/x")
        g.create_dataset("refs", data=[h["outside"].ref, g["d/bool"].ref], dtype=h5py.ref_dtype)
        g.attrs["aref"] = g.ref  # references into another file become NULL
        g.create_group("tracked", track_order=True).create_group("z")
        g["tracked"].create_group("a")
    with h5py.File(tmp / "oracle.h5", "w") as o, h5py.File(tmp / "src.h5") as s:
        _edit(o, s)
    return tmp


def _edit(f, source):
    f.create_group("grp")
    f.copy(source["g"], "g_copy")
    f.copy(source["g/d/f8_gzip"], f["grp"], "named")
    f["grp"].copy(source["outside"], f["grp"])


def _check(files, name, source):
    with lindi.LindiH5pyFile.from_lindi_file(files / name, mode="w") as lf:
        _edit(lf, source)
        assert_same_as_h5py(files / "oracle.h5", lf)
    report = lindi.validate(str(files / name))
    assert report.valid, report
    assert_same_as_h5py(files / "oracle.h5", lindi.LindiH5pyFile.from_lindi_file(files / name))


def test_copy_from_h5py(files):
    with h5py.File(files / "src.h5") as source:
        _check(files, "from_h5py.lindi.json", source)


def test_copy_from_another_lindi_file_references_the_same_chunks(files):
    source = lindi.LindiH5pyFile.from_hdf5_file(files / "src.h5")
    _check(files, "from_lindi.lindi.json", source)
    refs = lindi.LindiH5pyFile.from_lindi_file(files / "from_lindi.lindi.json").to_reference_file_system()["refs"]
    chunk = source.to_reference_file_system()["refs"]["g/d/f8_gzip/0"]
    assert refs["g_copy/d/f8_gzip/0"] == [str(files / "src.h5"), chunk[1], chunk[2]]  # same bytes, absolute URL
    assert refs["grp/named/0"][1:] == chunk[1:]


def test_copy_from_a_lindi_document_with_relative_refs(files, tmp_path):
    source = lindi.LindiH5pyFile.from_hdf5_file(files / "src.h5")
    rfs = source.to_reference_file_system()
    for key, value in rfs["refs"].items():
        if isinstance(value, list):
            value[0] = "{{src}}"
    rfs["templates"] = {"src": "./src.h5"}
    (files / "templated.lindi.json").write_text(lindi.strict_json.dumps(rfs))
    templated = lindi.LindiH5pyFile.from_lindi_file(files / "templated.lindi.json")
    target = lindi.LindiH5pyFile.from_lindi_file(tmp_path / "elsewhere.lindi.json", mode="w")
    target.copy(templated["g/d/f8_gzip"], "x")
    np.testing.assert_array_equal(target["x"][()], templated["g/d/f8_gzip"][()])
    assert target.to_reference_file_system()["refs"]["x/0"][0] == str(files / "src.h5")


def test_copy_refusals_leave_the_document_unchanged(files):
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    f.create_group("g")
    before = f.to_reference_file_system()
    with h5py.File(files / "src.h5") as source:
        with pytest.raises(EditError, match="expand_refs"):
            f.copy(source["g"], "c", expand_refs=True)
        with pytest.raises(EditError, match="already exists"):
            f.copy(source["outside"], "g")
        with pytest.raises(EditError, match="not ndarray"):
            f.copy(np.arange(3), "a")
        with h5py.File(files / "scratch.h5", "w") as other:  # as h5py: copying out into another file
            f.copy(source["outside"], other)
            assert "outside" in other
    assert f.to_reference_file_system() == before
