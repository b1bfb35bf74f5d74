from __future__ import annotations

import pytest

from tocsin.config.envvars import env_name
from tocsin.config.loader import FileConfig, load_text
from tocsin.errors import ConfigError
from tocsin.gocompat.duration import MINUTE

from .sections import SECTIONS
from .test_loader import HTTPPOST_DEFAULT, SLACK_DEFAULT


def load(environ: dict[str, str], text: str = "") -> FileConfig:
    return load_text(text, "kapacitor.conf", environ=environ, sections=SECTIONS)


def test_env_name() -> None:
    assert env_name("config-override", "enabled") == "CONFIG_OVERRIDE_ENABLED"
    assert env_name("", "data_dir") == "DATA_DIR"
    assert env_name("httppost", "0", "basic-auth", "username") == "HTTPPOST_0_BASIC_AUTH_USERNAME"


def test_section_option_and_top_level() -> None:
    cfg = load(
        {
            "KAPACITOR_SMTP_PORT": "2525",
            "KAPACITOR_SMTP_ENABLED": "true",
            "KAPACITOR_SMTP_TO": "a@example.com, b@example.com",
            "KAPACITOR_SMTP_IDLE_TIMEOUT": "1m",
            "KAPACITOR_HOSTNAME": "node1",
            "KAPACITOR_DATA_DIR": "/data",
            "KAPACITOR_SKIP_CONFIG_OVERRIDES": "1",
            "KAPACITOR_CONFIG_OVERRIDE_ENABLED": "false",
            "KAPACITOR_DELIVERY_JITTER": "0.5",
        }
    )
    smtp = cfg.values["smtp"][0]
    assert (smtp["port"], smtp["enabled"], smtp["to"], smtp["idle-timeout"]) == (
        2525,
        True,
        ["a@example.com", "b@example.com"],
        MINUTE,
    )
    assert cfg.values[""] == [
        {"hostname": "node1", "data_dir": "/data", "skip-config-overrides": True, "default-retention-policy": ""}
    ]
    assert cfg.values["config-override"] == [{"enabled": False, "allowed-file-dirs": []}]
    assert cfg.values["delivery"][0]["jitter"] == 0.5


def test_env_is_applied_after_the_file() -> None:
    cfg = load({"KAPACITOR_SMTP_PORT": "27"}, '[smtp]\n  port = 26\n  host = "mail"\n')
    assert (cfg.values["smtp"][0]["port"], cfg.values["smtp"][0]["host"]) == (27, "mail")


def test_tocsin_prefix_wins() -> None:
    cfg = load({"KAPACITOR_SMTP_PORT": "1", "TOCSIN_SMTP_PORT": "2", "TOCSIN_SMTP_HOST": "h"})
    assert (cfg.values["smtp"][0]["port"], cfg.values["smtp"][0]["host"]) == (2, "h")


def test_empty_values_are_ignored() -> None:
    cfg = load({"KAPACITOR_SMTP_HOST": "", "TOCSIN_SMTP_PORT": "", "KAPACITOR_SMTP_PORT": "30"})
    assert (cfg.values["smtp"][0]["host"], cfg.values["smtp"][0]["port"]) == ("localhost", 30)


def test_list_elements_by_index_and_append() -> None:
    cfg = load(
        {
            "KAPACITOR_SLACK_0_URL": "https://hooks/default",
            "KAPACITOR_SLACK_1_WORKSPACE": "ops",
            "KAPACITOR_SLACK_1_URL": "https://hooks/ops",
            "TOCSIN_SLACK_2_WORKSPACE": "dev",
            "KAPACITOR_SLACK_4_WORKSPACE": "gap-is-not-appended",
        }
    )
    assert cfg.values["slack"] == [
        {**SLACK_DEFAULT, "url": "https://hooks/default"},
        {**SLACK_DEFAULT, "default": False, "workspace": "ops", "url": "https://hooks/ops"},
        {**SLACK_DEFAULT, "default": False, "workspace": "dev"},
    ]


def test_index_applies_to_file_elements() -> None:
    text = '[[slack]]\n  workspace = "a"\n  default = true\n[[slack]]\n  workspace = "b"\n'
    cfg = load({"KAPACITOR_SLACK_1_CHANNEL": "#b"}, text)
    assert [e["channel"] for e in cfg.values["slack"]] == ["", "#b"]


