"""Network lists in the configuration (`[delivery] deny-networks`, `allow-networks`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Link-local: where the cloud metadata services answer (169.254.169.254, and fe80:: on IPv6).
DEFAULT_DENY = ("169.254.0.0/16", "fe80::/10")
INVALID_NETWORK = 'invalid network "{text}": expected an address or CIDR block (10.0.0.0/8, fe80::/10)'


def parse_networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """CIDR blocks or single addresses; ValueError with INVALID_NETWORK."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(str(text).strip(), strict=False))
        except ValueError:
            raise ValueError(INVALID_NETWORK.format(text=text)) from None
    return tuple(networks)
