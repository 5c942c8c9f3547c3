"""Converting a local file loads no package it does not use (issue 14: peak memory of a conversion).

Each conversion runs in a fresh interpreter, which then lists the heavy modules it holds. The HTTP client,
pydantic, the validator, the cloud SDKs and (on the store path) zarr belong to other features and were
once all loaded by the converter's imports, about 25 MB of a 110 MB peak.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

#: Never needed to convert a local file, by either path.
NOT_FOR_LOCAL_FILES = ("requests", "urllib3", "pydantic", "jsonschema", "boto3", "botocore", "google.cloud",
                       "lindi.validation", "sqlite3")

_STORE_PATH = """
from lindi.conversion.h5_zarr_store import LindiH5ZarrStore
with LindiH5ZarrStore.from_file(src) as store:
    store.write_reference_file_system(out)
"""
_SEED_PATH = """
from lindi import LindiH5pyFile
LindiH5pyFile.from_hdf5_file(src).write_lindi_file(out)
"""


def _small_file(path: Path) -> None:
    with h5py.File(path, "w") as f:
        f.create_dataset("chunked", data=np.arange(4000, dtype="i4").reshape(40, 100), chunks=(10, 10),
                         compression="gzip")
        f.create_dataset("contiguous", data=np.arange(10.0))
        f.attrs["note"] = "x"


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    src, out = tmp_path / "in.h5", tmp_path / "out.lindi.json"
    _small_file(src)
    script = (f"import json, sys\nsrc, out = {str(src)!r}, {str(out)!r}\n{code}\n"
              "print(json.dumps(sorted(sys.modules)))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["refs"]["chunked/0.0"][1:] != [0, 0]  # the chunk table was written
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules or any(m.startswith(name + ".") for m in modules)]


def test_store_path_loads_neither_zarr_nor_network_nor_validation(tmp_path: Path) -> None:
    modules = _modules_after(_STORE_PATH, tmp_path)
    assert "h5py" in modules and "lindi.conversion.chunk_index.btree_v1" in modules  # it did convert
    # zarr brings asyncio and with it ssl: neither is for the converter
    assert _loaded(modules, NOT_FOR_LOCAL_FILES + ("zarr", "asyncio", "ssl", "lindi.cache")) == []


def test_seed_path_loads_no_network_client_pydantic_or_validator(tmp_path: Path) -> None:
    modules = _modules_after(_SEED_PATH, tmp_path)
    assert "zarr" in modules  # the opened file is read through the zarr store: that one is needed
    assert _loaded(modules, NOT_FOR_LOCAL_FILES) == []
