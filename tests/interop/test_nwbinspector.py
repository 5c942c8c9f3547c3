"""nwbinspector gives the same messages on each NWB file of the corpus and on its ``.lindi.json``.

Its compression checks rebuild ``h5py.Dataset`` objects around our datasets (hdmf's ``StrDataset``),
so this also checks that the h5py properties read through such wrappers answer as h5py does.
"""
from __future__ import annotations

import h5py
import numpy as np
import pynwb
import pytest
from hdmf.utils import StrDataset
from nwbinspector import inspect_nwbfile_object

import lindi
from tests.fidelity.nwb_features import NWB_FEATURES

pytestmark = pytest.mark.slow

#: Checks about the file itself rather than its content: the document's name ends in .lindi.json.
FILE_NAME_CHECKS = {"check_file_extension"}


def _messages(io_file) -> list[tuple]:
    with pynwb.NWBHDF5IO(file=io_file, mode="r") as io:
        nwbfile = io.read()
        out = [(m.check_function_name, m.object_type, m.object_name, m.location, str(m.importance), m.message)
               for m in inspect_nwbfile_object(nwbfile) if m.check_function_name not in FILE_NAME_CHECKS]
    return sorted(out)


@pytest.mark.parametrize("name", list(NWB_FEATURES))
def test_same_messages_on_the_nwb_file_and_its_document(tmp_path, name):
    source = tmp_path / f"{name}.nwb"
    NWB_FEATURES[name](source)
    doc = tmp_path / f"{name}.nwb.lindi.json"
    with lindi.LindiH5ZarrStore.from_file(str(source)) as store:
        store.write_reference_file_system(str(doc))
    with h5py.File(source, "r") as h:
        expected = _messages(h)
    got = _messages(lindi.LindiH5pyFile.from_lindi_file(str(doc)))
    assert got == expected


def test_h5py_properties_through_a_wrapper_match_h5py(tmp_path):
    """h5py.Dataset properties evaluated on hdmf's StrDataset reach our dataset's h5py-form ``_filters``."""
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(100), chunks=(10,), compression="gzip", compression_opts=3,
                         shuffle=True, fletcher32=True)
        f.create_dataset("plain", data=np.arange(4.0))
    with h5py.File(path, "r") as h, lindi.LindiH5pyFile.from_hdf5_file(str(path)) as f:
        for name in ("x", "plain"):
            ours, theirs = StrDataset(f[name], "utf-8"), StrDataset(h[name], "utf-8")
            for prop in ("compression", "compression_opts", "shuffle", "fletcher32", "scaleoffset", "chunks",
                         "maxshape", "fillvalue"):
                assert getattr(ours, prop) == getattr(theirs, prop), (name, prop)
