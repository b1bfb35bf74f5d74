"""What a cluster's subscriptions should look like, and InfluxQL to read and change them (no I/O).

Facts from Kapacitor (services/influxdb/service.go): a subscription is named `kapacitor-` + the cluster ID
(subscription-mode cluster) or the server ID (server); the databases and retention policies subscribed to are
every one InfluxDB has when `subscriptions` is empty (else those it lists) minus `excluded-subscriptions`;
a destination is `<protocol>://<kapacitor-hostname or hostname>:<http-port or the API's port>`, with the user
`~subscriber` and a token as password when authentication is on (http and https only).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.influxdb.client import Result
from tocsin.influxdb.querytext import quote_ident, quote_string

NAME_PREFIX = "kapacitor-"
SUBSCRIBER = "~subscriber"
ALL = "ALL"
ANY = "ANY"

DbRp = tuple[str, str]

_CREDENTIAL = re.compile(r"(~subscriber:)[^@'\"\s]*@")


@dataclass(frozen=True, slots=True)
class Existing:
    """One row of SHOW SUBSCRIPTIONS."""

    database: str
    retention_policy: str
    name: str
    mode: str
    destinations: tuple[str, ...]


def subscription_name(mode: str, cluster_id: str, server_id: str) -> str:
    return NAME_PREFIX + (server_id if mode == "server" else cluster_id)


def wanted(
    all_dbrps: Iterable[DbRp], include: Mapping[str, Sequence[str]], exclude: Mapping[str, Sequence[str]]
) -> set[DbRp]:
    """Kapacitor's shouldSubExist over what InfluxDB has."""
    listed = {(db, rp) for db, rps in include.items() for rp in rps}
    excluded = {(db, rp) for db, rps in exclude.items() for rp in rps}
    return {dbrp for dbrp in all_dbrps if (not listed or dbrp in listed) and dbrp not in excluded}


def base_url(scheme: str, host: str, port: int, path: str = "") -> str:
    """A destination without credentials."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if path and not path.startswith("/"):
        path = "/" + path
    return f"{scheme}://{host}:{port}{path.rstrip('/')}"


def with_token(url: str, token: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{SUBSCRIBER}:{token}@{rest}"


def split_credential(url: str) -> tuple[str, str | None]:
    """The destination without user information, and the token when the user is `~subscriber`.

    A destination with any other user information gives the token "" (never ours: it must be replaced).
    """
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    bare = urllib.parse.urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    user, _, password = userinfo.partition(":")
    if urllib.parse.unquote(user) != SUBSCRIBER:
        return bare, ""
    return bare, urllib.parse.unquote(password)


def scrub(text: str) -> str:
    """`text` with every subscription token replaced (log lines, error messages)."""
    return _CREDENTIAL.sub(r"\1xxxxx@", text)


def create_statement(name: str, dbrp: DbRp, mode: str, destinations: Sequence[str]) -> str:
    targets = ", ".join(quote_string(d) for d in destinations)
    on = f"{quote_ident(dbrp[0])}.{quote_ident(dbrp[1])}"
    return f"CREATE SUBSCRIPTION {quote_ident(name)} ON {on} DESTINATIONS {mode} {targets}"


def drop_statement(name: str, dbrp: DbRp) -> str:
    return f"DROP SUBSCRIPTION {quote_ident(name)} ON {quote_ident(dbrp[0])}.{quote_ident(dbrp[1])}"


def first_column(results: Sequence[Result]) -> list[str]:
    """The first column of a SHOW DATABASES or SHOW RETENTION POLICIES answer (Kapacitor reads only that)."""
    if len(results) != 1 or len(results[0].series) != 1:
        return []
    return [str(row[0]) for row in results[0].series[0].values if row]


def existing(results: Sequence[Result]) -> list[Existing]:
    """The rows of SHOW SUBSCRIPTIONS: one series per database."""
    rows: list[Existing] = []
    for result in results:
        for series in result.series:
            for values in series.values:
                row: dict[str, Any] = dict(zip(series.columns, values, strict=False))
                destinations = row.get("destinations") or ()
                rows.append(
                    Existing(
                        database=series.name,
                        retention_policy=str(row.get("retention_policy", "")),
                        name=str(row.get("name", "")),
                        mode=str(row.get("mode", "")),
                        destinations=tuple(str(d) for d in destinations),
                    )
                )
    return rows
