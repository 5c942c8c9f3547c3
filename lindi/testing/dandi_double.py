"""``DandiApiDouble``: the DANDI Archive REST API as a download client sees it, on 127.0.0.1.

Two servers: the API (``/api/...``, endpoints of DANDI_API.md section 9 needed
for downloads) and a storage front that plays S3 for presigned URLs: it
rejects expired signatures with S3's 403 ``AccessDenied`` / ``Request has
expired`` XML and refuses HEAD on GET-signed URLs, then forwards ranged GETs
to a moto S3 server holding the blobs. Storage lives on its own port so
tests can prove that ``Authorization`` never crosses the redirect.

Routes are a table (:meth:`DandiApiDouble._routes`); the upload endpoints
(``/api/uploads/...``, asset creation) slot in there with the staging work.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

from ..backends.presigned import signature_expiry
from ._server import ServerThread
from .cloud_servers import s3_client

SCHEMA_VERSION = "0.6.10"
_EXPIRED_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                b"<Message>Request has expired</Message></Error>")


@dataclass
class Dandiset:
    identifier: str
    embargoed: bool = False
    owners: set[str] = field(default_factory=set)  # API tokens of the owners


@dataclass
class Asset:
    asset_id: str
    dandiset: str
    version: str
    path: str
    blob_id: str | None
    blob_key: str | None
    size: int
    etag: str
    created: str
    zarr_id: str | None = None


@dataclass
class Reply:
    """What a route handler returns."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, obj: Any, **headers: str) -> "Reply":
        return cls(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **headers})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[len("token "):].strip() if auth.lower().startswith("token ") else None


def dandi_etag(data: bytes) -> str:
    """The dandi-etag of a blob small enough for one part (< 64 MiB), as the archive computes it."""
    if len(data) > 64 * 1024 * 1024:
        raise ValueError("the double stores single-part blobs only (<= 64 MiB)")
    return f"{hashlib.md5(hashlib.md5(data).digest()).hexdigest()}-1"


