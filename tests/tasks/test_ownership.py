"""Two engines on one PostgreSQL database: a task created on one is known on both within a second, runs on
exactly one (its lease holder), has its handlers on both, and moves with its alert state on a graceful stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.engines import soon, two_engines
from tests.support.sink import HttpSink
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.points import Point
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble, tasks_of

CONF = 'data_dir = "{dir}"\nhostname = "localhost"\n[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\n'
SCRIPT = (
    "stream|from().measurement('cpu').groupBy('host')"
    '|alert().crit(lambda: "idle_usage" < 10).stateChangesOnly().id(\'{{ index .Tags "host" }}\')'
    ".post('URL')"
)
NS = 1_000_000_000


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[tuple[Engine, Engine]]:
    async with two_engines(CONF.format(dir=tmp_path), "?lease=1s") as pair:
        yield pair


def _point(value: float, t: int) -> Point:
    return Point(
        name="cpu", tags={"host": "a"}, fields={"idle_usage": value}, time=t * NS, database="db", retention_policy="rp"
    )


def _body(url: str, status: str = "enabled") -> dict[str, Any]:
    return {"id": "cpu", "script": SCRIPT.replace("URL", url), "status": status, "dbrps": [{"db": "db", "rp": "rp"}]}


def _executing(*engines: Engine) -> list[bool]:
    return [tasks_of(e).runtime.is_executing("cpu") for e in engines]


async def test_a_task_made_on_one_is_known_on_both_and_runs_on_one(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    created = await tasks_of(a).create_task(_body("http://127.0.0.1:1/x"))
    assert (created["executing"], created["error"]) == (True, "")
    await soon(lambda: "cpu" in tasks_of(b).tasks)
    assert tasks_of(b).get_task("cpu", {})["script"] == created["script"]
    assert _executing(a, b) == [True, False]
    # the handlers are on both, so that either may deliver what it claims
    assert [h.key for h in a.handlers.owned_by("cpu")] == [h.key for h in b.handlers.owned_by("cpu")] != []

    await tasks_of(b).update_task("cpu", {"status": "disabled"})
    await soon(lambda: not tasks_of(a).runtime.is_executing("cpu") and a.handlers.owned_by("cpu") == [])
    assert tasks_of(a).tasks["cpu"].status == "disabled"
    await tasks_of(b).update_task("cpu", {"status": "enabled"})
    await soon(lambda: _executing(a, b).count(True) == 1)
    await soon(lambda: a.handlers.owned_by("cpu") != [] and b.handlers.owned_by("cpu") != [])
    await tasks_of(b).delete_task("cpu")
    await soon(lambda: "cpu" not in tasks_of(a).tasks and a.handlers.owned_by("cpu") == [])
    assert _executing(a, b) == [False, False]
    assert b.handlers.owned_by("cpu") == []


async def test_templates_made_on_one_are_known_on_the_other(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    await tasks_of(a).create_template({"id": "tpl", "script": "var x = 1\nstream|from().measurement('cpu')"})
    await soon(lambda: "tpl" in tasks_of(b).templates)
    await tasks_of(a).delete_template("tpl")
    await soon(lambda: "tpl" not in tasks_of(b).templates)


async def test_points_raise_an_alert_once_and_a_stop_hands_the_state_over(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    sink = await HttpSink().start()
    try:
        await tasks_of(a).create_task(_body(sink.url))
        await soon(lambda: b.handlers.owned_by("cpu") != [])
        for engine in (a, b):  # as an InfluxDB subscription with DESTINATIONS ALL
            await engine.write_points([_point(5, 10)])
        await sink.wait_for(1, within=5)
        await a.stop(0.5)
        await soon(lambda: tasks_of(b).runtime.is_executing("cpu"), within=2)
        await b.write_points([_point(6, 20)])  # still critical: stateChangesOnly keeps quiet
        await b.write_points([_point(50, 40)])
        await sink.wait_for(2, within=5)
        await asyncio.sleep(0.2)
        got = [(r.json()["level"], r.json()["duration"]) for r in sink.requests]
        assert got == [("CRITICAL", 0), ("OK", 30 * NS)]
    finally:
        await sink.close()


async def test_a_store_of_its_own_runs_every_task_here(tmp_path: Path) -> None:
    base = load_text(CONF.format(dir=tmp_path), "test.conf", environ={})
    engine = assemble(base, SqliteStore(str(tmp_path / "tocsin.db")))
    assert tasks_of(engine).ownership is None


DOWN = (
    "stream|from().measurement('up').groupBy('host')"
    "|alert().category('node').inhibit('db', 'host').crit(lambda: \"up\" == 0).id('down:{{ index .Tags \"host\" }}')"
    ".post('URL')"
)
DB = (
    "stream|from().measurement('db').groupBy('host')"
    "|alert().category('db').crit(lambda: \"errors\" > 0).id('db:{{ index .Tags \"host\" }}').post('URL')"
)


def _task(task_id: str, script: str, url: str) -> dict[str, Any]:
    return {
        "id": task_id,
        "script": script.replace("URL", url),
        "status": "enabled",
        "dbrps": [{"db": "db", "rp": "rp"}],
    }


async def test_an_alert_raised_on_one_instance_inhibits_alerts_on_the_other(engines: tuple[Engine, Engine]) -> None:
    a, b = engines
    sink = await HttpSink().start()
    try:
        await tasks_of(a).create_task(_task("down", DOWN, sink.url))  # runs where it was made: on a
        await tasks_of(b).create_task(_task("db", DB, sink.url))  # and this one on b
        await soon(lambda: tasks_of(a).runtime.is_executing("down") and tasks_of(b).runtime.is_executing("db"))
        assert not tasks_of(b).runtime.is_executing("down") and not tasks_of(a).runtime.is_executing("db")

        def point(name: str, field: str, value: int, t: int) -> Point:
            tags = {"host": "db3"}
            return Point(name=name, tags=tags, fields={field: value}, time=t * NS, database="db", retention_policy="rp")

        await a.write_points([point("up", "up", 0, 10)])  # db3 is down: inhibits the db category, for host db3
        await sink.wait_for(1, within=5)
        inhibitors = tasks_of(b).runtime.inhibitors
        await soon(lambda: inhibitors.inhibited("db", {"host": "db3"}), within=3)
        await b.write_points([point("db", "errors", 5, 11)])  # raised on b while a's alert holds: inhibited
        await asyncio.sleep(0.3)
        await b.wait_idle()
        assert [r.json()["id"] for r in sink.requests] == ["down:db3"]

        await a.write_points([point("up", "up", 1, 20)])  # db3 is back
        await sink.wait_for(2, within=5)
        await soon(lambda: not inhibitors.inhibited("db", {"host": "db3"}), within=3)
        await b.write_points([point("db", "errors", 7, 21)])
        await sink.wait_for(3, within=5)
        assert [(r.json()["id"], r.json()["level"]) for r in sink.requests] == [
            ("down:db3", "CRITICAL"),
            ("down:db3", "OK"),
            ("db:db3", "CRITICAL"),
        ]
    finally:
        await sink.close()
