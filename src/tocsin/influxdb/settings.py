"""One `[[influxdb]]` element as the client uses it, read once from the effective config."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
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
        """The settings of a config element (TOML names, durations in ns).

        A user and password written in a URL (`http://kapacitor:pw@influx:8086`) sign in as `username` and
        `password` do, when those are not set; the URLs are kept without them.
        """
        urls, from_url = _without_userinfo(str(u) for u in element.get("urls") or ())
        username = str(element.get("username") or "")
        password = str(element.get("password") or "")
        if not username and from_url is not None:
            username, password = from_url
        return cls(
            name=str(element.get("name", "")),
            urls=urls,
            username=username,
            password=password,
            token=str(element.get("token") or ""),
            shared_secret=str(element.get("http-shared-secret") or ""),
            ssl_ca=str(element.get("ssl-ca") or ""),
            ssl_cert=str(element.get("ssl-cert") or ""),
            ssl_key=str(element.get("ssl-key") or ""),
            insecure_skip_verify=bool(element.get("insecure-skip-verify")),
            timeout=int(element.get("timeout") or 0) / NS,
            compression=str(element.get("compression") or ""),
        )


def _without_userinfo(urls: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """The URLs without user information, and the first user and password found in one."""
    found: tuple[str, str] | None = None
    out: list[str] = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.username is None:
            out.append(url)
            continue
        if found is None:
            found = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
        netloc = parts.netloc.rpartition("@")[2]
        out.append(urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)))
    return tuple(out), found
