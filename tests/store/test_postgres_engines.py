"""Two engines on one PostgreSQL database: shared handler specs, overrides and topic states, and deliveries
claimed by one instance at a time, in order per alert ID, handed over on a graceful stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.support.engines import soon, two_engines
from tests.support.sink import HttpSink
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive
from tocsin.auth.directory import UserDirectory
from tocsin.engine.engine import Engine

CONF = 'data_dir = "{dir}"\n[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\n'


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[tuple[Engine, Engine]]:
    async with two_engines(CONF.format(dir=tmp_path)) as pair:
        yield pair


def _event(alert: str, n: int, level: Level = Level.CRITICAL) -> Event:
    return Event(topic="t", id=alert, level=level, time=n, message=f"{alert} {n}")


async def test_specs_overrides_and_states_made_on_one_apply_on_the_other(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    await a.create_handler("t", {"id": "h", "kind": "post", "options": {"url": "http://127.0.0.1:1/x"}})
    await soon(lambda: b.handlers.get("t", "h") is not None)
    await a.update_config("slack", None, True, {"set": {"enabled": True, "url": "https://hooks.example/x"}})
    await soon(lambda: (b.config.element("slack") or {}).get("enabled") is True)
    await a.collect([(_event("x", 1), Derive())])
    await soon(lambda: (t := b.topics.get("t")) is not None and "x" in t.events)
    assert b.topics.get("t").events["x"].level is Level.CRITICAL  # type: ignore[union-attr]
    # the next event, taken by b, derives its previous level from a's
    await b.collect([(_event("x", 2, Level.OK), Derive())])
    await soon(lambda: "x" not in a.topics.get("t").events)  # type: ignore[union-attr]
    await a.delete_handler("t", "h")
    await soon(lambda: b.handlers.get("t", "h") is None)
    await a.delete_topic("t")
    await soon(lambda: b.topics.get("t") is None)


async def test_deliveries_spread_over_both_in_order_and_a_stop_hands_over(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    sink = await HttpSink().start()
    try:
        await a.create_handler("t", {"id": "h", "kind": "post", "options": {"url": sink.url}})
        await soon(lambda: b.handlers.get("t", "h") is not None)
        for n in range(20):
            engine = (a, b)[n % 2]
            await engine.collect([(_event(f"a{i}", n), Derive()) for i in range(10)])
        await sink.wait_for(200, within=10)
        got: dict[str, list[int]] = {}
        for r in sink.requests:
            alert, n = r.json()["message"].split()
            got.setdefault(alert, []).append(int(n))
        assert got == {f"a{i}": list(range(20)) for i in range(10)}
        assert a.cluster is not None and b.cluster is not None
        assert a.cluster.claimer.claimed + b.cluster.claimer.claimed == 200

        sink.hang()
        await a.collect([(_event("late", 1), Derive())])
        await soon(lambda: len(sink.requests) == 201, within=5)
        holder, other = (a, b) if a.dispatcher.depth()[0] else (b, a)
        assert (holder.dispatcher.depth()[0], other.dispatcher.depth()[0]) == (1, 0)
        await holder.stop(0.1)
        sink.hang(False)
        await other.wait_idle()
        await sink.wait_for(202, within=10)
        assert [r.json()["message"] for r in sink.requests[200:]] == ["late 1", "late 1"]
    finally:
        await sink.close()


async def test_users_changed_through_one_apply_on_the_other(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    users_a, users_b = UserDirectory(a.store), UserDirectory(b.store)
    for engine, users in ((a, users_a), (b, users_b)):
        assert engine.cluster is not None
        engine.cluster.followers.append(users)
    assert await users_b.get("ann") is None  # cached on b before the change
    await users_a.create("ann", "s3cret", admin=False, permissions=["api"])
    await _soon_async(lambda: users_b.get("ann"))
    assert await users_b.authenticate("ann", "s3cret") is not None
    await users_a.delete("ann")
    await _soon_async(lambda: _absent(users_b, "ann"))
    assert await users_b.authenticate("ann", "s3cret") is None


async def _absent(users: UserDirectory, name: str) -> bool:
    return await users.get(name) is None


async def _soon_async(check: Callable[[], Awaitable[object]], within: float = 1.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        assert loop.time() < deadline, "not within the time allowed"
        await asyncio.sleep(0.01)


async def test_a_silence_made_on_one_holds_deliveries_taken_by_the_other(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    sink = await HttpSink().start()
    try:
        await a.create_handler("t", {"id": "h", "kind": "post", "options": {"url": sink.url}})
        await soon(lambda: b.handlers.get("t", "h") is not None)
        body = {
            "matchers": [{"name": "id", "value": "db3", "isRegex": False}],
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "2099-01-01T00:00:00Z",
        }
        silence = await a.save_silence(body, "ann")
        await soon(lambda: [s.id for s in b.list_silences()] == [silence.id])
        await b.collect([(_event("db3", 1), Derive()), (_event("web1", 1), Derive())])
        await sink.wait_for(1, within=5)
        await a.wait_idle()
        await b.wait_idle()
        assert [r.json()["id"] for r in sink.requests] == ["web1"]
        await a.expire_silence(silence.id, "ann")
        await soon(lambda: b.list_silences()[0].state(time.time_ns()) == "expired")
        await b.collect([(_event("other", 2), Derive()), (_event("db3", 2, Level.WARNING), Derive())])
        await sink.wait_for(3, within=5)
        assert [r.json()["id"] for r in sink.requests] == ["web1", "other", "db3"]
    finally:
        await sink.close()
