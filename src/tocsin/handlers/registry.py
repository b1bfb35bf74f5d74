"""The registry of handler kinds: an explicit, lazily imported list of what ships."""

from __future__ import annotations

import importlib
from functools import cache

from tocsin.handlers.base import HandlerKind

# kind -> "module:attribute". Kapacitor's kinds; a kind appears here once its module exists.
HANDLERS: dict[str, str] = {
    "aggregate": "tocsin.handlers.aggregate:KIND",
    "alerta": "tocsin.handlers.alerta:KIND",
    "bigpanda": "tocsin.handlers.bigpanda:KIND",
    "discord": "tocsin.handlers.discord:KIND",
    "exec": "tocsin.handlers.exec:KIND",
    "hipchat": "tocsin.handlers.hipchat:KIND",
    "kafka": "tocsin.handlers.kafka:KIND",
    "log": "tocsin.handlers.log:KIND",
    "mqtt": "tocsin.handlers.mqtt:KIND",
    "opsgenie": "tocsin.handlers.opsgenie:KIND",
    "opsgenie2": "tocsin.handlers.opsgenie2:KIND",
    "pagerduty": "tocsin.handlers.pagerduty:KIND",
    "pagerduty2": "tocsin.handlers.pagerduty2:KIND",
    "post": "tocsin.handlers.post:KIND",
    "publish": "tocsin.handlers.publish:KIND",
    "pushover": "tocsin.handlers.pushover:KIND",
    "sensu": "tocsin.handlers.sensu:KIND",
    "servicenow": "tocsin.handlers.servicenow:KIND",
    "slack": "tocsin.handlers.slack:KIND",
    "smtp": "tocsin.handlers.smtp:KIND",
    "snmptrap": "tocsin.handlers.snmptrap:KIND",
    "talk": "tocsin.handlers.talk:KIND",
    "tcp": "tocsin.handlers.tcp:KIND",
    "teams": "tocsin.handlers.teams:KIND",
    "telegram": "tocsin.handlers.telegram:KIND",
    "victorops": "tocsin.handlers.victorops:KIND",
    "zenoss": "tocsin.handlers.zenoss:KIND",
}

# Config sections that exist before their handler kind ships (so kapacitor.conf files load unchanged).
EXTRA_SECTIONS: dict[str, str] = {}


class UnknownKind(LookupError):
    pass


@cache
def get_kind(name: str) -> HandlerKind:
    """The kind named `name`; raises UnknownKind with Kapacitor's text."""
    target = HANDLERS.get(name)
    if target is None:
        # Kapacitor's exact text: clients and tests compare it.
        raise UnknownKind(f'unsupported action kind "{name}"')
    module, _, attr = target.partition(":")
    kind = getattr(importlib.import_module(module), attr)
    assert isinstance(kind, HandlerKind), target
    return kind


def all_kinds() -> list[HandlerKind]:
    return [get_kind(n) for n in sorted(HANDLERS)]
