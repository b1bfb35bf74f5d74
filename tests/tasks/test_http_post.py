"""httpPost: posts one at a time in arrival order, URL templates rendered per item, and `.codeField()`."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from tests.pipeline.support import build
from tests.tasks.kit import T0, FakeConfig, S, captured, chain, context, executor, node, pt
from tocsin.tasks.context import TaskContext
from tocsin.tasks.executor import TaskStartError
from tocsin.tasks.nodes import http_post as http_post_module


class Peer:
    """An HTTP server that answers after a random pause and records the path, body and overlap of posts."""

    def __init__(self, status: int = 200, pause: float = 0.01) -> None:
        self.status = status
        self.pause = pause
        self.requests: list[tuple[str, Any]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()
        self.release.set()
        self._rng = random.Random(7)
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            body = await request.read()
            await asyncio.sleep(self._rng.uniform(0, self.pause))
            await self.release.wait()
            self.requests.append((request.path, json.loads(body) if body.startswith(b"{") else body.decode()))
            return web.Response(status=self.status)
        finally:
            self.in_flight -= 1

    async def start(self) -> Peer:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def close(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    server = await Peer().start()
    yield server
    await server.close()


async def settle(ctx: TaskContext) -> None:
    while ctx.pending:
        await asyncio.gather(*list(ctx.pending), return_exceptions=True)


def values(peer: Peer) -> list[Any]:
    return [body["series"][0]["values"][0][1] for _, body in peer.requests]


async def test_forty_points_are_posted_one_at_a_time_in_order(peer: Peer) -> None:
    ctx = context()
    ex = executor(chain(node("http_post", f"{peer.url}/hook"), node("capture")), ctx)
    for i in range(40):
        ex.write(pt(fields={"value": float(i)}, t=T0 + i * S))
    # items pass on at once: the posts wait in the node's queue, not in the write
    assert len(captured(ex, "capture2")) == 40
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert values(peer) == [float(i) for i in range(40)]
    assert peer.most_in_flight == 1


async def test_code_field_items_pass_on_in_order_with_their_codes(peer: Peer) -> None:
    peer.status = 202
    ctx = context()
    ex = executor(chain(node("http_post", f"{peer.url}/hook", codeField="code"), node("capture")), ctx)
    for i in range(10):
        ex.write(pt(fields={"value": float(i)}, t=T0 + i * S))
    assert captured(ex, "capture2") == []
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert [p.fields for p in captured(ex, "capture2")] == [{"value": float(i), "code": 202} for i in range(10)]


async def test_the_url_is_a_template_rendered_per_point(peer: Peer) -> None:
    ctx = context()
    url = peer.url + '/{{ .Name }}/{{ index .Tags "host" }}/{{ (index .Values 0).value }}'
    ex = executor(chain(node("http_post", url), node("capture")), ctx)
    ex.write(pt(tags={"host": "a"}, fields={"value": 1.5}))
    ex.write(pt(name="mem", tags={"host": "b"}, fields={"value": 2.0}))
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert [path for path, _ in peer.requests] == ["/cpu/a/1.5", "/mem/b/2"]


async def test_an_endpoint_url_is_a_template_too(peer: Peer) -> None:
    config = FakeConfig(
        {"httppost": [{"endpoint": "hook", "url": peer.url + "/e/{{ .Name }}", "row-template": "{{ .Name }}!"}]}
    )
    ctx = context(config)
    ex = executor(chain(node("http_post", endpoint="hook"), node("capture")), ctx)
    ex.write(pt(name="disk"))
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert peer.requests == [("/e/disk", "disk!")]


async def test_a_url_template_that_fails_posts_nothing_and_gives_code_0(caplog: pytest.LogCaptureFixture) -> None:
    ctx = context()
    ex = executor(chain(node("http_post", "http://x/{{ .Nope }}", codeField="code"), node("capture")), ctx)
    ex.write(pt())
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert [p.fields for p in captured(ex, "capture2")] == [{"value": 1.0, "code": 0}]
    assert ex.stats()["node-stats"]["http_post1"]["errors"] == 1
    assert (
        "failed to POST data: failed to marshal row data json: failed to execute url template: template: body:1:12: "
        'executing "body" at <.Nope>: can\'t evaluate field Nope in type kapacitor.mappedRow'
    ) in caplog.text


async def test_a_row_template_that_fails_passes_the_item_on_with_code_0(peer: Peer) -> None:
    config = FakeConfig({"httppost": [{"endpoint": "hook", "url": peer.url, "row-template": "{{ .Nope }}"}]})
    ctx = context(config)
    ex = executor(chain(node("http_post", endpoint="hook", codeField="code"), node("capture")), ctx)
    ex.write(pt())
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert (peer.requests, [p.fields for p in captured(ex, "capture2")]) == ([], [{"value": 1.0, "code": 0}])


def test_a_url_template_that_does_not_parse_fails_the_start() -> None:
    with pytest.raises(TaskStartError) as info:
        executor(chain(node("http_post", "http://x/{{ .Name ")))
    assert str(info.value) == (
        "failed to create http_post1 node: error in url templating: failed to parse template: "
        "template: body:1: unclosed action"
    )


async def test_a_full_queue_refuses_the_item(peer: Peer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_post_module, "MAX_QUEUED", 2)
    peer.release.clear()
    ctx = context()
    ex = executor(chain(node("http_post", peer.url), node("capture")), ctx)
    for i in range(4):
        ex.write(pt(fields={"value": float(i)}))
        await asyncio.sleep(0)  # let the drain task take the first post
    await asyncio.sleep(0.05)
    # one in flight, two queued, the fourth refused
    assert ex.stats()["node-stats"]["http_post1"]["errors"] == 1
    assert [p.fields["value"] for p in captured(ex, "capture2")] == [0.0, 1.0, 2.0]
    peer.release.set()
    await settle(ctx)
    await ex.stop()
    await settle(ctx)
    assert values(peer) == [0.0, 1.0, 2.0]


def test_code_field_is_accepted_at_define_time() -> None:
    pipeline = build("stream\n    |from()\n        .measurement('cpu')\n    |httpPost('http://x/').codeField('code')\n")
    (spec,) = [n for n in pipeline.nodes if n.desc == "http_post"]
    assert (spec.args, spec.last("codeField")) == (("http://x/",), "code")
