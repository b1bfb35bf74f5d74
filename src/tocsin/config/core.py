"""The core sections of kapacitor.conf: the server's own settings, never changed through the config API.

Besides Tocsin's settings, each section accepts the keys a stock kapacitor.conf writes there (`boltdb`,
`topic-buffer-length`, ...) so such files load unchanged; those Tocsin has no use for say why in `Field.ignored`.
"""

from __future__ import annotations

import os.path
from collections.abc import Callable, Mapping
from typing import Any

from tocsin.config.networks import DEFAULT_DENY, parse_networks
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import HOUR, MINUTE, SECOND, parse_duration

# Kapacitor's texts for the top level (server/config.go).
EMPTY_HOSTNAME = "must configure valid hostname"
EMPTY_DATA_DIR = "must configure valid data dir"

LOG_LEVELS = ("DEBUG", "INFO", "WARN", "ERROR", "OFF")
MAX_BODY_SIZE = 32 * 1024 * 1024

STR = FieldType.STRING
BOOL = FieldType.BOOL
INT = FieldType.INT
DUR = FieldType.DURATION
FLOAT = FieldType.FLOAT


def _validate_top(values: Mapping[str, Any]) -> str | None:
    if not values["hostname"]:
        return EMPTY_HOSTNAME
    if not values["data_dir"]:
        return EMPTY_DATA_DIR
    return None


TOP_LEVEL = Section(
    name="",
    help="Top-level settings.",
    overridable=False,
    validate=_validate_top,
    fields=(
        Field("hostname", STR, "localhost", help="The hostname of this node, shown in alert templates."),
        Field("data_dir", STR, "./tocsin-data", help="Directory for the SQLite store and other state."),
        Field("skip-config-overrides", BOOL, help="Ignore the overrides saved through the config API at startup."),
        Field("default-retention-policy", STR, help="Accepted for Kapacitor compatibility; unused."),
    ),
)


def _validate_delivery(values: Mapping[str, Any]) -> str | None:
    for name in ("timeout", "max-age", "backoff-initial", "backoff-max", "retention"):
        if values[name] <= 0:
            return f"{name} must be positive"
    if values["max-attempts"] < 1:
        return "max-attempts must be at least 1"
    if values["concurrency"] < 1:
        return "concurrency must be at least 1"
    if values["backoff-multiplier"] < 1:
        return "backoff-multiplier must be at least 1"
    if not 0 <= values["jitter"] <= 1:
        return "jitter must be between 0 and 1"
    if values["backoff-max"] < values["backoff-initial"]:
        return "backoff-max must not be less than backoff-initial"
    for key in ("deny-networks", "allow-networks"):
        try:
            parse_networks(values.get(key) or ())
        except ValueError as exc:
            return f"{key}: {exc}"
    for kind, text in (values.get("kind-timeouts") or {}).items():
        try:
            if parse_duration(str(text)) <= 0:
                return f"kind-timeouts.{kind} must be positive"
        except ValueError as exc:
            return f"kind-timeouts.{kind}: {exc}"
    for kind, attempts in (values.get("kind-max-attempts") or {}).items():
        if attempts < 1:
            return f"kind-max-attempts.{kind} must be at least 1, got {attempts}"
    return None


def _validate_http(values: Mapping[str, Any]) -> str | None:
    if values["max-body-size"] < 1:
        return "max-body-size must be positive"
    if bool(values["admin-user"]) != bool(values["admin-password"]):
        return "admin-user and admin-password must be set together"
    return None


