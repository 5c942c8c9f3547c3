"""An example LINDI backend plugin: ``memory://bucket/key`` objects held in this process."""
from __future__ import annotations

import threading
from collections.abc import Sequence

from lindi.backends import Backend, RangeResponse
from lindi.errors import RemoteError

#: The objects served, by URL.
STORE: dict[str, bytes] = {}
_LOCK = threading.Lock()


def put(url: str, data: bytes) -> str:
    """Store ``data`` at ``url`` (a ``memory://`` URL) and return the URL."""
    if not url.startswith("memory://"):
        raise ValueError(f"not a memory:// URL: {url}")
    with _LOCK:
        STORE[url] = bytes(data)
    return url


class MemoryBackend(Backend):
    """Serves :data:`STORE`; a real plugin would talk to its storage service here."""

    name = "memory"
    capabilities = frozenset({"read", "sizes"})

    def prefixes(self) -> Sequence[str]:
        return ("memory://",)

    def _get(self, url: str, ref: str | None = None) -> bytes:
        with _LOCK:
            data = STORE.get(url)
        if data is None:
            raise RemoteError("object not found", url=url, ref=ref)
        return data

    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        """Only fetch: the Backend base checks the length (a range past the end comes back short) and retries."""
        return RangeResponse(self._get(url, f"[{url!r}, {offset}, {length}]")[offset:offset + length])

    def size(self, url: str) -> int:
        return len(self._get(url))
