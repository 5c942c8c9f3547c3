"""Which locations a document may make the reader open (SPEC section 11).

A document read from a remote URL must not reach local files, and a document
from a public host must not reach private or loopback addresses, unless the
user allows it. A locally read document may reference anything.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ..errors import UrlPolicyError


def is_remote(url: str) -> bool:
    """A URL with a scheme other than ``file``."""
    return "://" in url and not url.lower().startswith("file://")


@lru_cache(maxsize=4096)
def is_private_host(url: str) -> bool:
    """True when ``url`` names localhost or a private, loopback or link-local IP address (no DNS lookup)."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified


@dataclass(frozen=True)
class UrlPolicy:
    """``allow_local_files`` / ``allow_private_hosts``: what refs of a document may point at."""

    allow_local_files: bool = True
    allow_private_hosts: bool = True

    @classmethod
    def for_document(cls, location: str | None, *, allow_local_files: bool | None = None,
                     allow_private_hosts: bool | None = None) -> UrlPolicy:
        """The default for a document read from ``location``, with explicit user choices applied.

        A document on a private host (the user chose to read it from there) may
        reference that network; one on a public host may not.
        """
        remote = location is not None and is_remote(location)
        return cls(
            allow_local_files=(not remote) if allow_local_files is None else allow_local_files,
            allow_private_hosts=(not remote or is_private_host(location or ""))
            if allow_private_hosts is None else allow_private_hosts)

    def check(self, url: str, *, where: str | None = None) -> None:
        """Raise :class:`UrlPolicyError` when the document may not make the reader open ``url``."""
        suffix = f" (referenced at {where})" if where else ""
        if not is_remote(url):
            if not self.allow_local_files:
                raise UrlPolicyError(f"a remote document may not reference the local file {url}{suffix}; "
                                     "pass allow_local_files=True to allow it")
        elif not self.allow_private_hosts and is_private_host(url):
            raise UrlPolicyError(f"a document from a public host may not reference the private address {url}"
                                 f"{suffix}; pass allow_private_hosts=True to allow it")
