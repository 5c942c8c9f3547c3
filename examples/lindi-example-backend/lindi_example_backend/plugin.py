"""The module named by the ``lindi`` entry point: hook implementations only."""
from __future__ import annotations

from collections.abc import Sequence

from lindi.backends import Backend, hookimpl

from . import MemoryBackend


@hookimpl
def lindi_backends() -> Sequence[type[Backend]]:
    return [MemoryBackend]
