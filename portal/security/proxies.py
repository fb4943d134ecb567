"""The client's address behind a reverse proxy: X-Forwarded-* are believed from trusted peers only.

Login throttles and audit rows key on `scope["client"]`. Behind Caddy or nginx every peer is the
proxy, so the proxy's X-Forwarded-For names the client; but anyone can send that header, so it
is read only when the connecting peer is one of PORTAL_TRUSTED_PROXIES. uvicorn's own proxy
handling is turned off (see portal/cli.py) so this is the one place that decides.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """The networks of `values` ("10.0.0.1", "10.0.0.0/8", "::1"); raises ValueError for others."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether `address` is an IP address inside one of `networks` (False for anything else)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(forwarded_for: list[str], networks: tuple[Network, ...]) -> str | None:
    """The client address an X-Forwarded-For chain names, or None when it names none.

    Proxies append the address they saw, so the chain is read from the right: the first address
    that is not a trusted proxy is the client; what lies left of it the client could have forged.
    """
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return None  # "unknown" or garbage: keep the proxy's own address
        if not is_trusted(hop, networks):
            return hop
    return hops[0] if hops else None


class ClientAddressMiddleware(ASGIMiddleware):
    """Replace `scope["client"]` (and the scheme) with what a trusted proxy says; else leave it."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self.networks = parse_networks(trusted_proxies)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        peer = scope.get("client")
        if self.networks and peer and is_trusted(peer[0], self.networks):
            headers = Headers.from_scope(scope)
            client = forwarded_client(headers.getall("x-forwarded-for", []), self.networks)
            if client:
                scope["client"] = (client, 0)
            proto = headers.get("x-forwarded-proto", "").strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await next_app(scope, receive, send)
