"""URL helpers shared by the backends: matching keys, local paths, redaction.

Redaction matters because error messages and logs must never carry a
presigned signature or an access token.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit
from urllib.request import url2pathname

from ..errors import RemoteError

# Query parameters that carry or reveal credentials (AWS SigV2/V4, GCS, Azure SAS, generic tokens).
_SECRET_PARAMS = {
    "signature", "awsaccesskeyid", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "x-goog-credential", "googleaccessid", "sig", "token", "access_token",
    "api_key", "apikey", "key", "se", "sp", "sv", "sr", "st", "skoid", "sktid",
}


def is_local(url: str) -> bool:
    """A plain path (no ``scheme://``) or a ``file://`` URL."""
    return "://" not in url or url.lower().startswith("file://")


def match_key(url: str) -> str:
    """The string prefixes are matched against: scheme and host lower-cased, plain paths as ``file://``."""
    if "://" not in url:
        return "file://" + url
    scheme, rest = url.split("://", 1)
    host, sep, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{sep}{path}"


def local_path(url: str) -> str:
    """The filesystem path of a plain path or ``file://`` URL."""
    if "://" not in url:
        return os.fspath(url)
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"file URL with a remote host is not a local path: {url}")
    return url2pathname(unquote(parts.path))


def redact_url(url: str) -> str:
    """``url`` without user info and without query parameters that carry credentials."""
    if "://" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # unparseable (e.g. an unclosed IPv6 bracket): keep no query and no user info
        scheme, rest = url.split("://", 1)
        authority, sep, path = rest.split("?", 1)[0].split("#", 1)[0].partition("/")
        return f"{scheme}://{authority.rsplit('@', 1)[-1]}{sep}{path}"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in _SECRET_PARAMS]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))


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
