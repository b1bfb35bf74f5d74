from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.config.loader import FileConfig, load_file, load_text
from tocsin.errors import ConfigError
from tocsin.gocompat.duration import HOUR, MINUTE, SECOND
from tocsin.handlers.slack_config import SECTION as SLACK

from .sections import HTTPPOST, NO_ENV, SECTIONS, SMTP


def load(text: str) -> FileConfig:
    return load_text(text, "kapacitor.conf", environ=NO_ENV, sections=SECTIONS)


CORE_TOML = """\
hostname = "alerts.example.com"
data_dir = "/var/lib/tocsin"
skip-config-overrides = true
default-retention-policy = "autogen"

[http]
  bind-address = "127.0.0.1:9192"
  auth-enabled = true
  log-enabled = false
  write-tracing = true
  pprof-enabled = true
  https-enabled = true
  https-certificate = "/etc/tocsin/cert.pem"
  https-private-key = "/etc/tocsin/key.pem"
  shutdown-timeout = "30s"
  shared-secret = "s3cret-value"

[delivery]
  timeout = "5s"
  max-attempts = 3
  max-age = "1h"
  backoff-initial = 500000000
  backoff-max = "1m0s"
  backoff-multiplier = 3
  jitter = 0.5
  concurrency = 8
  retention = "24h"

[storage]
  url = "sqlite:///tmp/x.db"
  synchronous = "normal"
  boltdb = "/var/lib/kapacitor/kapacitor.db"

[alert]
  persist-topics = false
  topic-buffer-length = 1000

[config-override]
  enabled = false

[logging]
  file = "/var/log/tocsin.log"
  level = "DEBUG"
"""

CORE_VALUES = {
    "": [
        {
            "hostname": "alerts.example.com",
            "data_dir": "/var/lib/tocsin",
            "skip-config-overrides": True,
            "default-retention-policy": "autogen",
        }
    ],
    "http": [
        {
            "bind-address": "127.0.0.1:9192",
            "auth-enabled": True,
            "allow-unauthenticated-remote": False,
            "cors-allowed-origins": [],
            "allowed-hosts": [],
            "metrics-auth-enabled": True,
            "log-enabled": False,
            "write-tracing": True,
            "pprof-enabled": True,
            "https-enabled": True,
            "https-certificate": "/etc/tocsin/cert.pem",
            "https-private-key": "/etc/tocsin/key.pem",
            "shutdown-timeout": 30 * SECOND,
            "shared-secret": "s3cret-value",
            "admin-user": "",
            "admin-password": "",
            "max-body-size": 32 * 1024 * 1024,
        }
    ],
    "delivery": [
        {
            "timeout": 5 * SECOND,
            "kind-timeouts": {},
            "max-attempts": 3,
            "kind-max-attempts": {},
            "max-age": HOUR,
            "backoff-initial": SECOND // 2,
            "backoff-max": MINUTE,
            "backoff-multiplier": 3.0,
            "jitter": 0.5,
            "concurrency": 8,
            "retention": 24 * HOUR,
            "deny-networks": ["169.254.0.0/16", "fe80::/10"],
            "redirects": "same-origin",
            "allow-networks": [],
        }
    ],
    "storage": [{"url": "sqlite:///tmp/x.db", "synchronous": "normal", "boltdb": "/var/lib/kapacitor/kapacitor.db"}],
    "alert": [{"persist-topics": False, "deliver-after-silence": True, "topic-buffer-length": 1000}],
    "config-override": [{"enabled": False, "allowed-file-dirs": []}],
    "logging": [{"file": "/var/log/tocsin.log", "level": "DEBUG"}],
}

DEFAULT_CORE_VALUES = {
    "": [
        {
            "hostname": "localhost",
            "data_dir": "./tocsin-data",
            "skip-config-overrides": False,
            "default-retention-policy": "",
        }
    ],
    "http": [
        {
            "bind-address": "localhost:9092",
            "auth-enabled": False,
            "allow-unauthenticated-remote": False,
            "cors-allowed-origins": [],
            "allowed-hosts": [],
            "metrics-auth-enabled": True,
            "log-enabled": True,
            "write-tracing": False,
            "pprof-enabled": False,
            "https-enabled": False,
            "https-certificate": "/etc/ssl/kapacitor.pem",
            "https-private-key": "",
            "shutdown-timeout": 10 * SECOND,
            "shared-secret": "",
            "admin-user": "",
            "admin-password": "",
            "max-body-size": 32 * 1024 * 1024,
        }
    ],
    "delivery": [
        {
            "timeout": 10 * SECOND,
            "kind-timeouts": {},
            "max-attempts": 10,
            "kind-max-attempts": {},
            "max-age": 24 * HOUR,
            "backoff-initial": SECOND,
            "backoff-max": 5 * MINUTE,
            "backoff-multiplier": 2.0,
            "jitter": 0.2,
            "concurrency": 4,
            "retention": 168 * HOUR,
            "deny-networks": ["169.254.0.0/16", "fe80::/10"],
            "redirects": "same-origin",
            "allow-networks": [],
        }
    ],
    "storage": [{"url": "", "synchronous": "full", "boltdb": ""}],
    "alert": [{"persist-topics": True, "deliver-after-silence": True, "topic-buffer-length": 5000}],
    "config-override": [{"enabled": True, "allowed-file-dirs": []}],
    "logging": [{"file": "STDERR", "level": "INFO"}],
}

