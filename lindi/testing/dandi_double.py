"""``DandiApiDouble``: the DANDI Archive REST API as a download client sees it, on 127.0.0.1.

Two servers: the API (``/api/...``, endpoints of DANDI_API.md section 9 needed
for downloads) and a storage front that plays S3 for presigned URLs: it
rejects expired signatures with S3's 403 ``AccessDenied`` / ``Request has
expired`` XML and refuses HEAD on GET-signed URLs, then forwards ranged GETs
to a moto S3 server holding the blobs. Storage lives on its own port so
tests can prove that ``Authorization`` never crosses the redirect.

Routes are a table (:meth:`DandiApiDouble._routes`). The upload endpoints
(``/api/uploads/...``, ``/api/blobs/digest/``, creating, replacing and deleting
draft assets) follow the archive: the server decides the part layout
(:mod:`lindi.backends.dandi_etag`), parts go to presigned PUT URLs on the
storage front, which forwards them to a real moto multipart upload, so the
ETags are S3's own. Writing needs an owner's token (401 without, 403 for
others). ``blob_uploads`` lists the etag of every blob created, so tests can
prove that nothing was uploaded twice.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

from ..backends.dandi_etag import PartLayout, dandi_etag
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
class Blob:
    blob_id: str
    key: str
    size: int
    etag: str


@dataclass
class PendingUpload:
    upload_id: str
    s3_upload_id: str
    key: str
    size: int
    etag: str
    dandiset: str


_ASSET_PATH = re.compile(r"^([A-z0-9(),&\s#+~_=-]?\/?\.?[A-z0-9(),&\s#+~_=-])+$")


@dataclass
class Reply:
    """What a route handler returns."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, obj: Any, **headers: str) -> Reply:
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
        self._signed_methods: dict[str, str] = {}  # signature -> the HTTP method it allows
        self.blobs: dict[str, Blob] = {}  # by etag (unique, as in the archive)
        self.uploads: dict[str, PendingUpload] = {}
        self.blob_uploads: list[str] = []  # etag of every blob created by an upload
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._s3 = s3_client(self.s3_endpoint)
        self._forward = requests.Session()
        self._api = ServerThread(_make_handler(self._handle_api), self)
        self._storage = ServerThread(_make_handler(self._handle_storage), self)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> DandiApiDouble:
        self._s3.create_bucket(Bucket=self.bucket)
        self._api.start()
        self._storage.start()
        return self

    def stop(self) -> None:
        self._api.stop()
        self._storage.stop()
        self._forward.close()

    def __enter__(self) -> DandiApiDouble:
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
            ("POST", r"/api/uploads/initialize/", self._upload_initialize),
            ("POST", r"/api/uploads/(?P<uid>[0-9a-f-]+)/complete/", self._upload_complete),
            ("POST", r"/api/uploads/(?P<uid>[0-9a-f-]+)/validate/", self._upload_validate),
            ("POST", r"/api/blobs/digest/", self._blob_by_digest),
            ("POST", rf"{nested}/", self._create_asset),
            ("PUT", rf"{nested}/{asset}/", self._update_asset),
            ("DELETE", rf"{nested}/{asset}/", self._delete_asset),
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
        return self._sign("get_object", "GET", {"Key": asset.blob_key,
                                                "ResponseContentDisposition": f'attachment; filename="{name}"'})

    def _sign(self, operation: str, method: str, params: dict[str, Any]) -> str:
        """A presigned URL for ``operation`` on the storage front, valid for ``method`` only."""
        signed = self._s3.generate_presigned_url(operation, ExpiresIn=self.ttl, HttpMethod=method,
                                                 Params={"Bucket": self.bucket, **params})
        parts = urlsplit(signed)
        sig = parse_qs(parts.query).get("X-Amz-Signature", [""])[0]
        with self._lock:  # signing twice in one second gives the same URL: fresh again
            self._issued_signatures.add(sig)
            self._signed_methods[sig] = method
            self._expired_signatures.discard(sig)
        return urlunsplit(("http", urlsplit(self.storage_url).netloc, parts.path, parts.query, ""))

    # -- uploads ----------------------------------------------------------------------------

    def _require_owner(self, req: Request, did: str) -> Reply | None:
        token = req.token()
        if token is None or token not in self.valid_tokens:
            return Reply.json(401, {"detail": "Invalid token." if token else
                                    "Authentication credentials were not provided."})
        ds = self.dandisets.get(did)
        if ds is None:
            return Reply.json(404, {"detail": "Not found."})
        if token not in ds.owners:
            return Reply.json(403, {"detail": "You do not have permission to perform this action."})
        return None

    def _upload_initialize(self, req: Request) -> Reply:
        body = _json_body(req)
        did = str(body.get("dandiset", ""))
        denied = self._require_owner(req, did)
        if denied:
            return denied
        digest = body.get("digest") or {}
        if digest.get("algorithm") != "dandi:dandi-etag":
            return Reply.json(400, "Unsupported Digest Type")
        size, etag = body.get("contentSize"), str(digest.get("value", ""))
        if not isinstance(size, int) or size < 1:
            return Reply.json(400, {"contentSize": ["Ensure this value is greater than or equal to 1."]})
        with self._lock:
            existing = self.blobs.get(etag)
        if existing is not None:
            return Reply.json(409, "Blob already exists.", Location=existing.blob_id)
        uid = str(uuid.uuid4())
        key = f"blobs/{uid[0:3]}/{uid[3:6]}/{uid}"
        s3_upload = self._s3.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        parts = [{"part_number": n, "size": length,
                  "upload_url": self._sign("upload_part", "PUT", {"Key": key, "UploadId": s3_upload,
                                                                   "PartNumber": n})}
                 for n, _, length in PartLayout.for_size(size).parts()]
        with self._lock:
            self.uploads[uid] = PendingUpload(uid, s3_upload, key, size, etag, did)
        return Reply.json(200, {"upload_id": uid, "parts": parts})

    def _pending(self, req: Request, uid: str) -> PendingUpload | Reply:
        upload = self.uploads.get(uid)
        if upload is None:
            return Reply.json(404, {"detail": "Not found."})
        return self._require_owner(req, upload.dandiset) or upload

    def _upload_complete(self, req: Request, uid: str) -> Reply:
        upload = self._pending(req, uid)
        if isinstance(upload, Reply):
            return upload
        parts = _json_body(req).get("parts") or []
        xml = "".join(f'<Part><PartNumber>{int(p["part_number"])}</PartNumber><ETag>"{p["etag"]}"</ETag></Part>'
                      for p in parts)
        url = self._sign("complete_multipart_upload", "POST", {"Key": upload.key, "UploadId": upload.s3_upload_id})
        return Reply.json(200, {"complete_url": url,
                                "body": f"<CompleteMultipartUpload>{xml}</CompleteMultipartUpload>"})

    def _upload_validate(self, req: Request, uid: str) -> Reply:
        upload = self._pending(req, uid)
        if isinstance(upload, Reply):
            return upload
        try:
            head = self._s3.head_object(Bucket=self.bucket, Key=upload.key)
        except Exception:  # noqa: BLE001 - botocore's ClientError: the object was never completed
            return Reply.json(400, "Object does not exist.")
        actual_etag = head["ETag"].strip('"')
        if head["ContentLength"] != upload.size:
            return Reply.json(400, f"Size {upload.size} does not match actual size {head['ContentLength']}.")
        if actual_etag != upload.etag:
            return Reply.json(400, f"ETag {upload.etag} does not match actual ETag {actual_etag}.")
        with self._lock:
            del self.uploads[uid]
            if upload.etag in self.blobs:
                return Reply.json(409, "An identical blob has already been uploaded.")
            blob = Blob(str(uuid.uuid4()), upload.key, upload.size, upload.etag)
            self.blobs[upload.etag] = blob
            self.blob_uploads.append(upload.etag)
        return Reply.json(200, {"blob_id": blob.blob_id, "etag": blob.etag, "sha256": None, "size": blob.size})

    def _blob_by_digest(self, req: Request) -> Reply:
        body = _json_body(req)
        blob = self.blobs.get(str(body.get("value", ""))) if body.get("algorithm") == "dandi:dandi-etag" else None
        if blob is None:
            return Reply.json(404, {"detail": "Not found."})
        return Reply.json(200, {"blob_id": blob.blob_id, "etag": blob.etag, "sha256": None, "size": blob.size})

    def _asset_from_body(self, req: Request, did: str, version: str) -> tuple[str, Blob] | Reply:
        if version != "draft":
            return Reply.json(405, {"detail": "Only the draft version can be modified."})
        denied = self._require_owner(req, did)
        if denied:
            return denied
        body = _json_body(req)
        if bool(body.get("blob_id")) == bool(body.get("zarr_id")):
            return Reply.json(400, "Exactly one of blob_id or zarr_id must be specified.")
        path = (body.get("metadata") or {}).get("path")
        if not path:
            return Reply.json(400, "No path specified in metadata.")
        if not _ASSET_PATH.fullmatch(path) or "//" in path:
            return Reply.json(400, {"path": [f"Invalid path {path!r}"]})
        blob = next((b for b in self.blobs.values() if b.blob_id == body["blob_id"]), None)
        if blob is None:
            return Reply.json(400, {"blob_id": ["Unknown blob."]})
        return path, blob

    def _new_asset(self, did: str, path: str, blob: Blob) -> Asset:
        asset = Asset(str(uuid.uuid4()), did, "draft", path, blob.blob_id, blob.key, blob.size, blob.etag, _now())
        self.assets[asset.asset_id] = asset
        return asset

    def _create_asset(self, req: Request, did: str, version: str) -> Reply:
        found = self._asset_from_body(req, did, version)
        if isinstance(found, Reply):
            return found
        path, blob = found
        with self._lock:
            if any(a.dandiset == did and a.version == "draft" and a.path == path for a in self.assets.values()):
                return Reply.json(409, "An asset with that path already exists")
            asset = self._new_asset(did, path, blob)
        return Reply.json(200, {k: v for k, v in self._detail(asset).items()})

    def _update_asset(self, req: Request, did: str, version: str, aid: str) -> Reply:
        found = self._asset_from_body(req, did, version)
        if isinstance(found, Reply):
            return found
        path, blob = found
        with self._lock:
            old = self.assets.get(aid)
            if old is None or old.dandiset != did or old.version != "draft":
                return Reply.json(404, {"detail": "Not found."})
            if old.path == path and old.blob_id == blob.blob_id:
                return Reply.json(200, self._detail(old))
            del self.assets[aid]  # the archive makes a new asset and drops the old one from the draft
            asset = self._new_asset(did, path, blob)
        return Reply.json(200, self._detail(asset))

    def _delete_asset(self, req: Request, did: str, version: str, aid: str) -> Reply:
        denied = self._require_owner(req, did)
        if denied:
            return denied
        with self._lock:
            asset = self.assets.get(aid)
            if asset is None or asset.dandiset != did or asset.version != version:
                return Reply.json(404, {"detail": "Not found."})
            del self.assets[aid]
        return Reply(204)

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
        if req.method != self._signed_methods.get(sig, "GET"):  # a signature covers one method, as on S3
            return Reply(403, b"", {"Content-Type": "application/xml"})
        headers = {"Range": req.headers["range"]} if "range" in req.headers else {}
        resp = self._forward.request(req.method, f"{self.s3_endpoint}{req.path}", params=req.query,
                                     headers=headers, data=req.body or None, timeout=60)
        keep = ("Content-Range", "Content-Type", "ETag", "Accept-Ranges", "Content-Disposition")
        return Reply(resp.status_code, resp.content, {k: resp.headers[k] for k in keep if k in resp.headers})


def _json_body(req: Request) -> dict[str, Any]:
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _now() -> str:
    return datetime.now(UTC).isoformat()


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
