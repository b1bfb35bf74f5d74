"""The sensu kind against Kapacitor's vectors, every level, its service test and the client socket's answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import sensu
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import TcpRequest
from tocsin.handlers.service_tests import run_service_test
from tocsin.transports import Transports

# The TICKscript of stream/sensu: `.sensu().metadata('k1', 'v1').metadata('k2', 5)`.
STREAM_OPTIONS = {"metadata": {"k1": "v1", "k2": 5}}


class SensuSocket:
    """A Sensu 1.x client socket: reads one check result (a JSON line), answers as scripted and closes."""

    def __init__(self) -> None:
        self.payloads: list[bytes] = []
        self.answer = b"ok"
        self.hanging = False
        self._server: asyncio.Server | None = None
        self._released = asyncio.Event()

    async def start(self) -> SensuSocket:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    @property
    def address(self) -> str:
        assert self._server is not None
        return f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.payloads.append(await reader.readline())
        if self.hanging:
            await self._released.wait()
        writer.write(self.answer)
        await writer.drain()
        writer.close()


@pytest.fixture
async def socket() -> AsyncIterator[SensuSocket]:
    server = await SensuSocket().start()
    yield server
    await server.close()


def config(address: str = "127.0.0.1:3030", **values: Any) -> StaticConfig:
    return StaticConfig({"sensu": {"enabled": True, "addr": address, **values}}, sections=[sensu.SECTION])


def event(level: Level = Level.CRITICAL, event_id: str = "cpu.serverA", **more: Any) -> Event:
    return Event(topic="t", id=event_id, level=level, time=0, message="m", **more)


def payload(req: object) -> Any:
    assert isinstance(req, TcpRequest)
    assert req.payload.endswith(b"}\n") and req.payload.count(b"\n") == 1
    return json.loads(req.payload)


@pytest.mark.parametrize("case_id", ["server/sensu", "stream/sensu"])
async def test_vectors(case_id: str, socket: SensuSocket, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<tcp server>": socket.address})
    cfg = StaticConfig(vector["config"], sections=[sensu.SECTION])
    raw = STREAM_OPTIONS if case_id == "stream/sensu" else vector["options"]
    request = sensu.render(event_from_alert(vector["alert"]), normalize(sensu.KIND, raw, cfg), cfg)
    assert isinstance(request, TcpRequest) and request.address == socket.address
    assert (await transports.send(request, 5)).status is None
    assert socket.payloads == [want["body"].encode() for want in vector["exact"]]


@pytest.mark.parametrize(
    ("level", "status"),
    [(Level.OK, 0), (Level.INFO, 0), (Level.WARNING, 1), (Level.CRITICAL, 2)],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_level_status(level: Level, status: int) -> None:
    cfg = config()
    req = sensu.render(event(level), normalize(sensu.KIND, {}, cfg), cfg)
    assert isinstance(req, TcpRequest)
    assert req.payload == (
        b'{"handlers":null,"name":"cpu.serverA","output":"m","source":"Kapacitor","status":'
        + str(status).encode()
        + b"}\n"
    )


@pytest.mark.parametrize(
    "event_id",
    ["kapacitor/cpu/serverA", "cpu:serverA", "cpu serverA", "", "cpu\n", "caf\u00e9"],
    ids=["slash", "colon", "space", "empty", "trailing-newline", "non-ascii"],
)
def test_ids_outside_the_pattern_are_refused(event_id: str) -> None:
    cfg = config()
    with pytest.raises(DeliveryError) as caught:
        sensu.render(event(event_id=event_id), normalize(sensu.KIND, {}, cfg), cfg)
    quoted = json.dumps(event_id, ensure_ascii=False)
    assert str(caught.value) == f"invalid name {quoted} for sensu alert. Must match ^[\\w\\.-]+$"
    assert (caught.value.reason, caught.value.retryable) == (Reason.CONFIG, False)


def test_source_template_handlers_and_metadata() -> None:
    cfg = config(handlers=["default"])
    options = normalize(
        sensu.KIND,
        {
            "source": '{{ .Name }}-{{ index .Tags "host" }}-{{ .Level }}',
            "handlers": ["a", "b"],
            "metadata": {"name": "clobber", "zz": {"b": 1, "a": [1.5, "<x>"]}, "auto_resolve": False},
        },
        cfg,
    )
    req = sensu.render(event(name="cpu", tags={"host": "h1"}), options, cfg)
    assert isinstance(req, TcpRequest)
    assert req.payload == (
        b'{"auto_resolve":false,"handlers":["a","b"],"name":"cpu.serverA","output":"m","source":"cpu-h1-CRITICAL",'
        b'"status":2,"zz":{"a":[1.5,"\\u003cx\\u003e"],"b":1}}\n'
    )


def test_empty_options_fall_back_to_the_section() -> None:
    cfg = config(source="JIT", handlers=["pagerduty", "mail"])
    assert payload(sensu.render(event(), normalize(sensu.KIND, {"source": "{{ if false }}x{{ end }}"}, cfg), cfg)) == {
        "handlers": ["pagerduty", "mail"],
        "name": "cpu.serverA",
        "output": "m",
        "source": "JIT",
        "status": 2,
    }


def test_source_template_errors() -> None:
    with pytest.raises(OptionsError) as parse_error:
        normalize(sensu.KIND, {"source": "{{ .Name"})
    assert str(parse_error.value) == "template: source:1: unclosed action"
    cfg = config()
    with pytest.raises(DeliveryError) as exec_error:
        sensu.render(event(), normalize(sensu.KIND, {"source": "{{ .Nope }}"}, cfg), cfg)
    assert str(exec_error.value) == (
        'failed to evaluate Sensu source template: template: source:1:3: executing "source" at <.Nope>: '
        "can't evaluate field Nope in type alert.TemplateData"
    )
    assert (exec_error.value.reason, exec_error.value.retryable) == (Reason.CONFIG, False)


def test_disabled_service_and_section_checks() -> None:
    cfg = StaticConfig({"sensu": {"addr": "h:1"}}, sections=[sensu.SECTION])
    with pytest.raises(DeliveryError) as caught:
        sensu.render(event(), normalize(sensu.KIND, {}, cfg), cfg)
    assert (str(caught.value), caught.value.reason) == ("service is not enabled", Reason.CONFIG)
    assert sensu.SECTION.defaults() == {"enabled": False, "addr": "", "source": "Kapacitor", "handlers": []}
    assert sensu.SECTION.validate is not None
    assert sensu.SECTION.validate({**sensu.SECTION.defaults(), "enabled": True}) == "must specify client address"
    assert sensu.SECTION.validate(sensu.SECTION.defaults()) is None


def test_options_are_decoded_as_kapacitor_does() -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(sensu.KIND, {"handlers": "one", "status": 1})
    assert str(caught.value) == (
        "failed to decode options into *sensu.HandlerConfig: 2 error(s) decoding:\n\n"
        "* '' has invalid keys: status\n* 'handlers': source data must be an array or slice, got string"
    )


@pytest.mark.parametrize(
    ("answer", "reason", "retryable"),
    [(b"invalid", Reason.CLIENT_ERROR, False), (b"", Reason.SERVER_ERROR, True), (b"ok\n", Reason.SERVER_ERROR, True)],
    ids=["invalid", "nothing", "not-exactly-ok"],
)
async def test_answers_other_than_ok_fail(
    answer: bytes, reason: Reason, retryable: bool, socket: SensuSocket, transports: Transports
) -> None:
    socket.answer = answer
    cfg = config(socket.address)
    with pytest.raises(DeliveryError) as caught:
        await transports.send(sensu.render(event(), normalize(sensu.KIND, {}, cfg), cfg), 5)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        "sensu socket error: " + answer.decode(),
        reason,
        retryable,
    )
    assert len(socket.payloads) == 1


async def test_silent_socket_is_a_timeout(socket: SensuSocket, transports: Transports) -> None:
    socket.hanging = True
    cfg = config(socket.address)
    with pytest.raises(DeliveryError) as caught:
        await transports.send(sensu.render(event(), normalize(sensu.KIND, {}, cfg), cfg), 0.2)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        f"dial tcp {socket.address}: no answer within 0.2s",
        Reason.TIMEOUT,
        True,
    )


async def test_closed_socket_is_a_network_error(socket: SensuSocket, transports: Transports) -> None:
    address = socket.address
    await socket.close()
    cfg = config(address)
    with pytest.raises(DeliveryError) as caught:
        await transports.send(sensu.render(event(), normalize(sensu.KIND, {}, cfg), cfg), 5)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        f"dial tcp {address}: connection refused",
        Reason.NETWORK,
        True,
    )


def test_service_test_defaults() -> None:
    assert dict(sensu.SERVICE_TEST.defaults) == {
        "name": "testName",
        "source": "Kapacitor",
        "output": "testOutput",
        "handlers": [],
        "metadata": {},
        "level": "CRITICAL",
    }


async def test_service_test_success_and_failure(socket: SensuSocket, transports: Transports) -> None:
    cfg = config(socket.address, handlers=["h"])
    assert await run_service_test(sensu.SERVICE_TEST, None, cfg, transports, 5) == (True, "")
    body = {"name": "other.name", "source": "", "level": "WARN", "metadata": {"k": "v"}, "handlers": None}
    assert await run_service_test(sensu.SERVICE_TEST, body, cfg, transports, 5) == (True, "")
    assert [json.loads(p) for p in socket.payloads] == [
        {"handlers": ["h"], "name": "testName", "output": "testOutput", "source": "Kapacitor", "status": 2},
        {"handlers": ["h"], "k": "v", "name": "other.name", "output": "testOutput", "source": "Kapacitor", "status": 1},
    ]
    socket.answer = b"invalid"
    assert await run_service_test(sensu.SERVICE_TEST, None, cfg, transports, 5) == (
        False,
        "sensu socket error: invalid",
    )
    assert await run_service_test(sensu.SERVICE_TEST, {"name": "a/b"}, cfg, transports, 5) == (
        False,
        'invalid name "a/b" for sensu alert. Must match ^[\\w\\.-]+$',
    )


async def test_service_test_on_a_disabled_service(transports: Transports) -> None:
    cfg = StaticConfig(sections=[sensu.SECTION])
    assert await run_service_test(sensu.SERVICE_TEST, None, cfg, transports, 5) == (False, "service is not enabled")
