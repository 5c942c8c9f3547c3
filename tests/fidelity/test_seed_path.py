"""The seed API path (``from_hdf5_file(path)``) writes and reads what the store path converts, from the
converter's compact tables: the same bytes written, the same dict, the same refs read."""
from __future__ import annotations

import os

import pytest

import lindi
from lindi.conversion.h5_zarr_store import LindiH5ZarrStore
from lindi.store.document import PackedRefs, from_dict

from .h5_features import FEATURES
from .nwb_features import NWB_FEATURES

KEYS = [f"h5:{name}" for name in sorted(FEATURES)] + [f"nwb:{name}" for name in sorted(NWB_FEATURES)]


@pytest.mark.parametrize("key", KEYS)
def test_seed_path_writes_the_store_paths_bytes(converted, key):
    conv = converted(key)  # written with LindiH5pyFile.from_hdf5_file(src).write_lindi_file(out)
    store_out = conv.lindi_path.with_name("store-path-" + conv.lindi_path.name)
    with LindiH5ZarrStore.from_file(str(conv.source)) as store:
        store.write_reference_file_system(str(store_out))
        assert conv.rfs == store.to_reference_file_system()
    assert conv.lindi_path.read_bytes() == store_out.read_bytes()


@pytest.mark.parametrize("key", KEYS)
def test_seed_path_reads_the_refs_a_loaded_document_has(converted, key):
    """Chunk refs looked up in the tables, hard-link copies collapsed: equal to loading the written dict."""
    conv = converted(key)
    with LindiH5ZarrStore.from_file(str(conv.source)) as store:
        doc = store.ref_document(base=os.path.dirname(os.path.abspath(conv.source)))
    assert isinstance(doc.refs, PackedRefs) and doc.refs.pristine
    loaded = from_dict(conv.rfs).refs
    assert dict(doc.refs.items()) == loaded
    assert len(doc.refs) == len(loaded)
    assert all(doc.refs[k] == v for k, v in loaded.items())  # lookups, not only iteration
    assert doc.to_dict() == conv.rfs


def test_edited_copy_of_the_seed_documents_dict_leaves_the_file_alone(converted):
    conv = converted("h5:layouts")
    with lindi.LindiH5pyFile.from_hdf5_file(str(conv.source)) as f:
        first = f.to_reference_file_system()
        for value in first["refs"].values():
            if isinstance(value, list):
                value[1] += 1
            elif isinstance(value, dict):
                value["edited"] = True
        assert f.to_reference_file_system() == conv.rfs
