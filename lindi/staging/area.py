"""``StagingArea``: where new chunks wait, content-addressed, until they are published.

The writer hands each new chunk to :meth:`StagingArea.store_chunk` and puts
the returned ``[url, 0, length]`` into the document. Identical chunks are
stored once. The directory disappears when the ``with`` block ends unless
``keep=True`` (keep it when the document is to be published later).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from .._atomic import remove_stale_temporaries, temp_prefix
from ..backends.local import describe_os_error
from ..backends.urls import local_path
from .blobs import atomic_write, blob_relpath, check_digest, sha256_hex
from .errors import StagingError

#: A range ref as it goes into a document: ``[url, offset, length]``.
RefValue = list[str | int]


class StagingArea:
    """A directory of content-addressed blobs (``blobs/sha256/ab/cd/<hex>``)."""

    def __init__(self, directory: str | os.PathLike[str], *, keep: bool = False):
        self.directory = os.path.abspath(os.fspath(directory))
        self.keep = keep

    @classmethod
    def create(cls, base_dir: str | os.PathLike[str] | None = None, *, keep: bool = False) -> StagingArea:
        """A new, empty staging area in a fresh directory under ``base_dir`` (default: the temp dir)."""
        try:
            if base_dir is not None:
                os.makedirs(base_dir, exist_ok=True)
            directory = tempfile.mkdtemp(prefix="lindi-staging-", dir=base_dir)
        except OSError as exc:
            raise StagingError(f"cannot create a staging directory in {base_dir or tempfile.gettempdir()}: "
                               f"{describe_os_error(exc)}") from exc
        return cls(directory, keep=keep)

    @classmethod
    def scratch(cls) -> StagingArea:
        """A staging area for this process only (an edited container's new chunks until it is written).

        Its name carries the process (see :mod:`lindi._atomic`), so that the
        next one created removes those of processes killed before cleaning up.
        """
        base = tempfile.gettempdir()
        remove_stale_temporaries(base)
        try:
            return cls(tempfile.mkdtemp(prefix=temp_prefix("staging"), dir=base))
        except OSError as exc:
            raise StagingError(f"cannot create a staging directory in {base}: {describe_os_error(exc)}") from exc

    def __enter__(self) -> StagingArea:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.keep:
            self.cleanup()

    def cleanup(self) -> None:
        """Delete the directory and everything staged in it."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def blob_path(self, digest: str) -> str:
        """The file holding the blob with SHA-256 ``digest`` (whether or not it exists)."""
        return os.path.join(self.directory, *blob_relpath(digest).split("/"))

    def store_chunk(self, data: bytes) -> RefValue:
        """Stage ``data``; return the ref ``[file_url, 0, len(data)]`` to put in the document."""
        data = bytes(data)
        path = self.blob_path(sha256_hex(data))
        if not (os.path.exists(path) and os.path.getsize(path) == len(data)):
            if not os.path.isdir(self.directory):
                raise StagingError(f"the staging area {self.directory} no longer exists")
            atomic_write(path, data)
        return [Path(path).as_uri(), 0, len(data)]

    def contains(self, url_or_path: str) -> bool:
        """Whether ``url_or_path`` names a blob inside this staging area."""
        path = url_or_path
        if path.lower().startswith("file://"):
            path = local_path(path)
        path = os.path.abspath(path)
        return path.startswith(self.directory + os.sep)

    def digests(self) -> list[str]:
        """The digests of every staged blob."""
        root = os.path.join(self.directory, "blobs", "sha256")
        out = []
        for _dirpath, _dirs, files in os.walk(root):
            for name in files:
                try:
                    out.append(check_digest(name))
                except ValueError:
                    continue  # a temporary file of a write in progress
        return sorted(out)

    def __repr__(self) -> str:
        return f"StagingArea({self.directory!r}, keep={self.keep})"
