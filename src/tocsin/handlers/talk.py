"""The `talk` kind and its `[talk]` section: a jianliao.com (Talk) incoming-webhook message.

Capabilities: resolve = no (a recovery is another message); idempotency key = none; honours Retry-After =
yes (shared classifier); max payload = not enforced; secrets = `url` (the webhook URL is never shown: errors
name only its host). Kapacitor never decodes this kind's options, so any options are accepted and unused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tocsin.alert.event import Event
from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat import json as gojson
from tocsin.handlers.base import ConfigView, HandlerKind, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section

JSON = "application/json"

# Kapacitor's texts (services/talk).
MISSING_URL = "must specify url"


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's check: an enabled service needs the webhook URL."""
    if values["enabled"] and not values["url"]:
        return MISSING_URL
    return None


SECTION = Section(
    name="talk",
    help="Talk (jianliao.com) incoming webhook.",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to Talk."),
        Field("url", FieldType.STRING, secret=True, help="Incoming webhook URL of the Talk integration."),
        Field("author_name", FieldType.STRING, help="Author name shown on the messages.", example="Kapacitor"),
    ),
)


def hidden_url(url: str) -> str:
    """The webhook URL as errors show it: scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/***" if parts.netloc else "***"


def _is_200(status: int) -> bool:
    return status == 200


def build(title: str, text: str, config: ConfigView) -> HttpRequest:
    """Kapacitor's Talk request: a Go map (keys sorted) written by json.Encoder, so with a newline."""
    section = enabled_section(config, SECTION.name)
    body = {"authorName": section["author_name"], "text": text, "title": title}
    return HttpRequest(
        "POST",
        section["url"],
        (("Content-Type", JSON),),
        gojson.encode_line(body),
        success=_is_200,
        redacted_url=hidden_url(section["url"]),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    """Title = event ID, text = message; the level only shows through them."""
    return build(event.id, event.message, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(str(options.get("title") or ""), str(options.get("text") or ""), config)


SERVICE_TEST = ServiceTest(
    name="talk",
    defaults={"title": "testTitle", "text": "test talk text"},
    build=build_test_request,
)

KIND = HandlerKind(
    name="talk",
    extras="Webhook URL hidden in errors.",
    help="Post the alert ID and message to a Talk (jianliao.com) incoming webhook.",
    options=(),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    ignores_options=True,
)
