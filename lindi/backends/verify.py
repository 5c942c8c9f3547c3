"""Checks that a range response carries exactly the bytes that were asked for.

Nothing reaches a decoder unless the status, ``Content-Range`` and body length
agree with the request: a server that ignores ``Range``, truncates a body,
pads it, or answers with an HTML error page is caught here.
"""
from __future__ import annotations

import re

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


def check_range_response(status: int, content_range: str | None, body: bytes, *,
                         offset: int, length: int, url: str, ref: str, content_type: str | None = None) -> None:
    """Raise :class:`IntegrityError` unless ``body`` is exactly bytes ``offset..offset+length-1``.

    A ``206`` must name that range in ``Content-Range``. A ``200`` is accepted
    only when the request covered the whole object (offset 0 and the full body
    has exactly ``length`` bytes), because then the two mean the same bytes.
    """
    if status == 206:
        if content_range is None:
            raise IntegrityError("206 response without Content-Range", url=url, ref=ref)
        try:
            start, end, _total = parse_content_range(content_range)
        except ValueError as exc:
            raise IntegrityError(str(exc), url=url, ref=ref) from None
        if start != offset or end != offset + length - 1:
            raise IntegrityError(f"server sent range {content_range!r}, asked for bytes "
                                 f"{offset}-{offset + length - 1}", url=url, ref=ref)
    elif status == 200:
        if offset != 0 or len(body) != length:
            if content_type and content_type.lower().startswith("text/html"):
                raise IntegrityError("server answered with an HTML page instead of the bytes (200 text/html)",
                                     url=url, ref=ref)
            raise IntegrityError(f"server ignored the Range header (200 with {len(body)}"
                                 f"{'+' if len(body) > length else ''} bytes)", url=url, ref=ref)
    else:
        raise IntegrityError(f"unexpected HTTP status {status} for a range request", url=url, ref=ref)
    if len(body) != length:
        what = "short" if len(body) < length else "long"
        raise IntegrityError(f"{what} body: got {len(body)}{'+' if len(body) > length else ''} bytes, "
                             f"expected {length}", url=url, ref=ref)


def check_length(body: bytes, *, length: int, url: str, ref: str) -> None:
    """For clients that hide headers (cloud SDKs): at least the exact length must hold."""
    if len(body) != length:
        raise IntegrityError(f"got {len(body)} bytes, expected {length} (range past the end of the object?)",
                             url=url, ref=ref)
