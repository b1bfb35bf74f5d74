"""The replays API (`/kapacitor/v1/replays`): start a replay of a recording, of a batch task's queries or of a
query's answer into a copy of the task (tasks/replay_run.py), follow it, read its result, delete it.

While a replay runs its copy is kept in `RecordingsHost.copies`, so the tasks API can show the task as it runs
inside the replay (`GET /tasks/<id>?replay-id=<replay id>`, as Kapacitor's task master of the replay).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.pipeline.spec import EdgeType
from tocsin.points import Point
from tocsin.tasks import recording_files as files
from tocsin.tasks import recording_queries as queries
from tocsin.tasks.errors import NO_REPLAY as NO_RUNNING_REPLAY
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.recording_errors import (
    BAD_LIVE_QUERY_ID,
    BAD_LIVE_REPLAY_ID,
    BAD_REPLAY_ID,
    BATCH_ON_STREAM,
    NO_QUERY,
    NO_RECORDING,
    NO_REPLAY,
    REPLAY_EXISTS,
    REPLAY_NOT_FOR_TASK,
    SHUTDOWN,
    STILL_RUNNING,
    WRONG_TYPE,
)
from tocsin.tasks.recording_host import RecordingsHost
from tocsin.tasks.recording_records import (
    FAILED,
    FINISHED,
    REPLAY_FIELDS,
    REPLAYS_NS,
    RUNNING,
    ReplayRecord,
    listing,
)
from tocsin.tasks.recording_requests import body_dict, clock, time_field
from tocsin.tasks.records import TaskRecord, valid_id
from tocsin.tasks.replay_run import ReplayCopy

log = logging.getLogger("tocsin.tasks.recordings")  # the service's logger, as before the split

Feed = Callable[[ReplayCopy], Awaitable[None]]


def _new_replay(body: dict[str, Any], bad_id: str) -> ReplayRecord:
    rid = str(body.get("id") or uuid.uuid4())
    if not valid_id(rid):
        raise TaskApiError(bad_id.format(id=go_quote(rid)))
    replay_clock = clock(body)
    return ReplayRecord(rid, "", str(body.get("recording") or ""), bool(body.get("recording-time")), replay_clock, 0)


async def _start(host: RecordingsHost, replay: ReplayRecord, task: TaskRecord, feed: Feed) -> dict[str, Any]:
    if replay.id in host.replays:
        raise TaskApiError(REPLAY_EXISTS, 500)
    replay.task, replay.date = task.id, time.time_ns()
    host.replays[replay.id] = replay
    await host.save(replay)
    host.spawn("replay:" + replay.id, _run(host, replay, task, feed))
    return replay.view()


async def create(host: RecordingsHost, body: Any) -> dict[str, Any]:
    """POST /replays {id, task, recording, recording-time, clock}."""
    body = body_dict(body)
    replay = _new_replay(body, BAD_REPLAY_ID)
    task = host.task_of(body.get("task"), "task load: ")
    recording = host.recordings.get(replay.recording)
    if recording is None:
        raise TaskApiError("recording not found: " + NO_RECORDING, 404)
    real, rec_time = replay.clock == "real", replay.recording_time

    async def feed(copy: ReplayCopy) -> None:
        stream = copy.pipeline.type is EdgeType.STREAM
        if (recording.type == "stream") != stream:
            raise ValueError(WRONG_TYPE)
        if recording.status == RUNNING:
            raise ValueError(STILL_RUNNING.format(id=recording.id))
        path = host.path(recording)
        if stream:
            points = await asyncio.to_thread(files.read_stream, path)
            await copy.stream(points, real=real, rec_time=rec_time, progress=progress)
        else:
            batches = await asyncio.to_thread(files.read_batches, path)
            await copy.batches(batches, real=real, rec_time=rec_time, progress=progress)

    def progress(value: float) -> None:
        replay.progress = value

    return await _start(host, replay, task, feed)


async def replay_batch(host: RecordingsHost, body: Any) -> dict[str, Any]:
    """POST /replays/batch {id, task, start, stop, recording-time, clock}: the task's queries, not kept."""
    body = body_dict(body)
    replay = _new_replay(body, BAD_LIVE_REPLAY_ID)
    task = host.task_of(body.get("task"), "task load: ")
    if task.type == "stream":
        raise TaskApiError(BATCH_ON_STREAM.format(task=task.id))
    start = time_field(body, "start")
    stop = time_field(body, "stop") or time.time_ns()
    real, rec_time = replay.clock == "real", replay.recording_time

    async def feed(copy: ReplayCopy) -> None:
        data = await queries.task_batches(host, task, start, stop, "")
        await copy.batches(data, real=real, rec_time=rec_time, progress=progress)

    def progress(value: float) -> None:
        replay.progress = value

    replay.recording = ""
    return await _start(host, replay, task, feed)