SLACK_DEFAULT = {
    "enabled": False,
    "default": True,
    "workspace": "",
    "url": "",
    "token": "",
    "channel": "",
    "username": "kapacitor",
    "icon-emoji": "",
    "global": False,
    "state-changes-only": False,
    "ssl-ca": "",
    "ssl-cert": "",
    "ssl-key": "",
    "insecure-skip-verify": False,
    "api-url": "",
    "layout": "attachment",
    "thread-recoveries": False,
}

HTTPPOST_DEFAULT = {
    "endpoint": "example",
    "url": "http://example.com",
    "headers": {},
    "basic-auth": {},
    "alert-template": "",
    "alert-template-file": "",
    "row-template": "",
    "row-template-file": "",
}


def test_every_core_section_loads() -> None:
    cfg = load(CORE_TOML)
    assert {name: cfg.values[name] for name in CORE_VALUES} == CORE_VALUES
    assert cfg.ignored == []
    assert cfg.source == "kapacitor.conf"


def test_empty_text_gives_the_defaults() -> None:
    cfg = load("")
    assert {name: cfg.values[name] for name in DEFAULT_CORE_VALUES} == DEFAULT_CORE_VALUES
    assert cfg.values["slack"] == [SLACK_DEFAULT]
    assert cfg.values["httppost"] == [HTTPPOST_DEFAULT]
    assert cfg.values["kafka"] == []
    assert cfg.values["smtp"][0]["idle-timeout"] == 30 * SECOND


def test_list_section_entries_replace_the_default_elements() -> None:
    cfg = load("""
[[slack]]
  default = true
  workspace = "main"
  url = "https://hooks.slack.com/services/A"
  channel = "#alerts"
  global = true
  state-changes-only = true

[[slack]]
  workspace = "ops"
  enabled = true
  url = "https://hooks.slack.com/services/B"
""")
    assert cfg.values["slack"] == [
        {
            **SLACK_DEFAULT,
            "workspace": "main",
            "url": "https://hooks.slack.com/services/A",
            "channel": "#alerts",
            "global": True,
            "state-changes-only": True,
        },
        {
            **SLACK_DEFAULT,
            "default": False,
            "workspace": "ops",
            "enabled": True,
            "url": "https://hooks.slack.com/services/B",
        },
    ]


@pytest.mark.parametrize(
    ("text", "default"),
    [('[slack]\n  channel = "#c"\n', True), ('[slack]\n  default = false\n  channel = "#c"\n', False)],
    ids=["implicit-default", "explicit-not-default"],
)
def test_single_slack_table(text: str, default: bool) -> None:
    cfg = load(text)
    assert cfg.values["slack"] == [{**SLACK_DEFAULT, "channel": "#c", "default": default}]


def test_httppost_list_with_map_and_object() -> None:
    cfg = load("""
[[httppost]]
  endpoint = "hook"
  url = "http://localhost/{{.ID}}"
  headers = { X-Custom = "v", Authorization = "works" }
  basic-auth = { username = "u", password = "p" }

[[httppost]]
  endpoint = "other"
  url = "http://other"
  [httppost.headers]
    A = "1"
  [httppost.basic-auth]
    username = "x"
""")
    assert cfg.values["httppost"] == [
        {
            **HTTPPOST_DEFAULT,
            "endpoint": "hook",
            "url": "http://localhost/{{.ID}}",
            "headers": {"X-Custom": "v", "Authorization": "works"},
            "basic-auth": {"username": "u", "password": "p"},
        },
        {
            **HTTPPOST_DEFAULT,
            "endpoint": "other",
            "url": "http://other",
            "headers": {"A": "1"},
            "basic-auth": {"username": "x"},
        },
    ]


