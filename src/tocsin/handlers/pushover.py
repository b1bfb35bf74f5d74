"""The `pushover` kind and its `[pushover]` section: a form POST to Pushover's messages API.

Capabilities: resolve = no (a recovery is another message, priority -2); idempotency key = none; honours
Retry-After = yes (shared classifier); max payload = not enforced (Pushover caps messages at 1024 chars);
secrets = `token` and `user-key` (sent in the form body, never in the URL or in errors).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, decode_level
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.requests import HttpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.transports.headers import redact_url

DEFAULT_URL = "https://api.pushover.net/1/messages.json"
FORM = "application/x-www-form-urlencoded"

# Kapacitor's texts (services/pushover).
MISSING_TOKEN = "must specify token"
MISSING_USER_KEY = "must specify user key"
MISSING_URL = "must specify url"
# Pushover's answer to a message it did not accept, when it still says 200.
REFUSED = "HTTP {status} from {url}: pushover status {code}: {errors}"

_PRIORITY = {Level.OK: -2, Level.INFO: -1, Level.WARNING: 0, Level.CRITICAL: 1}
# Form fields sent only when their option is set: (form key, option).
_OPTIONAL_FIELDS = (
    ("device", "device"),
    ("title", "title"),
    ("url", "url"),
    ("url_title", "url-title"),
    ("sound", "sound"),
)


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks: an enabled service needs a token, a user key and a URL."""
    if not values["enabled"]:
        return None
    if not values["token"]:
        return MISSING_TOKEN
    if not values["user-key"]:
        return MISSING_USER_KEY
    if not values["url"]:
        return MISSING_URL
    return None


SECTION = Section(
    name="pushover",
    help="Pushover notifications (https://pushover.net).",
    validate=validate,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts to Pushover."),
        Field("token", FieldType.STRING, secret=True, help="Pushover application API token."),
        Field("user-key", FieldType.STRING, secret=True, help="User or group key that receives the alerts."),
        Field("url", FieldType.STRING, DEFAULT_URL, help="Pushover messages API URL."),
    ),
)


@dataclass(frozen=True, slots=True)
class RefusalCheck:
    """Reads a 200 answer: Pushover reports some refusals as `{"status":0,"errors":[...]}`."""

    url: str

    def __call__(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
        if status != 200:
            return None
        try:
            answer = json.loads(body)
        except ValueError:
            return None
        if not isinstance(answer, dict) or answer.get("status", 1) == 1:
            return None
        errors = answer.get("errors")
        shown = ", ".join(map(str, errors)) if isinstance(errors, list) else str(errors or "")
        message = REFUSED.format(status=status, url=self.url, code=answer.get("status"), errors=shown)
        return DeliveryError(Reason.CLIENT_ERROR, message, retryable=False, status=status)


def _is_200(status: int) -> bool:
    return status == 200


def build(message: str, level: Level, options: Mapping[str, Any], config: ConfigView) -> HttpRequest:
    """Kapacitor's Pushover request: url.Values (keys sorted, `+` for spaces) posted as a form."""
    section = enabled_section(config, SECTION.name)
    form = {
        "token": section["token"],
        "user": options.get("user-key") or section["user-key"],
        "message": message,
        "priority": str(_PRIORITY.get(level, 0)),
    }
    for key, option in _OPTIONAL_FIELDS:
        if options.get(option):
            form[key] = options[option]
    url = section["url"]
    shown = redact_url(url)
    return HttpRequest(
        "POST",
        url,
        (("Content-Type", FORM),),
        urlencode(sorted(form.items())).encode("ascii"),
        success=_is_200,
        redacted_url=shown,
        inspect=RefusalCheck(shown or url),
    )


def render(event: Event, options: dict[str, Any], config: ConfigView) -> HttpRequest:
    return build(event.message, event.level, options, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> HttpRequest:
    try:
        level = decode_level(options.get("level"))
    except ValueError as exc:
        raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from None
    return build(str(options.get("message") or ""), level, options, config)


SERVICE_TEST = ServiceTest(
    name="pushover",
    defaults={
        "user-key": "",
        "message": "test pushover message",
        "device": "",
        "title": "",
        "url": "",
        "url-title": "",
        "sound": "",
        "level": "CRITICAL",
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="pushover",
    extras="A 200 answer with `status: 0` is a failure, not a success.",
    help="Send the alert message as a Pushover notification; the level sets its priority.",
    options=(
        Option(
            "user-key",
            OptionType.STRING,
            tick="userKey",
            secret=True,
            help="User or group key; the [pushover] user-key by default.",
        ),
        Option("device", OptionType.STRING, tick="device", help="Device name(s), comma separated; all by default."),
        Option("title", OptionType.STRING, tick="title", help="Message title; the application name by default."),
        Option("url", OptionType.STRING, tick="URL", help="Supplementary URL shown with the message."),
        Option("url-title", OptionType.STRING, tick="URLTitle", help="Title of the supplementary URL."),
        Option("sound", OptionType.STRING, tick="sound", help="Notification sound name."),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
)
