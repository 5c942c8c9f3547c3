"""Uploads to a DANDI dandiset draft through the archive's REST API (DANDI_API.md sections 5 and 7).

A blob is uploaded with ``uploads/initialize`` (declaring its dandi-etag; a
409 means the archive already has those bytes and names the blob), parts
``PUT`` to presigned storage URLs (no API key there), ``complete``, the
storage-side completion and ``validate``. Every blob then becomes an asset,
because the archive deletes blobs no asset references after 7 days: chunk
blobs under ``.lindi/blobs/sha256/ab/cd/<hex>``, the document under its own
path, replaced by ``PUT`` (a new asset id) when republished.

Every asset carries the metadata the archive validates (as a dandischema
``PublishedAsset`` once the server has added its own fields; a dandiset
version is publishable only when all its assets are valid): ``schemaKey``,
``schemaVersion`` (the instance's, from ``/info/``: the archive rejects newer
ones), ``encodingFormat``, ``contentSize``, ``digest`` and ``path``.

Destinations are written ``dandi://<instance>/<dandiset>/<path>``.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import IntegrityError, RemoteError
from .content import blob_relpath, check_digest, sha256_hex
from .dandi_etag import PartLayout, dandi_etag, part_etag
from .retry import RETRY_STATUSES, RetryPolicy, Transient

if TYPE_CHECKING:  # requests is imported on first upload: reading never loads it
    import requests

BLOB_ASSET_ROOT = ".lindi"
DOCUMENT_FORMAT = "application/json"
BLOB_FORMAT = "application/octet-stream"
_DEST = re.compile(r"^dandi://(?P<instance>[^/]+)/(?P<dandiset>\d+)(?:/(?P<path>.*))?$")
_XML_ETAG = re.compile(rb"<ETag>\s*(?:&quot;|\")?([0-9a-f]{32}-\d+)(?:&quot;|\")?\s*</ETag>")


@dataclass(frozen=True)
class DandiDestination:
    """A parsed ``dandi://<instance>/<dandiset>/<path>``."""

    instance: str
    dandiset: str
    path: str

    @classmethod
    def parse(cls, url: str) -> DandiDestination:
        m = _DEST.match(url)
        if not m:
            raise RemoteError("not a DANDI destination (expected dandi://<instance>/<dandiset id>/<path>)", url=url)
        return cls(m.group("instance"), m.group("dandiset"), (m.group("path") or "").strip("/"))


def asset_metadata(path: str, data: bytes, encoding_format: str, schema_version: str) -> dict[str, Any]:
    """The client's part of an asset's metadata (the archive adds ids, URLs and access)."""
    return {"schemaKey": "Asset", "schemaVersion": schema_version, "encodingFormat": encoding_format,
            "contentSize": len(data), "digest": {"dandi:dandi-etag": dandi_etag(data),
                                                 "dandi:sha2-256": sha256_hex(data)},
            "path": path}


