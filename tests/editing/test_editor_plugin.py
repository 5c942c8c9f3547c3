"""The editor plugs into the reader through one slot (tests/test_layers.py checks the reader never imports it)."""
from __future__ import annotations

import subprocess
import sys

import h5py
import numpy as np
import pytest

import lindi
from lindi.editing.objects import EditableAttributes, EditableDataset, EditableGroup
from lindi.h5file import LindiH5pyAttributes, LindiH5pyDataset, LindiH5pyGroup


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_reader_alone_refuses_writing_modes_with_a_clear_error(tmp_path):
    code = f"""
import sys
from lindi.h5file import LindiH5pyFile
from lindi.errors import LindiError
assert "lindi.editing" not in sys.modules
with LindiH5pyFile.from_lindi_file({str(tmp_path / "new.lindi.json")!r}, mode="w") as f:
    pass
"""
    proc = _run(code)
    assert proc.returncode == 1
    assert "LindiError" in proc.stderr and "lindi.editing" in proc.stderr, proc.stderr
    assert not (tmp_path / "new.lindi.json").exists()  # refused before anything was written


@pytest.mark.parametrize("entry", ["import lindi; C = lindi.LindiH5pyFile",
                                   "from lindi.LindiH5pyFile import LindiH5pyFile as C",
                                   "from lindi.LindiH5pyFile.LindiH5pyFile import LindiH5pyFile as C",
                                   "import lindi.h5file; from lindi import LindiH5pyFile as C"])
def test_public_paths_come_with_the_editor_plugged_in(entry):
    proc = _run(entry + """
f = C.from_reference_file_system(None, mode="w")
f.create_group("g").attrs["a"] = 1
assert f["g"].attrs["a"] == 1
print(type(f["g"]).__name__)
""")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "EditableGroup"


def test_each_mode_hands_out_its_classes(tmp_path):
    w = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    w.create_group("g")
    w.create_dataset("d", data=np.arange(3))
    assert (type(w["g"]), type(w["d"]), type(w.attrs)) == (EditableGroup, EditableDataset, EditableAttributes)
    w.write_lindi_file(tmp_path / "x.lindi.json")
    r = lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json")
    assert (type(r["g"]), type(r["d"]), type(r.attrs)) == (LindiH5pyGroup, LindiH5pyDataset, LindiH5pyAttributes)
    assert r._editor is None


def test_mode_r_reads_what_needs_no_write(tmp_path):
    """As in h5py: require_group/require_dataset of an existing object only read, so mode "r" answers them."""
    w = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    w.create_group("g")
    w.create_dataset("d", data=np.arange(3, dtype="i4"))
    w.write_lindi_file(tmp_path / "x.lindi.json")
    r = lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json")
    assert r.require_group("g") == r["g"]
    assert r.require_dataset("d", shape=(3,), dtype="i2") == r["d"]
    with pytest.raises(TypeError, match="Shapes do not match"):
        r.require_dataset("d", shape=(4,), dtype="i4")
    for op in (lambda: r.require_group("new"), lambda: r["g"].require_dataset("x", (1,), "i4"),
               lambda: r.copy("d", "d2"), lambda: r["g"].copy(r["d"], r["g"])):
        with pytest.raises(lindi.ReadOnlyError):
            op()


def test_mode_errors_are_the_errors_h5py_raises(tmp_path):
    with pytest.raises(ValueError, match="invalid mode 'rw'"):
        lindi.LindiH5pyFile.from_reference_file_system(None, mode="rw")
    with pytest.raises(ValueError, match="needs a writing mode"):
        lindi.LindiH5pyFile.from_reference_file_system(None, mode="r")
    lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json", mode="w").close()
    for mode in ("x", "w-"):  # as h5py: FileExistsError (and a LINDI EditError, a ValueError)
        with pytest.raises(FileExistsError, match="file exists"):
            lindi.LindiH5pyFile.from_lindi_file(tmp_path / "x.lindi.json", mode=mode)
    h5py.File(tmp_path / "a.h5", "w").close()
    with pytest.raises(ValueError, match="read-only"):
        lindi.LindiH5pyFile.from_hdf5_file(tmp_path / "a.h5", mode="r+")


def test_objects_that_outlive_their_file_refuse_writes():
    f = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    g = f.create_group("g")
    d = f.create_dataset("d", data=np.arange(3), chunks=(3,), maxshape=(None,))
    f.close()
    for op in (lambda: g.create_group("x"), lambda: g.attrs.__setitem__("a", 1), lambda: d.__setitem__(0, 5),
               lambda: d.resize((5,)), lambda: f.create_group("y")):
        with pytest.raises(lindi.ReadOnlyError, match="closed"):
            op()
    assert list(f) == ["d", "g"] and d[0] == 0  # the document stays readable, unchanged
