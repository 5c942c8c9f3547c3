"""Where the bytes of a ref live, and whether the reader's URL policy lets it go there.

Each distinct URL of a document is expanded once (templates, relative to the
document's location) exactly as the reader does it, then classified as a remote
host, a local file, a blob of a staging area or a member of the container the
document came from. The verdict is the reader's own: the document's
:class:`~lindi.security.url_policy.UrlPolicy` applied through
:meth:`RefDocument.expand_url`, so ``info`` shows what a reader would refuse.
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..backends.content import BLOB_DIR
from ..backends.urls import local_path
from ..errors import LindiError
from ..store.document import RefDocument
from ..store.policy import UrlPolicy, is_remote

#: Hosts whose policy verdict is computed (each may need a DNS lookup); a hostile document may name thousands.
MAX_JUDGED_HOSTS = 256
_STAGED_BLOB = re.compile(r"^(.*)/" + re.escape(BLOB_DIR) + r"/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")

ALLOWED = "allowed"
NOT_CHECKED = "not checked (too many hosts)"


@dataclass(frozen=True)
class Place:
    """``kind`` is remote, local, staging, container or unresolved; ``name`` the host, file, folder or reason."""

    kind: str
    name: str

    def label(self) -> str:
        return {"remote": self.name, "local": f"file {self.name}", "staging": f"staging {self.name}",
                "container": "container", "unresolved": f"unresolved ({self.name})"}[self.kind]


@dataclass(frozen=True)
class Resolved:
    """One distinct ref URL: its expansion, where it lives and the reader's verdict on it."""

    raw: str
    url: str | None
    place: Place
    verdict: str


def host_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, without user info."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def container_root(document: RefDocument) -> str | None:
    """The ``.lindi.tar`` / ``.lindi.d`` a document was loaded from (its members are 'inside the container')."""
    from ..staging import container_kind

    source = document.source
    if source is None:
        return None
    return source.rstrip("/") if container_kind(source) in ("tar", "dir") else None


class PlaceResolver:
    """Expands, classifies and judges ref URLs, each distinct URL once."""

    def __init__(self, document: RefDocument, *, container: str | None = None):
        self.document = document
        self.container = container if container is not None else container_root(document)
        permissive = UrlPolicy(location=document.policy.location, serves=None)
        self._expander = dataclasses.replace(document, policy=permissive)
        self._seen: dict[str, Resolved] = {}
        self._judged_hosts: set[str] = set()

    def resolve(self, raw: str, key: str) -> Resolved:
        """The :class:`Resolved` of the URL ``raw`` found at store key ``key`` (for error messages)."""
        found = self._seen.get(raw)
        if found is None:
            found = self._seen[raw] = self._resolve(raw, key)
        return found

    def resolved(self) -> list[Resolved]:
        """Every distinct URL resolved so far."""
        return list(self._seen.values())

    def _resolve(self, raw: str, key: str) -> Resolved:
        try:
            url = self._expander.expand_url(raw, key)
        except LindiError as exc:
            return Resolved(raw, None, Place("unresolved", _first_line(exc)), f"refused: {_first_line(exc)}")
        place = self._classify(url)
        host = place.name if place.kind == "remote" else ""
        if host and host not in self._judged_hosts and len(self._judged_hosts) >= MAX_JUDGED_HOSTS:
            return Resolved(raw, url, place, NOT_CHECKED)
        self._judged_hosts.add(host)
        try:
            self.document.expand_url(raw, key)
        except LindiError as exc:
            return Resolved(raw, url, place, f"refused: {_first_line(exc)}")
        return Resolved(raw, url, place, ALLOWED)

    def _classify(self, url: str) -> Place:
        root = self.container
        if root is not None and (url == root or url.startswith(root + "/")):
            return Place("container", root)
        if is_remote(url):
            return Place("remote", host_of(url))
        try:
            path = os.path.abspath(local_path(url))
        except ValueError:
            return Place("unresolved", f"not a local path: {url}")
        if root is not None and (path == root or path.startswith(root + os.sep)):
            return Place("container", root)
        staged = _STAGED_BLOB.match(path.replace(os.sep, "/"))
        if staged:
            return Place("staging", staged.group(1))
        return Place("local", path)


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
