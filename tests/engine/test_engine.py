"""The engine on its own, without the task side: intake and fan-out, handler changes, restart, dry run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.support.sink import HttpSink
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.engine.errors import ConflictError, InvalidError, NotFoundError
from tocsin.store.base import DeliveryFilter
from tocsin.store.sqlite import SqliteStore

Open = Callable[[], Awaitable[Engine]]
FAST = '[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\nmax-attempts = 2\n'


@pytest.fixture
async def open_engine(tmp_path: Path) -> AsyncIterator[Open]:
    """Start engines on one SQLite file in tmp_path (the second one is a restart); stopped after the test."""
    engines: list[Engine] = []

    async def run() -> Engine:
        base = load_text(f'data_dir = "{tmp_path}"\n{FAST}', "test.conf", environ={})
        engine = Engine(base, SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        engines.append(engine)
        return engine

    yield run
    for engine in engines:
        await engine.stop(0.1)  # again for a restarted one: a second stop does nothing


def event(alert_id: str, level: Level = Level.CRITICAL, topic: str = "t", **tags: str) -> tuple[Event, Derive]:
    return Event(
        topic=topic, id=alert_id, level=level, time=1, message=f"{alert_id} is {level.name}", tags=tags
    ), Derive()


def post(handler_id: str, url: str, match: str = "") -> dict[str, object]:
    return {"id": handler_id, "kind": "post", "options": {"url": url}, "match": match}


async def test_an_event_reaches_the_matching_handlers_only(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("all", sink.url + "/all"))
    await engine.create_handler("t", post("web", sink.url + "/web", match="\"host\" == 'web'"))
    assert await engine.collect([event("a", host="db"), event("b", host="web")]) == 2
    await engine.wait_idle()
    got = sorted((r.path, r.json()["id"]) for r in sink.requests)
    assert got == [("/all", "a"), ("/all", "b"), ("/web", "b")]
    topic = engine.get_topic("t")
    assert {alert_id: state.level for alert_id, state in topic.events.items()} == {
        "a": Level.CRITICAL,
        "b": Level.CRITICAL,
    }
    rows = await engine.deliveries(DeliveryFilter(topic="t"))
    assert sorted((r.handler, r.alert_id, r.status.name) for r in rows) == [
        ("t/all", "a", "DELIVERED"),
        ("t/all", "b", "DELIVERED"),
        ("t/web", "b", "DELIVERED"),
    ]


async def test_patch_changes_options_and_renames(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("one", sink.url + "/one"))
    await engine.create_handler("t", post("two", sink.url + "/two"))
    patched = await engine.patch_handler(
        "t", "one", [{"op": "replace", "path": "/options/url", "value": sink.url + "/x"}]
    )
    assert patched.options == {"url": sink.url + "/x"}
    renamed = await engine.patch_handler("t", "one", [{"op": "replace", "path": "/id", "value": "uno"}])
    assert renamed.id == "uno"
    with pytest.raises(NotFoundError):
        engine.get_handler("t", "one")
    with pytest.raises(ConflictError) as err:
        await engine.patch_handler("t", "uno", [{"op": "replace", "path": "/id", "value": "two"}])
    assert str(err.value) == 'failed to update handler: cannot rename handler, handler with ID "two" already exists'
    with pytest.raises(InvalidError) as bad:
        await engine.patch_handler("t", "uno", {"op": "replace"})
    assert str(bad.value) == "invalid patch json: expected a JSON array of operations"
    await engine.collect([event("a")])
    await engine.wait_idle()
    assert sorted(r.path for r in sink.requests) == ["/two", "/x"]


async def test_a_restart_keeps_handlers_and_topic_state(open_engine: Open, sink: HttpSink) -> None:
    first = await open_engine()
    await first.create_handler("t", post("h", sink.url + "/h"))
    await first.collect([event("a"), event("b", Level.WARNING)])
    await first.wait_idle()
    await first.stop(0.1)
    again = await open_engine()
    assert again.get_handler("t", "h").options == {"url": sink.url + "/h"}
    assert {k: v.level for k, v in again.get_topic("t").events.items()} == {"a": Level.CRITICAL, "b": Level.WARNING}
    await again.collect([event("a", Level.OK)])
    await again.wait_idle()
    assert [r.json()["level"] for r in sink.requests] == ["CRITICAL", "WARNING", "OK"]
    assert again.points is None  # no task side attached: written points go nowhere
    await again.write_points([])


async def test_a_dry_run_changes_nothing(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    (result,) = await engine.dry_run([event("a")])
    (handler,) = result["handlers"]
    assert (handler["id"], handler["matched"], handler["request"]["url"]) == ("h", True, sink.url + "/h")
    assert engine.get_topic("t").events == {}
    assert await engine.deliveries(DeliveryFilter(topic="t")) == []
    assert sink.requests == []


async def test_deleting_a_handler_and_a_topic(open_engine: Open, sink: HttpSink) -> None:
    engine = await open_engine()
    await engine.create_handler("t", post("h", sink.url + "/h"))
    with pytest.raises(ConflictError):
        await engine.create_handler("t", post("h", sink.url + "/h"))
    await engine.delete_handler("t", "h")
    await engine.collect([event("a")])
    await engine.delete_topic("t")
    with pytest.raises(NotFoundError) as err:
        engine.get_topic("t")
    assert str(err.value) == 'unknown topic: "t"'
    assert sink.requests == []
