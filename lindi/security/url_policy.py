"""Which locations a document may make the reader open (SPEC section 11, DESIGN section 9).

A ``.lindi.json`` may come from a stranger. Read from a remote URL, it must
not make the reader open the user's files (``file://`` URLs, absolute paths,
relative refs climbing out of the document's folder) nor reach loopback,
private, link-local or other non-public addresses (every address a host name
resolves to is checked, IPv4 and IPv6), unless the user allows it with
``allow_local=True`` or ``LINDI_ALLOW_LOCAL=1``. A document may always
reference its own origin (the scheme, host and port the user fetched it from).
Only URL schemes some registered backend serves are accepted.

A URL is read with the parser of the HTTP client (urllib3's, which requests
uses), and refused when the standard library reads another host or port out
of it (a backslash, a percent-escaped host): the host checked is the host
connected to. Redirects are checked hop by hop against the policy of the
document being read (:func:`applying`, :func:`check_redirect`).

This module sits below the storage backends: the HTTP backend asks it about
every redirect hop, so it imports nothing from :mod:`lindi.backends`. Which
URL schemes a backend serves is asked through the policy's ``serves``
predicate; the store's policy (:class:`lindi.store.UrlPolicy`) puts the
backend registry's there.
"""
from __future__ import annotations

import contextvars
import ipaddress
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Self, TypeVar
from urllib.parse import urljoin, urlsplit

from .._urls import is_remote, local_path, redact_url
from ..errors import UrlPolicyError

#: Environment variable that allows remote documents to reach local files and private addresses.
ENV_ALLOW_LOCAL = "LINDI_ALLOW_LOCAL"

Resolver = Callable[[str], Sequence[str]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
T = TypeVar("T")

#: IPv6 prefixes whose last 32 bits are an IPv4 address the packet really goes to.
_IPV4_CARRIERS = (ipaddress.ip_network("::/96"),  # IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
                  ipaddress.ip_network("::ffff:0:0/96"),  # IPv4-mapped
                  ipaddress.ip_network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT) ::ffff:0:a.b.c.d
                  ipaddress.ip_network("64:ff9b::/96"))  # NAT64 well-known prefix
#: IPv6 ranges that are not public although Python's ``is_global`` says so.
_NOT_PUBLIC_V6 = (ipaddress.ip_network("fec0::/10"),  # site-local (deprecated, still private in practice)
                  ipaddress.ip_network("64:ff9b:1::/48"))  # NAT64 local-use prefix (RFC 8215)


def env_allows_local() -> bool:
    """True when ``LINDI_ALLOW_LOCAL`` is set to 1/true/yes/on."""
    return os.environ.get(ENV_ALLOW_LOCAL, "").strip().lower() in ("1", "true", "yes", "on")


