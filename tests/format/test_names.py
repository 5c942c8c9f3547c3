"""Reserved names (SPEC 2.5): the reader hides the four annotations, a writer also refuses ``_REFERENCE``."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import lindi
from lindi.editing import EditError
from lindi.format.names import ANNOTATIONS, REFERENCE, RESERVED_ATTRIBUTE_NAMES

SPEC_RESERVED = {"_SCALAR", "_SOFT_LINK", "_COMPOUND_DTYPE", "_EXTERNAL_ARRAY_LINK"}


def test_the_sets():
    assert ANNOTATIONS == SPEC_RESERVED
    assert RESERVED_ATTRIBUTE_NAMES == SPEC_RESERVED | {REFERENCE}


@pytest.fixture
def converted(tmp_path):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=np.arange(3))
        d.attrs["_REFERENCE"] = 5  # an ordinary HDF5 attribute that happens to have this name
        d.attrs["x"] = 1
        f.create_dataset("s", data=7)  # _SCALAR annotation
    return lindi.LindiH5ZarrStore.from_file(str(path)).to_reference_file_system()


def test_reader_hides_annotations_but_shows_an_attribute_named_reference(converted):
    f = lindi.LindiH5pyFile.from_reference_file_system(converted)
    assert converted["refs"]["s/.zattrs"] == {"_SCALAR": True}
    assert dict(f["s"].attrs) == {}
    assert sorted(f["d"].attrs) == ["_REFERENCE", "x"]
    assert f["d"].attrs["_REFERENCE"] == 5 and "_REFERENCE" in f["d"].attrs
    assert not lindi.validate(converted).errors


def test_writer_refuses_reserved_names_but_may_delete_a_shown_attribute(converted):
    f = lindi.LindiH5pyFile.from_reference_file_system(converted, mode="r+")
    for name in sorted(RESERVED_ATTRIBUTE_NAMES):
        with pytest.raises(EditError, match="reserved"):
            f["s"].attrs[name] = 1
    del f["d"].attrs["_REFERENCE"]  # LINDI 0.4 would hide it; the spec does not reserve it
    assert list(f["d"].attrs) == ["x"]
    with pytest.raises(KeyError):
        del f["s"].attrs["_SCALAR"]
