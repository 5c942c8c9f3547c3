"""A cache of resolved (redirected, presigned) URLs, kept until they expire.

Resolving costs a round trip to an API, so each URL is resolved once, by one
thread at a time (single flight), and the result is reused until shortly
before its signature expires (``X-Amz-Date`` + ``X-Amz-Expires``, GCS's
``X-Goog-*`` equivalent, or SigV2's absolute ``Expires``).
"""
from __future__ import annotations

import threading
import time
from calendar import timegm
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit


def signature_expiry(url: str) -> float | None:
    """The POSIX time at which a presigned URL stops working, or ``None`` if it is not presigned."""
    params = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
    for prefix in ("x-amz-", "x-goog-"):
        date, expires = params.get(prefix + "date"), params.get(prefix + "expires")
        if date and expires:
            try:
                signed = timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
                return signed + int(expires)
            except ValueError:
                return None
    if "expires" in params and ("signature" in params or "awsaccesskeyid" in params):
        try:
            return float(params["expires"])
        except ValueError:
            return None
    return None


class ResolvedUrlCache:
    """Resolve URLs through ``resolver`` with single flight, caching until expiry minus a margin.

    The margin is ``margin_fraction`` of the signature's lifetime capped at
    ``max_margin`` seconds (so a 6 h DANDI URL is refreshed after ~5 h 55 min
    and a 10 s test URL after 8 s). Results without an expiry are kept for
    ``default_ttl`` seconds.
    """

    def __init__(self, resolver: Callable[[str], str], *, default_ttl: float = 600.0,
                 margin_fraction: float = 0.2, max_margin: float = 300.0,
                 clock: Callable[[], float] = time.time):
        self._resolver = resolver
        self._default_ttl = default_ttl
        self._margin_fraction = margin_fraction
        self._max_margin = max_margin
        self._clock = clock
        self._entries: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, url: str) -> str:
        """The resolved URL, resolving at most once at a time per URL."""
        hit = self._fresh(url)
        if hit is not None:
            return hit
        with self._guard:
            lock = self._locks.setdefault(url, threading.Lock())
        with lock:
            hit = self._fresh(url)
            if hit is not None:
                return hit
            resolved = self._resolver(url)
            self._entries[url] = (resolved, self._good_until(resolved))
            return resolved

    def invalidate(self, url: str, resolved: str | None = None) -> None:
        """Forget ``url`` (only if it still maps to ``resolved``, so concurrent failures re-resolve once)."""
        with self._guard:
            entry = self._entries.get(url)
            if entry is not None and (resolved is None or entry[0] == resolved):
                del self._entries[url]

    def _fresh(self, url: str) -> str | None:
        entry = self._entries.get(url)
        if entry is not None and self._clock() < entry[1]:
            return entry[0]
        return None

    def _good_until(self, resolved: str) -> float:
        now = self._clock()
        expiry = signature_expiry(resolved)
        if expiry is None:
            return now + self._default_ttl
        lifetime = max(0.0, expiry - now)
        return expiry - min(self._max_margin, self._margin_fraction * lifetime)
