"""The `[[mqtt]]` config section, keyed by `name`, and the broker settings a publish carries to the transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.config.lists import tls_fields
from tocsin.config.schema import Field, FieldType, Section

# Kapacitor's texts (services/mqtt/config.go).
MISSING_NAME = "must specify a name for the mqtt broker"
MISSING_URL = "must specify a url for mqtt service"


@dataclass(frozen=True, slots=True)
class MqttBroker:
    """How to reach one broker: what a `[[mqtt]]` element says. Equal settings share one connection."""

    name: str
    url: str
    client_id: str
    username: str = ""
    password: str = field(default="", repr=False)
    ssl_ca: str = ""
    ssl_cert: str = ""
    ssl_key: str = ""
    insecure_skip_verify: bool = False


def broker_settings(element: Mapping[str, Any]) -> MqttBroker:
    """The settings of one `[[mqtt]]` element; the client ID defaults to the element's name, as in Kapacitor."""
    return MqttBroker(
        name=element["name"],
        url=element["url"],
        client_id=element["client-id"] or element["name"],
        username=element["username"],
        password=element["password"],
        ssl_ca=element["ssl-ca"],
        ssl_cert=element["ssl-cert"],
        ssl_key=element["ssl-key"],
        insecure_skip_verify=element["insecure-skip-verify"],
    )


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks of one broker."""
    if not values["name"]:
        return MISSING_NAME
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    return None


STR = FieldType.STRING
BOOL = FieldType.BOOL

SECTION = Section(
    name="mqtt",
    help="MQTT brokers. Repeat [[mqtt]] for several; the one with default = true (or the only one) serves "
    "alerts that name no broker.",
    element_key="name",
    default_elements=({"name": "default"},),
    validate=validate,
    fields=(
        Field("enabled", BOOL, help="Enable publishing alerts to this broker."),
        Field("name", STR, help="Name of this broker configuration; handlers refer to it with broker-name."),
        Field("default", BOOL, help="Use this broker for alerts that name none (at most one may be default)."),
        Field(
            "url",
            STR,
            help="Broker URL: tcp://host:port, ssl://host:port (TLS) or ws://host:port (WebSocket).",
            example="tcp://localhost:1883",
        ),
        *tls_fields("Path to a CA file (ssl:// and wss:// URLs)."),
        Field("client-id", STR, help="Client ID announced to the broker; the name by default."),
        Field("username", STR, help="Username to authenticate with."),
        Field("password", STR, secret=True, help="Password to authenticate with."),
    ),
)
