"""``.lindi.tar`` containers grown both ways: LINDI 0.4.6 writes one, our ``LindiTarFile`` adds a dataset,
LINDI 0.4.6 reads it; and LINDI 0.4.6's own ``LindiTarFile`` grows one our facade created."""
from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

import lindi
from lindi.tar.lindi_tar import LindiTarFile

pytestmark = pytest.mark.slow

_Y_ZARRAY = {"zarr_format": 2, "shape": [2], "chunks": [2], "dtype": "<i4", "compressor": None, "filters": None,
             "fill_value": 0, "order": "C"}


def _run04(python04: str, code: str, cwd) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # never import this package there
    proc = subprocess.run([python04, "-c", code], capture_output=True, text=True, timeout=300, env=env, cwd=cwd,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_lindi04_tar_grown_here_reads_in_lindi04(python04, tmp_path):
    tar = tmp_path / "a.lindi.tar"
    _run04(python04, f"import lindi, numpy as np\nf = lindi.LindiH5pyFile.from_lindi_file({str(tar)!r}, mode='w')\n"
                     "f.create_dataset('x', data=np.arange(30000))\nf.close()", tmp_path)
    with LindiTarFile(str(tar)) as t:
        rfs = json.loads(t.read_file("lindi.json"))
        t.write_file("blobs/y", np.array([5, 6], "<i4").tobytes())
        rfs["refs"].update({"y/.zarray": _Y_ZARRAY, "y/.zattrs": {}, "y/0": ["./blobs/y", 0, 8]})
        t.write_rfs(rfs)
    out = _run04(python04, "import json, lindi\n"
                           f"f = lindi.LindiH5pyFile.from_lindi_file({str(tar)!r})\n"
                           "print(json.dumps([int(f['x'][()].sum()), f['y'][()].tolist()]))", tmp_path)
    assert json.loads(out) == [sum(range(30000)), [5, 6]]


def test_tar_created_here_grows_in_lindi04(python04, tmp_path):
    tar = tmp_path / "b.lindi.tar"
    LindiTarFile.create(str(tar), rfs={"version": 1, "refs": {".zgroup": {"zarr_format": 2}, ".zattrs": {}}})
    _run04(python04, "import json\nfrom lindi.tar.lindi_tar import LindiTarFile\n"
                     f"t = LindiTarFile({str(tar)!r})\n"
                     "rfs = json.loads(t.read_file('lindi.json'))\n"
                     "t.write_file('blobs/y', bytes([5, 0, 0, 0, 6, 0, 0, 0]))\n"
                     f"rfs['refs'].update({{'y/.zarray': {_Y_ZARRAY!r}, 'y/.zattrs': {{}}, 'y/0': ['./blobs/y', 0, 8]}})\n"
                     "t.write_rfs(rfs)\nt.close()\n", tmp_path)
    with lindi.LindiH5pyFile.from_lindi_file(str(tar)) as f:
        assert f["y"][()].tolist() == [5, 6]
