"""LINDI 0.4 wrote region references as plain object references (their selection is lost). Reading such a
document never raises: a plain reference used as a region reads the whole dataset, with one warning per
document naming the dataset; documents of this package keep h5py's rule (a plain reference is no selection)."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import warnings

import h5py
import numpy as np
import pytest

import lindi
from lindi.h5file.reference import LostRegionWarning

_REF_D1 = {"_REFERENCE": {"object_id": None, "path": "/d1", "source": ".", "source_object_id": None}}


def _legacy_document() -> dict:
    """Shaped like LINDI 0.4.6's output for a file with a region-reference attribute and dataset:
    no lindi_spec, no .lindi, the references without their region."""
    return {"version": 1, "refs": {
        ".zgroup": {"zarr_format": 2}, ".zattrs": {"region_attr": _REF_D1},
        "d1/.zarray": {"chunks": [4], "compressor": None, "dtype": "<f8", "fill_value": 0.0, "filters": None,
                       "order": "C", "shape": [4], "zarr_format": 2},
        "d1/.zattrs": {}, "d1/0": "base64:" + base64.b64encode(np.arange(4.0).tobytes()).decode(),
        "regions/.zarray": {"chunks": [2], "compressor": None, "dtype": "|O", "fill_value": 0,
                            "filters": [{"id": "json2"}], "order": "C", "shape": [2], "zarr_format": 2},
        "regions/.zattrs": {}, "regions/0": json.dumps([_REF_D1, _REF_D1, "|O", [2]])}}


def _read_regions(f) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = [f["d1"][f.attrs["region_attr"]].tolist(), f["d1"][f["regions"][1]].tolist(),
                  f["d1"].regionref.selection(f["regions"][0])]
    return values, [w for w in caught if issubclass(w.category, LostRegionWarning)]


def test_hand_made_lindi04_document_warns_once_and_reads_whole_dataset():
    with lindi.LindiH5pyFile.from_reference_file_system(_legacy_document()) as f:
        values, caught = _read_regions(f)
    assert values == [[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0], (4,)]
    assert len(caught) == 1 and "/d1" in str(caught[0].message) and caught[0].filename == __file__


def test_plain_reference_is_no_selection_in_our_documents(tmp_path):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f["d1"] = np.arange(4.0)
    with lindi.LindiH5pyFile.from_hdf5_file(str(path)) as f, warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError):  # as h5py: "Selection can't process <HDF5 object reference>"
            f["d1"][f["d1"].ref]


@pytest.mark.slow
def test_document_written_by_lindi04(python04, tmp_path):
    from tests.fidelity.h5_features import FEATURES
    source = tmp_path / "r.h5"
    FEATURES["region_references"](source)
    with h5py.File(source, "a") as f:
        del f["region_0d"]  # LINDI 0.4.6 refuses scalar region references
    doc = tmp_path / "r.lindi.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (f"import lindi; lindi.LindiH5pyFile.from_hdf5_file({str(source)!r}, url={str(source)!r})"
            f".write_lindi_file({str(doc)!r})")
    proc = subprocess.run([python04, "-c", code],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with lindi.LindiH5pyFile.from_lindi_file(str(doc)) as f, h5py.File(source, "r") as h5:
        values, caught = _read_regions(f)
        whole = h5["d1"][()].tolist()
    assert values == [whole, whole, (20,)]
    assert len(caught) == 1 and "/d1" in str(caught[0].message)
