"""``LindiH5pyFile.from_hdf5_file``: the opened file reads the converter's compact chunk tables in place.

Chunk refs are looked up by grid position (never-written chunks absent, rows in any order), nothing
per chunk is made when a file is opened and written, and edits still work (the first one makes a
plain dict of the refs).
"""
from __future__ import annotations

import os
import pickle
import tracemalloc

import h5py
import numpy as np
import pytest

import lindi
from lindi.conversion.chunks import ChunkTable
from lindi.conversion.document import ConvertedDocument
from lindi.conversion.h5_zarr_store import LindiH5ZarrStore
from lindi.conversion.packed_refs import ConvertedRefs, RowFinder
from lindi.store import LindiReferenceStore
from lindi.store.document import PackedRefs


def _table(rows: list[tuple[tuple[int, int], int, int]]) -> ChunkTable:
    table = ChunkTable("a/b/", (10, 4))
    for origin, offset, size in rows:
        table.add(origin, offset, size)
    return table


def test_row_finder_on_rows_out_of_order_with_unwritten_chunks():
    rows = [((20, 4), 300, 3), ((0, 0), 100, 1), ((10, 8), 200, 2), ((0, 4), 50, 5)]
    finder = RowFinder(_table(rows))
    assert [finder.row(k) for k in ("2.1", "0.0", "1.2", "0.1")] == [0, 1, 2, 3]
    for absent in ("1.0", "2.2", "3.0", "0.3", "9.9"):  # never written, or beyond every written chunk
        assert finder.row(absent) is None
    for malformed in ("00.1", "0.01", "0", "0.0.0", "-1.0", "a.0", "", "0.", "\u0661.0"):
        assert finder.row(malformed) is None


def test_row_finder_of_a_whole_grid_in_order_keeps_no_positions():
    finder = RowFinder(_table([((i * 10, j * 4), i * 3 + j, 1) for i in range(2) for j in range(3)]))
    assert [finder.row(f"{i}.{j}") for i in range(2) for j in range(3)] == list(range(6))
    assert finder._positions is None and finder.row("2.0") is None


def test_converted_refs_serve_metadata_and_chunks_and_materialise_on_the_first_edit():
    document = ConvertedDocument("/data/f.h5", template_threshold=2)
    document.add_refs({".zgroup": {"zarr_format": 2}, "a/b/.zarray": {"shape": [30, 12], "chunks": [10, 4]}})
    document.add_table(_table([((20, 4), 300, 3), ((0, 0), 100, 1)]))
    refs = ConvertedRefs(document, "{{u1}}")
    assert refs["a/b/2.1"] == ["{{u1}}", 300, 3] and refs["a/b/0.0"] == ["{{u1}}", 100, 1]
    assert "a/b/1.0" not in refs and "a/c/0.0" not in refs and refs.get("a/b/x") is None
    assert list(refs) == [".zgroup", "a/b/.zarray", "a/b/2.1", "a/b/0.0"] and len(refs) == 4
    assert dict(pickle.loads(pickle.dumps(refs)).items()) == dict(refs.items())
    assert refs.pristine and dict(refs.structure()) == {k: refs[k] for k in (".zgroup", "a/b/.zarray")}
    del refs["a/b/0.0"]
    refs["a/b/1.0"] = ["{{u1}}", 7, 7]
    assert not refs.pristine
    assert dict(refs.items()) == {".zgroup": {"zarr_format": 2}, "a/b/.zarray": {"shape": [30, 12], "chunks": [10, 4]},
                                  "a/b/2.1": ["{{u1}}", 300, 3], "a/b/1.0": ["{{u1}}", 7, 7]}


@pytest.fixture
def sparse_file(tmp_path):
    """A 2-D dataset with unwritten chunks and a resize, plus a v2 B-tree (libver latest) dataset."""
    path = tmp_path / "sparse.h5"
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("grid", shape=(40, 30), maxshape=(None, None), chunks=(7, 4), dtype="<i4",
                             fillvalue=-1)
        d[3:9, 5:11] = np.arange(36).reshape(6, 6)
        d[30:33, 20:29] = 5
        d.resize((47, 30))
        d[44:47, 0:2] = 9
        v = f.create_dataset("v2", shape=(0, 6), maxshape=(None, None), chunks=(3, 2), dtype="f8")
        v.resize((12, 9))
        v[:, :] = np.arange(108, dtype="f8").reshape(12, 9)
        f.attrs["title"] = "sparse"
    return path


def test_seed_file_reads_like_h5py_and_writes_like_the_store_path(sparse_file, tmp_path):
    with lindi.LindiH5pyFile.from_hdf5_file(sparse_file) as f, h5py.File(sparse_file) as h:
        for name in ("grid", "v2"):
            np.testing.assert_array_equal(f[name][()], h[name][()])
            np.testing.assert_array_equal(f[name][5:40:3, 1:7], h[name][5:40:3, 1:7])
        f.write_lindi_file(tmp_path / "seed.lindi.json")
        assert f._store.document.refs.pristine  # writing made no plain dict
    with LindiH5ZarrStore.from_file(sparse_file) as store:
        store.write_reference_file_system(tmp_path / "store.lindi.json")
    assert (tmp_path / "seed.lindi.json").read_bytes() == (tmp_path / "store.lindi.json").read_bytes()


def test_editing_a_converted_document_in_place(sparse_file, tmp_path):
    """Edits through the reader's editor: the refs become a plain dict and the written document follows."""
    with LindiH5ZarrStore.from_file(sparse_file) as store:
        doc = store.ref_document(base=os.path.dirname(os.path.abspath(sparse_file)))
    f = lindi.LindiH5pyFile(LindiReferenceStore(doc), mode="r+")
    f.attrs["title"] = "edited"
    f["grid"].resize((20, 30))
    del f["v2"]
    assert isinstance(doc.refs, PackedRefs) and not doc.refs.pristine
    out = tmp_path / "edited.lindi.json"
    f.write_lindi_file(out)
    with lindi.LindiH5pyFile.from_lindi_file(out) as g, h5py.File(sparse_file) as h:
        assert g.attrs["title"] == "edited" and "v2" not in g
        np.testing.assert_array_equal(g["grid"][()], h["grid"][:20])
        leaves = [k.rpartition("/")[2] for k in g.to_reference_file_system()["refs"] if k.startswith("grid/")]
        rows = {int(leaf.split(".")[0]) for leaf in leaves if not leaf.startswith(".")}
        assert rows == {0, 1}  # written chunk rows 4 and 6 lie past the new shape (20 rows, 7-row chunks)


def test_open_and_write_make_nothing_per_chunk(tmp_path):
    """The old seed path built a dict of every chunk ref (and copies of it): about 300 bytes per chunk at
    the peak. Reading from the tables keeps the peak to the table and one batch of text."""
    n = 50_000
    src = tmp_path / "many.h5"
    with h5py.File(src, "w") as h:
        h.create_dataset("x", data=np.arange(n * 4, dtype="i1") % 7, chunks=(4,))
    tracemalloc.start()
    try:
        f = lindi.LindiH5pyFile.from_hdf5_file(src)
        f.write_lindi_file(tmp_path / "many.lindi.json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / n < 160, f"{peak / n:.0f} bytes per chunk at the peak"
    with lindi.LindiH5pyFile.from_lindi_file(tmp_path / "many.lindi.json") as g:
        np.testing.assert_array_equal(g["x"][-10:], f["x"][-10:])
