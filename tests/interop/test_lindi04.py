"""Interoperability with LINDI 0.4.6 (DESIGN section 3), both ways, through pynwb.

LINDI 0.4.6 has the same import name as this package, so it runs in its own virtualenv
(conformance/.work/venv-interop04, made on first use from the package registry).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import h5py
import pytest

import lindi
from lindi.demo import build_sample_nwb

from .nwb_digest import digest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("nwb_digest.py")


@pytest.fixture(scope="session")
def sample_nwb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("interop") / "sample.nwb"
    build_sample_nwb(path)
    return path


def _run04(python04: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([python04, str(SCRIPT), *args], capture_output=True, text=True, timeout=600, env=env,
                          cwd=SCRIPT.parent.parent.parent / "conformance")  # not the repo root: never import ours
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_lindi04_reads_our_documents_like_the_nwb(python04, sample_nwb, tmp_path):
    ours = tmp_path / "sample.nwb.lindi.json"
    lindi.LindiH5pyFile.from_hdf5_file(str(sample_nwb)).write_lindi_file(str(ours))
    with h5py.File(sample_nwb, "r") as f:
        expected = digest(f)
    assert json.loads(_run04(python04, str(ours))) == expected


def test_we_read_lindi04_documents_like_the_nwb(python04, sample_nwb, tmp_path):
    theirs = tmp_path / "by-lindi-0.4.6.lindi.json"
    _run04(python04, str(sample_nwb), "--convert-with-lindi", str(theirs))
    assert "lindi_spec" not in json.loads(theirs.read_text())  # a legacy-profile document
    assert lindi.validate(str(theirs)).valid
    with h5py.File(sample_nwb, "r") as f:
        expected = digest(f)
    assert digest(lindi.LindiH5pyFile.from_lindi_file(str(theirs))) == expected
