"""The victorops kind against Kapacitor's vectors, every level, json-data, URL building and its service test."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.http_matrix import Failure, assert_failure, assert_service_test_fails, assert_service_test_passes
from tests.support.sink import Answer, HttpSink
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import victorops
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

# TICKscript handlers of the stream cases: `.victorOps().routingKey('test_key')`, `...('test_key2')`, `.victorOps()`.
STREAM_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "stream/victorops": [{"routing-key": "test_key"}, {"routing-key": "test_key2"}],
    "stream/victorops-json-data": [{}],
}
API_KEY = "PLANTEDapikey0123"
RESULT = {"series": [{"name": "cpu", "columns": ["time", "v"], "values": [["1970-01-01T00:00:01Z", 1.5]]}]}


def config(url: str = "http://vo.example/integrations/generic/20131114/alert", **values: Any) -> StaticConfig:
    return StaticConfig(
        {"victorops": {"enabled": True, "api-key": API_KEY, "routing-key": "rk", "url": url, **values}},
        sections=[victorops.SECTION],
    )


def event(level: Level = Level.CRITICAL, **more: Any) -> Event:
    return Event(topic="t", id="cpu/a", level=level, time=1_500_000_000, message="m", data=RESULT, **more)


@pytest.mark.parametrize("case_id", ["server/victorops", "stream/victorops", "stream/victorops-json-data"])
async def test_vectors(case_id: str, sink: HttpSink, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<server>": sink.url})
    cfg = StaticConfig(vector["config"], sections=[victorops.SECTION])
    alert = event_from_alert(vector["alert"])
    for raw in STREAM_OPTIONS.get(case_id) or [vector["options"]]:
        await transports.send(victorops.render(alert, normalize(victorops.KIND, raw, cfg), cfg), 5)
    got = await sink.wait_for(len(vector["exact"]))
    for received, want in zip(got, vector["exact"], strict=True):
        assert (received.method, received.path, received.query_string) == (want["method"], want["path"], "")
        assert received.body == want["body"].encode()
        assert received.header_values("Content-Type") == ["application/json"]


@pytest.mark.parametrize(
    ("level", "message_type"),
    [(Level.OK, "RECOVERY"), (Level.INFO, "INFO"), (Level.WARNING, "WARNING"), (Level.CRITICAL, "CRITICAL")],
    ids=["OK", "INFO", "WARNING", "CRITICAL"],
)
def test_level_message_type(level: Level, message_type: str) -> None:
    cfg = config()
    req = victorops.render(event(level), normalize(victorops.KIND, {}, cfg), cfg)
    assert req.body == (
        b'{"data":"{\\"series\\":[{\\"name\\":\\"cpu\\",\\"columns\\":[\\"time\\",\\"v\\"],\\"values\\":'
        b'[[\\"1970-01-01T00:00:01Z\\",1.5]]}]}","entity_id":"cpu/a","message_type":"'
        + message_type.encode()
        + b'","monitoring_tool":"kapacitor","state_message":"m","timestamp":1}\n'
    )
    assert (req.method, req.url) == ("POST", f"http://vo.example/integrations/generic/20131114/alert/{API_KEY}/rk")
    assert req.redacted_url == "http://vo.example/integrations/generic/20131114/alert/***/rk"


def test_json_data_sends_the_result_as_an_object() -> None:
    cfg = StaticConfig(
        {"victorops": {"enabled": True, "url": "http://h", "json-data": True}}, sections=[victorops.SECTION]
    )
    no_data = Event(topic="t", id="a", level=Level.WARNING, time=-1, message="m")
    assert json.loads(victorops.render(no_data, normalize(victorops.KIND, {}, cfg), cfg).body) == {
        "data": {"series": None},
        "entity_id": "a",
        "message_type": "WARNING",
        "monitoring_tool": "kapacitor",
        "state_message": "m",
        "timestamp": -1,
    }


def test_json_data_is_configuration_only() -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(victorops.KIND, {"json-data": True})
    assert str(caught.value) == (
        "failed to decode options into *victorops.HandlerConfig: 1 error(s) decoding:\n\n"
        "* '' has invalid keys: json-data"
    )


@pytest.mark.parametrize(
    ("base", "api_key", "routing_key", "url", "shown"),
    [
        ("http://h:1", "k", "r", "http://h:1/k/r", "http://h:1/***/r"),
        ("http://h/a//b/./c/", "k", "", "http://h/a/b/c/k", "http://h/a/b/c/***"),
        ("http://h/base?x=1#f", "k", "r", "http://h/base/k/r?x=1#f", "http://h/base/***/r?x=1#f"),
        ("http://h/p%20q", "a b?", "r#1", "http://h/p%20q/a%20b%3F/r%231", "http://h/p%20q/***/r%231"),
        ("http://h/a", "", "r", "http://h/a/r", None),
        ("http://h/a/b", "..", "r", "http://h/a/r", "http://h/a/b/***/r"),
    ],
    ids=["no-path", "cleaned", "query-fragment", "escaped", "no-key", "dot-dot-key"],
)
def test_endpoint_url_is_go_path_join(base: str, api_key: str, routing_key: str, url: str, shown: str | None) -> None:
    assert victorops.endpoint_url(base, api_key, routing_key) == (url, shown)


def test_disabled_service_and_section_checks() -> None:
    cfg = StaticConfig({"victorops": {"api-key": "k"}}, sections=[victorops.SECTION])
    with pytest.raises(DeliveryError) as caught:
        victorops.render(event(), normalize(victorops.KIND, {}, cfg), cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        "service is not enabled",
        Reason.CONFIG,
        False,
    )
    defaults = victorops.SECTION.defaults()
    assert defaults == {
        "enabled": False,
        "api-key": "",
        "routing-key": "",
        "url": victorops.DEFAULT_URL,
        "global": False,
        "json-data": False,
    }
    assert victorops.SECTION.secrets == ("api-key",)
    assert victorops.SECTION.validate is not None
    assert victorops.SECTION.validate({**defaults, "url": ""}) == "url cannot be empty"
    assert victorops.SECTION.validate(defaults) is None


def alert_request(url: str) -> HttpRequest:
    cfg = config(url + "/alert")
    return victorops.render(event(), normalize(victorops.KIND, {}, cfg), cfg)


@pytest.mark.parametrize(
    "failure",
    Failure.cases(
        Failure.refused(Answer(404, body=b"nope"), name="404", message="URL or API key not found: 404"),
        Failure.refused(
            Answer(400, body=b'{"result":"failure","message":"Missing fields"}'),
            message='HTTP 400 from {url}/alert/***/rk: {"result":"failure","message":"Missing fields"}',
        ),
        Failure.throttled(
            Answer(429, headers=(("Retry-After", "9"),), body=b"later"),
            9.0,
            message="HTTP 429 from {url}/alert/***/rk: later",
        ),
        Failure.failing(Answer(500, body=b"oops"), message="HTTP 500 from {url}/alert/***/rk: oops"),
        Failure.hang("POST {url}/alert/***/rk: no answer within 0.2s"),
    ),
)
async def test_failures_are_classified_without_the_api_key(
    failure: Failure, sink: HttpSink, transports: Transports
) -> None:
    await assert_failure(failure, alert_request, sink, transports, secrets=[API_KEY])


async def test_service_test_success_and_failure(sink: HttpSink, transports: Transports) -> None:
    assert dict(victorops.SERVICE_TEST.defaults) == {
        "routingKey": "",
        "messageType": "CRITICAL",
        "message": "test victorops message",
        "entityID": "testEntityID",
    }
    cfg = config(sink.url)
    before = int(time.time())
    body = {"routingkey": "other", "messageType": "ACKNOWLEDGEMENT"}
    first, second = await assert_service_test_passes(victorops.SERVICE_TEST, cfg, transports, sink, None, body)
    assert (first.path, second.path) == (f"/{API_KEY}/rk", f"/{API_KEY}/other")
    sent = first.json()
    assert before <= sent.pop("timestamp") <= int(time.time())
    assert sent == {
        "data": '{"series":null}',
        "entity_id": "testEntityID",
        "message_type": "CRITICAL",
        "monitoring_tool": "kapacitor",
        "state_message": "test victorops message",
    }
    assert second.json()["message_type"] == "ACKNOWLEDGEMENT"
    sink.answer(Answer(404))
    message = "URL or API key not found: 404"
    await assert_service_test_fails(victorops.SERVICE_TEST, None, cfg, transports, message, secrets=[API_KEY])


async def test_service_test_on_a_disabled_service(transports: Transports) -> None:
    cfg = StaticConfig(sections=[victorops.SECTION])
    await assert_service_test_fails(victorops.SERVICE_TEST, None, cfg, transports, "service is not enabled")
