"""Recording files in Kapacitor's formats, the query-answer conversions, and the isolation of a replay's copy."""

from __future__ import annotations

import gzip
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from tests.support.sink import HttpSink
from tests.tasks.kit import FakeConfig
from tocsin.influxdb.client import Result, Series
from tocsin.points import Batch, BatchPoint, Dimensions, Point
from tocsin.tasks import recording_files as files
from tocsin.tasks.recording_sources import query_target, result_batches, result_points
from tocsin.tasks.replay_run import NOWHERE, ReplayCopy
from tocsin.tasks.scripts import compile_script

S = 1_000_000_000


def test_stream_file_is_kapacitors_gzip_of_db_rp_line_triples(tmp_path: Path) -> None:
    path = str(tmp_path / "r.srpl")
    points = [
        Point("cpu", {"host": "a b"}, {"v": 1.5, "n": 2, "s": "x"}, 5 * S, "db", "rp"),
        Point("mem", {}, {"used": True}, 6 * S, "db2", "autogen"),
        Point("odd", {}, {"s": "two\nlines"}, 7 * S, "db", "rp"),  # cannot be a line: left out
    ]
    files.write_stream(path, points)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert gzip.decompress(Path(path).read_bytes()).decode() == (
        f'db\nrp\ncpu,host=a\\ b v=1.5,n=2i,s="x" {5 * S}\ndb2\nautogen\nmem used=true {6 * S}\n'
    )
    back = files.read_stream(path)
    assert [(p.name, p.tags, p.fields, p.time, p.database, p.retention_policy) for p in back] == [
        ("cpu", {"host": "a b"}, {"v": 1.5, "n": 2, "s": "x"}, 5 * S, "db", "rp"),
        ("mem", {}, {"used": True}, 6 * S, "db2", "autogen"),
    ]


def test_a_truncated_stream_file_is_kapacitors_format_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.srpl"
    path.write_bytes(gzip.compress(b"db\nrp\n"))
    with pytest.raises(ValueError, match="invalid replay file format, expected another line"):
        files.read_stream(str(path))


def test_batch_file_is_a_zip_of_kapacitor_buffered_batch_json(tmp_path: Path) -> None:
    dims = Dimensions(("host",))
    batch = Batch(
        "cpu",
        10 * S,
        {"host": "a"},
        [BatchPoint(9 * S, {"mean": 35.0}, {"host": "a"})],
        group="host=a",
        dimensions=dims,
    )
    assert files.batch_json(batch) == {
        "name": "cpu",
        "tmax": "1970-01-01T00:00:10Z",
        "group": "host=a",
        "tags": {"host": "a"},
        "points": [{"fields": {"mean": 35.0}, "tags": {"host": "a"}, "time": "1970-01-01T00:00:09Z"}],
    }
    path = str(tmp_path / "b.brpl")
    files.write_batches(path, [[files.batch_line(batch)], []])
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["0", "1"]
        assert json.loads(archive.read("0")) == files.batch_json(batch)
    sources = files.read_batches(path)
    assert sources == [[batch], []]
    # Kapacitor's decoder: a row without tags takes the batch's, numbers are floats
    kapacitor = {
        "name": "m",
        "tmax": "1970-01-01T00:00:02Z",
        "tags": {"k": "v"},
        "points": [{"fields": {"x": 3}, "tags": None, "time": "1970-01-01T00:00:01Z"}],
    }
    decoded = files.batch_of(kapacitor)
    assert (decoded.group, decoded.points[0].tags, decoded.points[0].fields) == ("k=v", {"k": "v"}, {"x": 3.0})


def test_query_answers_become_time_ordered_points_or_batches() -> None:
    target = query_target('SELECT v FROM "db"."rp"."cpu" WHERE time > now() - 1h')
    assert (target.database, target.retention_policy) == ("db", "rp")
    results = [
        Result(
            (
                Series("cpu", {"host": "a"}, ("time", "v"), [[1, 1], [3, None], [5, 5]]),
                Series("cpu", {"host": "b"}, ("time", "v"), [[2, 2], [5, 6]]),
            )
        )
    ]
    points = result_points(results, target)
    assert [(p.time, p.tags["host"], p.fields) for p in points] == [
        (1, "a", {"v": 1.0}),
        (2, "b", {"v": 2.0}),
        (5, "a", {"v": 5.0}),
        (5, "b", {"v": 6.0}),
    ]
    assert {(p.database, p.retention_policy) for p in points} == {("db", "rp")}
    batches = result_batches(results)
    assert [(b.time, b.group, len(b.points)) for b in batches] == [(5, "host=a", 2), (5, "host=b", 2)]
    for unqualified in ("SELECT v FROM cpu", 'SELECT v FROM "db".."cpu"'):
        with pytest.raises(ValueError, match="Is the query fully qualified"):
            query_target(unqualified)


def test_the_copy_denies_every_address() -> None:
    assert NOWHERE.problem("127.0.0.1", "localhost") is not None
    assert NOWHERE.problem("::1", "localhost") is not None


async def test_a_replay_copy_keeps_alerts_and_sends_nothing_anywhere() -> None:
    sink = await HttpSink().start()
    try:
        script = (
            "stream\n    |from()\n        .measurement('cpu')\n"
            f"    |httpPost('{sink.url}')\n"
            "    |httpOut('out')\n"
            '    |alert()\n        .crit(lambda: "v" > 1)\n'
            f"        .post('{sink.url}')\n"
        )
        view = FakeConfig()
        pipeline = compile_script(script, {}, view)
        copy = ReplayCopy("t", pipeline, [("db", "rp")], view, hostname="h")
        points = [
            Point("cpu", {}, {"v": 2.0}, 10 * S, "db", "rp"),
            Point("cpu", {}, {"v": 5.0}, 11 * S, "other", "rp"),  # not the task's dbrp: not replayed
            Point("cpu", {}, {"v": 0.0}, 12 * S, "db", "rp"),
        ]
        seen: list[float] = []
        await copy.stream(points, real=False, rec_time=True, progress=seen.append)
        result = await copy.finish()
        assert [(a["topic"], a["alert"]["level"], a["alert"]["time"]) for a in result.alerts] == [
            ("main:t:alert4", "CRITICAL", "1970-01-01T00:00:10Z"),
            ("main:t:alert4", "OK", "1970-01-01T00:00:12Z"),
        ]
        assert result.alerts[1]["alert"]["previousLevel"] == "CRITICAL"
        assert result.alerts[1]["alert"]["duration"] == 2 * S
        assert result.http_out["out"]["series"][0]["values"][0][1] == 0.0
        assert result.stats["node-stats"]["alert4"]["alerts_triggered"] == 2
        assert sink.requests == []
    finally:
        await sink.close()
