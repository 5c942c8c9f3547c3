"""Built-in backend for ``http://`` and ``https://`` URLs (a pooled ``requests`` session).

:meth:`HttpBackend.fetch_range` sends one ranged GET and reports status,
``Content-Range`` and body; the :class:`~lindi.backends.base.Backend` base
verifies and retries it. Around the retries, a URL resolved to a presigned one
that has expired is re-resolved once (:meth:`HttpBackend.with_retries`).
Redirects are followed here, not by requests: at most :data:`MAX_REDIRECTS`
hops, each checked against the URL policy of the document being read
(:func:`lindi.security.url_policy.check_redirect`), with credentials looked up
again for every host. Subclasses (DANDI) change :meth:`resolve` and
:meth:`auth_headers`.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ..errors import LimitExceededError, RemoteError
from ..security.url_policy import check_redirect
from .base import Backend, CredentialLookup
from .retry import RETRY_STATUSES, Transient
from .urls import redact_url, ref_text
from .verify import RangeResponse, parse_content_range

if TYPE_CHECKING:  # requests is imported on first use: reading local files never loads it
    import requests

T = TypeVar("T")

_EXPIRED_MARKERS = (b"Request has expired", b"AccessDenied", b"ExpiredToken")


@functools.cache
def network_errors() -> tuple[type[Exception], ...]:
    """The requests exceptions that mean a network failure worth retrying (imports requests)."""
    import requests

    return (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError)

#: Hops followed for one request before giving up (a loop, or a chain no real server needs).
MAX_REDIRECTS = 10


class _Expired(Exception):
    """The presigned URL ``resolved`` was rejected as expired."""

    def __init__(self, resolved: str):
        super().__init__(resolved)
        self.resolved = resolved


class HttpBackend(Backend):
    """Range reads over HTTP(S).

    Options: ``connect_timeout`` (s, default 10), ``read_timeout`` (s, default
    30), ``headers`` (extra headers for every request), plus the common ones.
    A secret from the credential hook for the URL's host is sent as
    ``Authorization: Bearer`` to that host only.
    """

    name = "http"
    capabilities = frozenset({"read", "sizes"})

    def __init__(self, options: Mapping[str, Any] | None = None, *,
                 credentials: CredentialLookup | None = None):
        super().__init__(options, credentials=credentials)
        self.timeout = (float(self.options.get("connect_timeout", 10)),
                        float(self.options.get("read_timeout", 30)))
        self._session: requests.Session | None = None

    def prefixes(self) -> Sequence[str]:
        return ("http://", "https://")

    @property
    def session(self) -> requests.Session:
        """The pooled session (created on first use, sized to ``max_concurrency``)."""
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter

            s = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(self.max_concurrency, 4), max_retries=0)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            s.headers.update({"Accept-Encoding": "identity", **self.options.get("headers", {})})
            self._session = s
        return self._session

    def auth_headers(self, target: str) -> dict[str, str]:
        """Headers carrying credentials for ``target``'s host (never reused for another host)."""
        host = urlsplit(target).netloc
        secret = self._credentials(host)
        return {"Authorization": f"Bearer {secret}"} if secret else {}

    def invalidate(self, url: str, resolved: str) -> None:
        """Drop a cached resolution of ``url`` that the server rejected as expired."""

    def size(self, url: str) -> int:
        return self.with_retries(url, None, lambda: self._probe_size(url))

    def read_object(self, url: str, max_bytes: int) -> bytes:
        """The whole object in ONE request (a plain GET), refused beyond ``max_bytes``."""
        return self.with_retries(url, None, lambda: self._get_whole(url, max_bytes))

    def with_retries(self, url: str, ref: str | None, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` with retries; a presigned URL rejected as expired is re-resolved once."""
        retried_expired = False
        while True:
            try:
                return self.retry.run(attempt)
            except _Expired as exc:
                if retried_expired or exc.resolved == url:
                    raise RemoteError("presigned URL rejected as expired (403) even after re-resolving",
                                      url=redact_url(exc.resolved), ref=ref) from None
                self.invalidate(url, exc.resolved)
                retried_expired = True

    def close(self) -> None:
        super().close()
        if self._session is not None:
            self._session.close()
            self._session = None

    # -- one attempt each ------------------------------------------------------------------

    @contextmanager
    def _get(self, target: str, headers: Mapping[str, str]) -> Iterator[requests.Response]:
        """A streamed GET of ``target``, redirects followed by hand (each hop checked, at most MAX_REDIRECTS).

        A URL or redirect the HTTP client cannot use is a RemoteError naming it, never a raw requests exception.
        """
        import requests

        current = target
        for _ in range(MAX_REDIRECTS + 1):
            try:
                resp = self.session.get(current, headers={**headers, **self.auth_headers(current)}, stream=True,
                                        timeout=self.timeout, allow_redirects=False)
            except network_errors():
                raise
            except (requests.RequestException, ValueError) as exc:  # ValueError: requests parsing a bad Location
                raise RemoteError(f"unusable URL or redirect: {type(exc).__name__}: {exc}",
                                  url=redact_url(current)) from None
            try:
                location = self.session.get_redirect_target(resp)  # the client's own reading of Location
            except UnicodeDecodeError as exc:
                resp.close()
                raise RemoteError(f"unusable redirect (Location is not UTF-8: {exc})", url=redact_url(current)) \
                    from None
            if not location:
                with resp:
                    yield resp
                return
            resp.close()
            current = check_redirect(target, current, location)
        raise RemoteError(f"more than {MAX_REDIRECTS} redirects", url=redact_url(target))

    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        """One ranged GET of the resolved URL (redirects checked hop by hop)."""
        ref = ref_text(url, offset, length)
        target = self.resolve(url)
        headers = {"Range": f"bytes={offset}-{offset + length - 1}"}
        try:
            with self._get(target, headers) as resp:
                self._raise_for_status(resp, target, url, ref, ok=(200, 206))
                body = read_at_most(resp, length + 1)
        except network_errors() as exc:
            raise Transient(f"network error: {type(exc).__name__}: {exc}", url=redact_url(target), ref=ref) \
                from None
        return RangeResponse(body, status=resp.status_code, content_range=resp.headers.get("Content-Range"),
                             content_type=resp.headers.get("Content-Type"), fetched_url=target)

    def _get_whole(self, url: str, max_bytes: int) -> bytes:
        target = self.resolve(url)
        shown = redact_url(target)
        try:
            with self._get(target, {}) as resp:
                self._raise_for_status(resp, target, url, None, ok=(200,))
                declared = resp.headers.get("Content-Length")
                if declared is not None and int(declared) > max_bytes:
                    raise LimitExceededError(f"object is {declared} bytes, above the limit of {max_bytes}",
                                             source=shown)
                body = read_at_most(resp, max_bytes + 1)
        except network_errors() as exc:
            raise Transient(f"network error: {type(exc).__name__}: {exc}", url=shown) from None
        if len(body) > max_bytes:
            raise LimitExceededError(f"object is larger than the limit of {max_bytes} bytes", source=shown)
        encoded = resp.headers.get("Content-Encoding", "identity") != "identity"  # declared: the encoded size
        if declared is not None and not encoded and len(body) != int(declared):
            raise Transient(f"short body: {len(body)} of {declared} bytes", url=shown)
        return body

    def _probe_size(self, url: str) -> int:
        """Size from a 1-byte ranged GET (works where HEAD is refused: presigned URLs, some CDNs)."""
        target = self.resolve(url)
        shown = redact_url(target)
        try:
            with self._get(target, {"Range": "bytes=0-0"}) as resp:
                if resp.status_code == 416:
                    total = _total_from(resp.headers.get("Content-Range"))
                    if total is not None:
                        return total
                self._raise_for_status(resp, target, url, None, ok=(200, 206))
                if resp.status_code == 206:
                    total = _total_from(resp.headers.get("Content-Range"))
                elif "Content-Encoding" not in resp.headers or resp.headers["Content-Encoding"] == "identity":
                    total = int(resp.headers["Content-Length"]) if "Content-Length" in resp.headers else None
                else:
                    total = None
        except network_errors() as exc:
            raise Transient(f"network error: {type(exc).__name__}: {exc}", url=shown) from None
        if total is None:
            raise RemoteError("server did not report the object size", url=shown)
        return total

    def _raise_for_status(self, resp: requests.Response, target: str, url: str, ref: str | None,
                          ok: tuple[int, ...]) -> None:
        status = resp.status_code
        if status in ok:
            return
        shown = redact_url(target)
        if status == 403 and target != url:
            head = read_at_most(resp, 65536)
            if any(m in head for m in _EXPIRED_MARKERS):
                raise _Expired(target)
        if status in RETRY_STATUSES:
            raise Transient(f"HTTP {status} {resp.reason}", url=shown, ref=ref)
        if status == 404:
            raise RemoteError("object not found (HTTP 404)", url=shown, ref=ref)
        if status == 416:
            raise RemoteError("range not satisfiable (HTTP 416): past the end of the object", url=shown, ref=ref)
        if status in (401, 403):
            raise RemoteError(f"access denied (HTTP {status})", url=shown, ref=ref)
        raise RemoteError(f"unexpected HTTP {status} {resp.reason}", url=shown, ref=ref)


def read_at_most(resp: requests.Response, limit: int) -> bytes:
    """Read up to ``limit`` bytes of a streamed body (never a whole huge object by mistake)."""
    parts, got = [], 0
    for chunk in resp.iter_content(chunk_size=min(max(limit, 1), 1 << 20)):
        parts.append(chunk[:limit - got])
        got += len(parts[-1])
        if got >= limit:
            break
    return b"".join(parts)  # one copy of at most ``limit`` bytes (a slice of the join would be a second)


def _total_from(content_range: str | None) -> int | None:
    if not content_range:
        return None
    try:
        return parse_content_range(content_range)[2]
    except ValueError:
        return None
