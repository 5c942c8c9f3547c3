"""Getting the document text from a path or an http(s) URL.

I/O failures (missing file, unreachable server, HTTP error) raise
:class:`ValidationSourceError`: the document could not be examined at all.
Text that is not JSON is *not* an I/O failure; the validator reports it as
LINDI-E-JSON.
"""
from __future__ import annotations

import os
from urllib.parse import urlparse

from lindi.container_layout import container_document, container_kind
from lindi.errors import LimitExceededError, LindiError, RemoteError, SourceTooLargeError, ValidationSourceError
from lindi.security.limits import Limits, read_capped

_HEAD_BYTES = 4096  # a document's "{" comes after at most this much white space, or the container code decides


def is_url(location: str) -> bool:
    """True for anything with a URL scheme (not a Windows drive letter)."""
    scheme = urlparse(location).scheme
    return len(scheme) > 1


def read_source(location: str | os.PathLike[str], *, limits: Limits | None = None) -> bytes:
    """The raw bytes of a local file (the ``lindi.json`` inside a local container) or an http(s) URL.

    At most ``max_document_bytes`` of them: a URL is read through the http backend (retries, the size cap
    applied to the body as decoded from any Content-Encoding); a file, device or pipe with a capped read
    (``/dev/zero`` is refused, not read forever).
    """
    location = os.fspath(location)
    limits = limits or Limits.from_env()
    if not is_url(location) and not _starts_like_a_document(location):
        if container_kind(location) != "json":  # a .lindi.d or .lindi.tar: the document inside it
            try:
                return container_document(location)
            except LindiError as exc:
                raise ValidationSourceError(f"cannot read {location}: {exc}") from None
    try:
        if is_url(location):
            return _read_url(location, limits)
        with open(location, "rb") as f:
            return read_capped(f, source=location, limits=limits)
    except LimitExceededError as exc:
        raise SourceTooLargeError(str(exc)) from None
    except OSError as exc:
        raise ValidationSourceError(f"cannot read {location}: {exc.strerror or exc}") from None


def _starts_like_a_document(path: str) -> bool:
    """True for a regular file whose text begins with ``{``: a document itself, whatever its name, not a
    container (a tar begins with a member name, a ``.lindi.d`` is a directory)."""
    try:
        if not os.path.isfile(path):
            return False
        with open(path, "rb") as f:
            return f.read(_HEAD_BYTES).lstrip()[:1] == b"{"
    except OSError:
        return False  # the container check and the read that follow say why


def _read_url(url: str, limits: Limits) -> bytes:
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationSourceError(f"cannot read {url}: only http and https URLs are supported by the validator")
    from lindi.backends import get_registry

    try:
        return get_registry().read_object(url, limits.max_document_bytes)
    except LimitExceededError as exc:
        raise LimitExceededError(f"document too large: {exc}; raise the limit with max_document_bytes=... or "
                                 "LINDI_MAX_DOCUMENT_BYTES", pointer="", source=url) from None
    except RemoteError as exc:
        raise ValidationSourceError(str(exc)) from None