def is_public_address(ip: IpAddress) -> bool:
    """False for loopback, private, link-local, site-local, unspecified, multicast, reserved and shared addresses.

    An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible,
    IPv4-translated, NAT64, 6to4, Teredo) is judged by the IPv4 address it
    carries, since that is where the packets end up.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public_address(inner)
        if any(ip in net for net in _NOT_PUBLIC_V6):
            return False
    return ip.is_global and not ip.is_multicast


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, or None."""
    if ip.teredo:
        return ip.teredo[1]
    if ip.sixtofour:
        return ip.sixtofour
    if any(ip in net for net in _IPV4_CARRIERS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({str(info[4][0]) for info in infos})


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


def network_location(url: str, *, where: str | None = None) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of ``url`` as the HTTP client reads it (host lower-case, IDNA, no brackets).

    The URL is read by urllib3's parser, the one requests connects with, and
    also by the standard library's; when the two read a different host or
    port (a backslash in the authority, a percent-escaped host), or either
    cannot read it, the URL is refused with :class:`UrlPolicyError` naming
    the host the client would have connected to.
    """
    parsed = _read_url(url)
    if isinstance(parsed, str):
        raise UrlPolicyError(f"{parsed}{_at(where)}")
    return parsed


@lru_cache(maxsize=4096)
def _read_url(url: str) -> tuple[str, str, int | None] | str:
    """:func:`network_location` without ``where``: the parts, or why the URL is refused (cached: refs repeat URLs)."""
    from urllib3.exceptions import LocationParseError  # imported on first use: local files never need it
    from urllib3.util import parse_url

    try:
        client = parse_url(url)
        std = urlsplit(url)
        std_port = std.port
        std_host = _idna_host(std.hostname or "")
    except (LocationParseError, ValueError, UnicodeError, idna_error()) as exc:
        return f"malformed URL {redact_url(url)!r}: {exc}"
    host = (client.host or "").strip("[]").lower()
    if (host, client.port) != (std_host, std_port) or "\\" in std.netloc:
        return (f"ambiguous URL {redact_url(url)!r}: the HTTP client would connect to host {host!r} port {client.port}, "
                f"but the URL also reads as host {std_host!r} port {std_port}")
    return (client.scheme or "").lower(), host, client.port


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL as the HTTP client reads it, default ports filled in for http(s)."""
    scheme, host, port = network_location(url)
    if port is None:
        port = _DEFAULT_PORTS.get(scheme)
    return scheme, host, port


def resolve_relative(base: str, ref: str) -> str:
    """``ref`` resolved against the document location ``base`` (RFC 3986 for URLs, a path for local files).

    ``base`` is the document's own URL or path (not its folder). For any
    scheme (``s3://``, ``gs://``, ...) the resolution is done as for http.
    """
    if is_remote(base):
        scheme, rest = base.split("://", 1)
        joined = urljoin("http://" + rest, ref)
        return f"{scheme}://{joined[len('http://'):]}" if joined.startswith("http://") else joined
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(local_path(base))), ref))


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
    ``serves`` tells whether some storage backend serves a URL: a remote URL
    it answers False for is refused (None: any scheme; the store's policy
    asks the backend registry).
    ``resolver`` maps a host name to addresses (default: the system's).
    """

    location: str | None = None
    allow_local_files: bool = True
    allow_private_hosts: bool = True
    serves: Callable[[str], bool] | None = field(default=None, compare=False)
    resolver: Resolver | None = field(default=None, compare=False)

    @classmethod
    def for_document(cls, location: str | None, *, allow_local: bool | None = None,
                     allow_local_files: bool | None = None, allow_private_hosts: bool | None = None,
                     resolver: Resolver | None = None) -> Self:
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
        if self.serves is not None and not self.serves(url):
            raise UrlPolicyError(f"no registered backend serves the URL scheme of {url!r}{_at(where)}; "
                                 "see `lindi backends`")
        scheme, host, _ = network_location(url, where=where)
        if scheme in _DEFAULT_PORTS and not host:
            raise UrlPolicyError(f"malformed URL {redact_url(url)!r}: no host{_at(where)}")
        if self.allow_private_hosts:
            return
        if self.location is not None and is_remote(self.location) and origin(url) == origin(self.location):
            return
        host = host.rstrip(".")
        if not host:
            return  # a scheme without a network host (resolved by its backend, e.g. dandi://)
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            bad: IpAddress | str | None = host
        else:
            bad = next((ip for ip in host_addresses(host, self.resolver) if not is_public_address(ip)), None)
        if bad is not None:
            raise UrlPolicyError(f"a remote document may not reference the private address {redact_url(url)!r} "
                                 f"(host {host} -> {bad}: loopback, private, link-local or otherwise not public)"
                                 f"{_at(where)}; {_HOW_TO_ALLOW}")


_HOW_TO_ALLOW = f"pass allow_local=True or set {ENV_ALLOW_LOCAL}=1 to allow it"
_DEFAULT_PORTS = {"http": 80, "https": 443}

#: The policy of the document being read, for the redirects its reads meet (see :func:`applying`).
_active_policy: contextvars.ContextVar[UrlPolicy | None] = contextvars.ContextVar("lindi_active_url_policy",
                                                                             default=None)


@contextmanager
def applying(policy: UrlPolicy) -> Iterator[None]:
    """Check the redirects met by every read inside the block against ``policy``.

    Set by whatever reads on behalf of a document (its store, its external
    files); the backends' worker threads inherit it (:func:`in_context`).
    """
    token = _active_policy.set(policy)
    try:
        yield
    finally:
        _active_policy.reset(token)


def in_context(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` running in (a copy of) the caller's context, active policy included, in whatever thread calls it."""
    ctx = contextvars.copy_context()

    def run(*args: object, **kwargs: object) -> T:
        return ctx.copy().run(fn, *args, **kwargs)

    return run


def check_redirect(start: str, current: str, location: str) -> str:
    """The absolute URL a redirect from ``current`` to ``location`` leads to, if the policy allows it.

    ``start`` is the URL first asked for. The policy is that of the document
    being read (:func:`applying`); outside any document, that of a remote
    document at ``start``: the redirect may stay on start's origin or go to a
    public host. Only http(s) redirects are followed.
    """
    where = f"a redirect from {redact_url(current)}"
    try:
        target = urljoin(current, location)
    except ValueError as exc:
        raise UrlPolicyError(f"malformed URL {location!r}: {exc}{_at(where)}") from None
    if urlsplit(target).scheme.lower() not in _DEFAULT_PORTS:
        raise UrlPolicyError(f"{redact_url(current)} redirects to {redact_url(target)!r}: only http(s) redirects are "
                             "followed")
    policy = _active_policy.get() or UrlPolicy.for_document(start)
    policy.check(target, where=where)
    return target


def _at(where: str | None) -> str:
    return f" (referenced at {where})" if where else ""


def _idna_host(host: str) -> str:
    """``host`` as the HTTP client sends it: lower-case, IDNA 2008 (UTS 46) for non-ASCII names."""
    if host.isascii():
        host.encode("idna")  # refuses empty or over-long labels, which the HTTP client would fail on later
        return host.lower()
    import idna  # the IDNA rules the HTTP client applies

    return idna.encode(host, uts46=True).decode("ascii").lower()


def idna_error() -> type[Exception]:
    """The exception class of the ``idna`` package (a dependency of requests)."""
    import idna

    return idna.IDNAError

