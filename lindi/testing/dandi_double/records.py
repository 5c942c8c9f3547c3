"""What the double stores: dandisets, assets, blobs, pending uploads, and the archive's path rules."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: Fields the archive computes itself and strips from client metadata (``ASSET_COMPUTED_FIELDS``).
COMPUTED_FIELDS = ("id", "access", "path", "identifier", "contentUrl", "contentSize", "digest",
                   "datePublished", "publishedBy")

_ASSET_PATH = re.compile(r"^([A-z0-9(),&\s#+~_=-]?\/?\.?[A-z0-9(),&\s#+~_=-])+$")


def now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Dandiset:
    identifier: str
    embargoed: bool = False
    owners: set[str] = field(default_factory=set)  # API tokens of the owners
    name: str = ""
    created: str = field(default_factory=now)
    modified: str = field(default_factory=now)


@dataclass
class Blob:
    blob_id: str
    key: str
    size: int
    etag: str
    sha256: str | None = None  # the archive computes it in the background after validation
    embargoed: bool = False

    def digest(self) -> dict[str, str]:
        out = {"dandi:dandi-etag": self.etag}
        if self.sha256:
            out["dandi:sha2-256"] = self.sha256
        return out

    def serialized(self) -> dict[str, Any]:
        """``AssetBlobSerializer``."""
        return {"blob_id": self.blob_id, "etag": self.etag, "sha256": self.sha256, "size": self.size}


@dataclass
class Asset:
    asset_id: str
    dandiset: str
    version: str
    path: str
    blob: Blob | None
    metadata: dict[str, Any]  # the client's metadata without the computed fields
    created: str = field(default_factory=now)
    zarr_id: str | None = None
    status: str = "Pending"  # Pending until validated, then Valid or Invalid (AssetStatus)
    validation_errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.blob.size if self.blob else 0

    @property
    def blob_key(self) -> str | None:
        return self.blob.key if self.blob else None

    @property
    def etag(self) -> str:
        return self.blob.etag if self.blob else ""


@dataclass
class PendingUpload:
    upload_id: str
    s3_upload_id: str
    key: str
    size: int
    etag: str
    dandiset: str
    embargoed: bool


def strip_computed(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in COMPUTED_FIELDS}


def path_error(path: str) -> str | None:
    """The archive's complaint about an asset path (``validate_asset_path``), or ``None``."""
    if path.startswith("/"):
        return "Path must not begin with /"
    if not _ASSET_PATH.fullmatch(path) or "//" in path:
        return "Path improperly formatted"
    return None


def conflicting_paths(path: str, taken: list[str]) -> list[str]:
    """Existing paths that make ``path`` impossible: it is a folder of them, or one is its folder."""
    as_folder = path + "/"
    parents = {path[:i] for i, ch in enumerate(path) if ch == "/"}
    return sorted(p for p in taken if p.startswith(as_folder) or p in parents)
