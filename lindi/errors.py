"""Every public exception of LINDI, in one place (all exported from :mod:`lindi`).

Every failure caused by bad input (a document, an HDF5 file, a URL, a server)
surfaces as a subclass of :class:`LindiError` whose message names the place:
a JSON pointer, an HDF5 path, or a URL. Where h5py raises a builtin type for
the same mistake (``ValueError`` for a write to a read-only file), the LINDI
error subclasses it too, so code written for h5py keeps catching it.
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


class SourceOpenError(ConversionError, OSError):
    """The HDF5 source is missing, unreadable or not an HDF5 file (an I/O problem, not a conversion one)."""


class ChunkCodecError(LindiError, ValueError):
    """A chunk could not be decoded or encoded with its codec pipeline."""


class ValidationSourceError(LindiError, OSError):
    """The document to validate could not be read (file or URL)."""


class SourceTooLargeError(ValidationSourceError, LimitExceededError):
    """The document to validate is larger than ``max_document_bytes`` (after any Content-Encoding)."""

    def __init__(self, message: str, *, source: str | None = None):
        LimitExceededError.__init__(self, message, pointer="", source=source)


class ReadOnlyError(LindiError, ValueError):
    """A write was attempted on a file or object opened read-only (h5py raises ``ValueError`` here too)."""


class EditError(LindiError, ValueError):
    """An edit the format or h5py's rules do not allow (bad name, dtype the spec cannot hold, ...).

    Raised before anything is changed, so the document stays as it was.
    """


class DocumentExistsError(EditError, FileExistsError):
    """Mode ``w-``/``x`` was asked to create a document that already exists (h5py raises ``FileExistsError``)."""


class BackendConfigError(LindiError, ValueError):
    """Plugins or the user config disagree (a prefix claimed twice, an unknown pin, a bad TOML value)."""


class NoBackendError(LindiError, ValueError):
    """No registered backend handles a URL."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(f"no storage backend handles this URL (url {url}); see `lindi backends`")


class InvalidRequestError(LindiError, ValueError):
    """A range request is malformed (not ``(url, offset, length)`` with non-negative integers)."""


class MissingDependencyError(LindiError, ImportError):
    """An optional dependency (a cloud SDK, pynwb, dask) is not installed; the message names the extra."""


class StagingError(LindiError, OSError):
    """The staging directory cannot take a blob (full or read-only disk, permissions)."""


class ContainerError(DocumentError):
    """A ``.lindi.d`` or ``.lindi.tar`` is malformed or tries to reach outside itself (path traversal)."""


class PublishError(LindiError):
    """Publishing cannot start or cannot finish (bad source or destination, no credentials)."""


class BatchUsageError(LindiError, ValueError):
    """The inputs, output folder or results file of a batch run are unusable (names which and why)."""


class SchedulerError(LindiError, OSError):
    """The Dask scheduler could not be reached or the local cluster could not start."""


class ChunkReadRefused(LindiError):
    """Inspecting the document would have needed bytes outside it (a chunk or a metadata ref)."""


class CatError(LindiError, ValueError):
    """The object cannot be shown in the asked form (not a dataset, not representable as .npy)."""


class SliceError(LindiError, ValueError):
    """The slice text is not numpy slice syntax."""


class UnknownPath(LindiError, KeyError):
    """The path names no object of the document."""

    def __str__(self) -> str:
        return str(self.args[0])


class DocumentLockedError(LindiError):
    """A local document is being edited by another process (or cannot be locked on its file system)."""


class CacheError(LindiError):
    """The local chunk cache cannot be used (its folder or its database); reading works without it."""


class ChunkTooLargeError(LindiError, ValueError):
    """A byte range too large to be one cache entry (LINDI 0.4's name)."""


class LostRegionWarning(UserWarning):
    """A LINDI 0.4 document holds region references as plain object references: their selection is lost."""

