"""Webhook targets: URLs checked against SSRF when subscribed and at every connection."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from partners_api.errors import Unprocessable

MAX_URL_LENGTH = 2000
# Cloud metadata services: refused even where private addresses are allowed.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class TargetRefused(Exception):
    """A target that may not be called: its host does not resolve, or to a refused address."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """The parts of a target URL that a connection needs."""

    url: str
    scheme: str
    host: str
    port: int
    path: str

    def pinned_to(self, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """The URL that connects to this checked address, its Host header and TLS name.

        Connecting to the address itself, not to the name, means a second DNS answer (a
        rebinding) can never send the request elsewhere; the Host header and the TLS server
        name (SNI, and the certificate's check) stay the target's own.
        """
        shown = f"[{address}]" if ":" in address else address
        host_header = (
            self.host if self.port == default_port(self.scheme) else (f"{self.host}:{self.port}")
        )
        extensions = {"sni_hostname": self.host} if self.scheme == "https" else {}
        return f"{self.scheme}://{shown}:{self.port}{self.path}", {"Host": host_header}, extensions


def default_port(scheme: str) -> int:
    """443 for https, 80 for http."""
    return 443 if scheme == "https" else 80


def parse_target(url: str, *, allow_private: bool) -> Target:
    """Check a target URL's form; https only, unless private targets are allowed (422)."""
    if len(url) > MAX_URL_LENGTH:
        raise _invalid(f"A URL of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _invalid("Not a valid URL.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise _invalid("The URL must use https.")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise _invalid("The URL needs a host, and no user name or password.")
    if parts.fragment:
        raise _invalid("The URL may not have a fragment.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        url=url,
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or default_port(parts.scheme),
        path=path,
    )


def _invalid(message: str) -> Unprocessable:
    return Unprocessable.field("url", message, code="invalid_url")


def refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(target: Target, *, allow_private: bool) -> str:
    """The address to connect to: every address the host resolves to must be allowed.

    Raises TargetRefused when the host does not resolve, or resolves to an address refused
    (metadata services always; private ones unless allowed).
    """
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(
            f"The host {target.host} does not resolve.", code="unresolvable_host"
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if address in METADATA_ADDRESSES or (
            address.version == 6
            and address.ipv4_mapped is not None
            and address.ipv4_mapped in METADATA_ADDRESSES
        ):
            raise TargetRefused(
                f"{target.host} resolves to a metadata address ({address}).", code="private_address"
            )
        if not allow_private and refused_address(address):
            raise TargetRefused(
                f"{target.host} resolves to {address}, a loopback, private, link-local or "
                "reserved address.",
                code="private_address",
            )
    return str(addresses[0])


def check_target(url: str, *, allow_private: bool) -> Target:
    """Check a URL given for a subscription: its form, and where its host resolves (422)."""
    target = parse_target(url, allow_private=allow_private)
    try:
        resolve(target, allow_private=allow_private)
    except TargetRefused as refused:
        raise Unprocessable.field("url", str(refused), code=refused.code) from None
    return target
