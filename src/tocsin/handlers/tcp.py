"""The `tcp` kind: write each event's alert JSON to a fresh TCP connection."""

from __future__ import annotations

from typing import Any

from tocsin.alert.event import Event, alert_json_line
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType
from tocsin.handlers.requests import TcpRequest


def render(event: Event, options: dict[str, Any], config: ConfigView) -> TcpRequest:
    """Kapacitor writes the Encoder's line and one more newline, so the payload ends in two."""
    return TcpRequest(address=options["address"], payload=alert_json_line(event) + b"\n")


KIND = HandlerKind(
    name="tcp",
    extras="Connection errors are retried.",
    help="Send each alert event as JSON over a new TCP connection.",
    options=(Option("address", OptionType.STRING, tick="tcp", help="`host:port` to connect to."),),
    render=render,
    go_config_type="*alert.TCPHandlerConfig",
)