def test_maps_by_key_and_objects_by_field() -> None:
    text = '[[httppost]]\n  endpoint = "e"\n  headers = { Existing = "1" }\n'
    cfg = load(
        {
            "KAPACITOR_HTTPPOST_0_HEADERS_Authorization": "Bearer x",
            "KAPACITOR_HTTPPOST_0_HEADERS_Existing": "2",
            "TOCSIN_HTTPPOST_0_HEADERS_Existing": "3",
            "KAPACITOR_HTTPPOST_0_BASIC_AUTH_USERNAME": "u",
            "KAPACITOR_HTTPPOST_1_ENDPOINT": "second",
            "KAPACITOR_HTTPPOST_1_URL": "http://second",
        },
        text,
    )
    assert cfg.values["httppost"] == [
        {
            **HTTPPOST_DEFAULT,
            "endpoint": "e",
            "url": "",
            "headers": {"Existing": "3", "Authorization": "Bearer x"},
            "basic-auth": {"username": "u"},
        },
        {**HTTPPOST_DEFAULT, "endpoint": "second", "url": "http://second"},
    ]


def test_list_section_without_defaults_appends_from_index_zero() -> None:
    cfg = load({"KAPACITOR_KAFKA_0_ID": "k", "KAPACITOR_KAFKA_0_BROKERS": "b1:9092,b2:9092"})
    assert cfg.values["kafka"] == [
        {"enabled": False, "id": "k", "brokers": ["b1:9092", "b2:9092"], "timeout": 0, "batch-size": 100}
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [("0x10", 16), ("010", 8), ("0b11", 3), ("-5", -5), ("+7", 7), ("1_000", 1000)],
    ids=["hex", "octal", "binary", "negative", "plus", "underscore"],
)
def test_integers_parse_like_go_base_zero(text: str, value: int) -> None:
    assert load({"KAPACITOR_SMTP_PORT": text}).values["smtp"][0]["port"] == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", True), ("t", True), ("TRUE", True), ("True", True), ("0", False), ("f", False), ("FALSE", False)],
    ids=["1", "t", "TRUE", "True", "0", "f", "FALSE"],
)
def test_booleans_parse_like_go(text: str, value: bool) -> None:
    assert load({"KAPACITOR_SMTP_NO_VERIFY": text}).values["smtp"][0]["no-verify"] is value


ENV_ERRORS = [
    (
        "int",
        {"KAPACITOR_SMTP_PORT": "abc"},
        'environment KAPACITOR_SMTP_PORT: [smtp] port: cannot convert string "abc" into int',
    ),
    (
        "int-space",
        {"KAPACITOR_SMTP_PORT": " 5"},
        'environment KAPACITOR_SMTP_PORT: [smtp] port: cannot convert string " 5" into int',
    ),
    (
        "bool",
        {"TOCSIN_SMTP_ENABLED": "yes"},
        'environment TOCSIN_SMTP_ENABLED: [smtp] enabled: cannot convert string "yes" into bool',
    ),
    (
        "duration",
        {"KAPACITOR_SMTP_IDLE_TIMEOUT": "soon"},
        'environment KAPACITOR_SMTP_IDLE_TIMEOUT: [smtp] idle-timeout: time: invalid duration "soon"',
    ),
    (
        "float",
        {"KAPACITOR_DELIVERY_JITTER": "lots"},
        'environment KAPACITOR_DELIVERY_JITTER: [delivery] jitter: cannot convert string "lots" into float64',
    ),
    (
        "choice",
        {"KAPACITOR_STORAGE_SYNCHRONOUS": "off"},
        'environment KAPACITOR_STORAGE_SYNCHRONOUS: [storage] synchronous: invalid value "off", must be one of '
        '"full", "normal"',
    ),
    (
        "top-level",
        {"KAPACITOR_SKIP_CONFIG_OVERRIDES": "maybe"},
        'environment KAPACITOR_SKIP_CONFIG_OVERRIDES: skip-config-overrides: cannot convert string "maybe" into bool',
    ),
    (
        "validation",
        {"KAPACITOR_SLACK_0_ENABLED": "true"},
        "kapacitor.conf: [slack] failed validation: must specify url",
    ),
    ("duplicate", {"KAPACITOR_SLACK_1_URL": "https://x"}, 'kapacitor.conf: [slack] duplicate element workspace ""'),
]


@pytest.mark.parametrize(("environ", "message"), [(e, m) for _, e, m in ENV_ERRORS], ids=[e[0] for e in ENV_ERRORS])
def test_env_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(environ)
    assert str(info.value) == message


def test_os_environ_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_SMTP_PORT", "465")
    assert load_text("", sections=SECTIONS).values["smtp"][0]["port"] == 465
