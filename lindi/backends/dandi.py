"""Built-in backend for DANDI Archive asset download URLs.

``<api>/assets/{id}/download/`` and
``<api>/dandisets/{d}/versions/{v}/assets/{id}/download/`` answer with a 302
redirect to a presigned storage URL. This backend resolves that redirect once
per asset (single flight), caches the storage URL until its signature nears
expiry, and reads ranges from storage through the HTTP machinery. The API key
(``Authorization: token <key>``, needed for embargoed data) goes to the API
host only, never to storage.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from ..errors import RemoteError
from .base import CredentialLookup
from .dandi_upload import DandiDestination, DandiUploader
from .errors import BackendConfigError
from .http import HttpBackend, network_errors, read_at_most
from .presigned import ResolvedUrlCache
from .retry import RETRY_STATUSES, Transient
from .urls import redact_url

_DOWNLOAD_PATH = re.compile(
    r"^/(?:assets/(?P<asset>[^/?#]+)|dandisets/(?P<dandiset>[^/?#]+)/versions/(?P<version>[^/?#]+)"
    r"/assets/(?P<nested_asset>[^/?#]+))/download/?(?:[?#].*)?$")


@dataclass(frozen=True)
class DandiInstance:
    """One DANDI deployment; its API key comes from ``<NAME>_API_KEY`` (``-`` -> ``_``)."""

    name: str
    api_url: str

    @property
    def api_key_env_var(self) -> str:
        return f"{self.name.upper().replace('-', '_')}_API_KEY"


#: The public instances (dandi-cli's ``known_instances``); more via option ``instances``.
KNOWN_INSTANCES: tuple[DandiInstance, ...] = (
    DandiInstance("dandi", "https://api.dandiarchive.org/api"),
    DandiInstance("dandi-sandbox", "https://api.sandbox.dandiarchive.org/api"),
)


class DandiBackend(HttpBackend):
    """Reads DANDI assets by resolving their download redirects.

    Options: ``instances`` (table name -> API base URL ending in ``/api``, added
    to the public ones, e.g. a local archive), ``resolve_margin`` (max seconds
    before expiry to re-sign, default 300), plus the HTTP backend's options.
    """

    name = "dandi"
    capabilities = frozenset({"read", "sizes", "resolve", "write"})

    def __init__(self, options: Mapping[str, Any] | None = None, *,
                 credentials: CredentialLookup | None = None):
        super().__init__(options, credentials=credentials)
        self.instances = list(KNOWN_INSTANCES)
        extra = self.options.get("instances", {})
        if not isinstance(extra, Mapping):
            raise BackendConfigError("dandi option 'instances' must be a table of name -> API URL")
        for name, api_url in extra.items():
            if not isinstance(api_url, str) or "://" not in api_url:
                raise BackendConfigError(f"dandi instance {name!r}: API URL {api_url!r} is not an absolute URL")
            self.instances.append(DandiInstance(str(name), api_url.rstrip("/")))
        self._resolved = ResolvedUrlCache(self._resolve_redirect,
                                          max_margin=float(self.options.get("resolve_margin", 300)))
        self._uploaders: dict[tuple[str, str], DandiUploader] = {}  # per (instance, key): asks /info/ once
        self._uploaders_lock = threading.Lock()

    def prefixes(self) -> Sequence[str]:
        return tuple(f"{inst.api_url}/{part}/" for inst in self.instances for part in ("assets", "dandisets"))

    def instance_for(self, url: str) -> DandiInstance:
        """The instance whose API serves ``url`` (longest API URL match)."""
        matches = [i for i in self.instances if url.startswith(i.api_url + "/")]
        if not matches:
            raise RemoteError("not a URL of a known DANDI instance", url=redact_url(url))
        return max(matches, key=lambda i: len(i.api_url))

    def resolve(self, url: str) -> str:
        """The presigned storage URL behind an asset download URL (cached until near expiry)."""
        return self._resolved.get(url)

    def invalidate(self, url: str, resolved: str) -> None:
        self._resolved.invalidate(url, resolved)

    def auth_headers(self, target: str) -> dict[str, str]:
        """Reads go to the storage host, which must never see the API key."""
        return {}

    # -- write side (destinations ``dandi://<instance>/<dandiset>/<path>``) -------------------

    def instance_named(self, name: str) -> DandiInstance:
        for inst in self.instances:
            if inst.name == name:
                return inst
        raise RemoteError(f"unknown DANDI instance {name!r} (known: {', '.join(i.name for i in self.instances)}; "
                          "add one with the dandi option 'instances')", url=f"dandi://{name}/")

    def uploader(self, destination: str) -> tuple[DandiUploader, DandiDestination]:
        """The upload client for ``destination``; a RemoteError when no API key is configured."""
        dest = DandiDestination.parse(destination)
        inst = self.instance_named(dest.instance)
        key = self._credentials(inst.name)
        if not key:
            raise RemoteError(f"no API key for DANDI instance {inst.name!r}: set {inst.api_key_env_var}",
                              url=destination)
        with self._uploaders_lock:
            up = self._uploaders.get((inst.name, key))
            if up is None:
                up = self._uploaders[(inst.name, key)] = DandiUploader(
                    inst.api_url, key, self.session, retry=self.retry, timeout=self.timeout,
                    key_hint=inst.api_key_env_var)
        return up, dest

    def check_writable(self, destination: str) -> None:
        self.uploader(destination)[0].check_token()

    def put_blob(self, destination: str, digest: str, data: bytes) -> str:
        up, dest = self.uploader(destination)
        return up.put_blob(dest.dandiset, digest, data)

    def put_object(self, url: str, data: bytes) -> str:
        up, dest = self.uploader(url)
        if not dest.path:
            raise RemoteError("a DANDI destination for a document needs a path in the dandiset", url=url)
        return up.put_document(dest.dandiset, dest.path, data)

    def _resolve_redirect(self, url: str) -> str:
        inst = self.instance_for(url)
        if not _DOWNLOAD_PATH.match(url[len(inst.api_url):]):
            raise RemoteError("not a DANDI asset download URL (expected .../assets/{id}/download/ or "
                              ".../dandisets/{id}/versions/{v}/assets/{id}/download/)", url=redact_url(url))
        key = self._credentials(inst.name)
        headers = {"Authorization": f"token {key}"} if key else {}
        return self.retry.run(lambda: self._follow_once(url, inst, headers))

    def _follow_once(self, url: str, inst: DandiInstance, headers: dict[str, str]) -> str:
        shown = redact_url(url)
        try:
            with self.session.get(url, headers=headers, allow_redirects=False, stream=True,
                                  timeout=self.timeout) as resp:
                status = resp.status_code
                if status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                    return urljoin(url, resp.headers["Location"])
                detail = read_at_most(resp, 2048).decode("utf-8", "replace").strip()
        except network_errors() as exc:
            raise Transient(f"network error resolving asset: {type(exc).__name__}: {exc}", url=shown) from None
        if status in RETRY_STATUSES:
            raise Transient(f"HTTP {status} resolving asset", url=shown)
        hint = {
            401: f"embargoed asset: authentication required (set {inst.api_key_env_var})",
            403: f"embargoed asset: the API key in {inst.api_key_env_var} may not read it"
            if headers else f"access denied (set {inst.api_key_env_var} for embargoed data)",
            404: "asset not found",
        }.get(status, f"no download redirect (HTTP {status})")
        raise RemoteError(f"{hint}: {detail[:200]}" if detail else hint, url=shown)
