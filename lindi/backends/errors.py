"""Errors specific to choosing and configuring storage backends.

I/O failures themselves are :class:`lindi.errors.RemoteError` /
:class:`lindi.errors.IntegrityError`; these cover the registry and config.
"""
from __future__ import annotations

from ..errors import LindiError


class BackendConfigError(LindiError, ValueError):
    """Plugins or the user config disagree (a prefix claimed twice, an unknown pin, a bad TOML value)."""


class NoBackendError(LindiError, ValueError):
    """No registered backend handles a URL."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(f"no storage backend handles this URL (url {url}); see `lindi backends`")


class InvalidRequestError(LindiError, ValueError):
    """A range request is malformed (not ``(url, offset, length)`` with non-negative integers)."""
