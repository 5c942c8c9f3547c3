"""Virtualenvs for readers that cannot share this package's environment (LINDI 0.4.6 has our import name,
zarr 2 cannot sit beside zarr 3): made on first use under conformance/.work, kept up to date by pip."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WORK = Path(__file__).resolve().parents[2] / "conformance" / ".work"


def venv_python(name: str, *requirements: str) -> str:
    """The Python of ``conformance/.work/<name>`` with ``requirements`` installed."""
    python = WORK / name / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(WORK / name)], check=True, timeout=300)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True, timeout=900)
    return str(python)
