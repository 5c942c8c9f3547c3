"""The archive's list endpoints: page-number pagination, ``order``, ``glob`` and folder listings.

Two paginators, as in ``dandiapi/api/views/pagination.py``: ``DandiPagination``
(``count`` on every page) for dandisets, versions and asset paths, and
``LazyPagination`` (``count`` on the first page only, ``null`` after it) for
asset lists. Both cap ``page_size`` at 1000 and build ``next``/``previous``
from the request URL with only ``page`` replaced, the other query parameters
kept (sorted, as Django REST framework re-encodes them).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from ._http import NOT_FOUND, Reply, Request

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def paginate(req: Request, base_url: str, items: Sequence[T], render: Callable[[T], Any], *,
             count_first_page_only: bool = False) -> Reply:
    """One page of ``items`` (``base_url`` is the endpoint's absolute URL without query)."""
    size = _page_size(req)
    try:
        page = int(req.param("page") or 1)
    except ValueError:
        return Reply.detail(404, "Invalid page.")
    pages = max(1, -(-len(items) // size))
    if page < 1 or (page > pages and not count_first_page_only) or (page > 1 and (page - 1) * size >= len(items)):
        return Reply.detail(404, "Invalid page.")
    chunk = items[(page - 1) * size: page * size]

    def link(number: int) -> str | None:
        query = {k: v for k, v in req.query.items() if k != "page"}
        if number > 1:
            query["page"] = [str(number)]
        encoded = urlencode(sorted(query.items()), doseq=True)
        return base_url + ("?" + encoded if encoded else "")

    count = len(items) if page == 1 or not count_first_page_only else None
    return Reply.json(200, {"count": count,
                            "next": link(page + 1) if page * size < len(items) else None,
                            "previous": link(page - 1) if page > 1 else None,
                            "results": [render(x) for x in chunk]})


def _page_size(req: Request) -> int:
    try:
        size = int(req.param("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE) if size > 0 else DEFAULT_PAGE_SIZE


def ordered(items: list[T], order: str | None, keys: dict[str, Callable[[T], Any]]) -> list[T]:
    """``OrderingFilter``: comma-separated field names, ``-`` for descending, unknown names ignored."""
    fields = [f.strip() for f in (order or "").split(",") if f.strip().lstrip("-") in keys]
    for name in reversed(fields):  # stable sorts, least significant first
        items = sorted(items, key=keys[name.lstrip("-")], reverse=name.startswith("-"))
    return items


def glob_matches(pattern: str, path: str) -> bool:
    """The archive's glob: the pattern escaped, ``*`` any run of characters, case-insensitive, whole path."""
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), path, re.IGNORECASE) is not None


def folder_children(prefix: str, files: dict[str, T]) -> list[tuple[str, T | None, list[T]]] | None:
    """Direct children of folder ``prefix`` (``""`` is the root) among asset ``files`` (path -> asset).

    Each child is ``(path, its asset or None for a folder, every asset at or below it)``;
    ``None`` when ``prefix`` names no folder (the archive's 404).
    """
    folder = prefix.rstrip("/")
    below = folder + "/" if folder else ""
    if folder and not any(p.startswith(below) for p in files):
        return None
    children: dict[str, list[T]] = {}
    for p, item in files.items():
        if p.startswith(below):
            head = p[len(below):].split("/", 1)[0]
            children.setdefault(below + head, []).append(item)
    return [(child, files.get(child), members) for child, members in sorted(children.items())]


def not_found() -> Reply:
    return Reply.detail(404, NOT_FOUND)
