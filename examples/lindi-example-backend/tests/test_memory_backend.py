"""The example backend proves itself with LINDI's contract tests."""
from __future__ import annotations

import pytest

from lindi.testing import BackendTests
from lindi_example_backend import MemoryBackend, put


class TestMemoryBackend(BackendTests):
    @pytest.fixture
    def backend(self):
        return MemoryBackend()

    @pytest.fixture
    def make_object(self):
        return lambda name, data: put(f"memory://example/{name}", data)
