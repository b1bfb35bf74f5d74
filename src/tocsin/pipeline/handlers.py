"""Alert handler methods of TICKscript (`.slack()`, `.email('a@b')`) and their properties, mapped to handler options.

Each handler method is an alert-node property that returns a handler object; the handler's own properties
come from the kind's options (`Option.tick`), so a handler file and a TICKscript mean the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tocsin.expr.values import Duration
from tocsin.handlers.base import ConfigView, Option, OptionType
from tocsin.handlers.registry import get_kind
from tocsin.pipeline.nodes import lower_first
from tocsin.pipeline.signatures import BOOL, DUR, INT, NONE, STR, STR_ANY, STR_PAIR, STRS, Param, Sig
from tocsin.pipeline.spec import HandlerCall

S = Param.STRING


@dataclass(frozen=True, slots=True)
class HandlerMethod:
    """A handler method: its kind, signature and which options its positional arguments fill."""

    method: str
    kind: str
    go_type: str
    sig: Sig = NONE
    positional: tuple[str, ...] = ()  # option per parameter; the last one takes the variadic rest


HANDLER_METHODS: dict[str, HandlerMethod] = {
    m.method: m
    for m in (
        HandlerMethod("post", "post", "*pipeline.AlertHTTPPostHandler", STRS, ("url",)),
        HandlerMethod("tcp", "tcp", "*pipeline.TcpHandler", STR, ("address",)),
        HandlerMethod("email", "smtp", "*pipeline.EmailHandler", STRS, ("to",)),
        HandlerMethod("exec", "exec", "*pipeline.ExecHandler", Sig((S,), variadic=S), ("prog", "args")),
        HandlerMethod("log", "log", "*pipeline.LogHandler", STR, ("path",)),
        HandlerMethod("victorOps", "victorops", "*pipeline.VictorOpsHandler"),
        HandlerMethod("pagerDuty", "pagerduty", "*pipeline.PagerDutyHandler"),
        HandlerMethod("pagerDuty2", "pagerduty2", "*pipeline.PagerDuty2Handler"),
        HandlerMethod("pushover", "pushover", "*pipeline.PushoverHandler"),
        HandlerMethod("sensu", "sensu", "*pipeline.SensuHandler"),
        HandlerMethod("slack", "slack", "*pipeline.SlackHandler"),
        HandlerMethod("discord", "discord", "*pipeline.DiscordHandler"),
        HandlerMethod("bigPanda", "bigpanda", "*pipeline.BigPandaHandler"),
        HandlerMethod("telegram", "telegram", "*pipeline.TelegramHandler"),
        HandlerMethod("hipChat", "hipchat", "*pipeline.HipChatHandler"),
        HandlerMethod("alerta", "alerta", "*pipeline.AlertaHandler"),
        HandlerMethod("opsGenie", "opsgenie", "*pipeline.OpsGenieHandler"),
        HandlerMethod("opsGenie2", "opsgenie2", "*pipeline.OpsGenie2Handler"),
        HandlerMethod("talk", "talk", "*pipeline.TalkHandler"),
        HandlerMethod("mqtt", "mqtt", "*pipeline.MQTTHandler", STR, ("topic",)),
        HandlerMethod("snmpTrap", "snmptrap", "*pipeline.SNMPTrapHandler", STR, ("trap-oid",)),
        HandlerMethod("kafka", "kafka", "*pipeline.KafkaHandler"),
        HandlerMethod("teams", "teams", "*pipeline.TeamsHandler"),
        HandlerMethod("serviceNow", "servicenow", "*pipeline.ServiceNowHandler"),
        HandlerMethod("zenoss", "zenoss", "*pipeline.ZenossHandler"),
    )
}
KIND_METHODS = {m.kind: m.method for m in HANDLER_METHODS.values()}

Setter = Callable[[dict[str, Any], Sequence[Any]], None]


@dataclass(frozen=True, slots=True)
class HandlerProperty:
    """A property of a handler object and how its arguments land in the options."""

    name: str
    sig: Sig
    set: Setter


def _put(option: str, convert: Callable[[Any], Any] = lambda v: v) -> Setter:
    def apply(options: dict[str, Any], args: Sequence[Any]) -> None:
        options[option] = convert(args[0])

    return apply


def _flag(option: str | None) -> Setter:
    def apply(options: dict[str, Any], args: Sequence[Any]) -> None:
        if option is not None:
            options[option] = True

    return apply


def _extend(option: str) -> Setter:
    def apply(options: dict[str, Any], args: Sequence[Any]) -> None:
        options.setdefault(option, []).extend(args)

    return apply


def _map_entry(option: str) -> Setter:
    def apply(options: dict[str, Any], args: Sequence[Any]) -> None:
        options.setdefault(option, {})[args[0]] = args[1]

    return apply


def _object(option: str, keys: tuple[str, ...]) -> Setter:
    def apply(options: dict[str, Any], args: Sequence[Any]) -> None:
        options.setdefault(option, []).append(dict(zip(keys, args, strict=False)))

    return apply


def _ns(value: Any) -> Any:
    return value.ns if isinstance(value, Duration) else value


# Properties whose shape the option type alone does not give (Kapacitor's Go signatures).
_OBJECT_SIGS: dict[tuple[str, str], tuple[Sig, tuple[str, ...]]] = {
    ("pagerduty2", "links"): (Sig((S,), variadic=S), ("href", "text")),
    ("snmptrap", "data-list"): (Sig((S, S, S)), ("oid", "type", "value")),
}
_BOOL_ARGUMENT = {("mqtt", "retained")}
_ALIASES: dict[str, tuple[HandlerProperty, ...]] = {
    "pagerduty2": (HandlerProperty("serviceKey", STR, _put("routing-key")),),
    "mqtt": (HandlerProperty("topic", STR, _put("topic")),),
    "opsgenie2": (HandlerProperty("details", NONE, _flag(None)),),
}


def _property(kind: str, option: Option) -> HandlerProperty:
    name = lower_first(option.tick or option.name)
    key = (kind, option.name)
    if key in _OBJECT_SIGS:
        sig, keys = _OBJECT_SIGS[key]
        return HandlerProperty(name, sig, _object(option.name, keys))
    if option.type is OptionType.BOOL:
        if key in _BOOL_ARGUMENT:
            return HandlerProperty(name, BOOL, _put(option.name))
        return HandlerProperty(name, NONE, _flag(option.name))
    if option.type in (OptionType.INT, OptionType.ANY):
        return HandlerProperty(name, INT, _put(option.name))
    if option.type is OptionType.DURATION:
        return HandlerProperty(name, DUR, _put(option.name, _ns))
    if option.type is OptionType.STRING_LIST:
        return HandlerProperty(name, STRS, _extend(option.name))
    if option.type is OptionType.STRING_MAP:
        return HandlerProperty(name, STR_PAIR, _map_entry(option.name))
    if option.type is OptionType.MAP:
        return HandlerProperty(name, STR_ANY, _map_entry(option.name))
    return HandlerProperty(name, STR, _put(option.name))


@cache
def handler_properties(kind: str) -> dict[str, HandlerProperty]:
    """The handler object's own properties by canonical name (positional options excluded)."""
    method = HANDLER_METHODS[KIND_METHODS[kind]]
    found: dict[str, HandlerProperty] = {}
    for option in get_kind(kind).options:
        if option.tick is None or option.tick == method.method:
            continue
        prop = _property(kind, option)
        found[prop.name] = prop
    for alias in _ALIASES.get(kind, ()):
        found[alias.name] = alias
    return found


def positional_options(method: HandlerMethod, args: Sequence[Any]) -> dict[str, Any]:
    """The options filled by the handler method's own arguments (`.exec('/bin/x', '-v')`)."""
    options: dict[str, Any] = dict(zip(method.positional, args[: len(method.sig.params)], strict=False))
    rest = list(args[len(method.sig.params) :])
    if rest and len(method.positional) > len(method.sig.params):
        option = method.positional[-1]
        # post takes only its first URL; email and exec keep every extra argument
        options[option] = rest[0] if method.kind == "post" else rest
    return options


def global_handlers(handlers: Sequence[HandlerCall], config: ConfigView | None) -> list[HandlerCall]:
    """Handlers for kinds whose config has `global = true` and which the node does not use already."""
    if config is None:
        return []
    used = {h.kind for h in handlers}
    added: list[HandlerCall] = []
    for kind, method in sorted(KIND_METHODS.items()):
        section = get_kind(kind).config
        if kind in used or section is None or "global" not in section.field_map:
            continue
        element = config.element(section.name)
        if element and element.get("global") and element.get("enabled", True):
            added.append(HandlerCall(kind, method, {}))
    return added