def test_empty_array_leaves_a_list_section_without_elements() -> None:
    assert load("httppost = []\n").values["httppost"] == []


def test_durations_accept_go_strings_and_integer_nanoseconds() -> None:
    cfg = load('[smtp]\n  idle-timeout = "1m30s"\n[delivery]\n  timeout = 2500000000\n')
    assert cfg.values["smtp"][0]["idle-timeout"] == 90 * SECOND
    assert cfg.values["delivery"][0]["timeout"] == 2500 * 1_000_000


def test_unknown_sections_are_ignored_in_order() -> None:
    cfg = load("""
[replay]
  dir = "/var/lib/kapacitor/replay"
[[influxdb]]
  name = "localhost"
  [influxdb.subscriptions]
[kubernetes]
  enabled = false
[smtp]
  port = 2525
""")
    assert cfg.ignored == ["replay", "influxdb", "kubernetes"]  # this test's sections lack [[influxdb]]
    assert cfg.values["smtp"][0]["port"] == 2525


def test_an_influxdb_element_of_the_file_is_enabled_with_kapacitor_s_defaults() -> None:
    cfg = load_text('[[influxdb]]\n  name = "localhost"\n  [influxdb.subscriptions]\n', "kapacitor.conf", environ={})
    assert cfg.ignored == []
    (cluster,) = cfg.values["influxdb"]
    assert (cluster["name"], cluster["enabled"], cluster["urls"], cluster["subscriptions"]) == (
        "localhost",
        True,
        ["http://localhost:8086"],
        {},
    )


ERRORS = [
    ("syntax", 'hostname = "x"\n[http]\nbind-address = \n', "kapacitor.conf:3:16: Invalid value"),
    ("syntax-at-end", 'hostname = "x', "kapacitor.conf: Unterminated string (at end of document)"),
    (
        "wrong-type",
        "\n" * 10 + '[smtp]\n  port = "abc"\n',
        'kapacitor.conf:12: [smtp] port: cannot convert string "abc" into int',
    ),
    (
        "wrong-kind",
        "[smtp]\n  enabled = 1\n",
        "kapacitor.conf:2: [smtp] enabled: wrong kind int64, expected value of kind bool: false",
    ),
    (
        "list-item",
        "[smtp]\n  to = [1]\n",
        "kapacitor.conf:2: [smtp] to: failed to copy slice value: "
        "wrong kind int64, expected value of kind string: false",
    ),
    ("unknown-key", '[smtp]\n  host = "h"\n  bogus = 1\n', "kapacitor.conf:3: [smtp] bogus: unknown key"),
    (
        "unknown-key-second-element",
        '[[slack]]\n  workspace = "a"\n[[slack]]\n  workspace = "b"\n  colour = "red"\n',
        "kapacitor.conf:5: [slack] colour: unknown key",
    ),
    ("unknown-top-level-key", 'colour = "red"\n', "kapacitor.conf:1: colour: unknown key"),
    (
        "top-level-type",
        "hostname = 5\n",
        "kapacitor.conf:1: hostname: wrong kind int64, expected value of kind string: false",
    ),
    (
        "bad-duration",
        '[delivery]\n  timeout = "soon"\n',
        'kapacitor.conf:2: [delivery] timeout: time: invalid duration "soon"',
    ),
    (
        "float-duration",
        "[delivery]\n  timeout = 1.5\n",
        "kapacitor.conf:2: [delivery] timeout: cannot unmarshal float64 into int64",
    ),
    (
        "choice",
        '[storage]\n  synchronous = "off"\n',
        'kapacitor.conf:2: [storage] synchronous: invalid value "off", must be one of "full", "normal"',
    ),
    (
        "object-key",
        '[[httppost]]\n  endpoint = "e"\n  basic-auth = { user = "u" }\n',
        "kapacitor.conf:3: [httppost] basic-auth: failed to decode options into basic-auth: has invalid keys: user",
    ),
    ("table-as-array", "[[smtp]]\n  port = 1\n", "kapacitor.conf:1: [smtp] expected a table [smtp]"),
    (
        "single-table-not-allowed",
        '[httppost]\n  endpoint = "e"\n',
        "kapacitor.conf:1: [httppost] expected an array of tables [[httppost]]",
    ),
    (
        "validation",
        "[smtp]\n  port = 25\n[[slack]]\n  enabled = true\n",
        "kapacitor.conf:3: [slack] failed validation: must specify url",
    ),
    (
        "validation-non-list",
        '[smtp]\n  host = ""\n',
        "kapacitor.conf:1: [smtp] failed validation: host cannot be empty",
    ),
    ("validation-top", 'hostname = ""\n', "kapacitor.conf: failed validation: must configure valid hostname"),
    (
        "validation-core",
        "[delivery]\n  jitter = 2.0\n",
        "kapacitor.conf:1: [delivery] failed validation: jitter must be between 0 and 1",
    ),
    (
        "kind-max-attempts-zero",
        "[delivery]\n  kind-max-attempts = { sensu = 0 }\n",
        "kapacitor.conf:1: [delivery] failed validation: kind-max-attempts.sensu must be at least 1, got 0",
    ),
    (
        "kind-max-attempts-not-a-number",
        '[delivery]\n  kind-max-attempts = { tcp = "3x" }\n',
        'kapacitor.conf:2: [delivery] kind-max-attempts: failed to copy map value: cannot convert string "3x" into int',
    ),
    (
        "log-level",
        '[logging]\n  level = "LOUD"\n',
        "kapacitor.conf:1: [logging] failed validation: invalid log level 'LOUD', must be one of DEBUG, INFO, WARN, "
        "ERROR, OFF",
    ),
    (
        "duplicate",
        '[[slack]]\n  workspace = "a"\n  default = true\n[[slack]]\n  workspace = "a"\n',
        'kapacitor.conf:4: [slack] duplicate element workspace "a"',
    ),
    (
        "global-not-default",
        '[[slack]]\n  workspace = "a"\n  global = true\n',
        "kapacitor.conf:1: [slack] failed validation: only the default config may be assigned as global",
    ),
]


