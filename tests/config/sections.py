"""Test sections modelled on Kapacitor's: httppost (list with a default element), smtp (single), kafka."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.config.registry import with_core
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import SECOND
from tocsin.handlers.slack_config import SECTION as SLACK

STR = FieldType.STRING
BOOL = FieldType.BOOL


def _smtp_valid(values: Mapping[str, Any]) -> str | None:
    if not values["host"]:
        return "host cannot be empty"
    return None


HTTPPOST = Section(
    name="httppost",
    element_key="endpoint",
    default_elements=({"endpoint": "example", "url": "http://example.com"},),
    fields=(
        Field("endpoint", STR),
        Field("url", STR),
        Field("headers", FieldType.STRING_MAP),
        Field("basic-auth", FieldType.OBJECT, secret=True, fields=(Field("username", STR), Field("password", STR))),
        Field("alert-template", STR),
        Field("alert-template-file", STR),
        Field("row-template", STR),
        Field("row-template-file", STR),
    ),
)

SMTP = Section(
    name="smtp",
    validate=_smtp_valid,
    fields=(
        Field("enabled", BOOL),
        Field("host", STR, "localhost"),
        Field("port", FieldType.INT, 25),
        Field("username", STR),
        Field("password", STR, secret=True),
        Field("no-verify", BOOL),
        Field("global", BOOL),
        Field("state-changes-only", BOOL),
        Field("from", STR),
        Field("to", FieldType.STRING_LIST),
        Field("to-templates", FieldType.STRING_LIST),
        Field("idle-timeout", FieldType.DURATION, 30 * SECOND),
    ),
)

# A list section without default elements.
KAFKA = Section(
    name="kafka",
    element_key="id",
    fields=(
        Field("enabled", BOOL),
        Field("id", STR),
        Field("brokers", FieldType.STRING_LIST),
        Field("timeout", FieldType.DURATION),
        Field("batch-size", FieldType.INT, 100),
    ),
)

SECTIONS = with_core(SLACK, HTTPPOST, SMTP, KAFKA)
NO_ENV: dict[str, str] = {}
