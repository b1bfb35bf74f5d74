"""The mqtt kind against Kapacitor's vectors (published to a real mosquitto), its options, section and test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.brokers import Mosquitto, free_port, mqtt_subscriber, next_message
from tests.support.config import StaticConfig
from tests.support.vectors import case, event_from_alert
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import mqtt
from tocsin.handlers.mqtt_config import SECTION, MqttBroker
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import MqttRequest
from tocsin.handlers.service_tests import run_service_test
from tocsin.transports import Transports

EVENT = Event(
    topic="t",
    id="cpu:host=a",
    level=Level.CRITICAL,
    time=0,
    message="cpu is CRITICAL",
    name="cpu",
    task_name="task",
    tags={"host": "a"},
)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path).start()
    yield broker
    broker.stop()


def config(values: Any) -> StaticConfig:
    return StaticConfig({"mqtt": values}, sections=[SECTION])


def enabled(url: str = "tcp://127.0.0.1:1", **more: Any) -> StaticConfig:
    return config([{"enabled": True, "name": "test", "url": url, **more}])


@pytest.mark.parametrize("case_id", ["server/mqtt", "server/mqtt-topic-template"])
async def test_vectors(case_id: str, mosquitto: Mosquitto, transports: Transports) -> None:
    vector = case(case_id)
    cfg = config(vector["config"]["mqtt"])
    event = event_from_alert(vector["alert"])
    request = mqtt.render(event, normalize(mqtt.KIND, vector["options"], cfg), cfg)
    ((want),) = vector["exact"]
    broker = vector["config"]["mqtt"][0]
    assert request == MqttRequest(
        MqttBroker(name="test", url=broker["url"], client_id="test"),
        want["extra"]["topic"],
        want["body"].encode(),
        qos=want["extra"]["qos"],
        retained=want["extra"]["retained"],
    )
    # Kapacitor's fake client only records the publish; here it goes through the real transport to a broker.
    local = config([{**broker, "url": mosquitto.url}])
    await transports.send(mqtt.render(event, normalize(mqtt.KIND, vector["options"], local), local), 5.0)
    async with mqtt_subscriber(mosquitto.port, "#") as sub:  # retained: reaches a later subscriber
        message = await next_message(sub)
    assert (str(message.topic), message.payload, message.qos, message.retain) == (
        want["extra"]["topic"],
        want["body"].encode(),
        want["extra"]["qos"],
        want["extra"]["retained"],
    )


@pytest.mark.parametrize("level", list(Level), ids=[lv.name for lv in Level])
def test_every_level_publishes_the_message(level: Level) -> None:
    cfg = enabled()
    event = Event(topic="t", id="cpu", level=level, time=0, message=f"cpu is {level.name}", task_name="task")
    options = normalize(mqtt.KIND, {"topic": "alerts/{{.TaskName}}/{{.Level}}", "qos": 1}, cfg)
    request = mqtt.render(event, options, cfg)
    assert (request.topic, request.payload, request.qos, request.retained) == (
        f"alerts/task/{level.name}",
        f"cpu is {level.name}".encode(),
        1,
        False,
    )


@pytest.mark.parametrize(
    ("qos", "level"),
    [
        ("at-most-once", 0),
        ("at-least-once", 1),
        ("exactly-one", 2),
        ("exactly-once", 2),
        (0, 0),
        (1, 1),
        (2, 2),
        (2.9, 2),
        (None, 0),
    ],
    ids=[
        "at-most-once",
        "at-least-once",
        "kapacitor-typo",
        "exactly-once",
        "0",
        "1",
        "2",
        "float-truncated",
        "null-default",
    ],
)
def test_qos_values(qos: Any, level: int) -> None:
    cfg = enabled()
    assert mqtt.render(EVENT, normalize(mqtt.KIND, {"topic": "t", "qos": qos}, cfg), cfg).qos == level


PREFIX = "failed to decode options into *mqtt.HandlerConfig: 1 error(s) decoding:\n\n* "


@pytest.mark.parametrize(
    ("qos", "message"),
    [
        ("exactly_once", PREFIX + "error decoding 'qos': invalid QoS"),
        (3, PREFIX + "error decoding 'qos': invalid QoS"),
        (-1, PREFIX + "error decoding 'qos': invalid QoS"),
        (True, PREFIX + "'qos' expected type 'mqtt.QoSLevel', got unconvertible type 'bool', value: 'true'"),
        ([1], PREFIX + "'qos' expected type 'mqtt.QoSLevel', got unconvertible type '[]interface {}', value: '[1]'"),
    ],
    ids=["unknown-name", "too-high", "negative", "bool", "list"],
)
def test_qos_errors(qos: Any, message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(mqtt.KIND, {"topic": "t", "qos": qos}, enabled())
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("options", "topic"),
    [
        ({"topic": "plain"}, "plain"),
        ({"topic": 'a/{{ index .Tags "host" }}/{{.Name}}'}, "a/a/cpu"),
        ({"topic-template": "t/{{.ID}}"}, "t/cpu:host=a"),
        ({"topic": "ignored", "topic-template": "wins/{{.Level}}"}, "wins/CRITICAL"),
        ({"Topic": "case-insensitive"}, "case-insensitive"),
    ],
    ids=["plain", "template", "topic-template", "topic-template-wins", "key-case"],
)
def test_topic(options: dict[str, str], topic: str) -> None:
    cfg = enabled()
    assert mqtt.render(EVENT, normalize(mqtt.KIND, options, cfg), cfg).topic == topic


def test_topic_that_does_not_parse_is_refused_at_definition() -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(mqtt.KIND, {"topic": "a/{{.Name"}, enabled())
    assert str(caught.value) == "template: topic:1: unclosed action"


def test_brokers_and_their_settings() -> None:
    cfg = config(
        [
            {"enabled": True, "name": "a", "url": "tcp://a:1883", "username": "u", "password": "p"},
            {
                "enabled": True,
                "name": "b",
                "default": True,
                "url": "ssl://b:8883",
                "client-id": "me",
                "ssl-ca": "/ca",
                "insecure-skip-verify": True,
            },
        ]
    )
    default = mqtt.render(EVENT, normalize(mqtt.KIND, {"topic": "t"}, cfg), cfg).broker
    named = mqtt.render(EVENT, normalize(mqtt.KIND, {"topic": "t", "broker-name": "a"}, cfg), cfg).broker
    assert default == MqttBroker("b", "ssl://b:8883", "me", ssl_ca="/ca", insecure_skip_verify=True)
    assert named == MqttBroker("a", "tcp://a:1883", "a", username="u", password="p")
    assert "password" not in repr(named) and "'p'" not in repr(named)


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([{"name": "default", "url": "tcp://h:1"}], {"topic": "t"}, 'unknown MQTT broker "default"'),
        (
            [{"enabled": True, "name": "a", "url": "tcp://h:1"}],
            {"topic": "t", "broker-name": "b"},
            'unknown MQTT broker "b"',
        ),
        ([{"enabled": True, "name": "a", "url": "tcp://h:1"}], {}, "missing MQTT topic"),
        ([{"enabled": True, "name": "a", "url": "tcp://h:1"}], {"topic": "{{.Message}}"}, "missing MQTT topic"),
    ],
    ids=["disabled-default", "unknown-name", "no-topic", "topic-renders-empty"],
)
def test_render_errors(values: list[dict[str, Any]], options: dict[str, str], message: str) -> None:
    cfg = config(values)
    event = Event(topic="t", id="a", level=Level.CRITICAL, time=0)
    with pytest.raises(DeliveryError) as caught:
        mqtt.render(event, normalize(mqtt.KIND, options, cfg), cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (message, Reason.CONFIG, False)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"name": "", "url": "tcp://h:1"}, "must specify a name for the mqtt broker"),
        ({"name": "a", "enabled": True}, "must specify a url for mqtt service"),
        ({"name": "a"}, None),
        ({"name": "a", "enabled": True, "url": "tcp://h:1"}, None),
    ],
    ids=["no-name", "enabled-without-url", "disabled-without-url", "valid"],
)
def test_section_validation(element: dict[str, Any], message: str | None) -> None:
    assert SECTION.validate is not None
    assert SECTION.validate({**SECTION.defaults(), **element}) == message


def test_section_schema() -> None:
    assert SECTION.element_key == "name"
    assert SECTION.secrets == ("password",)
    assert SECTION.initial_elements() == [{**SECTION.defaults(), "name": "default"}]
    names = [
        "enabled",
        "name",
        "default",
        "url",
        "ssl-ca",
        "ssl-cert",
        "ssl-key",
        "insecure-skip-verify",
        "client-id",
        "username",
        "password",
    ]
    assert [f.name for f in SECTION.fields] == names


def test_service_test_defaults() -> None:
    assert dict(mqtt.SERVICE_TEST.defaults) == {
        "broker-name": "",
        "topic": "",
        "message": "test MQTT message",
        "qos": "at-most-once",
        "retained": False,
    }


async def test_service_test_on_the_default_config(transports: Transports) -> None:
    cfg = config([{"name": "default"}])
    assert await run_service_test(mqtt.SERVICE_TEST, None, cfg, transports, 5) == (
        False,
        'unknown MQTT broker "default"',
    )


async def test_service_test_publishes(mosquitto: Mosquitto, transports: Transports) -> None:
    cfg = enabled(mosquitto.url)
    assert await run_service_test(mqtt.SERVICE_TEST, None, cfg, transports, 5) == (False, "missing MQTT topic")
    async with mqtt_subscriber(mosquitto.port, "checks/#") as sub:
        body = {"topic": "checks/{{.ID}}", "qos": "exactly-one"}
        assert await run_service_test(mqtt.SERVICE_TEST, body, cfg, transports, 5) == (True, "")
        message = await next_message(sub)
    # The test's topic is not a template: it is published to as written.
    assert (str(message.topic), message.payload, message.qos) == ("checks/{{.ID}}", b"test MQTT message", 2)


async def test_service_test_against_a_stopped_broker(transports: Transports) -> None:
    cfg = enabled(f"tcp://127.0.0.1:{free_port()}")
    started = time.monotonic()
    result = await run_service_test(mqtt.SERVICE_TEST, {"topic": "t"}, cfg, transports, 2)
    assert time.monotonic() - started < 2
    assert result == (False, 'failed to connect to MQTT broker "test": connection refused')
