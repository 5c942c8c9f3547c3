"""``lindi demo`` through the real command line: offline, exit 0, prints what pynwb read and the sizes."""
from __future__ import annotations

import subprocess
import sys

from lindi import strict_json


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lindi.cli.main", "demo", *args], capture_output=True, text=True,
                          timeout=240, cwd=cwd)


def test_demo_without_arguments(tmp_path):
    result = _run(cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for expected in ["session_description: LINDI demo session", "acquisition/ElectricalSeries: ElectricalSeries "
                     "shape (30000, 16) dtype int16", "units: 5", "trials: 8", "valid: True", ".nwb ",
                     "chunks referenced", "bytes inlined", "demo OK"]:
        assert expected in out, (expected, out)
    assert "CHECK FAILED" not in out
    assert list(tmp_path.iterdir()) == []  # the temporary directory is not left behind in the cwd


def test_demo_keeps_files_in_workdir(tmp_path):
    workdir = tmp_path / "work"
    result = _run("--workdir", str(workdir))
    assert result.returncode == 0, result.stdout + result.stderr
    doc = strict_json.loads((workdir / "sample.nwb.lindi.json").read_text())
    assert doc["version"] == 1 and "lindi_spec" in doc
    assert (workdir / "sample.nwb").stat().st_size > (workdir / "sample.nwb.lindi.json").stat().st_size


def test_demo_workdir_that_is_a_file_is_a_usage_error(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = _run("--workdir", str(not_a_dir))
    assert result.returncode == 2
    assert "file" in result.stderr.lower()
