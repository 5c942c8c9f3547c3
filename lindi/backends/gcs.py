"""Built-in backend for ``gs://bucket/object`` URLs (google-cloud-storage, imported on first use).

``STORAGE_EMULATOR_HOST`` (or option ``emulator_host``) points it at an
emulator with anonymous credentials. Sizes come from the JSON metadata API,
never from HEAD or suffix ranges (the emulator supports neither). The SDK
hides response headers, so the base verifies ranges by exact length; the emulator
answers 206 with an empty body past the end, which that check catches.
"""
from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any, Literal

from ..errors import RemoteError
from ._optional import require
from .base import Backend
from .content import join_dir, verified_blob_path
from .retry import Transient
from .urls import ref_text, split_bucket_url
from .verify import RangeResponse


class GcsBackend(Backend):
    """Options: ``project``, ``emulator_host``, ``anonymous`` (public buckets without credentials);
    for writing ``resumable_threshold`` (bytes above which uploads are resumable, default 8 MiB) and
    ``chunk_size`` (bytes per resumable request, a multiple of 256 KiB, default 8 MiB).
    """

    name = "gcs"
    capabilities = frozenset({"read", "sizes", "write"})

    def prefixes(self) -> Sequence[str]:
        return ("gs://",)

    @property
    def client(self) -> Any:
        """The storage client (created once)."""
        return self._once("client", self._make_client)

    def _make_client(self) -> Any:
        storage = require("google.cloud.storage", "gcs")
        credentials_mod = require("google.auth.credentials", "gcs")
        project = self.options.get("project", "lindi")
        emulator = self.options.get("emulator_host") or os.environ.get("STORAGE_EMULATOR_HOST")
        if emulator:
            return storage.Client(project=project, credentials=credentials_mod.AnonymousCredentials(),
                                  client_options={"api_endpoint": emulator})
        if self.options.get("anonymous"):
            return storage.Client.create_anonymous_client()
        auth_exceptions = require("google.auth.exceptions", "gcs")
        try:
            return storage.Client(project=project)
        except auth_exceptions.DefaultCredentialsError:
            return storage.Client.create_anonymous_client()

    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        bucket, name = split_bucket_url(url, "gs")
        with _GcsErrors(url, ref_text(url, offset, length)):
            blob = self.client.bucket(bucket).blob(name)
            body = blob.download_as_bytes(start=offset, end=offset + length - 1, checksum=None, retry=None)
        return RangeResponse(body)

    def size(self, url: str) -> int:
        bucket, name = split_bucket_url(url, "gs")

        def attempt() -> int:
            with _GcsErrors(url, None):
                blob = self.client.bucket(bucket).get_blob(name, retry=None)
            if blob is None:
                raise RemoteError("object not found", url=url)
            return int(blob.size)

        return self.retry.run(attempt)


    # -- write side -----------------------------------------------------------------------

    def check_writable(self, destination: str) -> None:
        bucket, _ = split_bucket_url(join_dir(destination, "probe"), "gs")
        client = self.client
        emulated = self.options.get("emulator_host") or os.environ.get("STORAGE_EMULATOR_HOST")
        if not emulated and type(client._credentials).__name__ == "AnonymousCredentials":
            raise RemoteError("no Google Cloud credentials found: cannot upload (set "
                              "GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login`)",
                              url=destination)
        with _GcsErrors(destination, None):
            if client.lookup_bucket(bucket, retry=None) is None:
                raise RemoteError("bucket not found", url=destination)

    def put_blob(self, destination: str, digest: str, data: bytes) -> str:
        url = verified_blob_path(destination, digest, data)
        try:
            if self.size(url) == len(data):
                return url
        except RemoteError as exc:
            if "not found" not in str(exc):
                raise
        return self._upload(url, data, create_only=True)

    def put_object(self, url: str, data: bytes) -> str:
        return self._upload(url, data, create_only=False)

    def _upload(self, url: str, data: bytes, *, create_only: bool) -> str:
        """Multipart upload for small data, resumable upload (in ``chunk_size`` requests) above the threshold."""
        gx = require("google.api_core.exceptions", "gcs")
        bucket, name = split_bucket_url(url, "gs")
        threshold = int(self.options.get("resumable_threshold", 8 * 1024 * 1024))
        chunk = int(self.options.get("chunk_size", 8 * 1024 * 1024))

        def attempt() -> str:
            blob = self.client.bucket(bucket).blob(name, chunk_size=chunk if len(data) > threshold else None)
            with _GcsErrors(url, None):
                try:
                    blob.upload_from_file(io.BytesIO(data), size=None if len(data) > threshold else len(data),
                                          if_generation_match=0 if create_only else None, retry=None,
                                          checksum=None)
                except gx.PreconditionFailed:  # another writer stored the same content-addressed blob first
                    pass
            return url

        return self.retry.run(attempt)


class _GcsErrors:
    """Context manager turning google-api-core / transport exceptions into RemoteError / Transient."""

    def __init__(self, url: str, ref: str | None):
        self.url, self.ref = url, ref

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Literal[False]:  # never swallows: maps or re-raises
        if exc is None:
            return False
        import requests
        from google.api_core import exceptions as gx
        from google.auth import exceptions as ax

        if isinstance(exc, (gx.TooManyRequests, gx.ServerError)):
            raise Transient(f"GCS {exc.code}: {exc.message}", url=self.url, ref=self.ref) from None
        if isinstance(exc, gx.NotFound):
            raise RemoteError("object not found", url=self.url, ref=self.ref) from None
        if isinstance(exc, gx.RequestRangeNotSatisfiable):
            raise RemoteError("range not satisfiable: past the end of the object", url=self.url,
                              ref=self.ref) from None
        if isinstance(exc, gx.GoogleAPICallError):
            raise RemoteError(f"GCS error {exc.code}: {exc.message}", url=self.url, ref=self.ref) from None
        if isinstance(exc, (requests.ConnectionError, requests.Timeout, ax.TransportError)):
            raise Transient(f"network error: {type(exc).__name__}", url=self.url, ref=self.ref) from None
        return False
