"""Where the HTTP API listens, and whether it may listen there with authentication off.

The default, `localhost:9092`, means both loopback addresses (127.0.0.1 and ::1). Kapacitor's default, `:9092`,
means every interface; with `[http] auth-enabled = false` that hands the API (and through `exec` handlers, the
machine) to anyone who can reach it, so it needs `[http] allow-unauthenticated-remote = true` to start.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from tocsin.errors import ConfigError

DEFAULT_BIND = "localhost:9092"
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})

REMOTE_WITHOUT_AUTH = (
    '[http] bind-address "{address}" is reachable from other machines and [http] auth-enabled is false: '
    'enable auth (auth-enabled = true, then "tocsin user add"), bind a loopback address (localhost:{port}), '
    "or set [http] allow-unauthenticated-remote = true to accept the risk"
)
REMOTE_ACCEPTED = (
    '[http] allow-unauthenticated-remote is true: the API on "{address}" has no authentication and anyone who '
    "can reach it can run what the allow-lists permit"
)


@dataclass(frozen=True, slots=True)
class Bind:
    """The hosts to listen on (None: every interface) and the port."""

    hosts: tuple[str | None, ...]
    port: int
    address: str

    @property
    def loopback_only(self) -> bool:
        return all(host is not None and is_loopback(host) for host in self.hosts)


def parse_bind(address: str) -> Bind:
    """`host:port`, `[v6]:port` or `:port`; `localhost` (or an empty address) is both loopback addresses."""
    address = address.strip() or DEFAULT_BIND
    host, _, port = address.rpartition(":")
    if not port.isdigit() or int(port) > 65535:
        raise ConfigError(f'[http] bind-address: invalid address "{address}" (expected host:port or :port)')
    host = host.strip("[]")
    if not host:
        return Bind((None,), int(port), address)
    if host.lower() in LOOPBACK_NAMES:
        hosts: tuple[str | None, ...] = ("127.0.0.1", "::1") if _has_ipv6() else ("127.0.0.1",)
        return Bind(hosts, int(port), address)
    return Bind((host,), int(port), address)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() in LOOPBACK_NAMES


def check_exposure(bind: Bind, auth_enabled: bool, accept_risk: bool) -> str | None:
    """The warning to log on this start, or raise ConfigError when the start must be refused."""
    if auth_enabled or bind.loopback_only:
        return None
    if not accept_risk:
        raise ConfigError(REMOTE_WITHOUT_AUTH.format(address=bind.address, port=bind.port))
    return REMOTE_ACCEPTED.format(address=bind.address)


def _has_ipv6() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True
