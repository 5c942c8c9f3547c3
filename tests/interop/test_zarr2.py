"""The kerchunk stack (fsspec ReferenceFileSystem + zarr 2 + numcodecs) reads our numeric and string
datasets like h5py, over the whole fidelity corpus (DESIGN section 3). zarr 2 runs in its own virtualenv
(conformance/.work/venv-zarr2, made on first use), as this package needs zarr 3."""
from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

import lindi
from tests.fidelity.h5_features import FEATURES
from tests.fidelity.nwb_features import NWB_FEATURES

from .venvs import venv_python

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("zarr2_read.py")
CORPUS = [("h5", name) for name in FEATURES] + [("nwb", name) for name in NWB_FEATURES]

#: Codecs of this package that numcodecs does not have (HDF5 filters LINDI 0.4 could not represent either).
OWN_CODECS = ("lindi_hdf5_", "imagecodecs_")


@pytest.fixture(scope="session")
def python_zarr2() -> str:
    return venv_python("venv-zarr2", "zarr>=2.18,<3", "fsspec", "numcodecs")


def _expected(dset: h5py.Dataset):
    """h5py's value in zarr2_read's form; None when not a numeric or string dataset."""
    dt = dset.dtype
    string = h5py.check_string_dtype(dt)
    if dset.shape is None or (dt.kind not in "biuf" and string is None) or dt.names is not None:
        return None
    value = dset[()]
    if string is not None:
        arr = np.asarray(value, dtype=object)
        return {"shape": list(arr.shape), "value": _nested(arr, lambda b: b.decode("utf-8", "replace")
                                                          if isinstance(b, bytes) else b)}
    arr = np.asarray(value)
    return {"shape": list(arr.shape), "value": _nested(arr, _number)}


def _number(x):
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer, int)):
        return int(x)
    x = float(x)
    return str(x) if math.isnan(x) or math.isinf(x) else x


def _nested(arr, leaf):
    if not isinstance(arr, np.ndarray):
        return leaf(arr)
    return [_nested(v, leaf) for v in arr] if arr.ndim else leaf(arr[()])


def _datasets(path: Path) -> dict:
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and f.get(name, getlink=True).__class__ is h5py.HardLink:
                out["/" + name] = obj
        f.visititems(visit)
        return {p: _expected(d) for p, d in out.items()}


def _not_for_zarr2(rfs: dict, path: str) -> bool:
    """Arrays whose chunks need a codec numcodecs lacks, or that live in the HDF5 file (external array link)."""
    zarray = rfs["refs"].get(path.strip("/") + "/.zarray", {})
    zattrs = rfs["refs"].get(path.strip("/") + "/.zattrs", {})
    codecs = [*(zarray.get("filters") or []), *([zarray["compressor"]] if zarray.get("compressor") else [])]
    return any(c["id"].startswith(OWN_CODECS) for c in codecs) or "_EXTERNAL_ARRAY_LINK" in zattrs


@pytest.mark.parametrize("kind, name", CORPUS, ids=[f"{k}:{n}" for k, n in CORPUS])
def test_zarr2_reads_our_numeric_and_string_datasets(python_zarr2, tmp_path, kind, name):
    source = tmp_path / f"{name}.{kind}"
    (FEATURES if kind == "h5" else NWB_FEATURES)[name](source)
    doc = tmp_path / f"{name}.lindi.json"
    with lindi.LindiH5ZarrStore.from_file(str(source)) as store:
        store.write_reference_file_system(str(doc))
    rfs = json.loads(doc.read_text())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([python_zarr2, str(SCRIPT), str(doc)], capture_output=True, text=True, timeout=600,
                          env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    checked, wrong, own_codec = 0, {}, []
    for path, want in _datasets(source).items():
        if want is None:
            continue
        if _not_for_zarr2(rfs, path):
            own_codec.append(path)
            continue
        checked += 1
        if got.get(path) != want:
            wrong[path] = {"want": str(want)[:200], "got": str(got.get(path))[:300]}
    print(f"{kind}:{name}: {checked} numeric/string datasets read by zarr 2, {len(wrong)} wrong;"
          f" not tried (codecs numcodecs lacks, external array links): {own_codec}")
    assert wrong == {}
