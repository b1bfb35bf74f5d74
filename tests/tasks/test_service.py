"""TaskService without HTTP: the write path, starting tasks on open, start errors, and an alert end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import FAST_RETRY
from tests.support.sink import HttpSink
from tocsin.alert.event import Event
from tocsin.alert.topics import Derive
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.points import Point
from tocsin.store.sqlite import SqliteStore
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.service import TaskService
from tocsin.wiring import assemble, tasks_of

SEED = (
    "stream|from().measurement('cpu')|alert().crit(lambda: \"idle_usage\" < 10)"
    ".message('You better check your CPU usage.').slack()"
)
StartService = Callable[..., Awaitable[TaskService]]


@pytest.fixture
async def start_service(tmp_path: Path) -> AsyncIterator[StartService]:
    """Engines with a task service on one data directory; each start after a stop is a restart."""
    engines: list[Engine] = []

    async def start(conf: str = FAST_RETRY) -> TaskService:
        for engine in engines:
            await _stop(engine)
        base = load_text(f'data_dir = "{tmp_path}"\nhostname = "localhost"\n{conf}', "test.conf", environ={})
        engine = assemble(base, SqliteStore(str(tmp_path / "tocsin.db")))
        service = tasks_of(engine)
        await engine.start()
        engines.append(engine)
        return service

    yield start
    for engine in engines:
        await _stop(engine)


_stopped: set[int] = set()


async def _stop(engine: Engine) -> None:
    if id(engine) not in _stopped:
        _stopped.add(id(engine))
        await engine.stop(0.1)


def point(value: float, db: str = "db", rp: str = "rp", t: int = 1, name: str = "cpu") -> Point:
    return Point(
        name=name,
        tags={"host": "a"},
        fields={"idle_usage": value},
        time=t * 1_000_000_000,
        database=db,
        retention_policy=rp,
    )


def collected(service: TaskService, task_id: str) -> int:
    stats: dict[str, Any] = service.runtime.stats(task_id)
    count: int = stats["node-stats"]["stream0"]["collected"]
    return count


async def task(
    service: TaskService,
    task_id: str,
    script: str = "stream|from().measurement('cpu')",
    dbrps: tuple[tuple[str, str], ...] = (("db", "rp"),),
    status: str = "enabled",
) -> dict[str, Any]:
    return await service.create_task(
        {"id": task_id, "script": script, "status": status, "dbrps": [{"db": d, "rp": r} for d, r in dbrps]}
    )


async def test_points_reach_only_tasks_subscribed_to_their_dbrp(start_service: StartService) -> None:
    service = await start_service()
    await task(service, "a", dbrps=(("db", "rp"),))
    await task(service, "b", dbrps=(("db", "rp"), ("other", "autogen")))
    await task(service, "off", status="disabled")
    await service.write([point(1), point(2, db="other", rp="autogen"), point(3, rp="x")])
    assert (collected(service, "a"), collected(service, "b")) == (1, 2)
    assert service.runtime.stats("off") == {}


async def test_concurrent_writes_all_arrive(start_service: StartService) -> None:
    service = await start_service()
    await task(service, "a")
    await asyncio.gather(*(service.write([point(i, t=i), point(i, t=i + 1000)]) for i in range(50)))
    assert collected(service, "a") == 100


async def test_one_collect_per_write(start_service: StartService, monkeypatch: pytest.MonkeyPatch) -> None:
    service = await start_service()
    await task(service, "alerting", SEED)
    calls: list[list[tuple[Event, Derive]]] = []
    original = service.engine.collect

    async def recording(items: list[tuple[Event, Derive]]) -> int:
        calls.append(list(items))
        return await original(items)

    monkeypatch.setattr(service.engine, "collect", recording)
    await service.write([point(5, t=1), point(50, t=2), point(2, t=3)])
    await service.write([point(60, t=4)])
    assert [[(e.topic, e.level.name) for e, _ in items] for items in calls] == [
        [("main:alerting:alert2", "CRITICAL"), ("main:alerting:alert2", "OK"), ("main:alerting:alert2", "CRITICAL")],
        [("main:alerting:alert2", "OK")],
    ]


async def test_enabled_tasks_start_on_open(start_service: StartService) -> None:
    service = await start_service()
    await task(service, "on")
    await task(service, "off", status="disabled")
    service = await start_service()
    assert sorted(service.runtime.running) == ["on"]
    await service.write([point(1)])
    assert collected(service, "on") == 1


async def test_a_start_failure_is_500_and_the_task_error(start_service: StartService) -> None:
    service = await start_service()
    with pytest.raises(TaskApiError) as info:
        await task(service, "t", SEED.replace(".slack()", ".post()"))  # compiles, but the handler cannot exist
    assert (str(info.value), info.value.status) == (
        "invalid post handler: An appropriately formatted url must be specified if an endpoint is not specified",
        500,
    )
    got = service.get_task("t", {})
    assert (got["status"], got["executing"], got["error"]) == ("enabled", False, str(info.value))
    assert service.engine.handlers.owned_by("t") == []
    service = await start_service()  # a restart tries again, and the error stays
    assert service.get_task("t", {})["error"] == str(info.value)


async def test_slack_alert_then_recovery_end_to_end(start_service: StartService, sink: HttpSink) -> None:
    conf = f'{FAST_RETRY}[[slack]]\nenabled = true\ndefault = true\nurl = "{sink.url}/hook"\nchannel = "#ops"\n'
    service = await start_service(conf)
    await task(service, "cpu_alert", SEED)
    await service.write([point(5, t=1)])
    await service.write([point(7, t=2)])  # still critical: no new state change is needed for delivery
    await service.write([point(50, t=3)])
    got = await sink.wait_for(3)
    await service.engine.wait_idle()
    bodies = [r.json() for r in got]
    assert [(b["attachments"][0]["text"], b["attachments"][0]["color"]) for b in bodies] == [
        ("You better check your CPU usage.", "danger"),
        ("You better check your CPU usage.", "danger"),
        ("You better check your CPU usage.", "good"),
    ]
    assert all(b["channel"] == "#ops" for b in bodies)
