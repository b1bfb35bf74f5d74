"""The registry of handler kinds: an explicit, lazily imported list of what ships."""

from __future__ import annotations

import importlib
from functools import cache

from tocsin.handlers.base import HandlerKind

# kind -> "module:attribute". Kapacitor's kinds; a kind appears here once its module exists.
HANDLERS: dict[str, str] = {
    "aggregate": "tocsin.handlers.aggregate:KIND",
    "exec": "tocsin.handlers.exec:KIND",
    "log": "tocsin.handlers.log:KIND",
    "post": "tocsin.handlers.post:KIND",
    "publish": "tocsin.handlers.publish:KIND",
    "slack": "tocsin.handlers.slack:KIND",
    "tcp": "tocsin.handlers.tcp:KIND",
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
