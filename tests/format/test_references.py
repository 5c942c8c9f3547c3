"""The NULL ``_REFERENCE`` (SPEC 6): one body that the converter, the reader and the editor agree on."""
from __future__ import annotations

import h5py
import numpy as np

import lindi
from lindi.format.references import null_reference, null_reference_body
from lindi.h5file.reference import reference_from_json


def test_null_reference_has_the_required_members_and_is_fresh():
    body = null_reference_body()
    assert body == {"object_id": None, "path": None, "source": ".", "source_object_id": None}
    body["path"] = "/changed"
    assert null_reference_body()["path"] is None
    assert null_reference() == {"_REFERENCE": null_reference_body()}
    assert not reference_from_json(null_reference()) and not reference_from_json(None)


def test_converted_null_references_are_the_null_body(tmp_path):
    path = tmp_path / "n.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("r", data=np.array([h5py.Reference()], dtype=h5py.ref_dtype))
    rfs = lindi.LindiH5ZarrStore.from_file(str(path)).to_reference_file_system()
    f = lindi.LindiH5pyFile.from_reference_file_system(rfs)
    ref = f["r"][0]
    assert not ref and ref.to_json() == null_reference()
    assert not lindi.validate(rfs).errors
