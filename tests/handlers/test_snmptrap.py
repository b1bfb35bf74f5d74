"""The snmptrap kind: Kapacitor's vectors received by net-snmp's snmptrapd, value types and their Go conversions,
OID checks, option decoding, the [snmptrap] section and the service test."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.vectors import case, event_from_alert
from tests.transports.test_snmp import Snmptrapd, Trap, TrapReceiver, free_udp_port, snmptrapd, trap_receiver
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import snmptrap
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import SnmpVarBind
from tocsin.handlers.service_tests import run_service_test
from tocsin.transports import Transports

__all__ = ["snmptrapd", "trap_receiver"]  # the fixtures, imported from the transport tests

COMMUNITY = "ops-community"
# The TICKscript of stream/snmptrap sets these two handlers.
STREAM_OPTIONS: list[dict[str, Any]] = [
    {
        "trap-oid": "1.1.1",
        "data-list": [
            {"oid": "1.1.1.2", "type": "c", "value": "1"},
            {"oid": "1.1.1.2", "type": "s", "value": "SNMP ALERT"},
            {"oid": "1.1.1.2", "type": "s", "value": "{{.Message}}"},
        ],
    },
    {
        "trap-oid": "1.1.2",
        "data-list": [
            {"oid": "1.1.2.3", "type": "i", "value": "10"},
            {"oid": "1.1.2.3", "type": "n", "value": ""},
            {"oid": "1.1.2.3", "type": "t", "value": "20000"},
            {"oid": "1.1.2.3", "type": "s", "value": "{{ .Details }}"},
        ],
    },
]


LONG_OID = ".".join(["1"] * 129)


def bad_oid(which: str, oid: str, problem: str) -> str:
    """snmpgo's refusal of `oid` as Kapacitor wraps it."""
    return f'invalid {which} Oid "{oid}": {problem}, value `{oid}`'


def config(address: str = "127.0.0.1:162", **values: Any) -> StaticConfig:
    section = {"enabled": True, "addr": address, "community": COMMUNITY, **values}
    return StaticConfig({"snmptrap": section}, sections=[snmptrap.SECTION])


def event(**values: Any) -> Event:
    fields: dict[str, Any] = {"topic": "t", "id": "cpu", "level": Level.CRITICAL, "time": 0, "message": "cpu is hot"}
    return Event(**(fields | values))


def vector_traps(case_id: str) -> list[Trap]:
    wanted = case(case_id)["upstream_asserted"]
    wanted = wanted if isinstance(wanted, list) else [wanted]
    for want in wanted:
        assert (want["pdu_type"], want["error_status"]) == ("SNMPTrapV2", "NoError")
    return [Trap(COMMUNITY, tuple((v["oid"], v["type"], v["value"]) for v in w["varbinds"])) for w in wanted]


async def test_server_vector(snmptrapd: Snmptrapd, transports: Transports) -> None:
    vector = case("server/snmptrap")
    cfg = config(snmptrapd.address, retries=vector["config"]["snmptrap"]["retries"])
    options = normalize(snmptrap.KIND, vector["options"], cfg)
    await transports.send(snmptrap.render(event_from_alert(vector["alert"]), options, cfg), 5)
    assert await snmptrapd.wait_for(1) == vector_traps("server/snmptrap")


async def test_stream_vector(snmptrapd: Snmptrapd, transports: Transports) -> None:
    cfg = config(snmptrapd.address, retries=2)
    alert = event(
        id="kapacitor/cpu/serverA",
        message="kapacitor/cpu/serverA is CRITICAL",
        details="here/cpu",
        name="cpu",
        group="host=serverA",
        tags={"host": "serverA"},
        fields={"count": 10.0},
    )
    for raw in STREAM_OPTIONS:
        await transports.send(snmptrap.render(alert, normalize(snmptrap.KIND, raw, cfg), cfg), 5)
    assert await snmptrapd.wait_for(2) == vector_traps("stream/snmptrap")


@pytest.mark.parametrize("level", list(Level), ids=[lv.name for lv in Level])
async def test_every_level(level: Level, trap_receiver: TrapReceiver, transports: Transports) -> None:
    cfg = config(trap_receiver.address)
    data = [{"oid": "1.3.6.1.4.1.9.1", "type": "s", "value": '{{ .Level }} {{ index .Tags "host" }} {{ .Group }}.'}]
    options = normalize(snmptrap.KIND, {"trap-oid": "1.3.6.1.4.1.9", "data-list": data}, cfg)
    await transports.send(snmptrap.render(event(level=level, tags={"host": "web01"}), options, cfg), 5)
    (got,) = await trap_receiver.wait_for(1)
    assert got.varbinds[2] == ("1.3.6.1.4.1.9.1", "OctetString", f"{level.name} web01 .")


