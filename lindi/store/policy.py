"""Which locations a document may make the reader open: the policy lives in :mod:`lindi.security.url_policy`."""
from __future__ import annotations

from ..security.url_policy import UrlPolicy, is_remote

__all__ = ["UrlPolicy", "is_remote"]
