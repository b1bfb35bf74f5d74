from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tocsin.cli.record import human_bytes

from .fake_api import FakeApi, Run

RECORDINGS = "/kapacitor/v1/recordings"
REPLAYS = "/kapacitor/v1/replays"


def recording(rid: str, status: str = "finished", size: int = 1234, kind: str = "stream") -> dict[str, Any]:
    return {
        "link": {"rel": "self", "href": f"{RECORDINGS}/{rid}"},
        "id": rid,
        "type": kind,
        "size": size,
        "date": "2016-12-01T10:20:00Z",
        "error": "boom" if status == "failed" else "",
        "status": status,
        "progress": 1,
    }


def replay(rid: str, status: str = "finished", task: str = "cpu", rec: str = "r1") -> dict[str, Any]:
    return {
        "link": {"rel": "self", "href": f"{REPLAYS}/{rid}"},
        "id": rid,
        "task": task,
        "recording": rec,
        "recording-time": False,
        "clock": "fast",
        "date": "2016-12-01T10:20:00Z",
        "error": "",
        "status": status,
        "progress": 1,
        "stats": {"task-stats": None, "node-stats": None},
    }


def test_record_stream_posts_the_stop_and_prints_the_id_when_done(api: FakeApi, run: Run) -> None:
    api.on("POST", f"{RECORDINGS}/stream", recording("r1", "running"), 201)
    api.on("GET", f"{RECORDINGS}/r1", recording("r1"))
    result = run("record", "stream", "-task", "cpu", "-duration", "1m", "-recording-id", "r1")
    assert (result.code, result.out, result.err) == (0, "r1\n", "")
    sent = api.requests[0].json()
    assert list(sent) == ["id", "task", "stop"] and sent["task"] == "cpu"
    assert api.lines()[1] == f"GET {RECORDINGS}/r1"


def test_record_no_wait_and_failed_recordings(api: FakeApi, run: Run) -> None:
    api.on("POST", f"{RECORDINGS}/query", recording("q", "running"), 201)
    result = run("record", "query", "-query", "SELECT 1", "-type", "batch", "-no-wait")
    assert (result.code, result.out) == (0, "q\n")
    assert api.requests[0].json() == {"query": "SELECT 1", "type": "batch"}
    api.on("POST", f"{RECORDINGS}/batch", recording("b", "failed"), 201)
    result = run("record", "batch", "-task", "t", "-start", "2016-12-01T00:00:00Z", "-stop", "2016-12-02T00:00:00Z")
    assert (result.code, result.out, result.err) == (3, "b\n", "Error: boom\n")
    assert api.requests[-1].json() == {"task": "t", "start": "2016-12-01T00:00:00Z", "stop": "2016-12-02T00:00:00Z"}


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("record", "stream", "-task", "cpu"), 2, "both task and duration are required"),
        (("record", "batch", "-task", "cpu"), 2, "must set one of start or past flags."),
        (("record", "batch", "-task", "c", "-start", "2016-12-01T00:00:00Z", "-past", "1h"), 2, "cannot set both"),
        (("record", "query", "-query", "q"), 2, "both query and type are required"),
        (("record", "nope"), 3, "Unknown record type \"nope\", expected 'stream', 'batch' or 'query'"),
        (("replay", "-task", "cpu"), 2, "must pass recording ID"),
        (("replay", "-recording", "r"), 2, "must pass task ID"),
        (("replay-live", "query", "-task", "t"), 2, "both query and task are required"),
        (("replay-live", "stream"), 3, "Unknown replay-live type \"stream\", expected 'batch' or 'query'"),
    ],
)
def test_flag_errors(api: FakeApi, run: Run, argv: tuple[str, ...], code: int, message: str) -> None:
    result = run(*argv)
    assert result.code == code
    assert result.err.startswith(f"Error: {message}")
    assert api.requests == []


def test_replay_body_and_wait(api: FakeApi, run: Run) -> None:
    api.on("POST", REPLAYS, replay("p1", "running"), 201)
    api.on("GET", f"{REPLAYS}/p1", replay("p1"))
    result = run("replay", "-recording", "r1", "-task", "cpu", "-rec-time", "-real-clock")
    assert (result.code, result.out) == (0, "p1\n")
    assert api.requests[0].json() == {
        "id": "",
        "recording": "r1",
        "task": "cpu",
        "recording-time": True,
        "clock": "real",
    }


def test_replay_live_bodies(api: FakeApi, run: Run) -> None:
    api.on("POST", f"{REPLAYS}/query", replay("lq", rec=""), 201)
    api.on("POST", f"{REPLAYS}/batch", replay("lb", rec=""), 201)
    assert run("replay-live", "query", "-task", "t", "-query", "SELECT 1", "-cluster", "c").out == "lq\n"
    assert api.requests[0].json() == {
        "task": "t",
        "query": "SELECT 1",
        "cluster": "c",
        "recording-time": False,
        "clock": "fast",
    }
    result = run(
        "replay-live", "batch", "-task", "t", "-start", "2016-12-01T00:00:00Z", "-stop", "2016-12-01T01:00:00Z"
    )
    assert result.out == "lb\n"
    assert list(api.requests[1].json()) == ["task", "start", "stop", "recording-time", "clock"]


def test_list_recordings_golden(api: FakeApi, run: Run, local_tz: Callable[[str], None]) -> None:
    rows = [recording("a-long-recording-id", size=35_000_000), recording("b", "running", 5, "batch")]
    api.on("GET", RECORDINGS, {"recordings": rows})
    result = run("list", "recordings")
    assert result.out == (
        "ID                  Type    Status    Size      Date                   \n"
        "a-long-recording-id stream  finished  35 MB     01 Dec 16 10:20 UTC    \n"
        "b                   batch   running   5 B       01 Dec 16 10:20 UTC    \n"
    )
    assert api.lines() == [
        f"GET {RECORDINGS}?fields=type&fields=size&fields=date&fields=status&limit=100&offset=0&pattern="
    ]


def test_list_replays_golden(api: FakeApi, run: Run, local_tz: Callable[[str], None]) -> None:
    api.on("GET", REPLAYS, {"replays": [replay("p1", task="a-task"), replay("p-2", rec="")]})
    result = run("list", "replays", "p*")
    assert result.out == (
        "ID  Task   Recording Status   Clock   Date                   \n"
        "p1  a-task r1        finished fast    01 Dec 16 10:20 UTC    \n"
        "p-2 cpu              finished fast    01 Dec 16 10:20 UTC    \n"
    )
    assert api.requests[0].query["pattern"] == "p*"


def test_delete_recordings_and_replays(api: FakeApi, run: Run) -> None:
    api.on("GET", RECORDINGS, {"recordings": [{"link": {"rel": "self", "href": f"{RECORDINGS}/r1"}, "id": "r1"}]})
    api.on("DELETE", f"{RECORDINGS}/r1", None, 204)
    api.on("GET", REPLAYS, {"replays": []})
    assert run("delete", "recordings", "r*").code == 0
    assert run("delete", "replays", "x").code == 0
    assert api.lines() == [
        f"GET {RECORDINGS}?fields=link&limit=100&offset=0&pattern=r%2A",
        f"DELETE {RECORDINGS}/r1",
        f"GET {REPLAYS}?fields=link&limit=100&offset=0&pattern=x",
    ]


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (9, "9 B"), (10, "10 B"), (999, "999 B"), (1000, "1.0 kB"), (9949, "9.9 kB"), (35_000_000, "35 MB")],
)
def test_human_bytes_as_go_humanize(size: int, text: str) -> None:
    assert human_bytes(size) == text
