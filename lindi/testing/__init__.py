"""Test support for LINDI and its plugins: local servers and the backend contract.

Imported lazily: ``BackendTests`` needs pytest, the cloud servers need the
``test`` extra.
"""
from __future__ import annotations

from .._lazy import lazy_getattr

_LAZY = {
    "RangeServer": "lindi.testing.range_server",
    "DandiApiDouble": "lindi.testing.dandi_double",
    "BackendTests": "lindi.testing.backend_tests",
    "BackendWriteTests": "lindi.testing.backend_tests",
    "moto_s3_server": "lindi.testing.cloud_servers",
    "gcs_emulator": "lindi.testing.cloud_servers",
    "s3_client": "lindi.testing.cloud_servers",
}

__all__ = list(_LAZY)

__getattr__ = lazy_getattr(globals(), _LAZY)
