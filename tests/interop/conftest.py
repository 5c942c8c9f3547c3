"""Fixtures shared by the interop tests."""
from __future__ import annotations

import pytest

from .venvs import venv_python


@pytest.fixture(scope="session")
def python04() -> str:
    """LINDI 0.4.6's Python; imagecodecs because 0.4.6 imports it at load time without declaring it."""
    return venv_python("venv-interop04", "lindi==0.4.6", "pynwb", "imagecodecs")
