"""Built-in backend for ``s3://bucket/key`` URLs (boto3, imported on first use).

The endpoint comes from option ``endpoint_url`` or ``AWS_ENDPOINT_URL``
(e.g. moto or MinIO); without credentials, requests are unsigned (public
buckets). botocore's own retries are off so that one policy
(:mod:`lindi.backends.retry`) governs every backend.
"""
from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..errors import RemoteError
from ._optional import require
from .base import Backend, CredentialLookup
from .content import join_dir, verified_blob_path
from .retry import RETRY_STATUSES, Transient
from .urls import ref_text, split_bucket_url
from .verify import RangeResponse


class S3Backend(Backend):
    """Range reads with ``GetObject`` (status and ``ContentRange`` reported to the base), sizes with ``HeadObject``.

    Options: ``endpoint_url``, ``region`` (default ``AWS_REGION`` or us-east-1),
    ``anonymous`` (force unsigned requests), ``connect_timeout``/``read_timeout``,
    and for writing ``multipart_threshold`` / ``multipart_chunksize`` (bytes,
    default 64 MiB / 16 MiB; S3 needs parts of at least 5 MiB).
    """

    name = "s3"
    capabilities = frozenset({"read", "sizes", "write"})

    def __init__(self, options: Mapping[str, Any] | None = None, *,
                 credentials: CredentialLookup | None = None):
        super().__init__(options, credentials=credentials)
        self._anonymous = False

    def prefixes(self) -> Sequence[str]:
        return ("s3://",)

    @property
    def client(self) -> Any:
        """The boto3 S3 client (thread-safe, created once)."""
        return self._once("client", self._make_client)

    def _make_client(self) -> Any:
        boto3 = require("boto3", "s3")
        botocore = require("botocore", "s3")
        from botocore.config import Config

        session = boto3.session.Session()
        self._anonymous = bool(self.options.get("anonymous")) or session.get_credentials() is None
        config = Config(
            signature_version=botocore.UNSIGNED if self._anonymous else "s3v4",
            max_pool_connections=max(self.max_concurrency, 4),
            retries={"total_max_attempts": 1},
            connect_timeout=float(self.options.get("connect_timeout", 10)),
            read_timeout=float(self.options.get("read_timeout", 30)),
        )
        endpoint = self.options.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL") or None
        region = self.options.get("region") or os.environ.get("AWS_REGION") or "us-east-1"
        return session.client("s3", endpoint_url=endpoint, region_name=region, config=config)

    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        bucket, key = split_bucket_url(url, "s3")
        with _S3Errors(url, ref_text(url, offset, length), self._anonymous):
            resp = self.client.get_object(Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}")
            body = resp["Body"].read(length + 1)
            resp["Body"].close()
        return RangeResponse(body, status=resp["ResponseMetadata"]["HTTPStatusCode"],
                             content_range=resp.get("ContentRange"))

    def size(self, url: str) -> int:
        bucket, key = split_bucket_url(url, "s3")

        def attempt() -> int:
            with _S3Errors(url, None, self._anonymous):
                return int(self.client.head_object(Bucket=bucket, Key=key)["ContentLength"])

        return self.retry.run(attempt)


    # -- write side -----------------------------------------------------------------------

    def check_writable(self, destination: str) -> None:
        bucket, _ = split_bucket_url(join_dir(destination, "probe"), "s3")
        client = self.client
        if self._anonymous:
            raise RemoteError("no AWS credentials found: cannot upload (set AWS_ACCESS_KEY_ID/"
                              "AWS_SECRET_ACCESS_KEY or a profile)", url=destination)
        with _S3Errors(destination, None, self._anonymous):
            client.head_bucket(Bucket=bucket)

    def put_blob(self, destination: str, digest: str, data: bytes) -> str:
        url = verified_blob_path(destination, digest, data)
        try:
            if self.size(url) == len(data):
                return url
        except RemoteError as exc:
            if "not found" not in str(exc):
                raise
        return self.put_object(url, data)

    def put_object(self, url: str, data: bytes) -> str:
        """One ``PutObject``, or a multipart upload above ``multipart_threshold`` (boto3's transfer manager)."""
        bucket, key = split_bucket_url(url, "s3")
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=int(self.options.get("multipart_threshold", 64 * 1024 * 1024)),
                                multipart_chunksize=int(self.options.get("multipart_chunksize", 16 * 1024 * 1024)),
                                use_threads=False)

        def attempt() -> str:
            with _S3Errors(url, None, self._anonymous):
                self.client.upload_fileobj(io.BytesIO(data), bucket, key, Config=config)
            return url

        return self.retry.run(attempt)


class _S3Errors:
    """Context manager turning botocore exceptions into RemoteError / Transient."""

    def __init__(self, url: str, ref: str | None, anonymous: bool):
        self.url, self.ref, self.anonymous = url, ref, anonymous

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Literal[False]:  # never swallows: maps or re-raises
        if exc is None:
            return False
        from botocore import exceptions as bx

        if isinstance(exc, bx.ClientError):
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            code = exc.response.get("Error", {}).get("Code", "")
            if status in RETRY_STATUSES or code in ("SlowDown", "RequestTimeout", "InternalError"):
                raise Transient(f"S3 {code or status}", url=self.url, ref=self.ref) from None
            if code in ("NoSuchKey", "NoSuchBucket", "404", "NotFound") or status == 404:
                raise RemoteError(f"object not found (S3 {code or status})", url=self.url, ref=self.ref) from None
            if code == "InvalidRange" or status == 416:
                raise RemoteError("range not satisfiable: past the end of the object", url=self.url,
                                  ref=self.ref) from None
            if status == 403:
                hint = " (no AWS credentials found: the request was unsigned)" if self.anonymous else ""
                raise RemoteError(f"access denied (S3 {code or status}){hint}", url=self.url, ref=self.ref) from None
            raise RemoteError(f"S3 error {code or status}: {exc}", url=self.url, ref=self.ref) from None
        if isinstance(exc, (bx.HTTPClientError, bx.ResponseStreamingError, bx.IncompleteReadError)):
            raise Transient(f"network error: {type(exc).__name__}", url=self.url, ref=self.ref) from None
        from boto3.exceptions import S3UploadFailedError
        if isinstance(exc, S3UploadFailedError):
            raise RemoteError(f"S3 upload failed: {exc}", url=self.url, ref=self.ref) from None
        if isinstance(exc, bx.NoCredentialsError):
            raise RemoteError(f"S3 credentials problem: {exc}", url=self.url, ref=self.ref) from None
        return False
