"""The `mqtt` kind: publish the alert message to a topic of an MQTT broker. Its `[[mqtt]]` section lives in
`mqtt_config`.

Capabilities: resolve = no (a recovery is another message); idempotency key = none (QoS 1 may deliver twice);
honours Retry-After = no (MQTT has none); max payload = the broker's (MQTT allows 256 MiB); secrets =
`password` (section; it only travels in the CONNECT packet).
"""

from __future__ import annotations

import math
from typing import Any

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.mqtt_config import SECTION, broker_settings
from tocsin.handlers.options import DECODE_PREFIX, ERRORS_HEADER, UNCONVERTIBLE, go_type_of, go_v
from tocsin.handlers.requests import MqttRequest
from tocsin.handlers.templating import execute, parse_problem, template_data

# Kapacitor's texts (services/mqtt/service.go).
MISSING_TOPIC = "missing MQTT topic"
UNKNOWN_BROKER = 'unknown MQTT broker "{}"'
INVALID_QOS = "invalid QoS"
GO_CONFIG_TYPE = "*mqtt.HandlerConfig"
# Kapacitor parses `exactly-one` (its typo); Tocsin also takes the spelling its own MarshalText writes.
QOS_NAMES = {"at-most-once": 0, "at-least-once": 1, "exactly-one": 2, "exactly-once": 2}


def qos_level(value: Any) -> int:
    """The QoS of an option value: a QoS name or a number 0-2 (truncated, as mapstructure does).

    Raises ValueError with Kapacitor's text `invalid QoS`, or TypeError for a value of another JSON type.
    """
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, str):
        if value in QOS_NAMES:
            return QOS_NAMES[value]
        raise ValueError(INVALID_QOS)
    if isinstance(value, (int, float)) and math.isfinite(value) and 0 <= int(value) <= 2:
        return int(value)
    if isinstance(value, (int, float)):
        raise ValueError(INVALID_QOS)
    raise TypeError(value)


def _qos_problem(value: Any) -> str | None:
    try:
        qos_level(value)
    except ValueError as exc:
        problem = f"error decoding 'qos': {exc}"
    except TypeError:
        problem = UNCONVERTIBLE.format(name="qos", want="mqtt.QoSLevel", got=go_type_of(value), value=go_v(value))
    else:
        return None
    return DECODE_PREFIX.format(go_type=GO_CONFIG_TYPE) + ERRORS_HEADER.format(count=1) + f"* {problem}"


def topic_text(options: dict[str, Any]) -> str:
    """The topic template: `topic-template` when set, else `topic`."""
    return str(options["topic-template"] or options["topic"])


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """A QoS Kapacitor decodes, and a topic that parses as a template."""
    return _qos_problem(options["qos"]) or parse_problem([("topic", topic_text(options))])


def build(broker_name: str, topic: str, qos: Any, retained: bool, message: str, config: ConfigView) -> MqttRequest:
    """Kapacitor's publish: the named broker (the default one for ""), the topic, the message as payload."""
    element = config.element(SECTION.name, broker_name or None)
    if element is None or not element["enabled"]:
        shown = broker_name or (element["name"] if element is not None else "")
        raise DeliveryError(Reason.CONFIG, UNKNOWN_BROKER.format(shown), retryable=False)
    if not topic:
        raise DeliveryError(Reason.CONFIG, MISSING_TOPIC, retryable=False)
    try:
        level = qos_level(qos)
    except (ValueError, TypeError):
        raise DeliveryError(Reason.CONFIG, INVALID_QOS, retryable=False) from None
    return MqttRequest(broker_settings(element), topic, message.encode(), qos=level, retained=retained)


def render(event: Event, options: dict[str, Any], config: ConfigView) -> MqttRequest:
    topic = execute("topic", topic_text(options), template_data(event))
    return build(options["broker-name"], topic, options["qos"], options["retained"], event.message, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> MqttRequest:
    """Kapacitor's MQTT test: `message` to `topic` (not a template here) on `broker-name`."""
    return build(
        str(options.get("broker-name") or ""),
        str(options.get("topic") or ""),
        options.get("qos", 0),
        bool(options.get("retained")),
        str(options.get("message") or ""),
        config,
    )


# Kapacitor lists the default broker's name; "" names that same broker whichever it is.
SERVICE_TEST = ServiceTest(
    name="mqtt",
    defaults={"broker-name": "", "topic": "", "message": "test MQTT message", "qos": "at-most-once", "retained": False},
    build=build_test_request,
)

KIND = HandlerKind(
    name="mqtt",
    help="Publish the alert message to a topic of an MQTT broker.",
    options=(
        Option("broker-name", OptionType.STRING, "", tick="brokerName", help="[[mqtt]] broker to use (default one)."),
        Option("topic", OptionType.STRING, "", tick="mqtt", help="Topic to publish to; a template over the alert."),
        Option("topic-template", OptionType.STRING, "", help="Topic template; takes precedence over topic."),
        Option(
            "qos",
            OptionType.ANY,
            0,
            tick="qos",
            help="Quality of service: at-most-once (0), at-least-once (1) or exactly-once (2, also exactly-one).",
        ),
        Option("retained", OptionType.BOOL, False, tick="retained", help="Ask the broker to retain the message."),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    go_config_type=GO_CONFIG_TYPE,
    package_extra="mqtt",
)
