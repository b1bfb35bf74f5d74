"""The `snmptrap` kind and its `[snmptrap]` section: an SNMP v2c trap per alert, values from templates.

Capabilities: resolve = no (a recovery is another trap); idempotency key = none; honours Retry-After = no (UDP
has no answer; a trap the receiver's host refuses is resent `retries` times, then retried by delivery); max
payload = one UDP datagram; secrets = `community` (never in messages; SnmpTrapRequest leaves it out of its repr).

As Kapacitor: varbinds are sysUpTime = TimeTicks 1000, snmpTrapOID = `trap-oid`, then each `data-list` item
(`c` Counter64, `i` Integer, `n` Null, `s` OctetString, `t` TimeTicks; `a d o u x` are refused as unsupported).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tocsin.alert.event import Event
from tocsin.config.schema import Field, FieldType, Section
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate import Struct, TemplateError
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.options import DECODE_PREFIX, ERRORS_HEADER, INVALID_KEYS, UNCONVERTIBLE, go_type_of, go_v
from tocsin.handlers.requests import SnmpTrapRequest, SnmpVarBind
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.templating import handler_template, template_data

# Kapacitor's texts (services/snmptrap).
MISSING_ADDR = "must specify addr"
INVALID_TRAP_OID = "invalid trap Oid {oid}: {problem}"
INVALID_DATA_OID = "invalid data Oid {oid}: {problem}"
NOT_SUPPORTED = {
    "a": "Snmptrap Datatype 'IP address' not supported",
    "d": "Snmptrap Datatype 'Decimal string' not supported",
    "o": "Snmptrap Datatype 'Object ID' not supported",
    "u": "Snmptrap Datatype 'Unsigned integer' not supported",
    "x": "Snmptrap Datatype 'Hexadecimal string' not supported",
}
UNKNOWN_TYPE = "Snmptrap Datatype not known: {type}"
PARSE_INT_ERROR = "strconv.ParseInt: parsing {text}: {problem}"
GO_CONFIG_TYPE = "*snmptrap.HandlerConfig"
UPTIME = 1000  # Kapacitor sends a constant sysUpTime
DATA_KEYS = ("oid", "type", "value")

_SYNTAX = {"c": "Counter64", "i": "Integer", "t": "TimeTicks"}
_INT = re.compile(r"[+-]?[0-9]+")


def _validate_section(values: Mapping[str, Any]) -> str | None:
    return MISSING_ADDR if values["enabled"] and not values["addr"] else None


SECTION = Section(
    name="snmptrap",
    help="An SNMP trap receiver (network management station) for the snmptrap kind; traps are SNMP v2c.",
    validate=_validate_section,
    fields=(
        Field("enabled", FieldType.BOOL, help="Enable sending alerts as SNMP traps; needs addr."),
        Field("addr", FieldType.STRING, "localhost:162", help="host:port (UDP) of the trap receiver."),
        Field("community", FieldType.STRING, "kapacitor", secret=True, help="SNMP v2c community."),
        Field("retries", FieldType.INT, 1, help="How many times a trap the receiver refuses is sent again."),
    ),
)


def oid_problem(oid: str) -> str | None:
    """Why snmpgo's NewOid refuses `oid` (its texts), or None."""
    parts = oid.split(".")
    if parts[0] == "":
        parts = parts[1:]
    problem = ""
    if len(parts) > 128:
        problem = "The sub-identifiers in an OID is up to 128"
    elif not all(_INT.fullmatch(p) and 0 <= int(p) <= 0xFFFFFFFF for p in parts):
        problem = "The sub-identifiers is range 0..4294967295"
    elif parts and int(parts[0]) > 2:
        problem = "The first sub-identifier is range 0..2"
    elif len(parts) < 2:
        problem = "The first and second sub-identifier is required"
    elif int(parts[0]) < 2 and int(parts[1]) >= 40:
        problem = "The second sub-identifier is range 0..39"
    return f"{problem}, value `{oid}`" if problem else None


def _canonical_oid(oid: str) -> str:
    return ".".join(str(int(p)) for p in oid.split(".") if p != "")


def _parse_int(text: str) -> int:
    """strconv.ParseInt(text, 10, 64), raising DeliveryError with Go's text."""
    problem = ""
    if not _INT.fullmatch(text):
        problem = "invalid syntax"
    elif not -(1 << 63) <= int(text) < 1 << 63:
        problem = "value out of range"
    if problem:
        message = PARSE_INT_ERROR.format(text=go_quote(text), problem=problem)
        raise DeliveryError(Reason.CONFIG, message, retryable=False)
    return int(text)


