"""``BackendTests``: the contract every storage backend must pass, as a pytest base class.

A backend implements ``prefixes``, ``fetch_range`` (one attempt, returning a
:class:`lindi.backends.RangeResponse`; raise :class:`lindi.backends.Transient`
for a retryable failure) and ``size``. The :class:`~lindi.backends.Backend`
base verifies every response (exact length, ``Content-Range`` when reported,
206 or a 200 carrying the whole object) and runs the retries, so these tests
check what the plugin fetches, not how it checks.

Subclass it in a test module and override two fixtures::

    class TestMyBackend(BackendTests):
        @pytest.fixture
        def backend(self):
            return MyBackend({"retry": {"base_delay": 0.01}})

        @pytest.fixture
        def make_object(self):
            def make(name: str, data: bytes) -> str:
                ...  # store data, return its URL
            return make

Optionally override ``missing_url`` (a URL in the same place that does not exist).

A backend with the ``"write"`` capability also subclasses :class:`BackendWriteTests`
and overrides ``backend`` plus ``destination`` (a directory-like URL it may write
below, ending in ``/``) and ``document_url`` (a URL for :meth:`Backend.put_object`).
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections.abc import Callable

import pytest

from ..backends.base import Backend
from ..backends.urls import match_key
from ..errors import LimitExceededError, LindiError, RemoteError

MakeObject = Callable[[str, bytes], str]


def _payload(n: int, seed: int = 7) -> bytes:
    return bytes((i * 31 + seed) % 251 for i in range(n))


class BackendTests:
    """Read side of the backend contract (the write side arrives with the staging area)."""

    @pytest.fixture
    def backend(self) -> Backend:
        raise NotImplementedError("override the `backend` fixture to return the backend under test")

    @pytest.fixture
    def make_object(self) -> MakeObject:
        raise NotImplementedError("override `make_object` to return a function (name, data) -> url")

    @pytest.fixture
    def missing_url(self, make_object: MakeObject) -> str:
        url = make_object(f"exists-{os.urandom(4).hex()}", b"x")
        return url[: -len(url.rsplit("/", 1)[-1])] + f"missing-{os.urandom(6).hex()}"

    @pytest.fixture
    def blob(self, make_object: MakeObject) -> tuple[str, bytes]:
        data = _payload(100_000)
        return make_object(f"contract-{os.urandom(4).hex()}.bin", data), data

    def test_declares_itself(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        assert isinstance(backend.name, str) and backend.name
        assert "read" in backend.capabilities
        assert any(match_key(blob[0]).startswith(match_key(p)) for p in backend.prefixes()), \
            "the backend's prefixes must cover the URLs it serves"

    def test_single_range(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        assert backend.read_ranges([(url, 1234, 5678)]) == [data[1234:1234 + 5678]]

    def test_read_whole_object(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        assert backend.read_object(url, len(data)) == data
        with pytest.raises(LimitExceededError):
            backend.read_object(url, len(data) - 1)

    def test_batch_keeps_order(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        reqs = [(url, off, ln) for off, ln in [(90_000, 10_000), (0, 1), (500, 300), (99_999, 1), (17, 4096)]]
        assert backend.read_ranges(reqs) == [data[o:o + n] for _, o, n in reqs]

    def test_batch_over_several_objects(self, backend: Backend, make_object: MakeObject) -> None:
        objs = [(make_object(f"multi-{i}-{os.urandom(3).hex()}", _payload(1000, i)), _payload(1000, i))
                for i in range(4)]
        reqs = [(u, 10 * i, 50) for i, (u, _) in enumerate(objs)] * 2
        expected = [objs[i % 4][1][10 * (i % 4):10 * (i % 4) + 50] for i in range(8)]
        assert backend.read_ranges(reqs) == expected

    def test_zero_length(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        assert backend.read_ranges([(url, 10, 0), (url, 0, 3)]) == [b"", data[:3]]

    def test_whole_object(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        assert backend.read_ranges([(url, 0, len(data))]) == [data]

    def test_empty_batch(self, backend: Backend) -> None:
        assert backend.read_ranges([]) == []

    def test_size(self, backend: Backend, blob: tuple[str, bytes], make_object: MakeObject) -> None:
        url, data = blob
        assert backend.size(url) == len(data)
        assert backend.size(make_object(f"tiny-{os.urandom(3).hex()}", b"abc")) == 3

    def test_missing_object(self, backend: Backend, missing_url: str) -> None:
        with pytest.raises(RemoteError):
            backend.read_ranges([(missing_url, 0, 10)])
        with pytest.raises(RemoteError):
            backend.size(missing_url)

    def test_range_past_end(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        with pytest.raises(RemoteError):  # IntegrityError is a RemoteError
            backend.read_ranges([(url, len(data) - 10, 20)])
        with pytest.raises(RemoteError):
            backend.read_ranges([(url, len(data) + 100, 5)])

    def test_bad_request_shape(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        with pytest.raises(LindiError):
            backend.read_ranges([(blob[0], -1, 5)])
        with pytest.raises(LindiError):
            backend.read_ranges([(blob[0], 0)])  # type: ignore[list-item]

    def test_many_threads(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        errors: list[BaseException] = []

        def worker(k: int) -> None:
            try:
                for j in range(5):
                    off = (k * 997 + j * 7919) % (len(data) - 2000)
                    reqs = [(url, off, 1000), (url, off + 1000, 1000)]
                    if backend.read_ranges(reqs) != [data[off:off + 1000], data[off + 1000:off + 2000]]:
                        raise AssertionError(f"wrong bytes in thread {k}")
            except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors[0]
        assert not any(t.is_alive() for t in threads)

    def test_async(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        got = asyncio.run(backend.aread_ranges([(url, 5, 10), (url, 50_000, 7)]))
        assert got == [data[5:15], data[50_000:50_007]]

    def test_capabilities_agree_with_the_methods(self, backend: Backend) -> None:
        cls = type(backend)
        assert ("resolve" in cls.capabilities) == (cls.resolve is not Backend.resolve), \
            "declare 'resolve' exactly when resolve() is overridden"
        assert ("write" in cls.capabilities) == (cls.put_blob is not Backend.put_blob), \
            "declare 'write' exactly when put_blob() is overridden"
        if "write" not in cls.capabilities:
            with pytest.raises(NotImplementedError):
                backend.put_blob("unused/", "0" * 64, b"")

    def test_resolve(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, _ = blob
        resolved = backend.resolve(url)
        assert isinstance(resolved, str) and resolved
        assert backend.resolve(url) == resolved, "resolving the same URL twice gives the same answer"
        if "resolve" not in backend.capabilities:
            assert resolved == url

    def test_close_is_idempotent_and_the_backend_reopens(self, backend: Backend, blob: tuple[str, bytes]) -> None:
        url, data = blob
        assert backend.read_ranges([(url, 0, 10), (url, 10, 10)]) == [data[:10], data[10:20]]
        backend.close()
        backend.close()
        assert backend.read_ranges([(url, 5, 10), (url, 500, 10)]) == [data[5:15], data[500:510]]


class BackendWriteTests:
    """Write side of the backend contract: content-addressed blobs and replaceable documents."""

    @pytest.fixture
    def backend(self) -> Backend:
        raise NotImplementedError("override the `backend` fixture to return the backend under test")

    @pytest.fixture
    def destination(self) -> str:
        raise NotImplementedError("override `destination`: a directory-like URL ending in '/' to write below")

    @pytest.fixture
    def document_url(self) -> str:
        raise NotImplementedError("override `document_url`: where put_object may write a document")

    def test_declares_write(self, backend: Backend, destination: str) -> None:
        assert "write" in backend.capabilities
        backend.check_writable(destination)

    def test_blob_round_trip(self, backend: Backend, destination: str) -> None:
        data = _payload(20_000, seed=int.from_bytes(os.urandom(2), "big"))
        url = backend.put_blob(destination, hashlib.sha256(data).hexdigest(), data)
        assert backend.read_ranges([(url, 0, len(data)), (url, 123, 77)]) == [data, data[123:200]]
        assert backend.size(url) == len(data)

    def test_blob_is_idempotent(self, backend: Backend, destination: str) -> None:
        data = os.urandom(3000)
        digest = hashlib.sha256(data).hexdigest()
        first = backend.put_blob(destination, digest, data)
        assert backend.put_blob(destination, digest, data) == first
        assert backend.read_ranges([(first, 0, 3000)]) == [data]

    def test_distinct_blobs_get_distinct_urls(self, backend: Backend, destination: str) -> None:
        a, b = os.urandom(100), os.urandom(100)
        ua = backend.put_blob(destination, hashlib.sha256(a).hexdigest(), a)
        ub = backend.put_blob(destination, hashlib.sha256(b).hexdigest(), b)
        assert ua != ub
        assert backend.read_ranges([(ua, 0, 100), (ub, 0, 100)]) == [a, b]

    def test_wrong_digest_is_refused(self, backend: Backend, destination: str) -> None:
        with pytest.raises(LindiError, match="SHA-256"):
            backend.put_blob(destination, hashlib.sha256(b"other").hexdigest(), b"data")
        with pytest.raises(ValueError):
            backend.put_blob(destination, "not-a-digest", b"data")

    def test_concurrent_writers_of_one_blob(self, backend: Backend, destination: str) -> None:
        data = os.urandom(5000)
        digest = hashlib.sha256(data).hexdigest()
        urls: list[str] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                urls.append(backend.put_blob(destination, digest, data))
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors[0]
        assert len(urls) == 4
        for url in set(urls):
            assert backend.read_ranges([(url, 0, len(data))]) == [data]

    def test_document_is_replaced(self, backend: Backend, document_url: str) -> None:
        first = backend.put_object(document_url, b'{"version": 1}')
        assert backend.read_ranges([(first, 0, 14)]) == [b'{"version": 1}']
        second = backend.put_object(document_url, b'{"version": 1, "x": 2}')
        assert backend.read_ranges([(second, 0, 22)]) == [b'{"version": 1, "x": 2}']
