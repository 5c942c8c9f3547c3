"""``lindi.LindiH5pyFile`` / ``lindi.LindiH5ZarrStore`` are the classes whatever was imported first (LINDI 0.4 API)."""
from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import inspect, sys, lindi
assert inspect.isclass(lindi.LindiH5pyFile), lindi.LindiH5pyFile
assert inspect.isclass(lindi.LindiH5ZarrStore), lindi.LindiH5ZarrStore
assert callable(lindi.LindiH5pyFile.from_hdf5_file)
import lindi.validation
assert lindi.validate is lindi.validation.validate, lindi.validate
print("ok")
"""

FIRST_IMPORTS = [
    "import lindi",
    "import lindi.LindiH5pyFile",
    "import lindi.LindiH5ZarrStore",
    "from lindi.LindiH5pyFile import LindiH5pyDataset",
    "import lindi.LindiH5pyFile.dataset",
    "import lindi.LindiH5ZarrStore.LindiH5ZarrStore",
    "import lindi.validation; import lindi.LindiH5pyFile",
    "from lindi.validation import validate",
    "import lindi; lindi.LindiH5pyFile; import lindi.LindiH5pyFile.file",
]


@pytest.mark.parametrize("first", FIRST_IMPORTS)
def test_class_names_survive_any_import_order(first):
    proc = subprocess.run([sys.executable, "-c", first + "\n" + CHECK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_import_lindi_stays_light():
    """The lazy loader keeps h5py and zarr out of ``import lindi`` (the CLI starts fast)."""
    code = "import sys, lindi; print(sorted(m for m in ('h5py', 'zarr', 'numpy') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


LINDI04_NAMES = ["LindiH5ZarrStore", "LindiH5ZarrStoreOpts", "LindiH5pyFile", "LindiH5pyGroup", "LindiH5pyDataset",
                 "LindiH5pyHardLink", "LindiH5pySoftLink", "LindiH5pyReference", "LocalCache", "ChunkTooLargeError",
                 "add_additional_url_resolver"]


def test_every_top_level_name_of_lindi04_exists():
    import h5py

    import lindi

    missing = [n for n in LINDI04_NAMES if not hasattr(lindi, n)]
    assert missing == []
    assert issubclass(lindi.LindiH5pySoftLink, h5py.SoftLink) and issubclass(lindi.LindiH5pyHardLink, h5py.HardLink)
    assert issubclass(lindi.ChunkTooLargeError, Exception)
