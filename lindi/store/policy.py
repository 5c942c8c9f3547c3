"""Which locations a document may make the reader open: the policy lives in :mod:`lindi.security.url_policy`."""
from __future__ import annotations

from ..security.url_policy import UrlPolicy, applying, is_remote

__all__ = ["UrlPolicy", "applying", "is_remote"]