@pytest.mark.parametrize(
    ("kind", "value", "bind"),
    [
        ("c", "-1", SnmpVarBind("1.2.3", "Counter64", 18446744073709551615)),
        ("c", "+42", SnmpVarBind("1.2.3", "Counter64", 42)),
        ("i", "4294967295", SnmpVarBind("1.2.3", "Integer", -1)),
        ("i", "2147483648", SnmpVarBind("1.2.3", "Integer", -2147483648)),
        ("t", "-1", SnmpVarBind("1.2.3", "TimeTicks", 4294967295)),
        ("n", "ignored", SnmpVarBind("1.2.3", "Null")),
        ("s", "héllo", SnmpVarBind("1.2.3", "OctetString", "héllo".encode())),
    ],
    ids=["counter-wraps", "counter-plus", "int32-wraps", "int32-overflow", "ticks-wrap", "null", "utf8"],
)
def test_value_conversions_follow_go(kind: str, value: str, bind: SnmpVarBind) -> None:
    cfg = config()
    options = normalize(
        snmptrap.KIND, {"trap-oid": ".1.2", "data-list": [{"oid": ".1.2.3", "type": kind, "value": value}]}
    )
    request = snmptrap.render(event(), options, cfg)
    assert (request.trap_oid, request.varbinds, request.uptime, request.retries) == ("1.2", (bind,), 1000, 1)


@pytest.mark.parametrize(
    ("trap_oid", "item", "message"),
    [
        ("1.1", {"oid": "1.1.1", "type": "a", "value": "10.0.0.1"}, "Snmptrap Datatype 'IP address' not supported"),
        ("1.1", {"oid": "1.1.1", "type": "d", "value": "1"}, "Snmptrap Datatype 'Decimal string' not supported"),
        ("1.1", {"oid": "1.1.1", "type": "o", "value": "1.1"}, "Snmptrap Datatype 'Object ID' not supported"),
        ("1.1", {"oid": "1.1.1", "type": "u", "value": "1"}, "Snmptrap Datatype 'Unsigned integer' not supported"),
        ("1.1", {"oid": "1.1.1", "type": "x", "value": "ff"}, "Snmptrap Datatype 'Hexadecimal string' not supported"),
        ("1.1", {"oid": "1.1.1", "type": "S", "value": "x"}, "Snmptrap Datatype not known: S"),
        ("1.1", {"oid": "1.1.1", "type": "i", "value": "ten"}, 'strconv.ParseInt: parsing "ten": invalid syntax'),
        (
            "1.1",
            {"oid": "1.1.1", "type": "c", "value": "99999999999999999999"},
            'strconv.ParseInt: parsing "99999999999999999999": value out of range',
        ),
        ("1.1", {"oid": "1.1.1", "type": "t", "value": " 1"}, 'strconv.ParseInt: parsing " 1": invalid syntax'),
        ("", {"oid": "1.1.1", "type": "s"}, bad_oid("trap", "", "The first and second sub-identifier is required")),
        ("3.1", {"oid": "1.1.1", "type": "s"}, bad_oid("trap", "3.1", "The first sub-identifier is range 0..2")),
        ("1.40", {"oid": "1.1.1", "type": "s"}, bad_oid("trap", "1.40", "The second sub-identifier is range 0..39")),
        ("1.1", {"oid": "1.x", "type": "s"}, bad_oid("data", "1.x", "The sub-identifiers is range 0..4294967295")),
        (
            "1.1",
            {"oid": "1.1.4294967296", "type": "s"},
            bad_oid("data", "1.1.4294967296", "The sub-identifiers is range 0..4294967295"),
        ),
        (
            "1.1",
            {"oid": LONG_OID, "type": "s"},
            bad_oid("data", LONG_OID, "The sub-identifiers in an OID is up to 128"),
        ),
    ],
    ids=[
        "a",
        "d",
        "o",
        "u",
        "x",
        "unknown",
        "not-int",
        "out-of-range",
        "space",
        "empty-oid",
        "first-arc",
        "second-arc",
        "bad-arc",
        "arc-range",
        "too-long",
    ],
)
def test_kapacitor_refusals(trap_oid: str, item: dict[str, str], message: str) -> None:
    options = normalize(snmptrap.KIND, {"trap-oid": trap_oid, "data-list": [item]})
    with pytest.raises(DeliveryError) as caught:
        snmptrap.render(event(), options, config())
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (message, Reason.CONFIG, False)


def test_disabled_service() -> None:
    options = normalize(snmptrap.KIND, {"trap-oid": "1.1"})
    with pytest.raises(DeliveryError) as caught:
        snmptrap.render(event(), options, config(enabled=False))
    assert (str(caught.value), caught.value.reason) == ("service is not enabled", Reason.CONFIG)


