"""One `[[influxdb]]` element as the client uses it, read once from the effective config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """How to reach one InfluxDB cluster: its URLs in failover order and the credentials for each request."""

    name: str
    urls: tuple[str, ...]
    username: str = ""
    password: str = ""
    token: str = ""
    shared_secret: str = ""
    ssl_ca: str = ""
    ssl_cert: str = ""
    ssl_key: str = ""
    insecure_skip_verify: bool = False
    timeout: float = 0.0  # seconds; 0 waits as long as the peer takes (Kapacitor's default)
    compression: str = ""

    @classmethod
    def of(cls, element: Mapping[str, Any]) -> ClusterSettings:
        """The settings of a config element (TOML names, durations in ns)."""
        return cls(
            name=str(element.get("name", "")),
            urls=tuple(str(u) for u in element.get("urls") or ()),
            username=str(element.get("username") or ""),
            password=str(element.get("password") or ""),
            token=str(element.get("token") or ""),
            shared_secret=str(element.get("http-shared-secret") or ""),
            ssl_ca=str(element.get("ssl-ca") or ""),
            ssl_cert=str(element.get("ssl-cert") or ""),
            ssl_key=str(element.get("ssl-key") or ""),
            insecure_skip_verify=bool(element.get("insecure-skip-verify")),
            timeout=int(element.get("timeout") or 0) / NS,
            compression=str(element.get("compression") or ""),
        )
