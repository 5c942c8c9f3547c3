"""URL resolvers (LINDI 0.4's ``add_additional_url_resolver``): functions that rewrite a remote URL
before it is read, e.g. to sign it or to point at a mirror."""
from __future__ import annotations

from collections.abc import Callable

_resolvers: list[Callable[[str], str]] = []


def add_additional_url_resolver(resolver: Callable[[str], str]) -> None:
    """Run ``resolver(url) -> url`` on every remote URL a document reads from, after those added before."""
    _resolvers.append(resolver)


def resolve_url(url: str) -> str:
    """``url`` after every resolver added, in order."""
    for resolver in _resolvers:
        url = resolver(url)
    return url