HTTP = Section(
    name="http",
    help="The HTTP API (/kapacitor/v1).",
    overridable=False,
    validate=_validate_http,
    fields=(
        Field(
            "bind-address",
            STR,
            "localhost:9092",
            help="Address the HTTP API listens on; localhost means 127.0.0.1 and ::1, :9092 every interface.",
        ),
        Field("auth-enabled", BOOL, help="Require authentication on the API."),
        Field(
            "allow-unauthenticated-remote",
            BOOL,
            help="Start with auth-enabled = false on an address other machines can reach (a warning on every start).",
        ),
        Field(
            "cors-allowed-origins",
            FieldType.STRING_LIST,
            help="Origins (https://grafana.example:3000) whose browser pages may call the API; empty: none, "
            "only the page Tocsin serves.",
        ),
        Field(
            "allowed-hosts",
            FieldType.STRING_LIST,
            help="With auth off, Host header names accepted besides localhost, IP addresses, hostname and the bind "
            "host (a DNS-rebinding guard).",
        ),
        Field(
            "metrics-auth-enabled",
            BOOL,
            True,
            help="With auth-enabled, /metrics needs credentials too; false lets a scraper read it without.",
        ),
        Field("log-enabled", BOOL, True, help="Log every HTTP request."),
        Field("write-tracing", BOOL, help="Log each write to /write: database, retention policy, points, bytes."),
        Field("pprof-enabled", BOOL, help="Serve debugging endpoints under /kapacitor/v1/debug/pprof."),
        Field("https-enabled", BOOL, help="Serve HTTPS instead of HTTP."),
        Field("https-certificate", STR, "/etc/ssl/kapacitor.pem", help="PEM certificate (and key) for HTTPS."),
        Field("https-private-key", STR, help="PEM private key, when not in the certificate file."),
        Field("shutdown-timeout", DUR, 10 * SECOND, help="How long to wait for requests to finish on shutdown."),
        Field("shared-secret", STR, secret=True, help="Shared secret for JWT bearer tokens."),
        Field(
            "admin-user",
            STR,
            help="With auth-enabled and no user in the store yet: the name of the admin user created at startup.",
        ),
        Field("admin-password", STR, secret=True, help="The password of that first admin user."),
        Field(
            "max-body-size",
            INT,
            MAX_BODY_SIZE,
            help="Largest accepted request body in bytes; larger ones get 413.",
        ),
    ),
)

DELIVERY = Section(
    name="delivery",
    help="Durable delivery of alert events to handlers (Tocsin's own section).",
    overridable=False,
    validate=_validate_delivery,
    fields=(
        Field("timeout", DUR, 10 * SECOND, help="Default timeout of one delivery attempt."),
        Field(
            "kind-timeouts",
            FieldType.STRING_MAP,
            help='Timeouts per handler kind, overriding timeout, e.g. { exec = "1m" }; a handler\'s own '
            "timeout option wins over both.",
        ),
        Field("max-attempts", INT, 10, help="Attempts before a delivery is dead-lettered."),
        Field(
            "kind-max-attempts",
            FieldType.INT_MAP,
            help="Attempts per handler kind, overriding max-attempts, e.g. { sensu = 3 }: a Sensu or TCP peer that "
            "never answers is otherwise retried max-attempts times.",
        ),
        Field("max-age", DUR, 24 * HOUR, help="Age after which an undelivered event is dead-lettered."),
        Field("backoff-initial", DUR, SECOND, help="Wait before the first retry."),
        Field("backoff-max", DUR, 5 * MINUTE, help="Longest wait between retries."),
        Field("backoff-multiplier", FLOAT, 2.0, help="Growth factor of the wait between retries."),
        Field("jitter", FLOAT, 0.2, help="Random fraction (0..1) added to or taken from each wait."),
        Field("concurrency", INT, 4, help="Deliveries in flight at once per handler."),
        Field("retention", DUR, 168 * HOUR, help="How long delivered and dead rows stay in the delivery log."),
        Field(
            "deny-networks",
            FieldType.STRING_LIST,
            list(DEFAULT_DENY),
            help="Networks (CIDR) no delivery or httpPost may connect to, checked on the resolved address; "
            "the default is link-local, where cloud metadata services live.",
        ),
        Field(
            "redirects",
            STR,
            "same-origin",
            choices=("same-origin", "any", "none"),
            help="Which HTTP redirects deliveries follow (307 and 308 only, which keep the POST): same-origin; "
            "any (to another origin without credentials or custom headers); none.",
        ),
        Field(
            "allow-networks",
            FieldType.STRING_LIST,
            help="When not empty, the only networks deliveries may connect to (deny-networks still applies).",
        ),
    ),
)