def test_template_execution_error_is_not_sent() -> None:
    options = normalize(
        snmptrap.KIND, {"trap-oid": "1.1", "data-list": [{"oid": "1.1.1", "type": "s", "value": "{{ .Nope }}"}]}
    )
    with pytest.raises(DeliveryError) as caught:
        snmptrap.render(event(), options, config())
    assert caught.value.reason is Reason.CONFIG
    assert str(caught.value).startswith("template: data:1:") and "Nope" in str(caught.value)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"oid": "1.1", "type": "s", "value": "{{ .Message "}, "template: data:1: unclosed action"),
        (
            {"oid": "1.1", "type": "s", "severity": "x"},
            "failed to decode options into *snmptrap.HandlerConfig: 1 error(s) decoding:\n\n"
            "* 'data-list[0]' has invalid keys: severity",
        ),
        (
            {"oid": "1.1", "type": "i", "value": 7},
            "failed to decode options into *snmptrap.HandlerConfig: 1 error(s) decoding:\n\n"
            "* 'data-list[0].value' expected type 'string', got unconvertible type 'float64', value: '7'",
        ),
    ],
    ids=["template", "unknown-key", "number-value"],
)
def test_definition_errors(item: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(snmptrap.KIND, {"trap-oid": "1.1", "data-list": [item]})
    assert str(caught.value) == message


def test_data_keys_match_case_insensitively() -> None:
    options = normalize(snmptrap.KIND, {"trap-oid": "1.1", "data-list": [{"OID": "1.1.1", "Type": "i", "VALUE": "5"}]})
    assert snmptrap.render(event(), options, config()).varbinds == (SnmpVarBind("1.1.1", "Integer", 5),)


@pytest.mark.parametrize(
    ("values", "message"),
    [({}, None), ({"enabled": True}, None), ({"enabled": True, "addr": ""}, "must specify addr"), ({"addr": ""}, None)],
    ids=["defaults", "enabled", "enabled-no-addr", "disabled-no-addr"],
)
def test_section_validation(values: dict[str, Any], message: str | None) -> None:
    section = snmptrap.SECTION
    assert section.validate is not None
    assert section.validate({**section.defaults(), **values}) == message


def test_section_defaults() -> None:
    assert snmptrap.SECTION.defaults() == {
        "enabled": False,
        "addr": "localhost:162",
        "community": "kapacitor",
        "retries": 1,
    }
    assert snmptrap.SECTION.secrets == ("community",)


def test_service_test_defaults() -> None:
    assert dict(snmptrap.SERVICE_TEST.defaults) == {
        "trap-oid": "1.1.1.1",
        "data-list": [{"oid": "1.1.1.1.2", "type": "s", "value": "test snmptrap message"}],
    }


@pytest.mark.parametrize(
    ("body", "varbinds"),
    [
        (None, (("1.1.1.1.2", "OctetString", "test snmptrap message"),)),
        (
            {"trap-oid": "1.3.6.1.4.1.5", "data-list": [{"oid": "1.3.6.1.4.1.5.1", "type": "i", "value": "{{ 3 }}"}]},
            None,
        ),
        ({"data-list": [{"oid": "1.1.1.1.3", "type": "t", "value": "5"}]}, (("1.1.1.1.3", "TimeTicks", "5"),)),
    ],
    ids=["defaults", "values-are-not-templates", "posted-data"],
)
async def test_service_test(
    snmptrapd: Snmptrapd, transports: Transports, body: Any, varbinds: tuple[tuple[str, str, str], ...] | None
) -> None:
    cfg = config(snmptrapd.address)
    ok, message = await run_service_test(snmptrap.SERVICE_TEST, body, cfg, transports, 5)
    if varbinds is None:  # Kapacitor's test sends values as given: "{{ 3 }}" is no integer
        assert (ok, message) == (False, 'strconv.ParseInt: parsing "{{ 3 }}": invalid syntax')
        return
    assert (ok, message) == (True, "")
    (got,) = await snmptrapd.wait_for(1)
    trap_oid = (body or {}).get("trap-oid", "1.1.1.1")
    assert got == Trap(
        COMMUNITY, (("1.3.6.1.2.1.1.3.0", "TimeTicks", "1000"), ("1.3.6.1.6.3.1.1.4.1.0", "Oid", trap_oid), *varbinds)
    )


async def test_service_test_against_a_stopped_receiver(transports: Transports) -> None:
    address = f"127.0.0.1:{free_udp_port()}"
    started = time.monotonic()
    result = await run_service_test(snmptrap.SERVICE_TEST, None, config(address), transports, 3)
    assert time.monotonic() - started < 3
    assert result == (False, f"failed to send SNMP trap: write udp {address}: connection refused")


async def test_service_test_disabled(transports: Transports) -> None:
    result = await run_service_test(snmptrap.SERVICE_TEST, None, config(enabled=False), transports, 3)
    assert result == (False, "service is not enabled")