@pytest.mark.parametrize(("text", "message"), [(t, m) for _, t, m in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_name_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(text)
    assert str(info.value) == message


def test_load_file_reads_the_path(tmp_path: Path) -> None:
    path = tmp_path / "kapacitor.conf"
    path.write_text('[smtp]\n  port = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_file(str(path), environ=NO_ENV, sections=SECTIONS)
    assert str(info.value) == f'{path}:2: [smtp] port: cannot convert string "x" into int'
    path.write_text("[smtp]\n  port = 26\n", encoding="utf-8")
    cfg = load_file(str(path), environ=NO_ENV, sections=SECTIONS)
    assert cfg.values["smtp"][0]["port"] == 26
    assert cfg.source == str(path)


def test_load_file_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.conf"
    with pytest.raises(ConfigError) as info:
        load_file(str(missing), environ=NO_ENV, sections=SECTIONS)
    assert str(info.value).startswith(f"{missing}: cannot read config file: ")


def test_load_file_none_gives_defaults_with_env() -> None:
    cfg = load_file(None, environ={"KAPACITOR_SMTP_PORT": "587"}, sections=SECTIONS)
    assert cfg.values["smtp"][0]["port"] == 587
    assert cfg.values["slack"] == [SLACK_DEFAULT]


def test_sections_argument_limits_what_is_known() -> None:
    cfg = load_text("[smtp]\n  port = 1\n[slack]\n", environ=NO_ENV, sections={"smtp": SMTP, "": SECTIONS[""]})
    assert cfg.ignored == ["slack"]
    assert set(cfg.values) == {"", "smtp"}


def test_slack_and_httppost_sections_used_are_the_shared_declarations() -> None:
    assert SECTIONS["slack"] is SLACK
    assert SECTIONS["httppost"] is HTTPPOST


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[influxdb]]\n  name = "a"\n  default = true\n[[influxdb]]\n  name = "b"\n  default = true\n',
            "kapacitor.conf:1: [influxdb] failed validation: More than one InfluxDB default was specified: b a",
        ),
        (
            '[[influxdb]]\n  name = "a"\n[[influxdb]]\n  name = "b"\n',
            "kapacitor.conf:1: [influxdb] failed validation: at least one of the enabled InfluxDB clusters must be "
            "marked as default.",
        ),
    ],
)
def test_several_influxdb_clusters_need_one_default(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_text(text, "kapacitor.conf", environ={})
    assert str(raised.value) == message


def test_one_default_among_enabled_clusters_loads() -> None:
    cfg = load_text(
        '[[influxdb]]\n  name = "a"\n  default = true\n[[influxdb]]\n  name = "b"\n[[influxdb]]\n  name = "c"\n'
        "  enabled = false\n  default = true\n",
        "kapacitor.conf",
        environ={},
    )
    assert [(e["name"], e["enabled"], e["default"]) for e in cfg.values["influxdb"]] == [
        ("a", True, True),
        ("b", True, False),
        ("c", False, True),
    ]