STORAGE = Section(
    name="storage",
    help="Where Tocsin keeps topics, handlers, overrides and the delivery log.",
    overridable=False,
    fields=(
        Field("url", STR, help='Database URL; "" means an SQLite file in data_dir.'),
        Field("synchronous", STR, "full", choices=("full", "normal"), help="SQLite synchronous mode."),
        Field(
            "boltdb",
            STR,
            help="Kapacitor's BoltDB file; Tocsin keeps its state in [storage] (SQLite or PostgreSQL).",
            ignored="Tocsin keeps its state in [storage] (SQLite in data_dir, or PostgreSQL), not in BoltDB",
        ),
    ),
)

ALERT = Section(
    name="alert",
    help="Alert topics.",
    overridable=False,
    fields=(
        Field("persist-topics", BOOL, True, help="Keep topic state and events across restarts."),
        Field(
            "deliver-after-silence",
            BOOL,
            True,
            help="When a silence ends, deliver once the state of each alert it held back that is still not OK.",
        ),
        Field(
            "topic-buffer-length",
            INT,
            5000,
            help="Kapacitor's in-memory buffer of events per topic handler; Tocsin has none to size.",
            ignored="no event is buffered in memory or dropped: every delivery waits in the durable outbox",
        ),
    ),
)


ALERTMANAGER = Section(
    name="alertmanager",
    help="Alerts posted to Alertmanager's API v2 (`POST /api/v2/alerts`, as Prometheus and amtool send them).",
    overridable=False,
    fields=(
        Field("topic", STR, "prometheus", help="The topic of an alert without a `topic` label."),
        Field(
            "severities",
            FieldType.STRING_MAP,
            {"critical": "CRITICAL", "warning": "WARNING", "info": "INFO"},
            help="The level of an alert by its `severity` label (compared lower-case).",
        ),
        Field("default-level", STR, "CRITICAL", help="The level of a firing alert whose severity is not mapped."),
    ),
)


def _validate_patterns(key: str) -> Callable[[Mapping[str, Any]], str | None]:
    def check(values: Mapping[str, Any]) -> str | None:
        for pattern in values[key]:
            if not os.path.isabs(pattern):
                return f'{key}: "{pattern}" is not an absolute path or pattern'
        return None

    return check


CONFIG_OVERRIDE = Section(
    name="config-override",
    help="The /kapacitor/v1/config API.",
    overridable=False,
    validate=_validate_patterns("allowed-file-dirs"),
    fields=(
        Field("enabled", BOOL, True, help="Allow changing handler sections over the HTTP API."),
        Field(
            "allowed-file-dirs",
            FieldType.STRING_LIST,
            help="Directories that file paths set over the config API (httppost alert-template-file, "
            "row-template-file) must be inside; empty (the default): such paths come from this file only.",
        ),
    ),
)


def _validate_logging(values: Mapping[str, Any]) -> str | None:
    if str(values["level"]).upper() not in LOG_LEVELS:
        return f"invalid log level {values['level']!r}, must be one of {', '.join(LOG_LEVELS)}"
    return None


LOGGING = Section(
    name="logging",
    help="Server log.",
    overridable=False,
    validate=_validate_logging,
    fields=(
        Field("file", STR, "STDERR", help="A file path, STDOUT or STDERR."),
        Field("level", STR, "INFO", help="DEBUG, INFO, WARN, ERROR or OFF."),
    ),
)


EXEC = Section(
    name="exec",
    help="What `exec` handlers may run (Tocsin's own section).",
    overridable=False,
    validate=_validate_patterns("allowed-commands"),
    fields=(
        Field(
            "allowed-commands",
            FieldType.STRING_LIST,
            help="Absolute program paths or glob patterns (/usr/local/bin/*, /opt/alerts/**) exec handlers and "
            "TICKscript .exec() may run; empty (the default) disables them.",
        ),
    ),
)

