"""``lindi.publish``: upload a document's local chunks once, rewrite its refs, upload the document last.

Every range ref that resolves to a local file (staged chunks, chunks inside a
``.lindi.d``/``.lindi.tar``, ranges of a local HDF5 file) becomes a
content-addressed blob at the destination; identical bytes are sent once and
blobs the destination already holds are not sent again. Remote refs are kept.
A journal beside the source makes a killed publish resumable, and because the
document goes up only after every blob, a published document never points at
missing data.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tqdm.auto import tqdm

from .. import strict_json
from ..backends.content import sha256_hex
from ..backends.registry import Registry
from ..backends.urls import is_local, local_path
from .containers import container_kind, load_container
from .destinations import CallbackDestination, Destination, resolve_destination
from .journal import Journal
from .refs import LocalRange, local_ranges, read_in_batches, replace_refs

T = TypeVar("T")
_BATCH_BYTES = 32 * 1024 * 1024


@dataclass
class PublishResult:
    """What a publish did: where the document is, and how many blobs and bytes went where."""

    url: str
    document: dict[str, Any] = field(repr=False)
    blobs: int = 0  # distinct local ranges the document references
    uploaded: int = 0  # blobs handed to the destination in this run (it skips those it already holds)
    resumed: int = 0  # blobs a previous, interrupted run had already stored (from the journal)
    bytes_uploaded: int = 0
    journal: str | None = None


def publish(source: str | os.PathLike[str] | Mapping[str, Any], destination: str | os.PathLike[str] | Destination, *,
            progress: bool = True, base: str | None = None, journal: str | None = None, workers: int = 4,
            registry: Registry | None = None) -> PublishResult:
    """Publish ``source`` (a ``.lindi.json``, ``.lindi.d``, ``.lindi.tar`` or a document dict) to ``destination``.

    ``destination``: a local directory, ``s3://bucket/prefix/``, ``gs://bucket/prefix/``,
    a document URL ending in ``.json``, ``dandi://<instance>/<dandiset>/<path>``,
    or a :class:`Destination` (e.g. :func:`callback_destination`). ``base``: where
    relative refs of a dict source resolve. ``journal``: the journal file
    (default: beside a path source; a dict source without one is not resumable).
    Raises :class:`PublishError` (or a RemoteError naming the URL) before any
    upload when the destination cannot be written.
    """
    if isinstance(source, Mapping):
        doc, doc_base, name = dict(source), base, "document.lindi.json"
    else:
        location = os.fspath(source)
        doc, doc_base = load_container(location)
        name = _document_name(location)
    dest = resolve_destination(os.fspath(destination), name, registry=registry) \
        if isinstance(destination, (str, os.PathLike)) else destination
    if journal is None and not isinstance(source, Mapping) and is_local(os.fspath(source)):
        journal = default_journal_path(os.fspath(source), dest.location)
    dest.check()
    ranges = local_ranges(doc, doc_base)
    log = Journal(journal, dest.location)
    unique = sorted({r for r in ranges.values() if r.length > 0}, key=LocalRange.request)
    todo = [r for r in unique if r not in log.done]
    result = PublishResult(url="", document={}, blobs=len(unique), resumed=len(unique) - len(todo), journal=journal)
    try:
        _upload_blobs(todo, dest, log, result, progress=progress, workers=workers)
        new = {key: ([log.done[r], 0, r.length] if r.length else "base64:") for key, r in ranges.items()}
        result.document = replace_refs(doc, new)
        result.url = dest.put_document(strict_json.dumps(result.document, indent=1).encode())
    except BaseException:
        log.close(finished=False)
        raise
    log.close(finished=True)
    return result


def _upload_blobs(todo: list[LocalRange], dest: Destination, log: Journal, result: PublishResult, *,
                  progress: bool, workers: int) -> None:
    lock = threading.Lock()
    by_digest: dict[str, str] = {}
    bar = tqdm(total=sum(r.length for r in todo), unit="B", unit_scale=True, disable=not progress,
               desc="publishing blobs")

    def one(item: tuple[LocalRange, bytes]) -> None:
        r, data = item
        digest = sha256_hex(data)
        with lock:
            url = by_digest.get(digest)
        if url is None:
            url = dest.put_blob(digest, data)
            with lock:
                by_digest[digest] = url
                result.uploaded += 1
                result.bytes_uploaded += len(data)
        log.record(r, digest, url)
        with lock:
            bar.update(r.length)
            bar.set_postfix(blobs=f"{result.uploaded}/{len(todo)}", refresh=False)

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lindi-publish") as pool:
            batch: list[tuple[LocalRange, bytes]] = []
            size = 0
            first = True
            for item in read_in_batches(todo):  # bounded batches: never the whole source in memory
                if first:  # one blob alone first: a refused destination fails after one request, not `workers`
                    one(item)
                    first = False
                    continue
                batch.append(item)
                size += len(item[1])
                if size >= _BATCH_BYTES or len(batch) >= 256:
                    _run_all(pool, one, batch)
                    batch, size = [], 0
            _run_all(pool, one, batch)
    finally:
        bar.close()


def _run_all(pool: ThreadPoolExecutor, fn: Callable[[T], None], items: list[T]) -> None:
    """Run ``fn`` on every item; at the first failure cancel what has not started and raise it."""
    futures = [pool.submit(fn, item) for item in items]
    done, pending = wait(futures, return_when=FIRST_EXCEPTION)
    for future in pending:
        future.cancel()
    for future in futures:
        if future in done and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]


def default_journal_path(source: str, destination: str) -> str:
    """``<source>.publish-<hash of destination>.journal``, beside the source."""
    stem = os.path.abspath(local_path(source)).rstrip(os.sep)
    return f"{stem}.publish-{hashlib.sha256(destination.encode()).hexdigest()[:12]}.journal"


def _document_name(location: str) -> str:
    """The published document's file name: ``x.lindi.d``/``x.lindi.tar`` -> ``x.lindi.json``."""
    name = location.rstrip("/").rsplit("/", 1)[-1]
    if container_kind(location) in ("dir", "tar"):
        for suffix in (".lindi.d", ".lindi.tar", ".d", ".tar"):
            if name.endswith(suffix):
                return name[: -len(suffix)] + ".lindi.json"
        return name + ".lindi.json"
    return name if name.endswith(".json") else name + ".lindi.json"


def callback_destination(on_upload_blob: Callable[[str], str], on_upload_main: Callable[[str], str]
                         ) -> CallbackDestination:
    """Adapter for the LINDI 0.4 upload callbacks (each gets a file path and returns a URL)."""
    return CallbackDestination(on_upload_blob, on_upload_main)
