"""URL helpers of the backends: matching keys to prefixes, naming refs, splitting bucket URLs.

The location helpers every layer shares (``is_local``, ``local_path``, ``redact_url``) live in
:mod:`lindi._urls`, below the URL policy, and are re-exported here for the modules that import them
from the backends.
"""
from __future__ import annotations

from .._urls import is_local, local_path, redact_url
from ..errors import RemoteError

__all__ = ["is_local", "local_path", "match_key", "redact_url", "ref_text", "split_bucket_url"]


def match_key(url: str) -> str:
    """The string prefixes are matched against: scheme and host lower-cased, plain paths as ``file://``."""
    if "://" not in url:
        return "file://" + url
    scheme, rest = url.split("://", 1)
    host, sep, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{sep}{path}"


def ref_text(url: str, offset: int, length: int) -> str:
    """How a ref is named in an error message (redacted URL)."""
    return f"[{redact_url(url)!r}, {offset}, {length}]"


def split_bucket_url(url: str, scheme: str) -> tuple[str, str]:
    """``<scheme>://bucket/key`` -> ``(bucket, key)`` (s3, gs); a RemoteError naming the URL otherwise."""
    prefix = f"{scheme}://"
    rest = url[len(prefix):] if url.lower().startswith(prefix) else ""
    bucket, _, key = rest.partition("/")
    if not bucket or not key:
        raise RemoteError(f"not a {prefix}bucket/key URL", url=url)
    return bucket, key