def _varbind(oid: str, kind: str, value: str) -> SnmpVarBind:
    problem = oid_problem(oid)
    if problem:
        raise DeliveryError(Reason.CONFIG, INVALID_DATA_OID.format(oid=go_quote(oid), problem=problem), retryable=False)
    oid = _canonical_oid(oid)
    if kind == "n":
        return SnmpVarBind(oid, "Null")
    if kind == "s":
        return SnmpVarBind(oid, "OctetString", value.encode("utf-8"))
    if kind in _SYNTAX:
        number = _parse_int(value)
        # Go's conversions: uint64(v) for Counter64, int32(v) for Integer, uint32(v) for TimeTicks.
        if kind == "c":
            number %= 1 << 64
        elif kind == "t":
            number %= 1 << 32
        else:
            number = (number + (1 << 31)) % (1 << 32) - (1 << 31)
        return SnmpVarBind(oid, _SYNTAX[kind], number)
    text = NOT_SUPPORTED.get(kind) or UNKNOWN_TYPE.format(type=kind)
    raise DeliveryError(Reason.CONFIG, text, retryable=False)


def build(trap_oid: str, data: Iterable[tuple[str, str, str]], config: ConfigView) -> SnmpTrapRequest:
    """Kapacitor's Trap: the v2c trap of `(oid, type, value)` items with already rendered values."""
    section = enabled_section(config, SECTION.name)
    problem = oid_problem(trap_oid)
    if problem:
        message = INVALID_TRAP_OID.format(oid=go_quote(trap_oid), problem=problem)
        raise DeliveryError(Reason.CONFIG, message, retryable=False)
    return SnmpTrapRequest(
        address=section["addr"],
        community=section["community"],
        trap_oid=_canonical_oid(trap_oid),
        varbinds=tuple(_varbind(*item) for item in data),
        retries=section["retries"],
        uptime=UPTIME,
    )


def data_item(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """(oid, type, value) of a `data-list` entry, its keys matched as mapstructure matches them."""
    folded = {str(k).casefold(): v for k, v in item.items()}
    oid, kind, value = ("" if v is None else str(v) for v in (item.get(k, folded.get(k)) for k in DATA_KEYS))
    return oid, kind, value


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """mapstructure's checks of the `data-list` entries, then Kapacitor's parse of every value template."""
    errors: list[str] = []
    for index, item in enumerate(options["data-list"]):
        name = f"data-list[{index}]"
        known = {k: next((x for x in DATA_KEYS if x.casefold() == str(k).casefold()), None) for k in item}
        unknown = sorted(str(k) for k, key in known.items() if key is None)
        if unknown:
            errors.append(INVALID_KEYS.format(name=name, keys=", ".join(unknown)))
        for raw, key in known.items():
            value = item[raw]
            if key is not None and value is not None and not isinstance(value, str):
                errors.append(
                    UNCONVERTIBLE.format(name=f"{name}.{key}", want="string", got=go_type_of(value), value=go_v(value))
                )
    if errors:
        points = "\n".join(sorted(f"* {e}" for e in errors))
        return DECODE_PREFIX.format(go_type=GO_CONFIG_TYPE) + ERRORS_HEADER.format(count=len(errors)) + points
    for item in options["data-list"]:
        try:
            handler_template("data", data_item(item)[2])
        except TemplateError as exc:
            return str(exc)
    return None


def render(event: Event, options: dict[str, Any], config: ConfigView) -> SnmpTrapRequest:
    """The trap for `event`: each data value executed as a template over Kapacitor's TemplateData."""
    dot: Struct | None = None
    items = []
    for oid, kind, text in (data_item(item) for item in options["data-list"]):
        if "{{" in text:
            dot = dot if dot is not None else template_data(event)
            try:
                text = handler_template("data", text).execute(dot)
            except TemplateError as exc:
                raise DeliveryError(Reason.CONFIG, str(exc), retryable=False) from exc
        items.append((oid, kind, text))
    return build(options["trap-oid"], items, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> SnmpTrapRequest:
    """Kapacitor's test: the given items sent as they are (values are not templates here)."""
    items = [data_item(item) for item in options.get("data-list") or () if isinstance(item, Mapping)]
    return build(str(options.get("trap-oid", "")), items, config)


SERVICE_TEST = ServiceTest(
    name="snmptrap",
    defaults={
        "trap-oid": "1.1.1.1",
        "data-list": [{"oid": "1.1.1.1.2", "type": "s", "value": "test snmptrap message"}],
    },
    build=build_test_request,
)

KIND = HandlerKind(
    name="snmptrap",
    help="Send the alert as an SNMP v2c trap whose varbinds are rendered from templates.",
    options=(
        Option("trap-oid", OptionType.STRING, tick="snmpTrap", help="OID of the trap (snmpTrapOID.0)."),
        Option(
            "data-list",
            OptionType.OBJECT_LIST,
            tick="data",
            help="Varbinds: {oid, type, value}; type c (Counter64), i (Integer), n (Null), s (string) or t "
            "(TimeTicks); value is a template over the alert (ID, Message, Level, Tags, Fields, ...).",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    go_config_type=GO_CONFIG_TYPE,
    extras="A receiver whose port is closed (ICMP port unreachable) fails the delivery, resent `retries` times "
    "first; template and type errors are reported, not only logged.",
    package_extra="snmp",
)
