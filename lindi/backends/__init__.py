"""Pluggable storage backends: local files, HTTP(S), S3, GCS, DANDI, and third-party plugins.

The reader hands batches of ``(url, offset, length)`` to :func:`read_ranges`,
which dispatches each URL to the backend chosen by the registry (see
:mod:`lindi.backends.registry`) and returns the bytes in request order.
Plugins implement the hooks in :mod:`lindi.backends.hookspecs`.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from .base import Backend, RangeReader, RangeRequest
from .config import BackendSettings, load_settings
from .errors import BackendConfigError, InvalidRequestError, NoBackendError
from .hookspecs import hookimpl
from .registry import BackendInfo, Registry, settings_with
from .retry import RetryPolicy, Transient
from .verify import RangeResponse

__all__ = [
    "Backend", "BackendConfigError", "BackendInfo", "BackendSettings", "InvalidRequestError",
    "NoBackendError", "RangeReader", "RangeRequest", "RangeResponse", "Registry", "RetryPolicy", "Transient",
    "aread_ranges", "configure", "get_registry", "hookimpl", "read_ranges", "set_registry",
]

_registry: Registry | None = None
_registry_lock = threading.Lock()


def get_registry() -> Registry:
    """The process-wide registry (built on first use from the user config and entry points)."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = Registry()
        return _registry


def set_registry(registry: Registry | None) -> Registry | None:
    """Install ``registry`` as the process-wide one (``None``: rebuild on next use); returns the old one."""
    global _registry
    with _registry_lock:
        old, _registry = _registry, registry
        return old


def configure(options: Mapping[str, Mapping[str, Any]] | None = None, *,
              pins: Mapping[str, str] | None = None, retry: Mapping[str, Any] | None = None) -> Registry:
    """Rebuild the process-wide registry with extra per-backend options, pins and retry defaults.

    Example: ``configure({"s3": {"endpoint_url": "http://127.0.0.1:9000"}}, pins={...})``.
    """
    base = load_settings()
    settings = settings_with(base, options or {})
    settings.pins.update(pins or {})
    settings.retry.update(retry or {})
    registry = Registry(settings)
    old = set_registry(registry)
    if old is not None:
        old.close()
    return registry


def read_ranges(requests: Sequence[RangeRequest]) -> list[bytes]:
    """Read ``(url, offset, length)`` ranges from wherever they live; bytes in the same order.

    This is the reader's ``RangeReader``. Raises :class:`lindi.errors.RemoteError`
    / :class:`lindi.errors.IntegrityError` naming the URL and ref.
    """
    return get_registry().read_ranges(requests)


async def aread_ranges(requests: Sequence[RangeRequest]) -> list[bytes]:
    """Async :func:`read_ranges`."""
    import asyncio  # imported when first awaited: synchronous readers never load it

    return await asyncio.to_thread(read_ranges, list(requests))
