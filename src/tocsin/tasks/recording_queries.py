"""Batch and query recordings (`POST /recordings/batch`, `/recordings/query`): the answers of InfluxDB to a batch
task's queries over a range, or to one query, written to the recording's file in one go, bounded by `limit`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tocsin.pipeline.spec import EdgeType
from tocsin.points import Batch, Point
from tocsin.tasks import recording_files as files
from tocsin.tasks import recording_sources as sources
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.recording_errors import BAD_TYPE, NO_QUERY, NO_START, NOT_BATCH, SHUTDOWN, TOO_BIG
from tocsin.tasks.recording_host import RecordingsHost
from tocsin.tasks.recording_records import RecordingRecord
from tocsin.tasks.recording_requests import body_dict, time_field
from tocsin.tasks.records import TaskRecord

log = logging.getLogger("tocsin.tasks.recordings")  # the service's logger, as before the split


async def record_batch(host: RecordingsHost, body: Any, limit: int) -> dict[str, Any]:
    """POST /recordings/batch {id, task, start, stop, cluster}."""
    body = body_dict(body)
    rec = host.new_recording(body, "batch")
    start = time_field(body, "start")
    if not start:
        raise TaskApiError(NO_START)
    stop = time_field(body, "stop") or time.time_ns()
    task = host.task_of(body.get("task"))
    cluster = str(body.get("cluster") or "")
    host.recordings[rec.id] = rec
    await host.save(rec)
    host.spawn("recording:" + rec.id, _record(host, rec, lambda: task_batches(host, task, start, stop, cluster), limit))
    return rec.view()


async def task_batches(
    host: RecordingsHost, task: TaskRecord, start: int, stop: int, cluster: str
) -> list[list[Batch]]:
    """The batches of each of a batch task's queries over [start, stop]."""
    pipeline = host.pipeline_of(task)
    if pipeline.type is not EdgeType.BATCH:
        raise ValueError(NOT_BATCH.format(task=task.id))
    config = host.service.engine.config
    clusters = host.service.runtime.clusters
    return await sources.task_batches(pipeline, task.id, config, clusters, start, stop, cluster)


async def record_query(host: RecordingsHost, body: Any, limit: int) -> dict[str, Any]:
    """POST /recordings/query {id, query, type, cluster}."""
    body = body_dict(body)
    kind = body.get("type")
    if kind not in ("stream", "batch"):
        raise TaskApiError(BAD_TYPE.format(value=kind))
    rec = host.new_recording(body, str(kind))
    query = str(body.get("query") or "")
    if not query:
        raise TaskApiError(NO_QUERY)
    cluster = str(body.get("cluster") or "")
    host.recordings[rec.id] = rec
    await host.save(rec)
    host.spawn("recording:" + rec.id, _record(host, rec, lambda: query_data(host, rec.type, query, cluster), limit))
    return rec.view()


async def query_data(host: RecordingsHost, kind: str, query: str, cluster: str) -> list[Point] | list[list[Batch]]:
    """A query's answer as points (`stream`) or as the batches of one source (`batch`)."""
    target = sources.query_target(query, cluster)
    results = await sources.run_query(host.service.runtime.clusters, target)
    if kind == "stream":
        return sources.result_points(results, target)
    return [sources.result_batches(results)]


async def _record(
    host: RecordingsHost,
    rec: RecordingRecord,
    gather: Callable[[], Awaitable[list[Point] | list[list[Batch]]]],
    limit: int,
) -> None:
    error = ""
    try:
        data = await gather()
        path = host.path(rec)
        if rec.type == "stream":
            points = [p for p in data if isinstance(p, Point)]
            if sum(len(e) for p in points if (e := files.point_entry(p)) is not None) > limit:
                raise ValueError(TOO_BIG.format(limit=limit))
            await asyncio.to_thread(files.write_stream, path, points)
        else:
            lines = [[files.batch_line(b) for b in source] for source in data if isinstance(source, list)]
            if sum(len(x) for source in lines for x in source) > limit:
                raise ValueError(TOO_BIG.format(limit=limit))
            await asyncio.to_thread(files.write_batches, path, lines)
    except asyncio.CancelledError:
        error = SHUTDOWN
        raise
    except Exception as exc:
        error = str(exc) or type(exc).__name__
        log.error("recording %s failed: %s", rec.id, error)
    finally:
        await host.finish(rec, error)
