"""The interface every storage backend implements.

A backend serves the URLs whose prefixes it claims. The read side is a batch
of ``(url, offset, length)`` ranges in, the same number of ``bytes`` out in
the same order, fetched concurrently with a bounded pool. A plugin only
fetches (:meth:`Backend.fetch_range`); the base verifies every response
(:mod:`lindi.backends.verify`) and retries what the plugin marks
:class:`~lindi.backends.retry.Transient` (:mod:`lindi.backends.retry`), so no
plugin can forget either.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

from ..errors import LimitExceededError
from ..security.url_policy import in_context
from .errors import InvalidRequestError
from .retry import RetryPolicy
from .urls import redact_url, ref_text
from .verify import RangeResponse, check_range_response

T = TypeVar("T")

#: One range request: ``(url, offset, length)``.
RangeRequest = tuple[str, int, int]
#: Reads a batch of range requests; bytes in request order (the reader's one I/O entry point).
RangeReader = Callable[[Sequence[RangeRequest]], list[bytes]]

#: What a backend can do, as listed by ``lindi backends``.
CAPABILITIES = ("read", "sizes", "resolve", "write")

CredentialLookup = Callable[[str], "str | None"]


def validate_requests(requests: Sequence[RangeRequest]) -> list[RangeRequest]:
    """Check the shape of a batch so a bad ref fails before any I/O."""
    checked = []
    for i, req in enumerate(requests):
        try:
            url, offset, length = req
        except (TypeError, ValueError):
            raise InvalidRequestError(f"request #{i} is not (url, offset, length): {req!r}") from None
        if not isinstance(url, str) or not url:
            raise InvalidRequestError(f"request #{i} has no URL string: {req!r}")
        for what, v in (("offset", offset), ("length", length)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InvalidRequestError(f"request #{i} has a bad {what} {v!r} (url {url})")
        checked.append((url, offset, length))
    return checked


class Backend(ABC):
    """Base class of storage backends (subclass it in a plugin; see ``lindi.testing.BackendTests``).

    Subclasses set ``name`` and ``capabilities`` and implement
    :meth:`prefixes`, :meth:`fetch_range` and :meth:`size`; they do not
    override :meth:`read_range`, which verifies and retries for them. Options come from
    the user config table ``[backends.options.<name>]`` or the registry API;
    ``max_concurrency`` (default 8) bounds parallel requests and ``retry``
    (a table of :class:`RetryPolicy` fields) the retries.
    """

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[str]] = frozenset({"read", "sizes"})

    def __init__(self, options: Mapping[str, Any] | None = None, *,
                 credentials: CredentialLookup | None = None):
        self.options: dict[str, Any] = dict(options or {})
        self.retry = RetryPolicy.from_options(self.options.get("retry"))
        self.max_concurrency = int(self.options.get("max_concurrency", 8))
        self._credentials = credentials or (lambda target: None)
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._made: dict[str, Any] = {}
        self._made_lock = threading.Lock()

    @abstractmethod
    def prefixes(self) -> Sequence[str]:
        """URL prefixes this backend serves, e.g. ``("s3://",)``; longest match wins across backends."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "read_range" in vars(cls):
            raise TypeError(f"backend class {cls.__qualname__} overrides read_range; implement fetch_range "
                            "instead (the Backend base verifies and retries every range)")

    @abstractmethod
    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        """ONE attempt at bytes ``offset..offset+length-1`` of ``url``: the body and what the server said.

        Do not check or retry here. Raise :class:`~lindi.backends.retry.Transient`
        for a failure worth retrying (429, 5xx, connection reset, timeout) and
        :class:`lindi.errors.RemoteError` for a final one (missing object, access
        denied). Read at most ``length + 1`` bytes, so that a long body shows.
        """

    def read_range(self, url: str, offset: int, length: int) -> bytes:
        """Exactly ``length`` bytes at ``offset`` of ``url``: :meth:`fetch_range`, verified, retried.

        Raises :class:`lindi.errors.RemoteError` (missing object, range past
        the end, exhausted retries) or :class:`lindi.errors.IntegrityError`.
        """
        ref = ref_text(url, offset, length)

        def attempt() -> bytes:
            resp = self.fetch_range(url, offset, length)
            check_range_response(resp, offset=offset, length=length, url=redact_url(resp.fetched_url or url),
                                 ref=ref)
            return resp.body

        return self.with_retries(url, ref, attempt)

    def with_retries(self, url: str, ref: str | None, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` under the retry policy (HTTP adds one re-resolve of an expired presigned URL)."""
        return self.retry.run(attempt)

    @abstractmethod
    def size(self, url: str) -> int:
        """Size in bytes of the object at ``url``."""

    def read_object(self, url: str, max_bytes: int) -> bytes:
        """The whole object at ``url``; :class:`lindi.errors.LimitExceededError` when above ``max_bytes``.

        The default asks for the size, then reads one range; backends that can fetch
        a whole object in one request (HTTP) override it to save the round trip.
        """
        size = self.size(url)
        if size > max_bytes:
            raise LimitExceededError(f"object is {size} bytes, above the limit of {max_bytes}", source=url)
        return self._read_checked(url, 0, size)

    def resolve(self, url: str) -> str:
        """The URL actually fetched for ``url`` (redirects, presigning); identity by default."""
        return url

    def check_writable(self, destination: str) -> None:
        """Fail fast, before any upload, when ``destination`` cannot be written (no credentials, no access).

        ``destination`` is a directory-like URL ending in ``/`` (``s3://bucket/prefix/``).
        Raises :class:`lindi.errors.RemoteError` naming the destination.
        """
        raise NotImplementedError(f"backend {self.name!r} cannot write")

    def put_blob(self, destination: str, digest: str, data: bytes) -> str:
        """Store ``data`` under ``destination`` by its SHA-256 ``digest``; return the URL to reference.

        Idempotent: a blob the destination already holds is not uploaded again,
        and concurrent writers of the same blob both succeed. The blob is named
        ``blobs/sha256/ab/cd/<digest>`` below ``destination`` (DANDI: an asset
        under ``.lindi/`` of the dandiset). A blob appears whole or not at all.
        Backends with the ``"write"`` capability override this.
        """
        raise NotImplementedError(f"backend {self.name!r} cannot write")

    def put_object(self, url: str, data: bytes) -> str:
        """Store ``data`` at ``url``, replacing what is there (the document); return the URL to read it at."""
        raise NotImplementedError(f"backend {self.name!r} cannot write")

    def read_ranges(self, requests: Sequence[RangeRequest]) -> list[bytes]:
        """Read a batch concurrently (at most ``max_concurrency`` at once); results in request order."""
        batch = validate_requests(requests)
        if len(batch) <= 1:
            return [self._read_checked(*req) for req in batch]
        read = in_context(self._read_checked)  # the reading document's URL policy checks redirects in the workers
        return list(self._pool().map(lambda req: read(*req), batch))

    async def aread_ranges(self, requests: Sequence[RangeRequest]) -> list[bytes]:
        """Async :meth:`read_ranges` (runs the blocking clients in a worker thread)."""
        import asyncio  # imported when first awaited: synchronous readers never load it

        return await asyncio.to_thread(self.read_ranges, list(requests))

    def close(self) -> None:
        """Release pooled connections and threads."""
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None

    def _once(self, name: str, factory: Callable[[], Any]) -> Any:
        """An object made on first use, once per backend, thread-safely (e.g. a cloud SDK client)."""
        with self._made_lock:
            if name not in self._made:
                self._made[name] = factory()
            return self._made[name]

    def _read_checked(self, url: str, offset: int, length: int) -> bytes:
        return b"" if length == 0 else self.read_range(url, offset, length)

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.max_concurrency,
                                                    thread_name_prefix=f"lindi-{self.name}")
            return self._executor
