"""Which addresses deliveries may connect to: `[delivery] deny-networks` and `allow-networks`.

The check is on the addresses a name resolves to at connect time, and the connection then goes to exactly
the address checked, so a name that resolves to a public address when a handler is defined and to the cloud
metadata service (169.254.169.254) when it delivers (DNS rebinding) is refused too. Transports that connect
through a library (SMTP, MQTT, Kafka) check the addresses just before the library connects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tocsin.config.networks import DEFAULT_DENY, Network, parse_networks
from tocsin.delivery.errors import DeliveryError, Reason

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
T = TypeVar("T")
# (host, port) -> [(family, address)]: a stub in tests, the system resolver otherwise.
Resolve = Callable[[str, int], Awaitable[list[tuple[int, str]]]]

DENIED = "connection to {address} ({host}) refused by [delivery] {rule}"


async def system_resolve(host: str, port: int) -> list[tuple[int, str]]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[tuple[int, str], None] = {}
    for family, _, _, _, sockaddr in infos:
        seen[(int(family), str(sockaddr[0]))] = None
    return list(seen)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Denied networks, and when `allow` is not empty, the only networks allowed."""

    deny: tuple[Network, ...] = field(default_factory=lambda: parse_networks(DEFAULT_DENY))
    allow: tuple[Network, ...] = ()
    resolve: Resolve = system_resolve

    @classmethod
    def from_lists(cls, deny: Sequence[str], allow: Sequence[str]) -> AddressPolicy:
        return cls(parse_networks(deny), parse_networks(allow))

    def problem(self, address: str, host: str) -> str | None:
        """Why connecting to `address` (which `host` resolved to) is not allowed, or None."""
        ip = _address(address)
        for network in self.deny:
            if ip in network:
                return DENIED.format(address=address, host=host, rule=f"deny-networks ({network})")
        if self.allow and not any(ip in network for network in self.allow):
            return DENIED.format(address=address, host=host, rule="allow-networks (not listed)")
        return None

    async def addresses(self, host: str, port: int) -> list[tuple[int, str]]:
        """The allowed addresses of `host`, in resolver order; DeliveryError (POLICY) when it has none.

        Resolution failures are left to the caller (an OSError, as the connection itself would raise)."""
        found = await self.resolve(host, port)
        allowed = [(family, address) for family, address in found if self.problem(address, host) is None]
        if not allowed and found:
            problem = self.problem(found[0][1], host) or ""
            raise DeliveryError(Reason.POLICY, problem, retryable=False)
        return allowed

    async def check(self, host: str, port: int) -> None:
        """DeliveryError (POLICY) when any address of `host` is denied (for libraries that resolve again).

        A name that does not resolve passes: the library reports that failure in its own words."""
        try:
            found = await self.resolve(host, port)
        except OSError:
            return
        for _, address in found:
            problem = self.problem(address, host)
            if problem:
                raise DeliveryError(Reason.POLICY, problem, retryable=False)


DEFAULT_POLICY = AddressPolicy()


async def first_connection(policy: AddressPolicy, host: str, port: int, connect: Callable[[str], Awaitable[T]]) -> T:
    """`connect(address)` to the allowed addresses of `host` in turn, until one takes the connection; the
    connection goes to an address the policy checked, not to the name (it could resolve elsewhere by now)."""
    last: OSError | None = None
    for _, address in await policy.addresses(host, port):
        try:
            return await connect(address)
        except OSError as exc:
            last = exc
    raise last or OSError(f"no address for {host}")


async def open_checked(
    policy: AddressPolicy, host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """asyncio.open_connection to the first allowed address of `host` that takes the connection."""
    return await first_connection(policy, host, port, lambda address: asyncio.open_connection(address, port))


def _address(text: str) -> Address:
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    # An IPv4-mapped IPv6 address reaches the IPv4 host: judge it as that.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
