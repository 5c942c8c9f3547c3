"""The plugin that registers LINDI's own backends and the environment credential provider."""
from __future__ import annotations

import os
from collections.abc import Sequence

from .base import Backend
from .dandi import DandiBackend, DandiInstance
from .gcs import GcsBackend
from .hookspecs import hookimpl
from .http import HttpBackend
from .local import LocalBackend
from .s3 import S3Backend


@hookimpl
def lindi_backends() -> Sequence[type[Backend]]:
    return [LocalBackend, HttpBackend, S3Backend, GcsBackend, DandiBackend]


@hookimpl(trylast=True)
def lindi_credentials(backend: str, target: str) -> str | None:
    """DANDI API keys from ``<INSTANCE>_API_KEY`` (``DANDI_API_KEY``, ``DANDI_SANDBOX_API_KEY``, ...)."""
    if backend != "dandi":
        return None
    return os.environ.get(DandiInstance(target, "").api_key_env_var) or None