def _metadata_matches(existing: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether an asset's metadata (as listed with ``metadata=true``) already says what we would send."""
    stored = (existing or {}).get("metadata") or {}
    return all(stored.get(k) == wanted[k] for k in ("schemaKey", "schemaVersion", "encodingFormat"))


class DandiUploader:
    """The upload client of one instance; ``api_key`` goes to ``api_url`` only, never to storage."""

    def __init__(self, api_url: str, api_key: str, session: requests.Session, *, retry: RetryPolicy,
                 timeout: tuple[float, float], key_hint: str):
        self.api_url = api_url.rstrip("/")
        self.session = session
        self.retry = retry
        self.timeout = timeout
        self._auth = {"Authorization": f"token {api_key}"}
        self._key_hint = key_hint
        self._schema_version: str | None = None
        self._schema_lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------

    def check_token(self) -> None:
        """``GET /auth/token/``: the API key is valid."""
        self._api("GET", "/auth/token/")

    def schema_version(self) -> str:
        """The instance's dandischema version (``GET /info/``, asked once)."""
        with self._schema_lock:
            if self._schema_version is None:
                version = self._api("GET", "/info/").json().get("schema_version")
                if not isinstance(version, str) or not version:
                    raise RemoteError("the archive's /info/ names no schema_version", url=f"{self.api_url}/info/")
                self._schema_version = version
            return self._schema_version

    def download_url(self, asset_id: str) -> str:
        return f"{self.api_url}/assets/{asset_id}/download/"

    def put_blob(self, dandiset: str, digest: str, data: bytes) -> str:
        """The chunk blob as the asset ``.lindi/blobs/sha256/...``; reused when that asset exists."""
        actual = sha256_hex(data)
        if actual != check_digest(digest):
            raise IntegrityError(f"blob bytes have SHA-256 {actual}, not the claimed {digest}",
                                 url=f"dandiset {dandiset}")
        path = f"{BLOB_ASSET_ROOT}/{blob_relpath(digest)}"
        metadata = asset_metadata(path, data, BLOB_FORMAT, self.schema_version())
        existing = self.find_asset(dandiset, path)
        if existing is not None and existing.get("size") == len(data) and _metadata_matches(existing, metadata):
            return self.download_url(existing["asset_id"])
        blob_id = self.upload(dandiset, data)
        return self.download_url(self._attach(dandiset, blob_id, metadata, existing))

    def put_document(self, dandiset: str, path: str, data: bytes) -> str:
        """Upload ``data`` as the asset at ``path``, replacing (PUT, new asset id) an existing one."""
        metadata = asset_metadata(path, data, DOCUMENT_FORMAT, self.schema_version())
        blob_id = self.upload(dandiset, data)
        return self.download_url(self._attach(dandiset, blob_id, metadata, self.find_asset(dandiset, path)))

    def find_asset(self, dandiset: str, path: str) -> dict[str, Any] | None:
        """The draft asset at exactly ``path``, with its metadata (the list filter is a prefix match)."""
        url = f"/dandisets/{dandiset}/versions/draft/assets/"
        params: dict[str, Any] | None = {"path": path, "page_size": 100, "metadata": "true"}
        while url:
            page = self._api("GET", url, params=params).json()
            for hit in page.get("results", []):
                if hit.get("path") == path:
                    return hit
            url, params = page.get("next"), None
        return None

    def upload(self, dandiset: str, data: bytes) -> str:
        """Upload ``data`` as a blob (or find the identical one); returns the blob id."""
        if not data:
            raise RemoteError("the archive cannot store an empty blob", url=self.api_url)
        etag = dandi_etag(data)
        layout = PartLayout.for_size(len(data))
        resp = self._api("POST", "/uploads/initialize/", ok=(200, 409),
                         json={"contentSize": len(data), "dandiset": dandiset,
                               "digest": {"algorithm": "dandi:dandi-etag", "value": etag}})
        if resp.status_code == 409:
            return self._existing_blob(resp)
        body = resp.json()
        upload_id, parts = body["upload_id"], body["parts"]
        if len(parts) != layout.count:
            raise RemoteError(f"the archive split {len(data)} bytes into {len(parts)} parts, expected "
                              f"{layout.count}", url=self.api_url)
        done = []
        for part in parts:
            number, size = int(part["part_number"]), int(part["size"])
            offset = (number - 1) * layout.initial_size
            chunk = data[offset:offset + size]
            got = self._storage("PUT", part["upload_url"], chunk).headers.get("ETag", "").strip('"')
            if got != part_etag(chunk):
                raise IntegrityError(f"storage stored part {number} with ETag {got!r}, expected "
                                     f"{part_etag(chunk)}", url=self.api_url)
            done.append({"part_number": number, "size": size, "etag": got})
        completion = self._api("POST", f"/uploads/{upload_id}/complete/", json={"parts": done}).json()
        result = self._storage("POST", completion["complete_url"], completion["body"].encode())
        m = _XML_ETAG.search(result.content)
        if not m or m.group(1).decode() != etag:
            raise IntegrityError(f"storage completed the upload with ETag {m and m.group(1)!r}, expected {etag}",
                                 url=self.api_url)
        resp = self._api("POST", f"/uploads/{upload_id}/validate/", ok=(200, 409))
        if resp.status_code == 409:  # an identical blob won a race: ask for it
            return self._existing_blob(self._api(
                "POST", "/uploads/initialize/", ok=(409,),
                json={"contentSize": len(data), "dandiset": dandiset,
                      "digest": {"algorithm": "dandi:dandi-etag", "value": etag}}))
        return str(resp.json()["blob_id"])

    # -- helpers ------------------------------------------------------------------------------

    def _existing_blob(self, resp: requests.Response) -> str:
        blob_id = resp.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        if not blob_id:
            raise RemoteError("409 'Blob already exists' without a Location header", url=self.api_url)
        return blob_id

    def _attach(self, dandiset: str, blob_id: str, metadata: dict[str, Any], existing: dict[str, Any] | None
                ) -> str:
        """Point the asset at ``metadata["path"]`` to ``blob_id``; returns its (possibly new) asset id."""
        path = metadata["path"]
        body = {"metadata": metadata, "blob_id": blob_id}
        base = f"/dandisets/{dandiset}/versions/draft/assets/"
        if existing is not None:
            if existing.get("blob") == blob_id and _metadata_matches(existing, metadata):
                return str(existing["asset_id"])
            return str(self._api("PUT", f"{base}{existing['asset_id']}/", json=body).json()["asset_id"])
        resp = self._api("POST", base, json=body, ok=(200, 201, 409))
        if resp.status_code == 409:  # a concurrent publisher created it first
            found = self.find_asset(dandiset, path)
            if found is None:
                raise RemoteError(f"asset {path!r} reported as existing but not found", url=self.api_url)
            return self._attach(dandiset, blob_id, metadata, found)
        return str(resp.json()["asset_id"])

    def _api(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201, 204), **kw: Any
             ) -> requests.Response:
        url = path if "://" in path else f"{self.api_url}{path}"
        return self._send(lambda: self.session.request(method, url, headers=self._auth, timeout=self.timeout,
                                                       allow_redirects=False, **kw), url, ok)

    def _storage(self, method: str, url: str, data: bytes) -> requests.Response:
        # a fresh request without the session's headers: the API key must never reach storage
        import requests

        return self._send(lambda: requests.request(method, url, data=data, timeout=self.timeout), url.split("?")[0],
                          (200,))

    def _send(self, call: Callable[[], requests.Response], shown: str, ok: tuple[int, ...]) -> requests.Response:
        import requests

        def attempt() -> requests.Response:
            try:
                resp = call()
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise Transient(f"network error: {type(exc).__name__}", url=shown) from None
            if resp.status_code in ok:
                return resp
            if resp.status_code in RETRY_STATUSES:
                raise Transient(f"HTTP {resp.status_code}", url=shown)
            detail = resp.text[:300].strip()
            hint = {401: f"authentication failed (check {self._key_hint})",
                    403: "permission denied: this API key's user may not write to the dandiset",
                    404: "not found"}.get(resp.status_code, f"HTTP {resp.status_code}")
            raise RemoteError(f"DANDI upload: {hint}: {detail}" if detail else f"DANDI upload: {hint}", url=shown)

        return self.retry.run(attempt)
