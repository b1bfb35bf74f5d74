"""`[[influxdb]]`: the InfluxDB 1.x clusters Tocsin queries (batch tasks), writes to (influxDBOut, [stats]) and
subscribes to (stream tasks), as Kapacitor's section declares them.

A fresh configuration has Kapacitor's one `default` element, but disabled: a start without a config file
makes no outbound connection. An element written in kapacitor.conf is enabled unless it says otherwise,
as in Kapacitor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import re2

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import MINUTE

STR = FieldType.STRING
BOOL = FieldType.BOOL
INT = FieldType.INT
DUR = FieldType.DURATION
LISTS = FieldType.LIST_MAP

PROTOCOLS = ("http", "https", "udp")
MODES = ("cluster", "server")
STATS_DATABASE = "_kapacitor"
STATS_RETENTION_POLICY = "autogen"

# Kapacitor's texts (services/influxdb/config.go).
NO_NAME = "influxdb cluster must be given a name"
BAD_NAME = "influxdb cluster name must contain only numbers, letters or '.', '-', and '_' characters"
NO_URLS = "must specify at least one InfluxDB URL"
BAD_PROTOCOL = "invalid subscription protocol, must be one of 'udp', 'http' or 'https', got {protocol}"
TWO_DEFAULTS = "More than one InfluxDB default was specified: {first} {second}"
NO_DEFAULT = "at least one of the enabled InfluxDB clusters must be marked as default."
BAD_MODE = "invalid subscription mode, must be one of 'cluster' or 'server', got {mode}"

_VALID_NAME = re2.compile(r"^[-\._\pL0-9]+$")


def _validate(values: Mapping[str, Any]) -> str | None:
    if not values["enabled"]:
        return None
    name = values["name"]
    if not name:
        return NO_NAME
    if not _VALID_NAME.search(name):
        return BAD_NAME
    urls = values["urls"]
    if not urls:
        return NO_URLS
    for url in urls:
        if not str(url).startswith(("http://", "https://")):
            return f'invalid URL "{url}": must start with http:// or https://'
    if values["subscription-protocol"] not in PROTOCOLS:
        return BAD_PROTOCOL.format(protocol=values["subscription-protocol"])
    if values["subscription-mode"] not in MODES:
        return BAD_MODE.format(mode=values["subscription-mode"])
    for key in ("timeout", "startup-timeout", "subscriptions-sync-interval"):
        if values[key] < 0:
            return f"{key} must not be negative"
    if values["http-port"] < 0 or values["http-port"] > 65535:
        return "http-port must be between 0 and 65535"
    return None


def _validate_all(elements: list[dict[str, Any]]) -> str | None:
    """Kapacitor's rules across clusters (server/config.go): one default among several enabled ones."""
    enabled = [e for e in elements if e["enabled"]]
    defaults = [e["name"] for e in enabled if e["default"]]
    if len(defaults) > 1:
        return TWO_DEFAULTS.format(first=defaults[1], second=defaults[0])
    if len(enabled) > 1 and not defaults:
        return NO_DEFAULT
    return None


INFLUXDB = Section(
    name="influxdb",
    help="InfluxDB 1.x clusters: batch queries, influxDBOut writes, [stats] and the subscriptions that feed "
    "stream tasks.",
    element_key="name",
    default_elements=({"name": "default", "enabled": False},),
    validate=_validate,
    validate_all=_validate_all,
    fields=(
        Field(
            "enabled",
            BOOL,
            True,
            help="Use this cluster. The element a fresh start has is disabled, one written in kapacitor.conf enabled.",
        ),
        Field("name", STR, help="Unique name of the cluster; tasks pick it with .cluster('name')."),
        Field("default", BOOL, help="The cluster used when a task names none (else the first enabled one)."),
        Field(
            "urls",
            FieldType.STRING_LIST,
            ["http://localhost:8086"],
            help="URLs of the cluster's nodes, tried in order when one fails.",
        ),
        Field("username", STR, help="User for basic authentication."),
        Field("password", STR, secret=True, help="Password for basic authentication."),
        Field("token", STR, secret=True, help="Token sent as `Authorization: Token ...` instead of a user."),
        Field(
            "http-shared-secret",
            STR,
            secret=True,
            help="InfluxDB's [http] shared-secret: each request carries a JWT signed with it for username. "
            "Redacted by Tocsin, unlike Kapacitor.",
        ),
        Field("ssl-ca", STR, help="PEM file of the CA that signs the cluster's certificate."),
        Field("ssl-cert", STR, help="PEM client certificate."),
        Field("ssl-key", STR, help="PEM key of the client certificate."),
        Field("insecure-skip-verify", BOOL, help="Use TLS but do not verify the cluster's certificate."),
        Field("timeout", DUR, help="Timeout of each request to the cluster; 0 waits as long as it takes."),
        Field(
            "disable-subscriptions",
            BOOL,
            help="Create no subscriptions (stream tasks then need points written to /write).",
        ),
        Field(
            "subscription-protocol",
            STR,
            "http",
            choices=PROTOCOLS,
            help="How InfluxDB sends subscribed points: http, https or udp.",
        ),
        Field(
            "subscription-mode",
            STR,
            "cluster",
            choices=MODES,
            help="cluster: one subscription for every Tocsin instance sharing the store (InfluxDB sends each point "
            "to all of them, mode ALL); server: one subscription per instance.",
        ),
        Field(
            "subscriptions",
            LISTS,
            help='Databases and retention policies to subscribe to, e.g. { telegraf = ["autogen"] }; '
            "empty: all of them except excluded-subscriptions.",
        ),
        Field(
            "excluded-subscriptions",
            LISTS,
            {STATS_DATABASE: [STATS_RETENTION_POLICY]},
            help="Databases and retention policies never subscribed to.",
        ),
        Field(
            "kapacitor-hostname",
            STR,
            help="The host name InfluxDB sends subscribed points to; empty: the top-level hostname.",
        ),
        Field("http-port", INT, help="The port InfluxDB sends subscribed points to; 0: the port Tocsin listens on."),
        Field("udp-bind", STR, help="The address to listen on for subscribed points when the protocol is udp."),
        Field("udp-buffer", INT, 1000, help="Points read from UDP before they are written to the tasks."),
        Field("udp-read-buffer", INT, help="The UDP socket's receive buffer in bytes; 0: the system's."),
        Field(
            "startup-timeout",
            DUR,
            5 * MINUTE,
            help="How long subscription management keeps trying to reach the cluster at start.",
        ),
        Field(
            "subscriptions-sync-interval",
            DUR,
            MINUTE,
            help="How often the subscriptions are compared with the databases and fixed.",
        ),
        Field(
            "subscription-path",
            STR,
            help="A path prefix of the subscription's destination URL (Tocsin behind a proxy).",
        ),
        Field("compression", STR, "gzip", choices=("gzip", "none", ""), help="Compression of writes: gzip or none."),
    ),
)
