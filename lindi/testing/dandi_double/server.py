"""``DandiApiDouble``: the DANDI Archive REST API on 127.0.0.1, faithful enough for dandi-cli.

Two servers: the API (``/api/...``) and a storage front that plays S3 in
front of a moto server holding the blobs (:mod:`.storage`). Storage lives on
its own port so tests can prove that ``Authorization`` never crosses the redirect.

Behaviour follows the archive's source (dandi/dandi-archive ``dandiapi``):
the server decides the multipart layout, sorts completion parts, stores the
client's asset metadata without the fields it computes and serves it back as
``full_metadata``, validates assets with dandischema (:mod:`.validation`),
paginates like Django REST framework (:mod:`.listing`), redirects a missing
trailing slash, and answers HEAD like GET. Writing needs an owner's token.
``blob_uploads`` lists the etag of every blob created, so tests can prove that
nothing was uploaded twice.
"""
from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import urlencode

from ...backends.dandi_etag import DEFAULT_PART_SIZE, PartLayout, dandi_etag
from .._server import ServerThread
from ..cloud_servers import s3_client
from ._http import (
    BAD_TOKEN,
    NO_CREDENTIALS,
    NO_PERMISSION,
    NOT_FOUND,
    Reply,
    Request,
    make_handler,
)
from .listing import folder_children, glob_matches, not_found, ordered, paginate
from .records import (
    Asset,
    Blob,
    Dandiset,
    PendingUpload,
    conflicting_paths,
    now,
    path_error,
    strip_computed,
)
from .storage import StorageFront
from .validation import allowed_schema_versions, validate_asset

#: What the archive's ``/api/info/`` reports (dandischema 0.12.1 pinned: schema 0.7.0).
SCHEMA_VERSION = "0.7.0"
CLI_MINIMAL_VERSION = "0.74.0"
_FORMATS = {".nwb": "application/x-nwb", ".json": "application/json", ".yaml": "application/x-yaml"}

Route = tuple[str, str, Callable[..., Reply]]


