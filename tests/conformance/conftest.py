"""Shared paths and a helper to run the stdlib runner as a subprocess."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFORMANCE = os.path.join(REPO, "conformance")
RUNNER = os.path.join(CONFORMANCE, "run.py")
LINDI_CMD = [sys.executable, "-m", "lindi.cli.main", "conformance"]


def run_suite(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """The runner in isolated mode (-I: no site-packages, no cwd on sys.path) against this package."""
    return subprocess.run([sys.executable, "-I", RUNNER, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


@pytest.fixture
def vectors_copy(tmp_path):
    """A private copy of the vectors tree that a test may corrupt."""
    dest = tmp_path / "vectors"
    shutil.copytree(os.path.join(CONFORMANCE, "vectors"), dest)
    return dest
