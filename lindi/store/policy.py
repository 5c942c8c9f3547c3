"""Which locations a document may make the reader open: the rules live in :mod:`lindi.security.url_policy`.

The store's :class:`UrlPolicy` adds what the security layer cannot know, as it sits below the backends:
which URL schemes some registered backend serves.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..backends import NoBackendError, get_registry
from ..security import url_policy
from ..security.url_policy import applying, is_remote

__all__ = ["UrlPolicy", "applying", "is_remote", "served_by_a_backend"]


def served_by_a_backend(url: str) -> bool:
    """Whether the process-wide backend registry serves ``url`` (asked at each check: it can be replaced)."""
    try:
        get_registry().backend_for(url)
    except NoBackendError:
        return False
    return True


@dataclass(frozen=True)
class UrlPolicy(url_policy.UrlPolicy):
    """The security layer's URL policy whose scheme rule asks the backend registry: a remote URL no
    registered backend serves is refused (``serves=None`` lifts the rule)."""

    serves: Callable[[str], bool] | None = field(default=served_by_a_backend, compare=False)
