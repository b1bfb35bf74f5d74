"""The shape of a handler kind: its declarative schema and its pure render function."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from tocsin.alert.event import Event
from tocsin.config.schema import Section
from tocsin.handlers.requests import Request


class OptionType(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DURATION = "duration"  # nanoseconds as a JSON number (Kapacitor) or Go duration text ("10s")
    STRING_LIST = "string-list"
    STRING_MAP = "string-map"
    MAP = "map"  # string keys, any JSON values
    OBJECT_LIST = "object-list"  # list of objects (pagerduty2 links, snmptrap data-list)
    ANY = "any"


@dataclass(frozen=True, slots=True)
class Option:
    """One handler option as written in a handler file (`capture-response`).

    `tick` is the TICKscript property method that sets it (`captureResponse`), if any. Option keys match
    case-insensitively after an exact match fails, as Kapacitor's mapstructure decoding does.
    """

    name: str
    type: OptionType
    default: Any = None
    tick: str | None = None
    help: str = ""
    secret: bool = False
    choices: tuple[str, ...] = ()
    go_type: str | None = None  # Go type named in decode errors, when not the usual one (fs.FileMode)


class ConfigView(Protocol):
    """Read access to the effective configuration (file + env + overrides)."""

    def section(self, name: str) -> list[dict[str, Any]]:
        """The elements of a section (one element for a non-list section); [] for an unknown section."""
        ...

    def element(self, name: str, key: str | None = None) -> dict[str, Any] | None:
        """One element: the only one of a non-list section, or the list element whose key is `key`.

        For a list section with `key` None or "", the element marked `default = true` (or the only one).
        """
        ...


@dataclass(frozen=True, slots=True)
class ServiceTest:
    """The "Send Test Alert" of a config section.

    `defaults` are the options listed by `GET /kapacitor/v1/service-tests`; `build` turns the merged options
    into a request (or raises DeliveryError with reason CONFIG, e.g. "service is not enabled").
    """

    name: str
    defaults: Mapping[str, Any]
    build: Callable[[dict[str, Any], ConfigView], Request]


@dataclass(frozen=True, slots=True)
class HandlerKind:
    """A handler kind: schema plus pure render.

    `render(event, options, config)` builds the request for one event; it does no I/O. `options` have been
    validated and completed with defaults by `tocsin.handlers.options.normalize`.
    `validate(options, config)` checks rules across options at definition time and returns an error text.
    `timeout` is the default per-delivery timeout in seconds for the kind.
    """

    name: str
    options: tuple[Option, ...]
    render: Callable[[Event, dict[str, Any], ConfigView], Request]
    help: str = ""
    config: Section | None = None
    service_tests: tuple[ServiceTest, ...] = ()
    validate: Callable[[dict[str, Any], ConfigView], str | None] | None = None
    timeout: float = 10.0
    external: bool = True  # publish and aggregate are internal: they never leave the process
    # Aggregating kinds (aggregate) fold the events of one interval into one event instead of rendering each;
    # `interval(options)` gives the period in ns and `combine(events, options)` builds the folded event.
    interval: Callable[[dict[str, Any]], int] | None = None
    combine: Callable[[Sequence[Event], dict[str, Any]], Event] | None = None
    # Events the kind never sends (pagerduty v1 drops INFO): no delivery is queued for them at all.
    skip: Callable[[Event, dict[str, Any]], bool] | None = None
    # Kinds that carry state from one delivery of an alert to the next (a Slack thread): used instead of
    # `render`, with what the previous answer asked to remember for this handler and alert ID (or None).
    render_memo: Callable[[Event, dict[str, Any], ConfigView, str | None], Request] | None = None
    # What Tocsin adds beyond Kapacitor for this kind, one line for the reference table ("" = nothing).
    extras: str = ""
    # `%T` of the Go struct Kapacitor decodes the options into, as its errors name it; "" means
    # `*<name>.HandlerConfig`.
    go_config_type: str = ""
    # Kapacitor builds some handlers without decoding their options (talk): any options are accepted, unused.
    ignores_options: bool = False
    # The pip extra whose libraries the kind's transport needs (`kafka` for tocsin[kafka]); "" for none.
    package_extra: str = ""
    option_map: Mapping[str, Option] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_map", {o.name: o for o in self.options})

    def option_names(self) -> Sequence[str]:
        return [o.name for o in self.options]