class DandiApiDouble:
    """A DANDI API on 127.0.0.1 backed by the moto S3 server at ``s3_endpoint``.

    ``ttl``: lifetime in seconds of the presigned URLs the download redirects
    hand out. Add content with :meth:`add_dandiset` / :meth:`add_asset`; make
    every issued URL expire with :meth:`expire_issued_urls`; make the API
    fail with :meth:`fail_next`. ``api_log`` / ``storage_log`` record requests.
    """

    def __init__(self, s3_endpoint: str, *, bucket: str = "dandi-double", ttl: int = 6 * 3600):
        self.s3_endpoint = s3_endpoint.rstrip("/")
        self.bucket = bucket
        self.ttl = ttl
        self.dandisets: dict[str, Dandiset] = {}
        self.assets: dict[str, Asset] = {}
        self.valid_tokens: set[str] = set()
        self.api_log: list[Request] = []
        self.storage_log: list[Request] = []
        self._expired_signatures: set[str] = set()
        self._issued_signatures: set[str] = set()
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._s3 = s3_client(self.s3_endpoint)
        self._forward = requests.Session()
        self._api = ServerThread(_make_handler(self._handle_api), self)
        self._storage = ServerThread(_make_handler(self._handle_storage), self)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> "DandiApiDouble":
        self._s3.create_bucket(Bucket=self.bucket)
        self._api.start()
        self._storage.start()
        return self

    def stop(self) -> None:
        self._api.stop()
        self._storage.stop()
        self._forward.close()

    def __enter__(self) -> "DandiApiDouble":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """The instance's API base, e.g. ``http://127.0.0.1:40123/api`` (no trailing slash)."""
        return f"{self._api.base_url}/api"

    @property
    def storage_url(self) -> str:
        return self._storage.base_url

    # -- content and knobs ------------------------------------------------------------------

    def add_user(self, token: str) -> None:
        with self._lock:
            self.valid_tokens.add(token)

    def add_dandiset(self, identifier: str, *, embargoed: bool = False, owners: tuple[str, ...] = ()) -> Dandiset:
        with self._lock:
            ds = Dandiset(identifier, embargoed, set(owners))
            self.dandisets[identifier] = ds
            self.valid_tokens.update(owners)
        return ds

    def add_asset(self, dandiset: str, path: str, data: bytes, *, version: str = "draft") -> Asset:
        """Store ``data`` as a blob in S3 and an asset pointing at it."""
        if dandiset not in self.dandisets:
            self.add_dandiset(dandiset)
        blob_id = str(uuid.uuid4())
        key = f"blobs/{blob_id[0:3]}/{blob_id[3:6]}/{blob_id}"
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        asset = Asset(str(uuid.uuid4()), dandiset, version, path, blob_id, key, len(data), dandi_etag(data), _now())
        with self._lock:
            self.assets[asset.asset_id] = asset
        return asset

    def add_zarr_asset(self, dandiset: str, path: str, *, version: str = "draft") -> Asset:
        """A zarr asset (its download endpoint answers 400, like the archive)."""
        if dandiset not in self.dandisets:
            self.add_dandiset(dandiset)
        asset = Asset(str(uuid.uuid4()), dandiset, version, path, None, None, 0, "", _now(), str(uuid.uuid4()))
        with self._lock:
            self.assets[asset.asset_id] = asset
        return asset

    def download_url(self, asset: Asset, *, nested: bool = False) -> str:
        """The API download URL of ``asset`` (``nested``: the dandiset/version form)."""
        if nested:
            return (f"{self.api_url}/dandisets/{asset.dandiset}/versions/{asset.version}"
                    f"/assets/{asset.asset_id}/download/")
        return f"{self.api_url}/assets/{asset.asset_id}/download/"

    def expire_issued_urls(self) -> None:
        """Every presigned URL handed out so far now gets ``403 Request has expired``."""
        with self._lock:
            self._expired_signatures |= self._issued_signatures

    def fail_next(self, count: int, status: int = 503) -> None:
        """The next ``count`` API requests answer ``status``."""
        with self._lock:
            self._failures.extend([status] * count)

    def api_requests(self, path_contains: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.api_log if path_contains in r.path]

    # -- API --------------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        asset = r"(?P<aid>[0-9a-f-]+)"
        nested = r"/api/dandisets/(?P<did>\d+)/versions/(?P<version>[^/]+)/assets"
        return [
            ("GET", r"/api/info/", self._info),
            ("GET", r"/api/auth/token/", self._auth_token),
            ("GET|HEAD", rf"/api/assets/{asset}/download/", self._download),
            ("GET", rf"{nested}/{asset}/download/", self._download),
            ("GET", rf"/api/assets/{asset}/", self._metadata),
            ("GET", rf"{nested}/{asset}/", self._metadata),
            ("GET", rf"/api/assets/{asset}/info/", self._info_detail),
            ("GET", rf"{nested}/{asset}/info/", self._info_detail),
            ("GET", rf"{nested}/", self._list_assets),
        ]

    def _handle_api(self, req: Request) -> Reply:
        with self._lock:
            self.api_log.append(req)
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return Reply.json(failure, {"detail": f"injected failure {failure}"})
        for methods, pattern, fn in self._routes():
            m = re.fullmatch(pattern, req.path)
            if m and req.method in methods.split("|"):
                return fn(req, **m.groupdict())
        return Reply.json(404, {"detail": "Not found."})

    def _info(self, req: Request) -> Reply:
        return Reply.json(200, {"schema_version": SCHEMA_VERSION, "version": "double",
                                "cli-minimal-version": "0.60.0", "cli-bad-versions": [],
                                "services": {"api": {"url": self.api_url}}})

    def _auth_token(self, req: Request) -> Reply:
        token = req.token()
        if token is None or token not in self.valid_tokens:
            return Reply.json(401, {"detail": "Invalid token." if token else
                                    "Authentication credentials were not provided."})
        return Reply.json(200, {"detail": "ok"})

    def _find(self, req: Request, aid: str, did: str | None, version: str | None) -> Asset | Reply:
        asset = self.assets.get(aid)
        if asset is None or (did is not None and (asset.dandiset != did or asset.version != version)):
            return Reply.json(404, {"detail": "Not found."})
        ds = self.dandisets[asset.dandiset]
        if ds.embargoed:
            token = req.token()
            if token is None or token not in self.valid_tokens:
                return Reply.json(401, {"detail": "Authentication credentials were not provided."})
            if token not in ds.owners:
                return Reply.json(403, {"detail": "You do not have permission to perform this action."})
        return asset

    def _download(self, req: Request, aid: str, did: str | None = None, version: str | None = None) -> Reply:
        found = self._find(req, aid, did, version)
        if isinstance(found, Reply):
            return found
        if found.zarr_id is not None:
            return Reply(400, b'"Unable to provide download link for zarr assets. Use the zarr endpoint."',
                         {"Content-Type": "application/json"})
        return Reply(302, b"", {"Location": self._presign(found)})

    def _presign(self, asset: Asset) -> str:
        name = asset.path.rsplit("/", 1)[-1]
        signed = self._s3.generate_presigned_url(
            "get_object", ExpiresIn=self.ttl,
            Params={"Bucket": self.bucket, "Key": asset.blob_key,
                    "ResponseContentDisposition": f'attachment; filename="{name}"'})
        parts = urlsplit(signed)
        sig = parse_qs(parts.query).get("X-Amz-Signature", [""])[0]
        with self._lock:  # signing twice in one second gives the same URL: fresh again
            self._issued_signatures.add(sig)
            self._expired_signatures.discard(sig)
        return urlunsplit(("http", urlsplit(self.storage_url).netloc, parts.path, parts.query, ""))

    def _metadata(self, req: Request, aid: str, did: str | None = None, version: str | None = None) -> Reply:
        found = self._find(req, aid, did, version)
        if isinstance(found, Reply):
            return found
        return Reply.json(200, self._asset_metadata(found))

    def _asset_metadata(self, asset: Asset) -> dict[str, Any]:
        urls = [f"{self.api_url}/assets/{asset.asset_id}/download/"]
        if asset.blob_key:
            urls.append(f"{self.storage_url}/{self.bucket}/{asset.blob_key}")
        return {"id": f"dandiasset:{asset.asset_id}", "identifier": asset.asset_id, "path": asset.path,
                "contentSize": asset.size, "contentUrl": urls, "encodingFormat": "application/x-nwb",
                "digest": {"dandi:dandi-etag": asset.etag}, "schemaKey": "Asset",
                "schemaVersion": SCHEMA_VERSION}

    def _detail(self, asset: Asset) -> dict[str, Any]:
        return {"asset_id": asset.asset_id, "blob": asset.blob_id, "zarr": asset.zarr_id, "path": asset.path,
                "size": asset.size, "created": asset.created, "modified": asset.created,
                "metadata": self._asset_metadata(asset)}

    def _info_detail(self, req: Request, aid: str, did: str | None = None, version: str | None = None) -> Reply:
        found = self._find(req, aid, did, version)
        if isinstance(found, Reply):
            return found
        return Reply.json(200, self._detail(found))

    def _list_assets(self, req: Request, did: str, version: str) -> Reply:
        if did not in self.dandisets:
            return Reply.json(404, {"detail": "Not found."})
        prefix = req.query.get("path", [""])[0].lower()
        try:
            page = int(req.query.get("page", ["1"])[0])
            size = int(req.query.get("page_size", ["100"])[0])
        except ValueError:
            return Reply.json(400, {"detail": "page and page_size must be integers"})
        if page < 1 or size < 1:
            return Reply.json(404, {"detail": "Invalid page."})
        hits = sorted((a for a in self.assets.values() if a.dandiset == did and a.version == version
                       and a.path.lower().startswith(prefix)), key=lambda a: a.path)
        chunk = hits[(page - 1) * size: page * size]
        base = f"{self.api_url}/dandisets/{did}/versions/{version}/assets/"

        def link(p: int) -> str | None:
            if p < 1 or (p - 1) * size >= len(hits):
                return None
            return base + "?" + urlencode({**({"path": prefix} if prefix else {}), "page": p, "page_size": size})

        return Reply.json(200, {"count": len(hits), "next": link(page + 1), "previous": link(page - 1),
                                "results": [{k: v for k, v in self._detail(a).items() if k != "metadata"}
                                            for a in chunk]})

    # -- storage front ----------------------------------------------------------------------

    def _handle_storage(self, req: Request) -> Reply:
        with self._lock:
            self.storage_log.append(req)
        query = "&".join(f"{k}={v}" for k, vs in req.query.items() for v in vs)
        url = f"{self.storage_url}{req.path}?{query}"
        expiry = signature_expiry(url)
        sig = req.query.get("X-Amz-Signature", [""])[0]
        if expiry is None or sig not in self._issued_signatures:
            return Reply(403, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                         {"Content-Type": "application/xml"})
        if time.time() >= expiry or sig in self._expired_signatures:
            return Reply(403, _EXPIRED_XML, {"Content-Type": "application/xml"})
        if req.method != "GET":  # the signature covers GET only, as on S3
            return Reply(403, b"", {"Content-Type": "application/xml"})
        headers = {"Range": req.headers["range"]} if "range" in req.headers else {}
        resp = self._forward.get(f"{self.s3_endpoint}{req.path}", params=req.query, headers=headers, timeout=30)
        keep = ("Content-Range", "Content-Type", "ETag", "Accept-Ranges", "Content-Disposition")
        return Reply(resp.status_code, resp.content, {k: resp.headers[k] for k in keep if k in resp.headers})


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _make_handler(dispatch: Callable[[Request], Reply]) -> type[BaseHTTPRequestHandler]:
    """A request handler class that turns each HTTP request into a :class:`Request` for ``dispatch``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Silent: the double keeps its own logs."""

        def _run(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          {k.lower(): v for k, v in self.headers.items()}, body)
            reply = dispatch(req)
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _run

    return Handler
