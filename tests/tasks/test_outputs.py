"""log, httpOut and httpPost (influxDBOut: test_influxdb_out.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp import web

from tests.tasks.kit import T0, FakeConfig, S, batch, captured, chain, context, executor, node, pt, push, run
from tocsin.pipeline.spec import EdgeType
from tocsin.points import Dimensions, Point

TIME = "2020-09-13T12:26:40Z"


def test_log_writes_the_point_as_json(caplog: pytest.LogCaptureFixture) -> None:
    p = Point("cpu", {"host": "a"}, {"value": 1.5, "n": 2}, T0, "db", "rp", "host=a", Dimensions(("host",)))
    with caplog.at_level(logging.DEBUG, logger="tests.tasks"):
        _, out = run(chain(node("log", level="debug", prefix="P"), node("capture")), [p])
    assert out == [p]
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.DEBUG,
            'P {"Name":"cpu","Database":"db","RetentionPolicy":"rp","Group":"host=a",'
            '"Dimensions":{"ByName":false,"TagNames":["host"]},"Tags":{"host":"a"},"Fields":{"n":2,"value":1.5},'
            f'"Time":"{TIME}"}}',
        )
    ]


def test_log_writes_batches(caplog: pytest.LogCaptureFixture) -> None:
    ex = executor(chain(node("log"), node("capture"), kind=EdgeType.BATCH))
    with caplog.at_level(logging.INFO, logger="tests.tasks"):
        push(ex, batch([(T0, {"v": 1})], tags={"host": "a"}))
    assert [r.getMessage() for r in caplog.records] == [
        f'{{"name":"cpu","tags":{{"host":"a"}},"points":[{{"fields":{{"v":1}},"time":"{TIME}","tags":{{"host":"a"}}}}]}}'
    ]


def test_log_rejects_unknown_levels() -> None:
    from tocsin.tasks.executor import TaskStartError

    with pytest.raises(TaskStartError) as info:
        executor(chain(node("log", level="loud")))
    assert str(info.value) == "failed to create log1 node: invalid log level loud"


def test_http_out_keeps_the_latest_item_of_each_group_in_first_seen_order() -> None:
    ctx = context()
    ex = executor(chain(node("http_out", "output"), node("capture")), ctx)
    assert ctx.http_outputs == {"output": {"series": None}}
    for host, value in (("b", 1), ("a", 2), ("b", 3)):
        p = pt(tags={"host": host}, fields={"value": value})
        p.group = f"host={host}"
        ex.write(p)
    assert ctx.http_outputs == {
        "output": {
            "series": [
                {"name": "cpu", "tags": {"host": "b"}, "columns": ["time", "value"], "values": [[TIME, 3]]},
                {"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "value"], "values": [[TIME, 2]]},
            ]
        }
    }
    assert ex.stats()["node-stats"]["http_out1"]["working_cardinality"] == 2


async def test_http_out_goes_away_when_the_task_stops() -> None:
    ctx = context()
    ex = executor(chain(node("http_out", "output")), ctx)
    await ex.start()
    await ex.stop()
    assert ctx.http_outputs == {}


class Recorder:
    def __init__(self, status: int = 200, body: str = "") -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = status
        self.body = body
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            {
                "method": request.method,
                "path": request.path_qs,
                "headers": {
                    k: v
                    for k, v in request.headers.items()
                    if k not in ("Host", "User-Agent", "Accept", "Accept-Encoding", "Content-Length")
                },
                "body": await request.read(),
            }
        )
        self.arrived.set()
        return web.Response(status=self.status, text=self.body)


async def serve(recorder: Recorder) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def settle(ctx: Any) -> None:
    while ctx.pending:
        await asyncio.gather(*list(ctx.pending), return_exceptions=True)


async def test_http_post_sends_the_result_json_without_blocking() -> None:
    recorder = Recorder()
    runner, url = await serve(recorder)
    try:
        ctx = context()
        spec = node("http_post", f"{url}/hook?x=1", header=[("X-One", "1"), ("Content-Type", "text/plain")])
        ex = executor(chain(spec, node("capture")), ctx)
        ex.write(pt(tags={"host": "a"}, fields={"value": 0.5}))
        assert len(captured(ex, "capture2")) == 1
        await asyncio.wait_for(recorder.arrived.wait(), 5)
        await settle(ctx)
        await ex.stop()
        await settle(ctx)
    finally:
        await runner.cleanup()
    assert recorder.requests == [
        {
            "method": "POST",
            "path": "/hook?x=1",
            "headers": {"Content-Type": "text/plain", "X-One": "1"},
            "body": (
                b'{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],'
                b'"values":[["2020-09-13T12:26:40Z",0.5]]}]}\n'
            ),
        }
    ]


async def test_http_post_endpoint_and_code_field(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(status=500, body="bad things")
    runner, url = await serve(recorder)
    try:
        config = FakeConfig(
            {
                "httppost": [
                    {
                        "endpoint": "hook",
                        "url": f"{url}/e",
                        "headers": {"X-E": "e"},
                        "basic-auth": {"username": "u", "password": "p"},
                    }
                ]
            }
        )
        ctx = context(config)
        spec = node("http_post", endpoint="hook", codeField="code", captureResponse=(), timeout=S)
        ex = executor(chain(spec, node("capture"), kind=EdgeType.BATCH), ctx)
        push(ex, batch([(T0, {"v": 1})]))
        assert captured(ex, "capture2") == []
        await asyncio.wait_for(recorder.arrived.wait(), 5)
        await settle(ctx)
        await ex.stop()
        await settle(ctx)
    finally:
        await runner.cleanup()
    request = recorder.requests[0]
    assert (request["path"], request["headers"]) == (
        "/e",
        {"Authorization": "Basic dTpw", "X-E": "e", "Content-Type": "application/json"},
    )
    assert json.loads(request["body"]) == {"series": [{"name": "cpu", "columns": ["time", "v"], "values": [[TIME, 1]]}]}
    out = captured(ex, "capture2")
    assert [row.fields for row in out[0].points] == [{"v": 1, "code": 500}]
    assert ex.stats()["node-stats"]["http_post1"]["errors"] == 1
    assert "POST returned non 2xx status code: bad things code=500" in caplog.text


async def test_http_post_unreachable_counts_an_error() -> None:
    ctx = context()
    ex = executor(chain(node("http_post", "http://127.0.0.1:9/x", codeField="code"), node("capture")), ctx)
    ex.write(pt())
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert [p.fields for p in captured(ex, "capture2")] == [{"value": 1.0, "code": 0}]
    assert ex.stats()["node-stats"]["http_post1"]["errors"] == 1


def test_http_post_unknown_endpoint_fails_to_start() -> None:
    from tocsin.tasks.executor import TaskStartError

    with pytest.raises(TaskStartError) as info:
        executor(chain(node("http_post", endpoint="nope")))
    assert str(info.value) == "failed to create http_post1 node: endpoint 'nope' does not exist"
