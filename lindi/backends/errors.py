"""Errors specific to choosing and configuring storage backends.

I/O failures themselves are :class:`lindi.errors.RemoteError` /
:class:`lindi.errors.IntegrityError`; these cover the registry and config.
"""
from __future__ import annotations

from ..errors import BackendConfigError, InvalidRequestError, NoBackendError

__all__ = ["BackendConfigError", "InvalidRequestError", "NoBackendError"]
