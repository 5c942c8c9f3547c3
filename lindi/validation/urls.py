"""The url rules of SPEC sections 1.4 and 1.5 that a regex alone gets wrong: the left-to-right template
scan (``{{{u1}}`` is an error) and credentials in URLs."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

_BRACES = re.compile(r"\{\{|\}\}")
_REFERENCE = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")

#: Query members that make a URL a signed one (compared case-insensitively).
SIGNATURE_MEMBERS = frozenset({"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
                               "x-goog-credential", "signature", "sig"})


def template_names(url: str) -> list[str] | None:
    """``[literal, name, literal, name, ..., literal]`` of a url, or None when it breaks the grammar.

    Scanning from the start, every ``{{`` begins a reference that must be ``{{name}}``; a ``}}`` outside a
    reference is an error.
    """
    parts: list[str] = []
    pos = 0
    while True:
        found = _BRACES.search(url, pos)
        if found is None:
            parts.append(url[pos:])
            return parts
        if found.group() == "}}":
            return None
        reference = _REFERENCE.match(url, found.start())
        if reference is None:
            return None
        parts += [url[pos:found.start()], reference.group(1)]
        pos = reference.end()


def has_credentials(url: str) -> bool:
    """True for an absolute url with user information or a signature query member (SPEC section 1.5)."""
    if _SCHEME.match(url) is None:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if "@" in parts.netloc:
        return True
    if not parts.query:
        return False
    return any(name.lower() in SIGNATURE_MEMBERS for name, _ in parse_qsl(parts.query, keep_blank_values=True))
