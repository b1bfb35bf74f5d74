"""The `publish` kind: collect the unchanged event again into other topics."""

from __future__ import annotations

from typing import Any

from tocsin.alert.event import Event
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType
from tocsin.handlers.requests import Publish


def render(event: Event, options: dict[str, Any], config: ConfigView) -> Publish:
    """Each listed topic gets the event; each computes its own previous level."""
    return Publish(topics=tuple(options["topics"]), event=event)


KIND = HandlerKind(
    name="publish",
    extras="Re-published events go through the durable outbox of each topic.",
    help="Publish each alert event to other topics.",
    options=(Option("topics", OptionType.STRING_LIST, help="Topics that receive the event."),),
    render=render,
    external=False,
    go_config_type="*alert.PublishHandlerConfig",
)