class DandiApiDouble:
    """A DANDI API on 127.0.0.1 backed by the moto S3 server at ``s3_endpoint``.

    ``ttl``: lifetime in seconds of the presigned URLs handed out.
    ``schema_version``: the instance's dandischema version (``/api/info/``).
    ``part_size``: the default multipart part size (dandischema's
    ``PartGenerator.DEFAULT_PART_SIZE``; lower it, with the client's, to test
    multipart uploads with small files). Add content with :meth:`add_dandiset`
    / :meth:`add_asset`; make every issued URL expire with
    :meth:`expire_issued_urls`; make the API fail with :meth:`fail_next`.
    ``api_log`` / ``storage_log`` record requests.
    """

    def __init__(self, s3_endpoint: str, *, bucket: str = "dandi-double", ttl: int = 6 * 3600,
                 schema_version: str = SCHEMA_VERSION, part_size: int = DEFAULT_PART_SIZE):
        self.s3_endpoint = s3_endpoint.rstrip("/")
        self.bucket = bucket
        self.ttl = ttl
        self.schema_version = schema_version
        self.part_size = part_size
        self.dandisets: dict[str, Dandiset] = {}
        self.assets: dict[str, Asset] = {}
        self.valid_tokens: set[str] = set()
        self.api_log: list[Request] = []
        self.blobs: dict[str, Blob] = {}  # by etag (unique, as in the archive)
        self.uploads: dict[str, PendingUpload] = {}
        self.blob_uploads: list[str] = []  # etag of every blob created by an upload
        self._failures: list[int] = []
        self._lock = threading.RLock()
        self._s3 = s3_client(self.s3_endpoint)
        self._api = ServerThread(make_handler(self._handle_api), self)
        self._storage = StorageFront(self._s3, self.s3_endpoint, bucket, self._is_public)
        self._routes = self._route_table()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        self._s3.create_bucket(Bucket=self.bucket)
        self._api.start()
        self._storage.start()
        return self

    def stop(self) -> None:
        self._api.stop()
        self._storage.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """The instance's API base, e.g. ``http://127.0.0.1:40123/api`` (no trailing slash)."""
        return f"{self._api.base_url}/api"

    @property
    def storage_url(self) -> str:
        return self._storage.url

    @property
    def storage_log(self) -> list[Request]:
        """Every request the storage front received."""
        return self._storage.log

    # -- content and knobs ------------------------------------------------------------------

    def add_user(self, token: str) -> None:
        with self._lock:
            self.valid_tokens.add(token)

    def add_dandiset(self, identifier: str, *, embargoed: bool = False, owners: tuple[str, ...] = (),
                     name: str = "") -> Dandiset:
        with self._lock:
            ds = Dandiset(identifier, embargoed, set(owners), name or f"Test dandiset {identifier}")
            self.dandisets[identifier] = ds
            self.valid_tokens.update(owners)
        return ds

    def add_asset(self, dandiset: str, path: str, data: bytes, *, version: str = "draft",
                  metadata: dict[str, Any] | None = None) -> Asset:
        """Store ``data`` as a blob and an asset pointing at it.

        ``metadata``: the client's metadata; by default what dandi-cli sends for
        a file (``schemaKey``, ``schemaVersion``, ``encodingFormat`` from the suffix).
        """
        if dandiset not in self.dandisets:
            self.add_dandiset(dandiset)
        blob_id = str(uuid.uuid4())
        key = _blob_key(blob_id)
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        blob = Blob(blob_id, key, len(data), dandi_etag(data), hashlib.sha256(data).hexdigest(),
                    self.dandisets[dandiset].embargoed)
        if metadata is None:
            suffix = "." + path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
            metadata = {"schemaKey": "Asset", "schemaVersion": self.schema_version,
                        "encodingFormat": _FORMATS.get(suffix, "application/octet-stream")}
        asset = Asset(str(uuid.uuid4()), dandiset, version, path, blob, strip_computed(metadata))
        with self._lock:
            self.blobs.setdefault(blob.etag, blob)
            self.assets[asset.asset_id] = asset
        return asset

    def add_zarr_asset(self, dandiset: str, path: str, *, version: str = "draft") -> Asset:
        """A zarr asset (its download endpoint answers 400, like the archive)."""
        if dandiset not in self.dandisets:
            self.add_dandiset(dandiset)
        asset = Asset(str(uuid.uuid4()), dandiset, version, path, None,
                      {"schemaKey": "Asset", "schemaVersion": self.schema_version,
                       "encodingFormat": "application/x-zarr"}, zarr_id=str(uuid.uuid4()))
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
        self._storage.expire_issued()

    def fail_next(self, count: int, status: int = 503) -> None:
        """The next ``count`` API requests answer ``status``."""
        with self._lock:
            self._failures.extend([status] * count)

    def api_requests(self, path_contains: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.api_log if path_contains in r.path]

    def _is_public(self, key: str) -> bool:
        with self._lock:
            return any(b.key == key and not b.embargoed for b in self.blobs.values())

    def validation_status(self, asset: Asset) -> str:
        """The asset's status after the archive's validation (``Valid`` or ``Invalid``)."""
        return self._validated(asset).status

    # -- dispatch ---------------------------------------------------------------------------

    def _route_table(self) -> list[Route]:
        aid = r"(?P<aid>[0-9a-f-]{36})"
        ds = r"/api/dandisets/(?P<did>\d{6})"
        nested = rf"{ds}/versions/(?P<version>[^/]+)/assets"
        uid = r"(?P<uid>[0-9a-f-]{36})"
        return [
            ("GET", r"/api/info/", self._info),
            ("GET|POST", r"/api/auth/token/", self._auth_token),
            ("GET", r"/api/dandisets/", self._list_dandisets),
            ("GET", rf"{ds}/", self._get_dandiset),
            ("GET", rf"{ds}/versions/", self._list_versions),
            ("GET", rf"{ds}/versions/(?P<version>[^/]+)/", self._version_metadata),
            ("GET", rf"{ds}/versions/(?P<version>[^/]+)/info/", self._version_info),
            ("GET", rf"/api/assets/{aid}/download/", self._download),
            ("GET", rf"{nested}/{aid}/download/", self._download),
            ("GET", rf"/api/assets/{aid}/", self._metadata),
            ("GET", rf"{nested}/{aid}/", self._metadata),
            ("GET", rf"/api/assets/{aid}/info/", self._info_detail),
            ("GET", rf"{nested}/{aid}/info/", self._info_detail),
            ("GET", rf"{nested}/{aid}/validation/", self._validation),
            ("GET", rf"{nested}/paths/", self._paths),
            ("GET", rf"{nested}/", self._list_assets),
            ("POST", r"/api/uploads/initialize/", self._upload_initialize),
            ("POST", rf"/api/uploads/{uid}/complete/", self._upload_complete),
            ("POST", rf"/api/uploads/{uid}/validate/", self._upload_validate),
            ("POST", r"/api/blobs/digest/", self._blob_by_digest),
            ("POST", rf"{nested}/", self._write_asset),
            ("PUT", rf"{nested}/{aid}/", self._write_asset),
            ("DELETE", rf"{nested}/{aid}/", self._delete_asset),
        ]

    def _handle_api(self, req: Request) -> Reply:
        with self._lock:
            self.api_log.append(req)
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return Reply.detail(failure, f"injected failure {failure}")
        token = req.token()
        if token is not None and token not in self.valid_tokens:  # TokenAuthentication, on every endpoint
            return Reply.detail(401, BAD_TOKEN)
        method = "GET" if req.method == "HEAD" else req.method  # Django answers HEAD with the GET view
        for methods, pattern, fn in self._routes:
            m = re.fullmatch(pattern, req.path)
            if m and method in methods.split("|"):
                return fn(req, **m.groupdict())
        if not req.path.endswith("/") and any(re.fullmatch(p, req.path + "/") for _, p, _ in self._routes):
            query = urlencode([(k, v) for k, vs in req.query.items() for v in vs])
            return Reply(301, b"", {"Location": req.path + "/" + ("?" + query if query else "")})
        if any(re.fullmatch(p, req.path) for _, p, _ in self._routes):
            return Reply.detail(405, f'Method "{req.method}" not allowed.')
        return Reply.detail(404, NOT_FOUND)

    def _info(self, req: Request) -> Reply:
        return Reply.json(200, {
            "schema_version": self.schema_version,
            "schema_url": f"{self.api_url}/schemas/?model=Dandiset",
            "allowed_schema_versions": allowed_schema_versions(self.schema_version),
            "version": "double", "cli-minimal-version": CLI_MINIMAL_VERSION,
            "cli-requires-python": ">=3.10", "cli-bad-versions": [],
            "services": {"api": {"url": self.api_url}, "webui": {"url": self._api.base_url},
                         "jupyterhub": {"url": self._api.base_url}}})

    def _auth_token(self, req: Request) -> Reply:
        token = req.token()
        if token is None:
            return Reply.detail(401, NO_CREDENTIALS)
        return Reply.json(200, token)

    # -- permissions ------------------------------------------------------------------------

    def _can_see(self, req: Request, ds: Dandiset) -> Reply | None:
        """401/403 for an embargoed dandiset unless the token is an owner's."""
        if not ds.embargoed:
            return None
        token = req.token()
        if token is None:
            return Reply.detail(401, NO_CREDENTIALS)
        return None if token in ds.owners else Reply.detail(403, NO_PERMISSION)

    def _require_user(self, req: Request) -> Reply | None:
        return None if req.token() is not None else Reply.detail(401, NO_CREDENTIALS)

    def _require_owner(self, req: Request, did: str) -> Reply | None:
        denied = self._require_user(req)
        if denied:
            return denied
        ds = self.dandisets.get(did)
        if ds is None:
            return not_found()
        return None if req.token() in ds.owners else Reply.detail(403, NO_PERMISSION)

    # -- dandisets and versions -------------------------------------------------------------

    def _dandiset(self, req: Request, did: str) -> Dandiset | Reply:
        ds = self.dandisets.get(did)
        if ds is None:
            return not_found()
        return self._can_see(req, ds) or ds

    def _version_names(self, ds: Dandiset) -> list[str]:
        published = sorted({a.version for a in self.assets.values() if a.dandiset == ds.identifier} - {"draft"})
        return [*published, "draft"]

    def _version_record(self, ds: Dandiset, version: str, *, with_dandiset: bool) -> dict[str, Any]:
        """``VersionSerializer`` (``child_context`` drops ``dandiset``)."""
        assets = self._assets_of(ds.identifier, version)
        out: dict[str, Any] = {"version": version, "name": ds.name, "asset_count": len(assets),
               "active_uploads": sum(1 for u in self.uploads.values() if u.dandiset == ds.identifier)
               if version == "draft" else 0,
               "size": sum(a.size for a in assets), "status": "Valid" if version == "draft" else "Published",
               "created": ds.created, "modified": max([ds.modified, *(a.created for a in assets)]),
               "release_notes": ""}
        if with_dandiset:
            out["dandiset"] = self._dandiset_record(ds)
        return out

    def _dandiset_record(self, ds: Dandiset, *, versions: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"identifier": ds.identifier, "created": ds.created, "modified": ds.modified,
                               "contact_person": "", "embargo_status": "EMBARGOED" if ds.embargoed else "OPEN",
                               "star_count": 0, "is_starred": False}
        if versions:
            names = self._version_names(ds)
            out["most_recent_published_version"] = (self._version_record(ds, names[-2], with_dandiset=False)
                                                    if len(names) > 1 else None)
            out["draft_version"] = self._version_record(ds, "draft", with_dandiset=False)
        return out

    def _list_dandisets(self, req: Request) -> Reply:
        with self._lock:
            visible = [ds for ds in self.dandisets.values() if self._can_see(req, ds) is None]
            return paginate(req, f"{self.api_url}/dandisets/", sorted(visible, key=lambda d: d.created),
                            lambda ds: self._dandiset_record(ds, versions=True))

    def _get_dandiset(self, req: Request, did: str) -> Reply:
        with self._lock:
            ds = self._dandiset(req, did)
            return ds if isinstance(ds, Reply) else Reply.json(200, self._dandiset_record(ds, versions=True))

    def _list_versions(self, req: Request, did: str) -> Reply:
        with self._lock:
            ds = self._dandiset(req, did)
            if isinstance(ds, Reply):
                return ds
            return paginate(req, f"{self.api_url}/dandisets/{did}/versions/", self._version_names(ds),
                            lambda v: self._version_record(ds, v, with_dandiset=True))

    def _version_or_404(self, req: Request, did: str, version: str) -> Dandiset | Reply:
        ds = self._dandiset(req, did)
        if isinstance(ds, Reply):
            return ds
        return ds if version in self._version_names(ds) else not_found()

    def _version_metadata(self, req: Request, did: str, version: str) -> Reply:
        with self._lock:
            ds = self._version_or_404(req, did, version)
            return ds if isinstance(ds, Reply) else Reply.json(200, self._dandiset_metadata(ds, version))

    def _dandiset_metadata(self, ds: Dandiset, version: str) -> dict[str, Any]:
        assets = self._assets_of(ds.identifier, version)
        return {
            "@context": f"https://raw.githubusercontent.com/dandi/schema/master/releases/{self.schema_version}"
                        "/context.json",
            "schemaKey": "Dandiset", "schemaVersion": self.schema_version,
            "id": f"DANDI:{ds.identifier}/{version}", "identifier": f"DANDI:{ds.identifier}",
            "name": ds.name, "description": f"{ds.name} (served by the LINDI test double)", "version": version,
            "url": f"{self._api.base_url}/dandiset/{ds.identifier}/{version}",
            "license": ["spdx:CC-BY-4.0"], "citation": f"{ds.name} ({version}). DANDI Archive.",
            "access": [{"schemaKey": "AccessRequirements",
                        "status": "dandi:EmbargoedAccess" if ds.embargoed else "dandi:OpenAccess"}],
            "contributor": [{"schemaKey": "Person", "name": "Double, Test", "roleName": ["dcite:ContactPerson"],
                             "includeInCitation": True}],
            "assetsSummary": {"schemaKey": "AssetsSummary", "numberOfBytes": sum(a.size for a in assets),
                              "numberOfFiles": len(assets)},
            "dateCreated": ds.created,
        }

    def _version_info(self, req: Request, did: str, version: str) -> Reply:
        with self._lock:
            ds = self._version_or_404(req, did, version)
            if isinstance(ds, Reply):
                return ds
            assets = self._assets_of(did, version)
        errors = [{"field": e["field"], "message": e["message"], "path": a.path}
                  for a in assets for e in self._validated(a).validation_errors]
        with self._lock:
            out = self._version_record(ds, version, with_dandiset=True)
            out.update(asset_validation_errors=errors, version_validation_errors=[],
                       metadata=self._dandiset_metadata(ds, version), contact_person="")
        return Reply.json(200, out)

    # -- assets -----------------------------------------------------------------------------

    def _assets_of(self, did: str, version: str) -> list[Asset]:
        return [a for a in self.assets.values() if a.dandiset == did and a.version == version]

    def _find(self, req: Request, aid: str, did: str | None, version: str | None) -> Asset | Reply:
        with self._lock:
            asset = self.assets.get(aid)
        if asset is None or (did is not None and (asset.dandiset != did or asset.version != version)):
            return not_found()
        return self._can_see(req, self.dandisets[asset.dandiset]) or asset

    def _download(self, req: Request, aid: str, did: str | None = None, version: str | None = None) -> Reply:
        found = self._find(req, aid, did, version)
        if isinstance(found, Reply):
            return found
        if found.blob is None:
            return Reply.json(400, "Unable to provide download link for zarr assets. Use the zarr endpoint.")
        disposition = req.param("content_disposition", "attachment")
        if disposition not in ("attachment", "inline"):
            return Reply.field_error("content_disposition", f'"{disposition}" is not a valid choice.')
        name = found.path.rsplit("/", 1)[-1]
        params = {"Key": found.blob.key, "ResponseContentDisposition": f'{disposition}; filename="{name}"'}
        if disposition == "inline":
            params["ResponseContentType"] = found.metadata.get("encodingFormat", "application/octet-stream")
        return Reply(302, b"", {"Location": self._storage.sign("get_object", "GET", params, self.ttl)})

    def full_metadata(self, asset: Asset) -> dict[str, Any]:
        """``Asset.full_metadata``: the client's metadata plus the fields the archive computes."""
        meta = {**asset.metadata, "id": f"dandiasset:{asset.asset_id}",
                "access": [{"schemaKey": "AccessRequirements",
                            "status": "dandi:EmbargoedAccess" if self.dandisets[asset.dandiset].embargoed
                            else "dandi:OpenAccess"}],
                "path": asset.path, "identifier": asset.asset_id,
                "contentUrl": [f"{self.api_url}/assets/{asset.asset_id}/download/",
                               self._storage.object_url(asset.blob.key) if asset.blob else
                               self._storage.object_url(f"zarr/{asset.zarr_id}/")],
                "contentSize": asset.size,
                "digest": self._with_sha256(asset.blob).digest() if asset.blob else {}}
        meta["@context"] = ("https://raw.githubusercontent.com/dandi/schema/master/releases/"
                            f"{meta.get('schemaVersion')}/context.json")
        if asset.zarr_id is not None:
            meta["encodingFormat"] = "application/x-zarr"
        return meta

    def _validated(self, asset: Asset) -> Asset:
        """Run the archive's validation once per asset (its metadata never changes: edits make new assets)."""
        if asset.status == "Pending":
            asset.status, asset.validation_errors = validate_asset(self.full_metadata(asset), self.schema_version)
        return asset

    def _metadata(self, req: Request, aid: str, did: str | None = None, version: str | None = None) -> Reply:
        found = self._find(req, aid, did, version)
        return found if isinstance(found, Reply) else Reply.json(200, self.full_metadata(found))

    def _record(self, asset: Asset, *, metadata: bool = True) -> dict[str, Any]:
        """``AssetSerializer`` / ``AssetDetailSerializer``."""
        out: dict[str, Any] = {"asset_id": asset.asset_id, "blob": asset.blob.blob_id if asset.blob else None,
               "zarr": asset.zarr_id, "path": asset.path, "size": asset.size, "created": asset.created,
               "modified": asset.created}
        if metadata:
            out["metadata"] = self.full_metadata(asset)
        return out

    def _info_detail(self, req: Request, aid: str, did: str | None = None, version: str | None = None) -> Reply:
        found = self._find(req, aid, did, version)
        return found if isinstance(found, Reply) else Reply.json(200, self._record(found))

    def _validation(self, req: Request, did: str, version: str, aid: str) -> Reply:
        found = self._find(req, aid, did, version)
        if isinstance(found, Reply):
            return found
        asset = self._validated(found)
        return Reply.json(200, {"status": asset.status, "validation_errors": asset.validation_errors})

    def _list_assets(self, req: Request, did: str, version: str) -> Reply:
        with self._lock:
            ds = self._version_or_404(req, did, version)
            if isinstance(ds, Reply):
                return ds
            hits = sorted(self._assets_of(did, version), key=lambda a: a.created)
        path = req.param("path")
        if path:
            exact = [a for a in hits if a.path == path]
            hits = exact or [a for a in hits if a.path.lower().startswith(path.lower())]
        if (req.param("zarr") or "").lower() in ("true", "1"):
            hits = [a for a in hits if a.zarr_id is not None]
        pattern = req.param("glob")
        if pattern is not None:
            hits = [a for a in hits if glob_matches(pattern, a.path)]
        hits = ordered(hits, req.param("order"), {"created": lambda a: a.created, "modified": lambda a: a.created,
                                                  "path": lambda a: a.path})
        with_metadata = (req.param("metadata") or "").lower() in ("true", "1")
        return paginate(req, f"{self.api_url}/dandisets/{did}/versions/{version}/assets/", hits,
                        lambda a: self._record(a, metadata=with_metadata), count_first_page_only=True)

    def _paths(self, req: Request, did: str, version: str) -> Reply:
        with self._lock:
            ds = self._version_or_404(req, did, version)
            if isinstance(ds, Reply):
                return ds
            files = {a.path: a for a in self._assets_of(did, version)}
        children = folder_children(req.param("path_prefix", "") or "", files)
        if children is None:
            return Reply.detail(404, "Specified path not found.")

        def render(child: tuple[str, Asset | None, list[Asset]]) -> dict[str, Any]:
            path, asset, members = child
            return {"path": path, "version": version, "aggregate_files": len(members),
                    "aggregate_size": sum(a.size for a in members),
                    "asset": {"asset_id": asset.asset_id,
                              "url": self._storage.object_url(asset.blob.key)} if asset and asset.blob else None}

        return paginate(req, f"{self.api_url}/dandisets/{did}/versions/{version}/assets/paths/", children, render)

    # -- uploads ----------------------------------------------------------------------------

    def _upload_initialize(self, req: Request) -> Reply:
        denied = self._require_user(req)
        if denied:
            return denied
        body = req.json_body()
        size, digest = body.get("contentSize"), body.get("digest")
        if not isinstance(size, int) or size < 1:
            return Reply.field_error("contentSize", "Ensure this value is greater than or equal to 1.")
        if not isinstance(digest, dict) or not digest.get("algorithm") or not digest.get("value"):
            return Reply.field_error("digest", "This field is required.")
        if digest["algorithm"] != "dandi:dandi-etag":
            return Reply.invalid("Unsupported Digest Type")
        did = str(body.get("dandiset", "")).zfill(6)
        ds = self.dandisets.get(did)
        if ds is None or self._can_see(req, ds) is not None:
            return not_found()
        if req.token() not in ds.owners:
            return Reply.json(403, "Action not allowed")  # NotAllowedError
        etag = str(digest["value"])
        with self._lock:
            existing = self.blobs.get(etag)
        if existing is not None:
            return Reply.json(409, "Blob already exists.", Location=existing.blob_id)
        uid = str(uuid.uuid4())
        key = _blob_key(uid)
        s3_upload = self._s3.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        parts = [{"part_number": n, "size": length,
                  "upload_url": self._storage.sign("upload_part", "PUT", {"Key": key, "UploadId": s3_upload,
                                                                          "PartNumber": n}, self.ttl)}
                 for n, _, length in PartLayout.for_size(size, self.part_size).parts()]
        with self._lock:
            self.uploads[uid] = PendingUpload(uid, s3_upload, key, size, etag, did, self.dandisets[did].embargoed)
        return Reply.json(200, {"upload_id": uid, "parts": parts})

    def _pending(self, req: Request, uid: str) -> PendingUpload | Reply:
        denied = self._require_user(req)
        if denied:
            return denied
        upload = self.uploads.get(uid)
        if upload is None or (upload.embargoed and req.token() not in self.dandisets[upload.dandiset].owners):
            return not_found()
        return upload

    def _upload_complete(self, req: Request, uid: str) -> Reply:
        parts = req.json_body().get("parts")
        if not isinstance(parts, list):
            return Reply.field_error("parts", "This field is required.")
        if not parts:
            return Reply.field_error("parts", {"non_field_errors": ["This list may not be empty."]})
        upload = self._pending(req, uid)
        if isinstance(upload, Reply):
            return upload
        xml = "".join(f'<Part><PartNumber>{int(p["part_number"])}</PartNumber><ETag>"{p["etag"]}"</ETag></Part>'
                      for p in sorted(parts, key=lambda p: int(p["part_number"])))
        url = self._storage.sign("complete_multipart_upload", "POST",
                                 {"Key": upload.key, "UploadId": upload.s3_upload_id}, self.ttl)
        return Reply.json(200, {"complete_url": url,
                                "body": f"<CompleteMultipartUpload>{xml}</CompleteMultipartUpload>"})

    def _upload_validate(self, req: Request, uid: str) -> Reply:
        upload = self._pending(req, uid)
        if isinstance(upload, Reply):
            return upload
        try:
            head = self._s3.head_object(Bucket=self.bucket, Key=upload.key)
        except Exception:  # noqa: BLE001 - botocore's ClientError: the object was never completed
            return Reply.invalid("Object does not exist.")
        actual_etag = head["ETag"].strip('"')
        if head["ContentLength"] != upload.size:
            return Reply.invalid(f"Size {upload.size} does not match actual size {head['ContentLength']}.")
        if actual_etag != upload.etag:
            return Reply.invalid(f"ETag {upload.etag} does not match actual ETag {actual_etag}.")
        with self._lock:
            del self.uploads[uid]
            if upload.etag in self.blobs:
                return Reply.json(409, "An identical blob has already been uploaded.")
            blob = Blob(uid, upload.key, upload.size, upload.etag, embargoed=upload.embargoed)
            self.blobs[upload.etag] = blob
            self.blob_uploads.append(upload.etag)
        return Reply.json(200, blob.serialized())  # sha256 is null here: the archive computes it afterwards

    def _with_sha256(self, blob: Blob) -> Blob:
        """The blob once the archive's background ``calculate_sha256`` has run (here: on first need)."""
        if blob.sha256 is None:
            digest = hashlib.sha256()
            for chunk in self._s3.get_object(Bucket=self.bucket, Key=blob.key)["Body"].iter_chunks(1 << 20):
                digest.update(chunk)
            blob.sha256 = digest.hexdigest()
        return blob

    def _blob_by_digest(self, req: Request) -> Reply:
        body = req.json_body()
        algorithm, value = body.get("algorithm"), body.get("value")
        if not algorithm or not value:
            return Reply.field_error("algorithm" if not algorithm else "value", "This field is required.")
        field = {"dandi:dandi-etag": "etag", "dandi:sha2-256": "sha256"}.get(str(algorithm))
        if field is None:
            return Reply.json(400, "Unsupported Digest Algorithm. Supported: dandi:dandi-etag, dandi:sha2-256")
        with self._lock:
            blobs = list(self.blobs.values())
        blob = next((b for b in blobs if getattr(b if field == "etag" else self._with_sha256(b), field) == value),
                    None)
        return Reply.json(200, blob.serialized()) if blob else not_found()

    # -- creating, replacing and removing assets --------------------------------------------

    def _asset_request(self, req: Request, did: str, version: str) -> tuple[dict[str, Any], Blob] | Reply:
        """``AssetRequestSerializer`` and the owner check: ``(metadata, blob)`` or the error reply."""
        denied = self._require_owner(req, did)
        if denied:
            return denied
        if version != "draft":
            return Reply.json(405, "Only draft versions can be modified.")
        body = req.json_body()
        metadata = body.get("metadata")
        if not isinstance(metadata, dict):
            return Reply.field_error("metadata", "This field is required.")
        if ("blob_id" in body) == ("zarr_id" in body):
            return Reply.field_error("blob_id", "Exactly one of blob_id or zarr_id must be specified.")
        if not metadata.get("path"):
            return Reply.field_error("metadata", "No path specified in metadata.")
        problem = path_error(str(metadata["path"]))
        if problem:
            return Reply.field_error("non_field_errors", problem)
        with self._lock:
            blob = next((b for b in self.blobs.values() if b.blob_id == body.get("blob_id")), None)
        if blob is None:  # zarr assets are not uploaded through the double
            return not_found()
        return {**metadata, "schemaVersion": metadata.get("schemaVersion", self.schema_version)}, blob

    def _write_asset(self, req: Request, did: str, version: str, aid: str | None = None) -> Reply:
        """POST creates an asset; PUT (``aid``) replaces one by a new asset when anything changed."""
        found = self._asset_request(req, did, version)
        if isinstance(found, Reply):
            return found
        metadata, blob = found
        path = metadata["path"]
        with self._lock:
            others = [a.path for a in self._assets_of(did, "draft") if a.asset_id != aid]
            old = self.assets.get(aid) if aid is not None else None
            if aid is not None and (old is None or old.dandiset != did or old.version != "draft"):
                return not_found()
            if old is not None and (old.path, old.blob, old.metadata) == (path, blob, strip_computed(metadata)):
                return Reply.json(200, self._record(old))
            if path in others:
                return Reply.json(409, "An asset with that path already exists")
            conflicts = conflicting_paths(path, others) if old is None else []  # checked on creation only
            if conflicts:
                return Reply.json(409, f'Path of new asset "{path}" conflicts with existing assets: {conflicts}')
            if old is not None:
                del self.assets[old.asset_id]  # the archive makes a new asset and drops the old one from the draft
            asset = Asset(str(uuid.uuid4()), did, "draft", path, blob, strip_computed(metadata))
            self.assets[asset.asset_id] = asset
            self.dandisets[did].modified = now()
        return Reply.json(200, self._record(asset))

    def _delete_asset(self, req: Request, did: str, version: str, aid: str) -> Reply:
        denied = self._require_owner(req, did)
        if denied:
            return denied
        with self._lock:
            asset = self.assets.get(aid)
            if asset is None or asset.dandiset != did or asset.version != version:
                return not_found()
            del self.assets[aid]
            self.dandisets[did].modified = now()
        return Reply(204)


def _blob_key(uid: str) -> str:
    """``Upload.object_key``: ``blobs/abc/def/abcdef...``."""
    return f"blobs/{uid[0:3]}/{uid[3:6]}/{uid}"
