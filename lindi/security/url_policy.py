"""Which locations a document may make the reader open (SPEC section 11, DESIGN section 9).

A ``.lindi.json`` may come from a stranger. Read from a remote URL, it must
not make the reader open the user's files (``file://`` URLs, absolute paths,
relative refs climbing out of the document's folder) nor reach loopback,
private, link-local or other non-public addresses (every address a host name
resolves to is checked, IPv4 and IPv6), unless the user allows it with
``allow_local=True`` or ``LINDI_ALLOW_LOCAL=1``. A document may always
reference its own origin (the scheme, host and port the user fetched it from).
Only URL schemes some registered backend serves are accepted.
"""
from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from ..errors import UrlPolicyError

#: Environment variable that allows remote documents to reach local files and private addresses.
ENV_ALLOW_LOCAL = "LINDI_ALLOW_LOCAL"

Resolver = Callable[[str], Sequence[str]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def env_allows_local() -> bool:
    """True when ``LINDI_ALLOW_LOCAL`` is set to 1/true/yes/on."""
    return os.environ.get(ENV_ALLOW_LOCAL, "").strip().lower() in ("1", "true", "yes", "on")


def is_remote(url: str) -> bool:
    """A URL with a scheme other than ``file``."""
    return "://" in url and not url.lower().startswith("file://")


def is_public_address(ip: IpAddress) -> bool:
    """False for loopback, private, link-local, unspecified, multicast, reserved and shared addresses.

    IPv4 addresses embedded in IPv6 (``::ffff:127.0.0.1``, 6to4, Teredo) are
    judged by the IPv4 address they carry.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None:
            return is_public_address(inner)
    return ip.is_global and not ip.is_multicast


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({info[4][0] for info in infos})


@lru_cache(maxsize=1024)
def _cached_system_resolve(host: str) -> tuple[str, ...]:
    return tuple(system_resolver(host))


def host_addresses(host: str, resolver: Resolver | None = None) -> list[IpAddress]:
    """The IP addresses of ``host``: itself when it is a literal, else what the resolver returns."""
    host = host.strip("[]")
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    names = _cached_system_resolve(host.lower()) if resolver is None else resolver(host)
    out = []
    for name in names:
        try:
            out.append(ipaddress.ip_address(name.split("%", 1)[0]))
        except ValueError:
            continue
    return out


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, lower-cased, default ports filled in for http(s)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def resolve_relative(base: str, ref: str) -> str:
    """``ref`` resolved against the document location ``base`` (RFC 3986 for URLs, a path for local files).

    ``base`` is the document's own URL or path (not its folder). For any
    scheme (``s3://``, ``gs://``, ...) the resolution is done as for http.
    """
    if is_remote(base):
        scheme, rest = base.split("://", 1)
        joined = urljoin("http://" + rest, ref)
        return f"{scheme}://{joined[len('http://'):]}" if joined.startswith("http://") else joined
    base_path = base[len("file://"):] if base.lower().startswith("file://") else base
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(base_path)), ref))


def escapes_base(base: str, ref: str) -> bool:
    """True when the relative ``ref`` climbs above the folder of the document at ``base``."""
    path = urlsplit(ref).path if is_remote(base) else ref
    depth = 0
    for segment in path.replace("\\", "/").split("/"):
        if segment == "..":
            depth -= 1
            if depth < 0:
                return True
        elif segment not in ("", "."):
            depth += 1
    return False


@dataclass(frozen=True)
class UrlPolicy:
    """What the refs of one document may point at.

    ``location``: where the document was read from (None for an in-memory
    dict). ``allow_local_files``: ``file://`` URLs, absolute paths and
    relative refs leaving the document's folder. ``allow_private_hosts``:
    non-public addresses other than the document's own origin.
    ``check_schemes``: refuse URLs no registered backend serves.
    ``resolver`` maps a host name to addresses (default: the system's).
    """

    location: str | None = None
    allow_local_files: bool = True
    allow_private_hosts: bool = True
    check_schemes: bool = True
    resolver: Resolver | None = field(default=None, compare=False)

    @classmethod
    def for_document(cls, location: str | None, *, allow_local: bool | None = None,
                     allow_local_files: bool | None = None, allow_private_hosts: bool | None = None,
                     resolver: Resolver | None = None) -> UrlPolicy:
        """The policy for a document read from ``location``.

        A local document (or a dict) may reference anything; a remote one is
        restricted unless ``allow_local`` (both switches), the specific
        ``allow_*`` switch, or ``LINDI_ALLOW_LOCAL=1`` says otherwise.
        """
        remote = location is not None and is_remote(location)
        default = (not remote) or env_allows_local()
        if allow_local is not None:
            default = allow_local
        return cls(location=location,
                   allow_local_files=default if allow_local_files is None else allow_local_files,
                   allow_private_hosts=default if allow_private_hosts is None else allow_private_hosts,
                   resolver=resolver)

    def resolve(self, ref: str, *, where: str | None = None) -> str:
        """Make a relative ref absolute against the document location, refusing escapes, then :meth:`check`."""
        if "://" in ref or os.path.isabs(ref):
            url = ref
        else:
            if self.location is None:
                raise UrlPolicyError(f"relative URL {ref!r} but the document has no location{_at(where)}")
            self.check_relative(ref, where=where)
            url = resolve_relative(self.location, ref)
        self.check(url, where=where)
        return url

    def check_relative(self, ref: str, *, where: str | None = None) -> None:
        """Refuse a relative ref that climbs out of the document's folder (unless local files are allowed)."""
        if not self.allow_local_files and self.location is not None and escapes_base(self.location, ref):
            raise UrlPolicyError(f"relative URL {ref!r} climbs out of the folder of {self.location}"
                                 f"{_at(where)}; {_HOW_TO_ALLOW}")

    def check(self, url: str, *, where: str | None = None) -> None:
        """Raise :class:`UrlPolicyError` when the document may not make the reader open ``url``."""
        if not is_remote(url):
            if not self.allow_local_files:
                raise UrlPolicyError(f"a remote document may not reference the local file {url!r}{_at(where)}; "
                                     f"{_HOW_TO_ALLOW}")
            return
        if self.check_schemes:
            _check_scheme(url, where)
        _check_host_syntax(url, where)
        if self.allow_private_hosts:
            return
        if self.location is not None and is_remote(self.location) and origin(url) == origin(self.location):
            return
        host = (urlsplit(url).hostname or "").rstrip(".")
        if not host:
            return  # a scheme without a network host (resolved by its backend, e.g. dandi://)
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            bad: IpAddress | str | None = host
        else:
            bad = next((ip for ip in host_addresses(host, self.resolver) if not is_public_address(ip)), None)
        if bad is not None:
            raise UrlPolicyError(f"a remote document may not reference the private address {url!r} "
                                 f"(host {host} -> {bad}: loopback, private, link-local or otherwise not public)"
                                 f"{_at(where)}; {_HOW_TO_ALLOW}")


_HOW_TO_ALLOW = f"pass allow_local=True or set {ENV_ALLOW_LOCAL}=1 to allow it"


def _at(where: str | None) -> str:
    return f" (referenced at {where})" if where else ""


def _check_host_syntax(url: str, where: str | None) -> None:
    """Refuse a URL whose host is not a valid (IDNA) host name or whose port is not a number."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        host = parts.hostname or ""
        host.encode("idna")
        if not host.isascii():
            import idna  # the IDNA 2008 rules the HTTP client applies

            idna.encode(host, uts46=True)
    except (ValueError, UnicodeError, idna_error()) as exc:
        raise UrlPolicyError(f"malformed URL {url!r}: {exc}{_at(where)}") from None


def idna_error() -> type[Exception]:
    """The exception class of the ``idna`` package (a dependency of requests)."""
    import idna

    return idna.IDNAError


def _check_scheme(url: str, where: str | None) -> None:
    from ..backends import get_registry
    from ..backends.errors import NoBackendError

    try:
        get_registry().backend_for(url)
    except NoBackendError:
        raise UrlPolicyError(f"no registered backend serves the URL scheme of {url!r}{_at(where)}; "
                             "see `lindi backends`") from None
