"""Getting the document text from a path or an http(s) URL.

I/O failures (missing file, unreachable server, HTTP error) raise
:class:`ValidationSourceError`: the document could not be examined at all.
Text that is not JSON is *not* an I/O failure; the validator reports it as
LINDI-E-JSON.
"""
from __future__ import annotations

import os
from urllib.parse import urlparse

from lindi.errors import LindiError, ValidationSourceError

#: Seconds to wait for a server to connect and to send each part of the answer.
URL_TIMEOUT = 30.0


def is_url(location: str) -> bool:
    """True for anything with a URL scheme (not a Windows drive letter)."""
    scheme = urlparse(location).scheme
    return len(scheme) > 1


def read_source(location: str | os.PathLike[str]) -> bytes:
    """The raw bytes of a local file (the ``lindi.json`` inside a local container) or an http(s) URL."""
    location = os.fspath(location)
    if is_url(location):
        return _read_url(location)
    from lindi.staging.containers import container_document, container_kind
    if container_kind(location) != "json":  # a .lindi.d or .lindi.tar: the document inside it
        try:
            return container_document(location)
        except LindiError as exc:
            raise ValidationSourceError(f"cannot read {location}: {exc}") from None
    try:
        with open(location, "rb") as f:
            return f.read()
    except OSError as exc:
        raise ValidationSourceError(f"cannot read {location}: {exc.strerror or exc}") from None


def _read_url(url: str) -> bytes:
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationSourceError(f"cannot read {url}: only http and https URLs are supported by the validator")
    import requests

    try:
        response = requests.get(url, timeout=URL_TIMEOUT)
    except requests.RequestException as exc:
        raise ValidationSourceError(f"cannot read {url}: {exc.__class__.__name__}: {exc}") from None
    if response.status_code != 200:
        raise ValidationSourceError(f"cannot read {url}: HTTP status {response.status_code}")
    return response.content