async def replay_query(host: RecordingsHost, body: Any) -> dict[str, Any]:
    """POST /replays/query {id, task, query, cluster, recording-time, clock}: the query's answer, not kept."""
    body = body_dict(body)
    replay = _new_replay(body, BAD_LIVE_QUERY_ID)
    query = str(body.get("query") or "")
    if not query:
        raise TaskApiError(NO_QUERY)
    task = host.task_of(body.get("task"), "task load: ")
    cluster = str(body.get("cluster") or "")
    real, rec_time = replay.clock == "real", replay.recording_time

    async def feed(copy: ReplayCopy) -> None:
        if copy.pipeline.type is EdgeType.STREAM:
            points = await queries.query_data(host, "stream", query, cluster)
            await copy.stream(
                [p for p in points if isinstance(p, Point)], real=real, rec_time=rec_time, progress=progress
            )
        else:
            data = await queries.query_data(host, "batch", query, cluster)
            await copy.batches(
                [s for s in data if isinstance(s, list)], real=real, rec_time=rec_time, progress=progress
            )

    def progress(value: float) -> None:
        replay.progress = value

    replay.recording = ""
    return await _start(host, replay, task, feed)


async def _run(host: RecordingsHost, replay: ReplayRecord, task: TaskRecord, feed: Feed) -> None:
    error = ""
    try:
        copy = _copy_of(host, task)
        host.copies[replay.id] = copy
        try:
            try:
                await feed(copy)
            except Exception as exc:
                await copy.finish()
                raise RuntimeError(f"running replay: {exc}") from exc
        finally:
            if host.copies.get(replay.id) is copy:
                del host.copies[replay.id]
        result = await copy.finish()
        replay.stats = result.stats
        replay.result = result.to_doc()
    except asyncio.CancelledError:
        error = SHUTDOWN
        raise
    except Exception as exc:
        error = str(exc) or type(exc).__name__
        log.error("replay %s failed: %s", replay.id, error)
    finally:
        if host.replays.get(replay.id) is replay:
            replay.status, replay.error = (FAILED, error) if error else (FINISHED, "")
            replay.progress, replay.date = 1.0, time.time_ns()
            try:
                await host.save(replay)
            except Exception:
                log.exception("saving replay %s failed", replay.id)


def _copy_of(host: RecordingsHost, task: TaskRecord) -> ReplayCopy:
    try:
        pipeline = host.pipeline_of(task)
        engine = host.service.engine
        ids = engine.identity
        return ReplayCopy(
            task.id,
            pipeline,
            task.dbrps,
            engine.config,
            hostname=_hostname(engine.config),
            cluster_id=ids.cluster_id,
            server_id=ids.server_id,
        )
    except Exception as exc:
        raise RuntimeError(f"task start: {exc}") from exc


def get(host: RecordingsHost, rid: str) -> tuple[int, dict[str, Any]]:
    """GET /replays/<id>: 202 while it runs, else 200."""
    replay = host.replays.get(rid)
    if replay is None:
        raise TaskApiError("could not find replay: " + NO_REPLAY, 404)
    return (202 if replay.status == RUNNING else 200), replay.view()


def result(host: RecordingsHost, rid: str) -> dict[str, Any]:
    """GET /replays/<id>/result (Tocsin's): the alerts and httpOut results of the copy."""
    replay = host.replays.get(rid)
    if replay is None:
        raise TaskApiError("could not find replay: " + NO_REPLAY, 404)
    answer = {"alerts": [], "alerts-dropped": 0, "http-out": {}}
    answer.update(replay.result)
    return {"link": {"rel": "self", "href": replay.value("link")["href"] + "/result"}, "id": replay.id, **answer}


def list_replays(host: RecordingsHost, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
    """GET /replays."""
    return {"replays": listing(list(host.replays.values()), query, fields, "replays", REPLAY_FIELDS)}


async def delete(host: RecordingsHost, rid: str) -> None:
    """DELETE /replays/<id>: a running replay is cancelled; unknown IDs are no error."""
    replay = host.replays.pop(rid, None)
    await host.cancel("replay:" + rid)
    if replay is not None:
        await host.service.engine.store.delete_document(REPLAYS_NS, rid)


def running_copy(host: RecordingsHost, rid: str, task_id: str) -> ReplayCopy:
    """The copy of task `task_id` a running replay runs; 400 with Kapacitor's texts otherwise."""
    copy = host.copies.get(rid)
    if copy is None:
        raise TaskApiError(NO_RUNNING_REPLAY.format(id=rid))
    if copy.ctx.task_id != task_id:
        raise TaskApiError(REPLAY_NOT_FOR_TASK.format(id=rid, task=task_id))
    return copy


def _hostname(config: Any) -> str:
    try:
        return str(config.hostname)
    except (KeyError, AttributeError):
        return "localhost"
