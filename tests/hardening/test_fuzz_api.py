"""Random inputs to every body-taking route: each gets a 2xx or a 4xx with a message, never a 500, and a rejected
write leaves the stored state unchanged. The server runs on its own thread so hypothesis can drive it synchronously.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.gotemplate import Template, TemplateError
from tocsin.handlers.registry import all_kinds
from tocsin.server.app import build_app
from tocsin.store.sqlite import SqliteStore

EXAMPLES = 250
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
HANDLERS = "/kapacitor/v1/alerts/topics/fuzz/handlers"
KINDS = sorted(k.name for k in all_kinds())
RAN: dict[str, int] = {}  # inputs each property saw (reported by the wrappers' asserts)

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


class Live:
    """A server on a background event loop, called synchronously."""

    def __init__(self, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client: TestClient = self._run(self._start(data_dir))

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    async def _start(self, data_dir: Path) -> TestClient:
        base = load_text(f'data_dir = "{data_dir}"\n[exec]\nallowed-commands = ["/bin/true"]\n', "f.conf", environ={})
        self.engine = Engine(base, SqliteStore(str(data_dir / "tocsin.db")))
        await self.engine.start()
        client = TestClient(TestServer(build_app(self.engine)))
        await client.start_server()
        return client

    def call(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        async def go() -> tuple[int, str]:
            resp = await self.client.request(method, path, data=body)
            return resp.status, await resp.text()

        result: tuple[int, str] = self._run(go())
        return result

    def stop(self) -> None:
        async def go() -> None:
            await self.client.close()
            await self.engine.stop(0.1)

        self._run(go())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    server = Live(tmp_path_factory.mktemp("fuzz"))
    status, _ = server.call("POST", HANDLERS, json.dumps({"id": "base", "kind": "tcp", "options": {"address": "x:1"}}))
    assert status == 200
    yield server
    server.stop()


def rejected_cleanly(name: str, status: int, text: str, accepted: tuple[int, ...]) -> bool:
    """Count the input; a rejection must be a 4xx whose JSON body says why."""
    RAN[name] = RAN.get(name, 0) + 1
    assert status < 500, text
    if status in accepted:
        return False
    assert 400 <= status < 500, (status, text)
    body = json.loads(text)
    assert isinstance(body["error"], str) and body["error"] and body["message"] == body["error"]
    return True


def snapshot(live: Live, path: str) -> str:
    status, text = live.call("GET", path)
    assert status == 200
    return text


_MATCH_BITS = ["level() ", "== ", "CRITICAL ", '"host" ', "'a' ", "AND ", "OR ", "=~ ", "/x/ ", "( ", ") ",
               "changed() ", "!", "1.5 ", "-", "name() ", "duration(1s) "]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(_MATCH_BITS)).map("".join) | st.text(max_size=40))
def _match_expressions_over_http(live: Live, match: str) -> None:
    before = snapshot(live, HANDLERS)
    body = json.dumps({"id": "m", "kind": "tcp", "options": {"address": "x:1"}, "match": match})
    status, text = live.call("POST", HANDLERS, body)
    if rejected_cleanly("match", status, text, (200,)):
        assert snapshot(live, HANDLERS) == before
    else:
        assert live.call("DELETE", HANDLERS + "/m")[0] == 204


@FUZZ
@given(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["h", "base", "", "a b"]), "kind": st.sampled_from([*KINDS, "nope"])},
        optional={"options": st.dictionaries(st.text(max_size=12), json_values, max_size=5), "match": scalars},
    )
    | json_values
)
def _handler_bodies(live: Live, body: Any) -> None:
    before = snapshot(live, HANDLERS)
    status, text = live.call("POST", HANDLERS, json.dumps(body))
    if rejected_cleanly("handler", status, text, (200,)):
        assert snapshot(live, HANDLERS) == before
    else:
        assert live.call("DELETE", HANDLERS + "/" + body["id"])[0] == 204


@FUZZ
@given(
    st.sampled_from(["slack", "smtp", "pagerduty", "httppost", "exec", "http", "nope"]),
    st.dictionaries(st.sampled_from(["set", "delete", "add", "remove", "x"]), json_values, max_size=3) | json_values,
)
def _config_bodies(live: Live, section: str, body: Any) -> None:
    before = snapshot(live, "/kapacitor/v1/config")
    status, text = live.call("POST", f"/kapacitor/v1/config/{section}", json.dumps(body))
    if rejected_cleanly("config", status, text, (204,)):
        assert snapshot(live, "/kapacitor/v1/config") == before


patch_ops = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "bad"]),
     "path": st.sampled_from(["/id", "/kind", "/options", "/options/address", "/match", "/x", "", "/options/-"])},
    optional={"value": json_values, "from": st.sampled_from(["/id", "/options", "/nope"])},
)  # fmt: skip


@FUZZ
@given(st.lists(patch_ops, max_size=3) | json_values)
def _json_patch_bodies(live: Live, patch: Any) -> None:
    before = snapshot(live, HANDLERS)
    status, text = live.call("PATCH", HANDLERS + "/base", json.dumps(patch))
    if rejected_cleanly("patch", status, text, (200,)):
        assert snapshot(live, HANDLERS) == before
    else:
        restore = {"id": "base", "kind": "tcp", "options": {"address": "x:1"}}
        new_id = json.loads(text)["id"]
        assert live.call("DELETE", HANDLERS + "/" + new_id)[0] == 204
        if new_id != "base":
            assert live.call("DELETE", HANDLERS + "/base")[0] == 204
        assert live.call("POST", HANDLERS, json.dumps(restore))[0] == 200


events = st.fixed_dictionaries(
    {"topic": st.sampled_from(["fuzz", "t:1", "", "a b"]), "id": st.text(max_size=8)},
    optional={"level": st.sampled_from(["OK", "INFO", "WARNING", "CRITICAL", "nope", 3]) | scalars,
              "message": scalars, "details": scalars, "time": scalars, "tags": json_values, "fields": json_values},
)  # fmt: skip


@FUZZ
@given(st.lists(events, max_size=3) | events | json_values | st.text(max_size=30).map(lambda t: ("raw", t)))
def _intake_bodies(live: Live, body: Any) -> None:
    before = snapshot(live, "/kapacitor/v1/alerts/topics")
    raw = body[1] if isinstance(body, tuple) else json.dumps(body)
    status, text = live.call("POST", "/tocsin/v1/events", raw)
    if rejected_cleanly("intake", status, text, (202,)):
        assert snapshot(live, "/kapacitor/v1/alerts/topics") == before


_TEMPLATE_BITS = ["{{", "}}", "{{-", "-}}", ".", ".ID", ".Tags.host", "range", "end", "if", "else", "with", "$x",
                  ":=", "|", "printf", '"%d"', "index", "len", "1", "nil", "(", ")", "define", "template", '"t"',
                  "block", "/*", "*/", "and", "or", "not", "eq", "call", " ", "x"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TEMPLATE_BITS), max_size=16).map("".join) | st.text(max_size=40), json_values)
def _go_templates(text: str, data: Any) -> None:
    RAN["template"] = RAN.get("template", 0) + 1
    with contextlib.suppress(TemplateError):
        Template.parse("t", text).execute({"ID": "a", "Tags": {"host": "h"}, "Data": data})


def test_go_templates_raise_only_template_errors() -> None:
    RAN.pop("template", None)
    _go_templates()
    assert RAN["template"] >= 200, RAN


def test_match_expressions_over_http(live: Live) -> None:
    RAN.pop("match", None)
    _match_expressions_over_http(live)
    assert RAN["match"] >= 100, RAN


def test_handler_bodies(live: Live) -> None:
    RAN.pop("handler", None)
    _handler_bodies(live)
    assert RAN["handler"] >= 100, RAN


def test_config_bodies(live: Live) -> None:
    RAN.pop("config", None)
    _config_bodies(live)
    assert RAN["config"] >= 100, RAN


def test_json_patch_bodies(live: Live) -> None:
    RAN.pop("patch", None)
    _json_patch_bodies(live)
    assert RAN["patch"] >= 100, RAN


def test_intake_bodies(live: Live) -> None:
    RAN.pop("intake", None)
    _intake_bodies(live)
    assert RAN["intake"] >= 100, RAN
