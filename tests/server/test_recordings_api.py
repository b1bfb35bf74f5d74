"""Recordings and replays over the API: Kapacitor's bodies, answers and errors, a stream recorded from /write and
replayed into a copy of its task (same alerts as live, none delivered), and a query recording from a real influxd."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import stat
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import engine_of, stop_api
from tests.server.test_tasks_api import StartTasks, call, start_tasks
from tests.support.client import Client
from tests.support.influxd import Influxd
from tests.support.polling import eventually
from tests.support.sink import HttpSink
from tocsin.influxdb.querytext import rfc3339
from tocsin.wiring import tasks_of

__all__ = ["start_tasks"]

S = 1_000_000_000
API = "/kapacitor/v1"
RECORDING_KEYS = ["link", "id", "type", "size", "date", "error", "status", "progress"]
REPLAY_KEYS = [
    "link",
    "id",
    "recording",
    "task",
    "recording-time",
    "clock",
    "date",
    "error",
    "status",
    "progress",
    "stats",
]


def alert_script(url: str) -> str:
    return (
        "stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n"
        '    |alert()\n        .warn(lambda: "usage" > 50)\n        .crit(lambda: "usage" > 90)\n'
        f"        .post('{url}')\n"
    )


LINES = [(10, "a", 20), (9, "b", 60), (8, "a", 95), (7, "b", 40), (6, "a", 55), (5, "a", 10)]


async def make_task(api: Client, task_id: str, script: str, kind: str = "stream") -> None:
    body: dict[str, Any] = {"id": task_id, "type": kind, "script": script, "status": "enabled"}
    if "dbrp " not in script:
        body["dbrps"] = [{"db": "telegraf", "rp": "autogen"}]
    status, answer = await call(api, "POST", f"{API}/tasks", body)
    assert status == 200 and answer["error"] == "", answer


async def write(api: Client, lines: str) -> None:
    r = await api.post("/write", params={"db": "telegraf", "rp": "autogen"}, data=lines)
    assert r.status == 204, await r.text()


async def finished(api: Client, path: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        status, answer = await call(api, "GET", path)
        return answer if status == 200 else None

    result: dict[str, Any] = await eventually(done, within=15)
    return result


@pytest.fixture
async def sink() -> Any:
    server = await HttpSink().start()
    yield server
    await server.close()


async def test_stream_recording_replays_the_live_alerts_and_delivers_none(
    start_tasks: StartTasks, sink: HttpSink, tmp_path: Path
) -> None:
    api = await start_tasks()
    await make_task(api, "cpu", alert_script(sink.url))
    stop = time.time_ns() + 1 * S
    status, started = await call(
        api, "POST", f"{API}/recordings/stream", {"id": "rec1", "task": "cpu", "stop": rfc3339(stop)}
    )
    assert status == 201, started
    assert list(started) == RECORDING_KEYS
    assert {k: started[k] for k in ("link", "id", "type", "size", "error", "status", "progress")} == {
        "link": {"rel": "self", "href": f"{API}/recordings/rec1"},
        "id": "rec1",
        "type": "stream",
        "size": 0,
        "error": "",
        "status": "running",
        "progress": 0,
    }
    status, running = await call(api, "GET", f"{API}/recordings/rec1")
    assert (status, running["status"]) == (202, "running")
    now = time.time_ns()
    body = "\n".join(f"cpu,host={h} usage={v} {now - ago * S}" for ago, h, v in LINES)
    await write(api, body + "\nmem,host=a used=1 " + str(now))  # another measurement: not recorded
    # deliveries of different alert IDs may arrive in any order; the replay keeps the processing order
    live = sorted((r.json() for r in await sink.wait_for(5)), key=lambda a: a["time"])
    recording = await finished(api, f"{API}/recordings/rec1")
    assert (recording["status"], recording["progress"], recording["error"]) == ("finished", 1, "")
    path = tmp_path / "replay" / "rec1.srpl"
    assert recording["size"] == path.stat().st_size > 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    entries = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert entries[:3] == ["telegraf", "autogen", f"cpu,host=a usage=20.0 {now - 10 * S}"]
    assert len(entries) == 3 * len(LINES)

    status, replay = await call(
        api, "POST", f"{API}/replays", {"id": "rp1", "task": "cpu", "recording": "rec1", "recording-time": True}
    )
    assert status == 201, replay
    assert list(replay) == REPLAY_KEYS
    assert {k: replay[k] for k in ("recording", "task", "recording-time", "clock", "status", "stats")} == {
        "recording": "rec1",
        "task": "cpu",
        "recording-time": True,
        "clock": "fast",
        "status": "running",
        "stats": {"task-stats": None, "node-stats": None},
    }
    done = await finished(api, f"{API}/replays/rp1")
    assert (done["status"], done["error"], done["progress"]) == ("finished", "", 1)
    assert done["stats"]["node-stats"]["alert2"]["alerts_triggered"] == len(live)
    status, result = await call(api, "GET", f"{API}/replays/rp1/result")
    assert status == 200
    assert [a["alert"] for a in result["alerts"]] == live
    assert {a["topic"] for a in result["alerts"]} == {"main:cpu:alert2"}
    await asyncio.sleep(0.3)
    assert len(sink.requests) == len(live)  # the replay's alerts went to no handler

    # without recording-time, the first point lands at the replay's start and the spacing stays
    before = time.time_ns()
    status, _ = await call(api, "POST", f"{API}/replays", {"id": "rp2", "task": "cpu", "recording": "rec1"})
    assert status == 201
    await finished(api, f"{API}/replays/rp2")
    status, shifted = await call(api, "GET", f"{API}/replays/rp2/result")
    times = [a["alert"]["time"] for a in shifted["alerts"]]
    assert [a["alert"]["level"] for a in shifted["alerts"]] == [a["level"] for a in live]
    assert all(t >= rfc3339(before)[:19] for t in times)
    await asyncio.sleep(0.1)
    assert len(sink.requests) == len(live)


async def test_lists_newest_first_with_fields_and_kapacitor_errors(start_tasks: StartTasks, sink: HttpSink) -> None:
    api = await start_tasks()
    await make_task(api, "cpu", alert_script(sink.url))
    past = rfc3339(time.time_ns() - S)
    for rid in ("r-a", "r-b"):
        status, _ = await call(api, "POST", f"{API}/recordings/stream", {"id": rid, "task": "cpu", "stop": past})
        assert status == 201
    await finished(api, f"{API}/recordings/r-a")
    await finished(api, f"{API}/recordings/r-b")
    status, listed = await call(api, "GET", f"{API}/recordings", fields="status")
    assert status == 200
    assert listed == {
        "recordings": [
            {"id": "r-b", "link": {"rel": "self", "href": f"{API}/recordings/r-b"}, "status": "finished"},
            {"id": "r-a", "link": {"rel": "self", "href": f"{API}/recordings/r-a"}, "status": "finished"},
        ]
    }
    status, listed = await call(api, "GET", f"{API}/recordings", pattern="*-a")
    assert [list(r) for r in listed["recordings"]] == [sorted(RECORDING_KEYS)]
    assert await call(api, "GET", f"{API}/recordings", fields="nope") == (
        400,
        {"error": 'unsupported field "nope"', "message": 'unsupported field "nope"'},
    )
    assert (await call(api, "GET", f"{API}/recordings", offset="x"))[0] == 400

    async def error(method: str, path: str, body: Any = None) -> tuple[int, str]:
        status, answer = await call(api, method, path, body)
        return status, answer["error"]

    assert await error("POST", f"{API}/recordings/stream", {"id": "a/b", "task": "cpu"}) == (
        400,
        "recording ID must contain only letters, numbers, '-', '.' and '_'. \"a/b\"",
    )
    assert await error("POST", f"{API}/recordings/stream", {"task": "nope"}) == (404, "no task exists")
    assert await error("POST", f"{API}/recordings/batch", {"task": "cpu"}) == (400, "must provide start time")
    assert await error("POST", f"{API}/recordings/query", {"type": "stream"}) == (400, "must provide query")
    assert await error("POST", f"{API}/recordings/stream", {"id": "r-a", "task": "cpu"}) == (
        500,
        "recording already exists",
    )
    assert await error("GET", f"{API}/recordings/nope") == (500, "error finding recording: no recording exists")
    assert await error("GET", f"{API}/replays/nope") == (404, "could not find replay: no replay exists")
    assert await error("POST", f"{API}/replays", {"task": "nope", "recording": "r-a"}) == (
        404,
        "task load: no task exists",
    )
    assert await error("POST", f"{API}/replays", {"task": "cpu", "recording": "nope"}) == (
        404,
        "recording not found: no recording exists",
    )
    assert await error("POST", f"{API}/replays/batch", {"task": "cpu"}) == (
        400,
        "cannot replay batch against stream task: cpu",
    )
    assert await error("POST", f"{API}/replays/query", {"task": "cpu"}) == (400, "must provide query")

    status, _ = await call(api, "POST", f"{API}/replays", {"id": "x1", "task": "cpu", "recording": "r-a"})
    await finished(api, f"{API}/replays/x1")
    status, replays = await call(api, "GET", f"{API}/replays")
    assert [list(r) for r in replays["replays"]] == [sorted(REPLAY_KEYS[:-1])]
    assert (await call(api, "DELETE", f"{API}/replays/x1"))[0] == 204
    assert (await call(api, "DELETE", f"{API}/replays/x1"))[0] == 204
    assert (await call(api, "DELETE", f"{API}/recordings/r-a"))[0] == 204
    assert (await call(api, "GET", f"{API}/recordings"))[1]["recordings"][0]["id"] == "r-b"
    assert (await call(api, "GET", f"{API}/replays"))[1] == {"replays": []}


async def test_a_recording_stops_failed_at_its_size_limit(
    start_tasks: StartTasks, sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tocsin.tasks.recordings.MAX_BYTES", 100)
    api = await start_tasks()
    await make_task(api, "cpu", alert_script(sink.url))
    stop = rfc3339(time.time_ns() + 60 * S)
    await call(api, "POST", f"{API}/recordings/stream", {"id": "big", "task": "cpu", "stop": stop})
    now = time.time_ns()
    await write(api, "\n".join(f"cpu,host=a usage={i} {now + i}" for i in range(20)))
    recording = await finished(api, f"{API}/recordings/big")
    assert recording["status"] == "failed"
    assert recording["error"] == "recording stopped at its size limit: more than 100 bytes of data"
    assert not tasks_of(engine_of(api)).runtime.captures


async def test_running_work_is_failed_after_a_restart_and_dropped_files_are_found(
    start_tasks: StartTasks, sink: HttpSink, tmp_path: Path
) -> None:
    api = await start_tasks()
    await make_task(api, "cpu", alert_script(sink.url))
    stop = rfc3339(time.time_ns() + 600 * S)
    await call(api, "POST", f"{API}/recordings/stream", {"id": "long", "task": "cpu", "stop": stop})
    await stop_api(api)
    (tmp_path / "replay" / "dropped.srpl").write_bytes(gzip.compress(b"telegraf\nautogen\ncpu,host=a usage=1 1\n"))
    api = await start_tasks()
    status, long = await call(api, "GET", f"{API}/recordings/long")
    assert (status, long["status"], long["error"]) == (200, "failed", "unexpected Kapacitor shutdown")
    status, dropped = await call(api, "GET", f"{API}/recordings/dropped")
    assert (status, dropped["status"], dropped["type"]) == (200, "finished", "stream")


QUERY_SCRIPT = (
    "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 30)\n"
    "        .post('{url}')\n"
)


async def test_a_query_recording_from_influxd_replays_into_a_stream_task(
    start_tasks: StartTasks, influxd: Influxd, sink: HttpSink
) -> None:
    influxd.query('CREATE DATABASE "telegraf"')
    now = (time.time_ns() // S) * S
    influxd.write(
        "telegraf", "\n".join(f"cpu,host=a usage_idle={v} {now - (5 - i) * S}" for i, v in enumerate((80, 20, 90, 10)))
    )
    conf = f'[[influxdb]]\n  name = "local"\n  urls = ["{influxd.url}"]\n  disable-subscriptions = true\n'
    api = await start_tasks(conf)
    await make_task(api, "idle", QUERY_SCRIPT.format(url=sink.url))
    query = 'SELECT usage_idle FROM "telegraf"."autogen"."cpu" WHERE time > now() - 1h'
    status, rec = await call(api, "POST", f"{API}/recordings/query", {"id": "q1", "query": query, "type": "stream"})
    assert status == 201, rec
    rec = await finished(api, f"{API}/recordings/q1")
    assert (rec["status"], rec["error"]) == ("finished", "")
    status, _ = await call(
        api, "POST", f"{API}/replays", {"id": "qr", "task": "idle", "recording": "q1", "recording-time": True}
    )
    assert status == 201
    assert (await finished(api, f"{API}/replays/qr"))["status"] == "finished"
    status, result = await call(api, "GET", f"{API}/replays/qr/result")
    alerts = [a["alert"] for a in result["alerts"]]
    assert [(a["level"], a["time"]) for a in alerts] == [
        ("CRITICAL", rfc3339(now - 4 * S)),
        ("OK", rfc3339(now - 3 * S)),
        ("CRITICAL", rfc3339(now - 2 * S)),
    ]
    assert alerts[0]["data"]["series"][0]["values"] == [[rfc3339(now - 4 * S), 20]]
    assert sink.requests == []

    # a batch recording of the query, replayed live into nothing but a copy
    status, rec = await call(api, "POST", f"{API}/recordings/query", {"id": "q2", "query": query, "type": "batch"})
    assert (await finished(api, f"{API}/recordings/q2"))["status"] == "finished"
    unqualified = {"id": "q3", "query": "SELECT usage_idle FROM cpu", "type": "stream"}
    status, _ = await call(api, "POST", f"{API}/recordings/query", unqualified)
    failed = await finished(api, f"{API}/recordings/q3")
    assert failed["error"] == "could not determine database and retention policy. Is the query fully qualified?"
    status, live = await call(api, "POST", f"{API}/replays/query", {"id": "lq", "task": "idle", "query": query})
    assert (status, live["recording"]) == (201, "")
    assert (await finished(api, f"{API}/replays/lq"))["status"] == "finished"
    assert len((await call(api, "GET", f"{API}/replays/lq/result"))[1]["alerts"]) == 3
    assert sink.requests == []


BATCH_SCRIPT = (
    'dbrp "telegraf"."autogen"\n\nbatch\n    |query(\'SELECT mean(usage_idle) FROM "telegraf"."autogen"."cpu"\')\n'
    '        .period(10s)\n        .every(10s)\n        .align()\n    |alert()\n        .crit(lambda: "mean" < 50)\n'
    "        .post('{url}')\n"
)


async def test_a_batch_recording_runs_the_task_queries_over_the_range(
    start_tasks: StartTasks, influxd: Influxd, sink: HttpSink, tmp_path: Path
) -> None:
    influxd.query('CREATE DATABASE "telegraf"')
    base = (time.time_ns() // (10 * S)) * 10 * S - 60 * S
    influxd.write(
        "telegraf", "\n".join(f"cpu,host=a usage_idle={v} {base + i * 10 * S + S}" for i, v in enumerate((90, 20, 80)))
    )
    conf = f'[[influxdb]]\n  name = "local"\n  urls = ["{influxd.url}"]\n  disable-subscriptions = true\n'
    api = await start_tasks(conf)
    status, answer = await call(api, "POST", f"{API}/tasks", {"id": "b", "script": BATCH_SCRIPT.format(url=sink.url)})
    assert status == 200, answer
    body = {"id": "b1", "task": "b", "start": rfc3339(base), "stop": rfc3339(base + 30 * S)}
    status, rec = await call(api, "POST", f"{API}/recordings/batch", body)
    assert status == 201, rec
    rec = await finished(api, f"{API}/recordings/b1")
    assert (rec["status"], rec["type"]) == ("finished", "batch"), rec
    with zipfile.ZipFile(tmp_path / "replay" / "b1.brpl") as archive:
        assert archive.namelist() == ["0"]
        assert len(archive.read("0").splitlines()) == 3
    status, _ = await call(
        api, "POST", f"{API}/replays", {"id": "br", "task": "b", "recording": "b1", "recording-time": True}
    )
    assert (await finished(api, f"{API}/replays/br"))["status"] == "finished"
    alerts = [a["alert"] for a in (await call(api, "GET", f"{API}/replays/br/result"))[1]["alerts"]]
    # the alert node's times, as live: the row's time when it fires, the batch's (the run's stop) when it recovers
    assert [(a["level"], a["time"]) for a in alerts] == [
        ("CRITICAL", rfc3339(base + 10 * S)),
        ("OK", rfc3339(base + 30 * S)),
    ]
    assert [a["data"]["series"][0]["values"][0][1] for a in alerts] == [20, 80]
    assert sink.requests == []


def _untimed(task: dict[str, Any]) -> dict[str, Any]:
    """The task object with its measured execution times (which vary run to run) set to 0."""
    stats = {
        **task["stats"],
        "node-stats": {n: {**v, "avg_exec_time_ns": 0} for n, v in task["stats"]["node-stats"].items()},
    }
    return {**task, "stats": stats, "dot": re.sub(r'avg_exec_time_ns="[^"]*"', 'avg_exec_time_ns="0s"', task["dot"])}


async def test_a_task_is_shown_as_it_runs_inside_a_running_replay(start_tasks: StartTasks, sink: HttpSink) -> None:
    api = await start_tasks()
    await make_task(api, "cpu", alert_script(sink.url))
    await make_task(api, "other", alert_script(sink.url))
    stop = time.time_ns() + S // 2
    await call(api, "POST", f"{API}/recordings/stream", {"id": "r", "task": "cpu", "stop": rfc3339(stop)})
    now = time.time_ns()
    await write(api, f"cpu,host=a usage=95 {now - 60 * S}\ncpu,host=a usage=10 {now}")
    assert (await finished(api, f"{API}/recordings/r"))["status"] == "finished"
    # on the real clock the second point comes 60s after the first: the replay keeps running meanwhile
    status, _ = await call(
        api, "POST", f"{API}/replays", {"id": "slow", "task": "cpu", "recording": "r", "clock": "real"}
    )
    assert status == 201

    async def first_point_in() -> dict[str, Any] | None:
        status, answer = await call(api, "GET", f"{API}/tasks/cpu", **{"replay-id": "slow"})
        assert status in (200, 400), answer
        return answer if status == 200 and answer["stats"]["node-stats"]["alert2"]["collected"] == 1 else None

    inside = await eventually(first_point_in, within=10)
    status, live = await call(api, "GET", f"{API}/tasks/cpu")
    assert (status, live["stats"]["node-stats"]["alert2"]["collected"]) == (200, 2)  # the live task saw both
    cores = {"avg_exec_time_ns": 0, "collected": 1, "emitted": 1, "errors": 0, "working_cardinality": 0}
    alert = {
        "alerts_inhibited": 0,
        "alerts_triggered": 1,
        "avg_exec_time_ns": 0,
        "collected": 1,
        "crits_triggered": 1,
        "emitted": 0,
        "errors": 0,
        "infos_triggered": 0,
        "oks_triggered": 0,
        "warns_triggered": 0,
        "working_cardinality": 1,
    }
    assert _untimed(inside) == {
        **live,
        "executing": True,
        "stats": {"task-stats": {"throughput": 0.0}, "node-stats": {"stream0": cores, "from1": cores, "alert2": alert}},
        "dot": (
            'digraph cpu {\ngraph [throughput="0.00 points/s"];\n\n'
            'stream0 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
            'stream0 -> from1 [processed="1"];\n\n'
            'from1 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
            'from1 -> alert2 [processed="1"];\n\n'
            'alert2 [alerts_inhibited="0" alerts_triggered="1" avg_exec_time_ns="0s" crits_triggered="1" errors="0" '
            'infos_triggered="0" oks_triggered="0" warns_triggered="0" working_cardinality="1" ];\n}'
        ),
    }

    async def error(task: str, replay: str) -> tuple[int, Any]:
        return await call(api, "GET", f"{API}/tasks/{task}", **{"replay-id": replay})

    def kapacitor(text: str) -> tuple[int, Any]:
        return 400, {"error": text, "message": text}

    assert await error("other", "slow") == kapacitor("replay slow is not for task: other")
    assert await error("cpu", "nope") == kapacitor("no running replay with ID: nope")
    assert (await error("nope", "slow"))[0] == 404
    status, _ = await call(api, "POST", f"{API}/replays", {"id": "fast", "task": "cpu", "recording": "r"})
    assert (await finished(api, f"{API}/replays/fast"))["status"] == "finished"
    assert await error("cpu", "fast") == kapacitor("no running replay with ID: fast")
    assert (await call(api, "DELETE", f"{API}/replays/slow"))[0] == 204
    assert await error("cpu", "slow") == kapacitor("no running replay with ID: slow")
