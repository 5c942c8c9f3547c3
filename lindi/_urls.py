"""Locations as text: plain paths, ``file://`` URLs and remote URLs, and how an error message shows a URL.

The bottom layer, so that the URL policy (:mod:`lindi.security.url_policy`), the storage backends and
everything above them read a location the same way. Redaction matters because error messages and logs
must never carry a presigned signature or an access token.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["is_local", "is_remote", "local_path", "redact_url"]

# Query parameters that carry or reveal credentials (AWS SigV2/V4, GCS, Azure SAS, generic tokens).
_SECRET_PARAMS = {
    "signature", "awsaccesskeyid", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "x-goog-credential", "googleaccessid", "sig", "token", "access_token",
    "api_key", "apikey", "key", "se", "sp", "sv", "sr", "st", "skoid", "sktid",
}


def is_local(url: str) -> bool:
    """A plain path (no ``scheme://``) or a ``file://`` URL."""
    return "://" not in url or url.lower().startswith("file://")


def is_remote(url: str) -> bool:
    """A URL with a scheme other than ``file``."""
    return not is_local(url)


def local_path(url: str) -> str:
    """The filesystem path of a plain path or ``file://`` URL (a ValueError for ``file://otherhost/...``)."""
    if "://" not in url:
        return os.fspath(url)
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"file URL with a remote host is not a local path: {url}")
    from urllib.request import url2pathname  # only for file:// URLs: urllib.request loads http.client and ssl

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