LOG = Section(
    name="log",
    help="Where `log` handlers may write (Tocsin's own section).",
    overridable=False,
    validate=_validate_patterns("allowed-dirs"),
    fields=(
        Field(
            "allowed-dirs",
            FieldType.STRING_LIST,
            help="Absolute directories (or glob patterns) log handler and TICKscript .log() files must be "
            "inside (symlinks resolved); empty (the default) disables them.",
        ),
    ),
)

SIDELOAD = Section(
    name="sideload",
    help="Where TICKscript `sideload()` sources may read (Tocsin's own section).",
    overridable=False,
    validate=_validate_patterns("allowed-dirs"),
    fields=(
        Field(
            "allowed-dirs",
            FieldType.STRING_LIST,
            help="Absolute directories (or glob patterns) that sideload().source('file://...') directories must be "
            "or be inside (symlinks resolved); empty (the default) disables sideload.",
        ),
    ),
)

DEADMAN = Section(
    name="deadman",
    help="Defaults of the TICKscript `deadman` switch.",
    overridable=False,
    fields=(
        Field("interval", DUR, 10 * SECOND, help="How often a global deadman checks the throughput."),
        Field("threshold", FLOAT, 0.0, help="Points per interval at or below which a global deadman alerts."),
        Field("id", STR, "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'", help="Alert ID template."),
        Field(
            "message",
            STR,
            '{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: '
            '{{ index .Fields "emitted" | printf "%0.3f" }} points/INTERVAL.',
            help="Alert message template (INTERVAL is replaced by the interval).",
        ),
        Field("global", BOOL, False, help="Add a deadman to every task."),
    ),
)


def _validate_stats(values: Mapping[str, Any]) -> str | None:
    if values["stats-interval"] <= 0:
        return "stats-interval must be positive"
    if values["enabled"] and not values["database"]:
        return "database must not be empty"
    return None


def _validate_load(values: Mapping[str, Any]) -> str | None:
    if values["enabled"] and not os.path.isabs(values["dir"]):
        return f'dir "{values["dir"]}" must be an absolute path'  # Kapacitor's rule (services/load/config.go)
    return None


LOAD = Section(
    name="load",
    help="Tasks, templates and topic handlers loaded at start from a directory (as Kapacitor's [load]).",
    overridable=False,
    validate=_validate_load,
    fields=(
        Field("enabled", BOOL, help="Load the directory at every start."),
        Field(
            "dir",
            STR,
            "/etc/kapacitor/load",
            help="Holds tasks/ (.tick, and template tasks as .yaml or .json), templates/ (.tick) and handlers/ "
            "(.yaml or .json).",
        ),
    ),
)

STATS = Section(
    name="stats",
    help="Tocsin's internal statistics, written to InfluxDB as Kapacitor's are.",
    overridable=False,
    validate=_validate_stats,
    fields=(
        Field(
            "enabled",
            BOOL,
            True,
            help="Write the statistics every stats-interval to the default [[influxdb]] cluster, when one is enabled.",
        ),
        Field("stats-interval", DUR, 10 * SECOND, help="How often the statistics are written."),
        Field("database", STR, "_kapacitor", help="The database they are written to (created when missing)."),
        Field("retention-policy", STR, "autogen", help="The retention policy they are written to."),
        Field(
            "timing-sample-rate",
            FLOAT,
            0.1,
            help="Kapacitor's share of node calls timed for avg_exec_time_ns.",
            ignored="Tocsin times one node call in ten (a rate of 0.1)",
        ),
        Field(
            "timing-movavg-size",
            INT,
            1000,
            help="Kapacitor's number of timings averaged for avg_exec_time_ns.",
            ignored="Tocsin averages the last 1000 sampled timings",
        ),
    ),
)

CORE_SECTIONS: tuple[Section, ...] = (
    TOP_LEVEL,
    ALERT,
    ALERTMANAGER,
    CONFIG_OVERRIDE,
    DEADMAN,
    DELIVERY,
    EXEC,
    HTTP,
    LOAD,
    LOG,
    LOGGING,
    SIDELOAD,
    STATS,
    STORAGE,
)
