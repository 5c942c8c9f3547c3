"""``lindi validate``: exit status, human output and --json, through the real console entry point."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).parent / "cases"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lindi.cli.main", "validate", *args], capture_output=True, text=True)


def test_valid_exit_0():
    r = run(str(CASES / "valid/document/full.json"))
    assert r.returncode == 0, r.stderr
    assert "valid (profile 1.0, 0 errors, 0 warnings)" in r.stdout


def test_legacy_valid_lists_warning():
    r = run(str(CASES / "valid/legacy/lindi_0_4_style.json"))
    assert r.returncode == 0
    assert "LINDI-W-LEGACY-PROFILE warning at /" in r.stdout


def test_invalid_exit_1_with_code_and_location():
    r = run(str(CASES / "invalid/chunks/outside_grid.json"))
    assert r.returncode == 1
    assert "LINDI-E-CHUNK-GRID error at /refs/acquisition~1ts~1data~12.0" in r.stdout
    assert "INVALID" in r.stdout and "Traceback" not in r.stderr


def test_json_output_is_the_report():
    r = run("--json", str(CASES / "invalid/ref_values/url_only.json"))
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["valid"] is False and [e["code"] for e in report["errors"]] == ["LINDI-E-REF-VALUE"]


def test_not_json_is_invalid_not_io_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 1, "refs": {')
    r = run(str(path))
    assert r.returncode == 1
    assert "LINDI-E-JSON" in r.stdout and "Traceback" not in r.stderr


def test_missing_file_exit_2(tmp_path):
    r = run(str(tmp_path / "missing.lindi.json"))
    assert r.returncode == 2
    assert "cannot read" in r.stderr and "Traceback" not in r.stderr


def test_max_errors_and_usage_errors():
    r = run("--max-errors", "1", str(CASES / "invalid/codecs/pickle.json"))
    assert r.returncode == 1 and "LINDI-E-TOO-MANY-ERRORS" in r.stdout and "truncated" in r.stdout
    assert run("--max-errors", "0", "x").returncode == 2
    assert run().returncode == 2
