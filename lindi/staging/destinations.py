"""Where a publish goes: a backend location, or the old LINDI callbacks through an adapter.

A destination string is a directory (local path, ``file://``, ``s3://bucket/prefix/``,
``gs://bucket/prefix/``: blobs go to ``<dir>/blobs/sha256/...`` and the document
to ``<dir>/<name>.lindi.json``), an explicit document URL ending in ``.json``
(blobs beside it), or ``dandi://<instance>/<dandiset>/<path>`` (blobs become
assets under ``.lindi/`` of the dandiset, the document the asset at ``path``).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ..backends import get_registry
from ..backends.base import Backend
from ..backends.dandi_upload import DandiDestination
from ..backends.registry import Registry
from ..backends.urls import is_local, local_path
from ..errors import LindiError
from .errors import PublishError


class Destination(Protocol):
    """What :func:`lindi.publish` needs from a destination."""

    location: str  # names the destination in messages and keys its journal

    def check(self) -> None:
        """Raise before any upload when the destination cannot be written (credentials, access)."""

    def put_blob(self, digest: str, data: bytes) -> str:
        """Store a content-addressed blob (idempotent); the URL to put in the document."""

    def put_document(self, data: bytes) -> str:
        """Store the document (last, replacing an older one); the URL to open it at."""


class BackendDestination:
    """A destination served by a registered backend's write side."""

    def __init__(self, backend: Backend, blob_root: str, document_url: str):
        if "write" not in backend.capabilities:
            raise PublishError(f"the {backend.name!r} backend cannot write (destination {document_url})")
        self.backend = backend
        self.blob_root = blob_root
        self.document_url = document_url
        self.location = document_url
        self._local_dir = (Path(local_path(document_url)).parent.as_uri() + "/") if is_local(document_url) else None

    def check(self) -> None:
        self.backend.check_writable(self.blob_root)

    def put_blob(self, digest: str, data: bytes) -> str:
        url = self.backend.put_blob(self.blob_root, digest, data)
        if self._local_dir and url.startswith(self._local_dir):
            return "./" + url[len(self._local_dir):]  # the published directory stays relocatable
        return url

    def put_document(self, data: bytes) -> str:
        return self.backend.put_object(self.document_url, data)


class CallbackDestination:
    """LINDI 0.4's upload style: ``on_upload_blob(path) -> url`` and ``on_upload_main(path) -> url``.

    Each blob and then the document is written to a temporary file whose path
    is handed to the callback; the callback returns the URL it uploaded it to.
    """

    def __init__(self, on_upload_blob: Callable[[str], str], on_upload_main: Callable[[str], str]):
        self.on_upload_blob = on_upload_blob
        self.on_upload_main = on_upload_main
        self.location = f"callbacks:{getattr(on_upload_blob, '__qualname__', 'blob')}/" \
                        f"{getattr(on_upload_main, '__qualname__', 'main')}"

    def check(self) -> None:
        if not (callable(self.on_upload_blob) and callable(self.on_upload_main)):
            raise PublishError("on_upload_blob and on_upload_main must be callables taking a path")

    def put_blob(self, digest: str, data: bytes) -> str:
        return self._hand_over(self.on_upload_blob, data, digest, "blob")

    def put_document(self, data: bytes) -> str:
        return self._hand_over(self.on_upload_main, data, "lindi", "document")

    @staticmethod
    def _hand_over(callback: Callable[[str], str], data: bytes, name: str, what: str) -> str:
        with tempfile.TemporaryDirectory(prefix="lindi-upload-") as tmp:
            path = os.path.join(tmp, f"{name}.json" if what == "document" else name)
            with open(path, "wb") as f:
                f.write(data)
            url = callback(path)
        if not isinstance(url, str) or not url:
            raise PublishError(f"the {what} upload callback returned {url!r}, not a URL")
        return url


def resolve_destination(destination: str, document_name: str, *, registry: Registry | None = None
                        ) -> BackendDestination:
    """The :class:`BackendDestination` for a destination string (see the module docstring)."""
    registry = registry or get_registry()
    try:
        if destination.lower().startswith("dandi://"):
            dest = DandiDestination.parse(destination)
            if not dest.path:
                raise PublishError(f"a DANDI destination needs the document's path in the dandiset, e.g. "
                                   f"dandi://{dest.instance}/{dest.dandiset}/sub-1/{document_name}")
            return BackendDestination(registry.backend("dandi"), f"dandi://{dest.instance}/{dest.dandiset}/",
                                      destination)
        if is_local(destination):
            destination = os.path.abspath(local_path(destination))
        if destination.endswith(".json"):
            root = destination.rsplit("/", 1)[0] + "/" if "/" in destination else ""
            document_url = destination
        else:
            root = destination if destination.endswith("/") else destination + "/"
            document_url = root + document_name
        return BackendDestination(registry.backend_for(root), root, document_url)
    except PublishError:
        raise
    except LindiError as exc:
        raise PublishError(f"cannot publish to {destination}: {exc}") from exc
