"""The double's S3 front: presigned URLs it issues, checks and forwards to moto, and public unsigned reads.

Like S3 behind the archive: an unknown or tampered signature gets 403
``AccessDenied``, an expired one 403 ``Request has expired``, a signature
covers one HTTP method (so HEAD on a GET-signed URL is refused), and a public
blob can be read (GET, HEAD, ranges) at its unsigned URL, as the archive's
public bucket allows.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

from ...backends.presigned import signature_expiry
from .._server import ServerThread
from ._http import Reply, Request, make_handler

_EXPIRED_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                b"<Message>Request has expired</Message></Error>")
_DENIED_XML = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
_KEEP_HEADERS = ("Content-Range", "Content-Type", "ETag", "Accept-Ranges", "Content-Disposition", "Last-Modified")


class StorageFront:
    """Serves ``bucket`` of the moto server at ``s3_endpoint`` on its own 127.0.0.1 port.

    ``is_public(key)`` says whether an object may be read without a signature.
    """

    def __init__(self, s3: Any, s3_endpoint: str, bucket: str, is_public: Callable[[str], bool]):
        self._s3 = s3
        self._s3_endpoint = s3_endpoint
        self.bucket = bucket
        self._is_public = is_public
        self.log: list[Request] = []
        self._issued: set[str] = set()
        self._expired: set[str] = set()
        self._methods: dict[str, str] = {}  # signature -> the HTTP method it allows
        self._lock = threading.Lock()
        self._forward = requests.Session()
        self._server = ServerThread(make_handler(self._handle), self)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()
        self._forward.close()

    @property
    def url(self) -> str:
        return self._server.base_url

    def object_url(self, key: str) -> str:
        """The unsigned URL of an object (``AssetBlob.s3_url``: the signed URL without its query)."""
        return f"{self.url}/{self.bucket}/{key}"

    def sign(self, operation: str, method: str, params: dict[str, Any], ttl: int) -> str:
        """A presigned URL for ``operation`` on this front, valid for ``method`` only, for ``ttl`` seconds."""
        signed = self._s3.generate_presigned_url(operation, ExpiresIn=ttl, HttpMethod=method,
                                                 Params={"Bucket": self.bucket, **params})
        parts = urlsplit(signed)
        sig = parse_qs(parts.query).get("X-Amz-Signature", [""])[0]
        with self._lock:  # signing twice in one second gives the same URL: fresh again
            self._issued.add(sig)
            self._methods[sig] = method
            self._expired.discard(sig)
        return urlunsplit(("http", urlsplit(self.url).netloc, parts.path, parts.query, ""))

    def expire_issued(self) -> None:
        with self._lock:
            self._expired |= self._issued

    def _handle(self, req: Request) -> Reply:
        with self._lock:
            self.log.append(req)
        sig = req.query.get("X-Amz-Signature", [""])[0]
        if not sig:
            return self._unsigned(req)
        query = "&".join(f"{k}={v}" for k, vs in req.query.items() for v in vs)
        expiry = signature_expiry(f"{self.url}{req.path}?{query}")
        if expiry is None or sig not in self._issued:
            return Reply(403, _DENIED_XML, {"Content-Type": "application/xml"})
        if time.time() >= expiry or sig in self._expired:
            return Reply(403, _EXPIRED_XML, {"Content-Type": "application/xml"})
        if req.method != self._methods.get(sig, "GET"):  # a signature covers one method, as on S3
            return Reply(403, b"", {"Content-Type": "application/xml"})
        return self._forward_to_s3(req, urlunsplit(urlsplit(self._s3_endpoint)[:2] + (req.path, urlencode(
            [(k, v) for k, vs in req.query.items() for v in vs]), "")))

    def _unsigned(self, req: Request) -> Reply:
        prefix = f"/{self.bucket}/"
        key = req.path[len(prefix):] if req.path.startswith(prefix) else ""
        if req.method not in ("GET", "HEAD") or not key or not self._is_public(key):
            return Reply(403, _DENIED_XML, {"Content-Type": "application/xml"})
        operation = "get_object" if req.method == "GET" else "head_object"  # moto itself wants a signature
        signed = self._s3.generate_presigned_url(operation, ExpiresIn=60, HttpMethod=req.method,
                                                 Params={"Bucket": self.bucket, "Key": key})
        return self._forward_to_s3(req, signed)

    def _forward_to_s3(self, req: Request, url: str) -> Reply:
        headers = {"Range": req.headers["range"]} if "range" in req.headers else {}
        resp = self._forward.request(req.method, url, headers=headers, data=req.body or None, timeout=60)
        keep = _KEEP_HEADERS + (("Content-Length",) if req.method == "HEAD" else ())  # HEAD: the object's length
        return Reply(resp.status_code, resp.content, {k: resp.headers[k] for k in keep if k in resp.headers})
