"""The type and lint gate: ``ruff`` and ``mypy`` (configured in pyproject.toml) pass on ``lindi/``.

Run as subprocesses from the repository root so that they read the project's own configuration,
exactly as a developer running ``python -m ruff check lindi`` / ``python -m mypy lindi`` would.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.timeout(300)
def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "lindi", timeout=240)
    assert result.returncode == 0, f"ruff found problems:\n{result.stdout}\n{result.stderr}"


@pytest.mark.timeout(900)
def test_mypy_is_clean() -> None:
    result = _run("mypy", "lindi", timeout=840)
    assert result.returncode == 0, f"mypy found problems:\n{result.stdout}\n{result.stderr}"
    assert "Success" in result.stdout
