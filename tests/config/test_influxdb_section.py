"""[[influxdb]]: Kapacitor's options and rules, disabled on a fresh start, several clusters with one default."""

from __future__ import annotations

import pytest

from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides, UpdateError, apply_update
from tocsin.errors import ConfigError

ONE = '[[influxdb]]\n  name = "a"\n  urls = ["http://influx-a:8086"]\n'


def test_a_fresh_start_has_kapacitor_s_default_cluster_disabled() -> None:
    (element,) = load_text("", "kapacitor.conf", environ={}).values["influxdb"]
    assert {k: element[k] for k in ("name", "enabled", "default", "urls", "excluded-subscriptions")} == {
        "name": "default",
        "enabled": False,
        "default": False,
        "urls": ["http://localhost:8086"],
        "excluded-subscriptions": {"_kapacitor": ["autogen"]},
    }


def test_env_sets_subscriptions_as_lists() -> None:
    cfg = load_text(ONE, "kapacitor.conf", environ={"KAPACITOR_INFLUXDB_0_SUBSCRIPTIONS_telegraf": "autogen, weekly"})
    assert cfg.values["influxdb"][0]["subscriptions"] == {"telegraf": ["autogen", "weekly"]}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('  name = ""\n', "influxdb cluster must be given a name"),
        (
            '  name = "a b"\n',
            "influxdb cluster name must contain only numbers, letters or '.', '-', and '_' characters",
        ),
        ('  name = "a"\n  urls = []\n', "must specify at least one InfluxDB URL"),
        (
            '  name = "a"\n  subscription-protocol = "tcp"\n',
            'subscription-protocol: invalid value "tcp", must be one of "http", "https", "udp"',
        ),
    ],
)
def test_an_element_s_rules_name_what_is_wrong(lines: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_text("[[influxdb]]\n" + lines, "kapacitor.conf", environ={})
    assert message in str(raised.value)


def test_a_second_enabled_cluster_over_the_api_needs_a_default() -> None:
    base = load_text(ONE, "kapacitor.conf", environ={})
    second = {"name": "b", "urls": ["http://influx-b:8086"]}
    with pytest.raises(UpdateError) as raised:
        apply_update(base, Overrides(), "influxdb", None, False, {"add": second})
    assert (raised.value.status, str(raised.value)) == (
        400,
        "failed validation: at least one of the enabled InfluxDB clusters must be marked as default.",
    )
    overrides = apply_update(base, Overrides(), "influxdb", None, False, {"add": {**second, "default": True}})
    assert [e["name"] for e in Config.build(base, overrides).section("influxdb") if e["default"]] == ["b"]


def test_an_int_map_loads_from_toml_and_env_and_shows_as_numbers() -> None:
    cfg = load_text(
        "[delivery]\n  kind-max-attempts = { sensu = 3 }\n",
        "kapacitor.conf",
        environ={"KAPACITOR_DELIVERY_KIND_MAX_ATTEMPTS_tcp": "2"},
    )
    assert cfg.values["delivery"][0]["kind-max-attempts"] == {"sensu": 3, "tcp": 2}
