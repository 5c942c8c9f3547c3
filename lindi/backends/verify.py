"""Checks that a range response carries exactly the bytes that were asked for.

Nothing reaches a decoder unless the status, ``Content-Range`` and body length
agree with the request: a server that ignores ``Range``, truncates a body,
pads it, or answers with an HTML error page is caught here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import IntegrityError

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)\s*$", re.IGNORECASE)


def parse_content_range(value: str) -> tuple[int | None, int | None, int | None]:
    """``bytes a-b/N`` -> ``(a, b, N)``; ``*`` parts become ``None``. Raises ``ValueError`` if malformed."""
    m = _CONTENT_RANGE.match(value)
    if not m:
        raise ValueError(f"malformed Content-Range {value!r}")
    start, end, total = m.groups()
    return (int(start) if start else None, int(end) if end else None,
            int(total) if total not in (None, "*") else None)


@dataclass(frozen=True)
class RangeResponse:
    """What one fetch of a byte range returned, before any check: the body and what the server said.

    ``status`` and ``content_range`` are ``None`` when the client hides them
    (cloud SDKs, local files); then only the exact length is checked.
    ``fetched_url`` is the URL actually read (after resolving), named in errors.
    """

    body: bytes
    status: int | None = None
    content_range: str | None = None
    content_type: str | None = None
    fetched_url: str | None = None


def check_range_response(resp: RangeResponse, *, offset: int, length: int, url: str, ref: str) -> None:
    """Raise :class:`IntegrityError` unless ``resp.body`` is exactly bytes ``offset..offset+length-1``.

    A ``206`` must name that range in ``Content-Range``. A ``200`` is accepted
    only when the request covered the whole object (offset 0 and the full body
    has exactly ``length`` bytes), because then the two mean the same bytes.
    Without a status, a reported ``Content-Range`` must still name the range.
    """
    body = resp.body
    if resp.status == 206 or (resp.status is None and resp.content_range is not None):
        if resp.content_range is None:
            raise IntegrityError("206 response without Content-Range", url=url, ref=ref)
        _check_content_range(resp.content_range, offset=offset, length=length, url=url, ref=ref)
    elif resp.status == 200:
        if offset != 0 or len(body) != length:
            if resp.content_type and resp.content_type.lower().startswith("text/html"):
                raise IntegrityError("server answered with an HTML page instead of the bytes (200 text/html)",
                                     url=url, ref=ref)
            raise IntegrityError(f"server ignored the Range header (200 with {len(body)}"
                                 f"{'+' if len(body) > length else ''} bytes)", url=url, ref=ref)
    elif resp.status is not None:
        raise IntegrityError(f"unexpected HTTP status {resp.status} for a range request", url=url, ref=ref)
    if len(body) != length:
        what = "short" if len(body) < length else "long"
        hint = " (range past the end of the object?)" if resp.status is None and len(body) < length else ""
        raise IntegrityError(f"{what} body: got {len(body)}{'+' if len(body) > length else ''} bytes, "
                             f"expected {length}{hint}", url=url, ref=ref)


def _check_content_range(value: str, *, offset: int, length: int, url: str, ref: str) -> None:
    try:
        start, end, _total = parse_content_range(value)
    except ValueError as exc:
        raise IntegrityError(str(exc), url=url, ref=ref) from None
    if start != offset or end != offset + length - 1:
        raise IntegrityError(f"server sent range {value!r}, asked for bytes "
                             f"{offset}-{offset + length - 1}", url=url, ref=ref)
