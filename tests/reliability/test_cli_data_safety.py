"""The command line never destroys its input and fails in one line (issue 18 D2, L3, L4, C1)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import lindi
from lindi.staging import write_container


def _cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lindi.cli.main", *args], capture_output=True, text=True, check=False,
                          timeout=300, cwd=cwd)


def _one_line_error(r: subprocess.CompletedProcess, code: int = 2) -> str:
    assert r.returncode == code, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    return r.stderr


@pytest.fixture()
def h5(tmp_path):
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(50000), chunks=(10000,))
    return path


def test_converting_a_file_onto_itself_is_refused(h5, tmp_path):
    before = h5.read_bytes()
    err = _one_line_error(_cli("convert", str(h5), "-o", str(h5)))
    assert "is the input" in err
    link = tmp_path / "link.h5"
    link.symlink_to(h5)
    os.link(h5, tmp_path / "hard.h5")
    for other in (link, tmp_path / "hard.h5"):
        assert "is the input" in _one_line_error(_cli("convert", str(h5), "-o", str(other), "--force"))
    assert h5.read_bytes() == before


def test_an_existing_file_that_is_not_a_lindi_document_needs_force(h5, tmp_path):
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": "keep me"}')
    assert "--force" in _one_line_error(_cli("convert", str(h5), "-o", str(notes)))
    assert json.loads(notes.read_text()) == {"mine": "keep me"}
    r = _cli("convert", str(h5), "-o", str(notes), "--force")
    assert r.returncode == 0, r.stderr
    assert "refs" in json.loads(notes.read_text())
    r = _cli("convert", str(h5), "-o", str(notes))  # a LINDI document now: replaced without --force
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("suffix", [".lindi.tar", ".lindi.d"])
def test_convert_honours_the_container_suffix(h5, tmp_path, suffix):
    out = tmp_path / f"s{suffix}"
    r = _cli("convert", str(h5), "-o", str(out))
    assert r.returncode == 0, r.stderr
    os.rename(h5, tmp_path / "moved.h5")  # the container holds copies of the chunks
    with lindi.LindiH5pyFile.from_lindi_file(str(out)) as f:
        np.testing.assert_array_equal(f["x"][()], np.arange(50000))
    r = _cli("convert", str(tmp_path / "moved.h5"), "-o", str(out))  # an existing container is a LINDI document
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("suffix", [".lindi.tar", ".lindi.d"])
def test_validate_checks_the_document_inside_a_container(h5, tmp_path, suffix):
    with lindi.LindiH5pyFile.from_hdf5_file(str(h5)) as f:
        rfs = f.to_reference_file_system()
    good = write_container(rfs, str(tmp_path / f"good{suffix}"), base=str(tmp_path))
    r = _cli("validate", good)
    assert r.returncode == 0 and "valid" in r.stdout, r.stdout + r.stderr
    rfs["refs"]["x/.zarray"]["dtype"] = "not a dtype"
    bad = write_container(rfs, str(tmp_path / f"bad{suffix}"), base=str(tmp_path))
    r = _cli("validate", bad)
    assert r.returncode == 1 and "INVALID" in r.stdout and "x/.zarray" in r.stdout, r.stdout + r.stderr


def test_publish_of_an_unreadable_source_is_one_line(tmp_path):
    unreadable = "/proc/sys/vm/drop_caches"  # write-only, even for root
    if not os.path.exists(unreadable) or os.access(unreadable, os.R_OK):
        unreadable = str(tmp_path / "u.lindi.json")
        with open(unreadable, "w") as f:
            f.write("{}")
        os.chmod(unreadable, 0)
    err = _one_line_error(_cli("publish", unreadable, str(tmp_path / "dest")))
    assert unreadable in err


def test_demo_in_a_folder_it_cannot_create_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    err = _one_line_error(_cli("demo", "--workdir", str(tmp_path / "file" / "sub")))
    assert "file" in err
