"""The project's own exception types.

Every failure caused by bad input (a document, an HDF5 file, a URL, a server)
surfaces as a subclass of :class:`LindiError` whose message names the place:
a JSON pointer, an HDF5 path, or a URL.
"""
from __future__ import annotations


class LindiError(Exception):
    """Base class of all errors raised by LINDI on bad input or failed I/O."""


class DocumentError(LindiError, ValueError):
    """A LINDI document cannot be parsed or is structurally unusable.

    ``pointer`` is the JSON pointer of the offending value ("" for the whole
    document) and ``source`` the path or URL it was read from, when known.
    """

    def __init__(self, message: str, *, pointer: str | None = None, source: str | None = None):
        self.pointer = pointer
        self.source = source
        where = []
        if source:
            where.append(source)
        if pointer is not None:
            where.append(f"at {pointer or '/'}")
        super().__init__(f"{message} ({' '.join(where)})" if where else message)


class LimitExceededError(DocumentError):
    """A configured safety limit (document size, inline size, nesting, ...) was exceeded."""


class ConversionError(LindiError):
    """An HDF5 object could not be converted; ``h5_path`` names it."""

    def __init__(self, message: str, *, h5_path: str | None = None, file: str | None = None):
        self.h5_path = h5_path
        self.file = file
        where = ", ".join(x for x in (f"file {file}" if file else "", f"object {h5_path}" if h5_path else "") if x)
        super().__init__(f"{message} ({where})" if where else message)


class UnsupportedObjectError(ConversionError):
    """The object uses an HDF5 feature that the format cannot represent."""


class RemoteError(LindiError, OSError):
    """Reading from or writing to a URL failed after bounded retries."""

    def __init__(self, message: str, *, url: str | None = None, ref: str | None = None):
        self.url = url
        self.ref = ref
        where = ", ".join(x for x in (f"url {url}" if url else "", f"ref {ref}" if ref else "") if x)
        super().__init__(f"{message} ({where})" if where else message)


class IntegrityError(RemoteError):
    """A response or chunk did not have the exact bytes asked for (never handed to a decoder)."""


class UrlPolicyError(LindiError, PermissionError):
    """A document referenced a location the URL policy forbids."""


class DocumentLockedError(LindiError):
    """A local document is being edited by another process (or cannot be locked on its file system)."""


class CacheError(LindiError):
    """The local chunk cache cannot be used (its folder or its database); reading works without it."""
