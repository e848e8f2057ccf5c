"""Where a webhook may go: the operator's allow-list (FORMWORK_WEBHOOK_ALLOW) against server-side request forgery.

Packs write webhook URLs, so a URL must not become a way into the platform's own network (a database's admin
port, a cloud's metadata service at 169.254.169.254). Every address a host resolves to is checked, and any one
that is not a public address (loopback, private, link-local, multicast, reserved, unspecified, shared…) refuses
the target, unless the operator listed the host name, that address, or a network (CIDR) holding it. The caller
then connects to the address that was checked (posting.py), never resolves the name again, so a DNS answer that
changes between the check and the connection (rebinding) cannot send the request elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}
ALLOW_SETTING = "FORMWORK_WEBHOOK_ALLOW"


class TargetRefused(Exception):
    """The URL may never be called as it is: trying again would not help (recorded as failed at once)."""


class TargetUnresolved(Exception):
    """The host name has no address now: DNS may answer later, so the delivery is tried again."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (each of `addresses` in turn, at `port`), and the name the request carries
    (Host, TLS SNI)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def target_refusal(url: str, allow: Sequence[str]) -> str | None:
    """Why `url` would be refused, or None when it would be called (or its host does not resolve now, which a
    delivery retries): for warning whoever writes the URL before anything is queued."""
    try:
        checked_target(url, allow)
    except TargetRefused as refused:
        return str(refused)
    except TargetUnresolved:
        return None
    return None


def checked_target(url: str, allow: Sequence[str]) -> Target:
    """The target of `url` with its addresses, every one permitted; raises TargetRefused or TargetUnresolved."""
    scheme, host, port, path = _parts(url)
    addresses = _resolved(host, port)
    for address in addresses:
        judged = _carried(address)
        reason = _private_kind(judged)
        if reason and not _listed(host, judged, allow):
            raise TargetRefused(_refusal(host, judged, reason))
    return Target(scheme, host, port, path, tuple(str(_mapped_to(address)) for address in addresses))


def _refusal(host: str, address: Address, reason: str) -> str:
    what = f"{address} is {reason}" if str(address) == host else f"{host} resolves to {address}, {reason}"
    return f"refused: {what} address; list it in {ALLOW_SETTING} to allow it"


def _parts(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as bad:
        raise TargetRefused(f"refused: {url!r} is not a valid URL ({bad})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise TargetRefused(f"refused: {url!r} is not an http or https URL")
    if not parts.hostname:
        raise TargetRefused(f"refused: {url!r} names no host")
    if parts.username or parts.password:
        raise TargetRefused("refused: a webhook URL may not carry a user name or password")
    path = parts.path or "/"
    return (
        parts.scheme.lower(),
        parts.hostname.rstrip("."),
        port or SCHEMES[parts.scheme.lower()],
        f"{path}?{parts.query}" if parts.query else path,
    )


def _resolved(host: str, port: int) -> list[Address]:
    """Every address `host` has (an address literal: itself), in the resolver's order."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as failed:
        raise TargetUnresolved(f"{host} does not resolve: {failed}") from None
    addresses = [ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers]
    if not addresses:
        raise TargetUnresolved(f"{host} has no address")
    return list(dict.fromkeys(addresses))


def _mapped_to(address: Address) -> Address:
    """::ffff:127.0.0.1 is 127.0.0.1: connected to as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _carried(address: Address) -> Address:
    """The address an address reaches, as it is judged (and listed): an IPv6 address that carries an IPv4 one
    (mapped, 6to4 2002:7f00:1::, Teredo's client) is judged as that IPv4 address."""
    address = _mapped_to(address)
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        return address.sixtofour
    if isinstance(address, ipaddress.IPv6Address) and address.teredo is not None:
        return address.teredo[1]
    return address


def _private_kind(address: Address) -> str | None:
    """What makes `address` internal, in words ("a loopback"), or None for a public address."""
    kinds = (
        ("a loopback", address.is_loopback),
        ("an unspecified", address.is_unspecified),
        ("a link-local", address.is_link_local),
        ("a site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("a multicast", address.is_multicast),
        ("a private", address.is_private),
        ("a reserved", address.is_reserved),
        ("a non-public", not address.is_global),
    )
    return next((words for words, holds in kinds if holds), None)


def _listed(host: str, address: Address, allow: Sequence[str]) -> bool:
    """Whether the operator allowed `host` by name, or `address` itself or inside a listed network."""
    for entry in allow:
        entry = entry.strip().strip("[]").rstrip(".").lower()
        if entry == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False
