"""The whole suite against this package: every vector must pass (the issue's acceptance test)."""
from __future__ import annotations

import json

from .conftest import LINDI_CMD, run_suite

def test_every_vector_passes_against_this_package(tmp_path):
    report = tmp_path / "report.jsonl"
    proc = run_suite("--jobs", "2", "--report", str(report), "--", *LINDI_CMD)
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    failed = [r for r in lines[:-1] if r["status"] not in ("pass", "skip")]
    assert not failed, "\n".join(f"{r['id']}: {r['status']} {r['reason']}" for r in failed)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kinds = {r["kind"] for r in lines[:-1]}
    assert kinds == {"validate", "read", "remote", "legacy", "write"}
    skipped = {r["id"]: r["reason"] for r in lines[:-1] if r["status"] == "skip"}
    assert not skipped, skipped  # this package claims every capability of the suite
    n = len(lines) - 1
    assert proc.stdout.strip().splitlines()[-1] == f"{n} passed, 0 failed, 0 skipped, 0 errors"
