"""Kapacitor's recordings and replays: the API operations, the files under `<data_dir>/replay`, the background work.

A stream recording takes the points written to its task's dbrps (and the task's measurements, if its from()
nodes name any) from the runtime's write path (`TaskRuntime.captures`) until a point is later than `stop`, or
the clock passes `stop` (Kapacitor waits for such a point; Tocsin also stops on time, so a quiet stream ends).
Batch and query recordings run their queries against InfluxDB (tasks/recording_sources.py). Every recording is
bounded: past MAX_BYTES of data it stops, failed, with an error saying so. Replays run a copy of the task
(tasks/replay_run.py) whose alerts are kept in the replay's result and never reach a handler.

Metadata lives in the store's documents (`recordings`, `replays`); running ones found at startup failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.gocompat.timefmt import parse_rfc3339
from tocsin.pipeline.spec import EdgeType, Pipeline
from tocsin.points import Batch, Point
from tocsin.tasks import recording_files as files
from tocsin.tasks import recording_sources as sources
from tocsin.tasks.errors import NO_TASK, TaskApiError
from tocsin.tasks.host import TaskHost
from tocsin.tasks.recording_records import (
    FAILED,
    FINISHED,
    RECORDING_FIELDS,
    RECORDINGS_NS,
    REPLAY_FIELDS,
    REPLAYS_NS,
    RUNNING,
    RecordingRecord,
    ReplayRecord,
    listing,
)
from tocsin.tasks.records import TaskRecord, valid_id
from tocsin.tasks.replay_run import ReplayCopy
from tocsin.tasks.scripts import compile_script

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024  # uncompressed data of one recording (a replay holds it all in memory)
# Kapacitor's texts.
BAD_RECORDING_ID = "recording ID must contain only letters, numbers, '-', '.' and '_'. {id}"
BAD_REPLAY_ID = "replay ID must contain only letters, numbers, '-', '.' and '_'. {id}"
BAD_LIVE_REPLAY_ID = "replay ID must match ^[-\\._\\p{{L}}0-9]+$ {id}"
BAD_LIVE_QUERY_ID = "recording ID must match ^[-\\._\\p{{L}}0-9]+$ {id}"
NO_RECORDING = "no recording exists"
NO_REPLAY = "no replay exists"
RECORDING_EXISTS = "recording already exists"
REPLAY_EXISTS = "replay already exists"
NO_START = "must provide start time"
NO_QUERY = "must provide query"
SHUTDOWN = "unexpected Kapacitor shutdown"
BATCH_ON_STREAM = "cannot replay batch against stream task: {task}"
WRONG_TYPE = "found recording of wrong type, check task type matches recording."
# Tocsin's texts.
TOO_BIG = "recording stopped at its size limit: more than {limit} bytes of data"
NOT_BATCH = "task {task} is a stream task: only a batch task's queries can be recorded"
STILL_RUNNING = "recording {id} has not finished"
BAD_TYPE = "unknown TaskType {value}"
BAD_CLOCK = "unknown Clock {value}"


class StreamCapture:
    """A stream recording under way: it takes the points of its dbrps from every write."""

    def __init__(self, record: RecordingRecord, path: str, dbrps: set[tuple[str, str]], names: set[str], stop: int):
        self.record = record
        self.dbrps = dbrps
        self.names = names
        self.stop = stop
        self.size = 0
        self.error = ""
        self.done = asyncio.Event()
        self._file = files.StreamFile(path)

    def take(self, points: list[Point]) -> None:
        """Write the points this recording wants; past `stop` or past the size limit it is done."""
        if self.done.is_set():
            return
        for point in points:
            if (point.database, point.retention_policy) not in self.dbrps or (
                self.names and point.name not in self.names
            ):
                continue
            if point.time > self.stop:
                self.done.set()
                return
            entry = files.point_entry(point)
            if entry is None:
                continue
            if self.size + len(entry) > MAX_BYTES:
                self.error = TOO_BIG.format(limit=MAX_BYTES)
                self.done.set()
                return
            self._file.write(entry)
            self.size += len(entry)

    def close(self) -> None:
        self._file.close()


def _body_dict(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TaskApiError("invalid JSON")
    return body


def _time_field(body: dict[str, Any], key: str) -> int:
    """A Go time.Time from the body: 0 for missing or the zero time."""
    text = body.get(key)
    if text in (None, "", files.ZERO_TIME):
        return 0
    if not isinstance(text, str):
        raise TaskApiError(f"parsing time {go_quote(str(text))}: not a string")
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise TaskApiError(f"parsing time {go_quote(text)}: {exc}") from None


def _clock(body: dict[str, Any]) -> str:
    value = body.get("clock", "fast")
    if value not in ("fast", "real"):
        raise TaskApiError(BAD_CLOCK.format(value=value))
    return str(value)


class Recordings:
    """Recordings and replays of one server; the task service owns it (`TaskService.recordings`)."""

    def __init__(self, service: TaskHost) -> None:
        self.service = service
        self.recordings: dict[str, RecordingRecord] = {}
        self.replays: dict[str, ReplayRecord] = {}
        self._work: dict[str, asyncio.Task[None]] = {}  # by "recording:<id>" / "replay:<id>"
        self._captures: dict[str, StreamCapture] = {}

    @property
    def directory(self) -> str:
        return os.path.join(self.service.engine.config.data_dir, "replay")

    def path(self, rec: RecordingRecord) -> str:
        ext = files.STREAM_EXT if rec.type == "stream" else files.BATCH_EXT
        return os.path.join(self.directory, rec.id + ext)

    # lifecycle

    async def open(self) -> None:
        """Load the metadata; what was running failed; files dropped in the directory become recordings."""
        store = self.service.engine.store
        self.recordings = {
            k: RecordingRecord.from_doc(d) for k, d in (await store.load_documents(RECORDINGS_NS)).items()
        }
        self.replays = {k: ReplayRecord.from_doc(d) for k, d in (await store.load_documents(REPLAYS_NS)).items()}
        running: list[RecordingRecord | ReplayRecord] = [*self.recordings.values(), *self.replays.values()]
        for record in running:
            if record.status == RUNNING:
                record.status, record.error = FAILED, SHUTDOWN
                await self._save(record)
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        for name in sorted(os.listdir(self.directory)):
            stem, ext = os.path.splitext(name)
            kind = {files.STREAM_EXT: "stream", files.BATCH_EXT: "batch"}.get(ext)
            if kind is None or stem in self.recordings or not valid_id(stem):
                continue
            info = os.stat(os.path.join(self.directory, name))
            found = RecordingRecord(stem, kind, int(info.st_mtime * 1e9), FINISHED, info.st_size, "", 1.0)
            self.recordings[stem] = found
            await self._save(found)

    async def close(self) -> None:
        """Stop what runs; it is marked failed, as Kapacitor finds it after a restart."""
        for key, task in list(self._work.items()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            self._work.pop(key, None)

    async def _save(self, record: RecordingRecord | ReplayRecord) -> None:
        ns = RECORDINGS_NS if isinstance(record, RecordingRecord) else REPLAYS_NS
        await self.service.engine.store.put_document(ns, record.id, record.to_doc())

    def _spawn(self, key: str, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            finally:
                self._work.pop(key, None)

        self._work[key] = asyncio.get_running_loop().create_task(run())

    def _task(self, task_id: Any, prefix: str = "") -> TaskRecord:
        rec = self.service.tasks.get(str(task_id or ""))
        if rec is None:
            raise TaskApiError(prefix + NO_TASK, 404)
        return rec

    def _pipeline(self, rec: TaskRecord) -> Pipeline:
        return compile_script(rec.script, rec.vars, self.service.engine.config)

    # recordings

    def _new_recording(self, body: dict[str, Any], kind: str) -> RecordingRecord:
        rid = str(body.get("id") or uuid.uuid4())
        if not valid_id(rid):
            raise TaskApiError(BAD_RECORDING_ID.format(id=go_quote(rid)))
        if rid in self.recordings:
            raise TaskApiError(RECORDING_EXISTS, 500)
        return RecordingRecord(rid, kind, time.time_ns())

    async def record_stream(self, body: Any) -> dict[str, Any]:
        """POST /recordings/stream {id, task, stop}."""
        body = _body_dict(body)
        rec = self._new_recording(body, "stream")
        task = self._task(body.get("task"))
        stop = _time_field(body, "stop")
        pipeline = self._pipeline(task)
        names = {str(n.last("measurement")) for n in pipeline.nodes if n.desc == "from" and n.last("measurement")}
        capture = StreamCapture(rec, self.path(rec), set(task.dbrps), names, stop)
        self.recordings[rec.id] = rec
        await self._save(rec)
        self._captures[rec.id] = capture
        self.service.runtime.captures.add(capture)
        self._spawn("recording:" + rec.id, self._run_capture(capture))
        return rec.view()

    async def _run_capture(self, capture: StreamCapture) -> None:
        delay = max(0.0, (capture.stop - time.time_ns()) / 1e9)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(capture.done.wait(), delay)
        except asyncio.CancelledError:
            capture.error = SHUTDOWN
            raise
        finally:
            self.service.runtime.captures.discard(capture)
            self._captures.pop(capture.record.id, None)
            capture.close()
            await self._finish(capture.record, capture.error)

    async def _finish(self, rec: RecordingRecord, error: str) -> None:
        if self.recordings.get(rec.id) is not rec:
            return  # deleted meanwhile
        rec.status, rec.error = (FAILED, error) if error else (FINISHED, "")
        rec.date, rec.progress = time.time_ns(), 1.0
        with contextlib.suppress(OSError):
            rec.size = await asyncio.to_thread(os.path.getsize, self.path(rec))
        try:
            await self._save(rec)
        except Exception:
            log.exception("saving recording %s failed", rec.id)

    async def record_batch(self, body: Any) -> dict[str, Any]:
        """POST /recordings/batch {id, task, start, stop, cluster}."""
        body = _body_dict(body)
        rec = self._new_recording(body, "batch")
        start = _time_field(body, "start")
        if not start:
            raise TaskApiError(NO_START)
        stop = _time_field(body, "stop") or time.time_ns()
        task = self._task(body.get("task"))
        cluster = str(body.get("cluster") or "")
        self.recordings[rec.id] = rec
        await self._save(rec)
        self._spawn("recording:" + rec.id, self._record(rec, lambda: self._task_batches(task, start, stop, cluster)))
        return rec.view()

    async def _task_batches(self, task: TaskRecord, start: int, stop: int, cluster: str) -> list[list[Batch]]:
        pipeline = self._pipeline(task)
        if pipeline.type is not EdgeType.BATCH:
            raise ValueError(NOT_BATCH.format(task=task.id))
        config = self.service.engine.config
        clusters = self.service.runtime.clusters
        return await sources.task_batches(pipeline, task.id, config, clusters, start, stop, cluster)

    async def record_query(self, body: Any) -> dict[str, Any]:
        """POST /recordings/query {id, query, type, cluster}."""
        body = _body_dict(body)
        kind = body.get("type")
        if kind not in ("stream", "batch"):
            raise TaskApiError(BAD_TYPE.format(value=kind))
        rec = self._new_recording(body, str(kind))
        query = str(body.get("query") or "")
        if not query:
            raise TaskApiError(NO_QUERY)
        cluster = str(body.get("cluster") or "")
        self.recordings[rec.id] = rec
        await self._save(rec)
        self._spawn("recording:" + rec.id, self._record(rec, lambda: self._query_data(rec.type, query, cluster)))
        return rec.view()

    async def _query_data(self, kind: str, query: str, cluster: str) -> list[Point] | list[list[Batch]]:
        target = sources.query_target(query, cluster)
        results = await sources.run_query(self.service.runtime.clusters, target)
        if kind == "stream":
            return sources.result_points(results, target)
        return [sources.result_batches(results)]

    async def _record(
        self, rec: RecordingRecord, gather: Callable[[], Awaitable[list[Point] | list[list[Batch]]]]
    ) -> None:
        error = ""
        try:
            data = await gather()
            path = self.path(rec)
            if rec.type == "stream":
                points = [p for p in data if isinstance(p, Point)]
                if sum(len(e) for p in points if (e := files.point_entry(p)) is not None) > MAX_BYTES:
                    raise ValueError(TOO_BIG.format(limit=MAX_BYTES))
                await asyncio.to_thread(files.write_stream, path, points)
            else:
                lines = [[files.batch_line(b) for b in source] for source in data if isinstance(source, list)]
                if sum(len(x) for source in lines for x in source) > MAX_BYTES:
                    raise ValueError(TOO_BIG.format(limit=MAX_BYTES))
                await asyncio.to_thread(files.write_batches, path, lines)
        except asyncio.CancelledError:
            error = SHUTDOWN
            raise
        except Exception as exc:
            error = str(exc) or type(exc).__name__
            log.error("recording %s failed: %s", rec.id, error)
        finally:
            await self._finish(rec, error)

    def get_recording(self, rid: str) -> tuple[int, dict[str, Any]]:
        """GET /recordings/<id>: 202 while it runs, else 200."""
        rec = self.recordings.get(rid)
        if rec is None:
            raise TaskApiError("error finding recording: " + NO_RECORDING, 500)
        return (202 if rec.status == RUNNING else 200), rec.view()

    def list_recordings(self, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
        """GET /recordings."""
        items = listing(list(self.recordings.values()), query, fields, "recordings", RECORDING_FIELDS)
        return {"recordings": items}

    async def delete_recording(self, rid: str) -> None:
        """DELETE /recordings/<id>: a running one stops first; unknown IDs are no error."""
        rec = self.recordings.pop(rid, None)
        if rec is None:
            return
        work = self._work.get("recording:" + rid)
        capture = self._captures.get(rid)
        if capture is not None:
            capture.done.set()
        if work is not None:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
        await self.service.engine.store.delete_document(RECORDINGS_NS, rid)
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(rec))

    # replays

    def _new_replay(self, body: dict[str, Any], bad_id: str) -> ReplayRecord:
        rid = str(body.get("id") or uuid.uuid4())
        if not valid_id(rid):
            raise TaskApiError(bad_id.format(id=go_quote(rid)))
        clock = _clock(body)
        return ReplayRecord(rid, "", str(body.get("recording") or ""), bool(body.get("recording-time")), clock, 0)

    async def _start_replay(
        self, replay: ReplayRecord, task: TaskRecord, feed: Callable[[ReplayCopy], Awaitable[None]]
    ) -> dict[str, Any]:
        if replay.id in self.replays:
            raise TaskApiError(REPLAY_EXISTS, 500)
        replay.task, replay.date = task.id, time.time_ns()
        self.replays[replay.id] = replay
        await self._save(replay)
        self._spawn("replay:" + replay.id, self._run_replay(replay, task, feed))
        return replay.view()

    async def create_replay(self, body: Any) -> dict[str, Any]:
        """POST /replays {id, task, recording, recording-time, clock}."""
        body = _body_dict(body)
        replay = self._new_replay(body, BAD_REPLAY_ID)
        task = self._task(body.get("task"), "task load: ")
        recording = self.recordings.get(replay.recording)
        if recording is None:
            raise TaskApiError("recording not found: " + NO_RECORDING, 404)
        real, rec_time = replay.clock == "real", replay.recording_time

        async def feed(copy: ReplayCopy) -> None:
            stream = copy.pipeline.type is EdgeType.STREAM
            if (recording.type == "stream") != stream:
                raise ValueError(WRONG_TYPE)
            if recording.status == RUNNING:
                raise ValueError(STILL_RUNNING.format(id=recording.id))
            path = self.path(recording)
            if stream:
                points = await asyncio.to_thread(files.read_stream, path)
                await copy.stream(points, real=real, rec_time=rec_time, progress=progress)
            else:
                batches = await asyncio.to_thread(files.read_batches, path)
                await copy.batches(batches, real=real, rec_time=rec_time, progress=progress)

        def progress(value: float) -> None:
            replay.progress = value

        return await self._start_replay(replay, task, feed)

    async def replay_batch(self, body: Any) -> dict[str, Any]:
        """POST /replays/batch {id, task, start, stop, recording-time, clock}: the task's queries, not kept."""
        body = _body_dict(body)
        replay = self._new_replay(body, BAD_LIVE_REPLAY_ID)
        task = self._task(body.get("task"), "task load: ")
        if task.type == "stream":
            raise TaskApiError(BATCH_ON_STREAM.format(task=task.id))
        start = _time_field(body, "start")
        stop = _time_field(body, "stop") or time.time_ns()
        real, rec_time = replay.clock == "real", replay.recording_time

        async def feed(copy: ReplayCopy) -> None:
            data = await self._task_batches(task, start, stop, "")
            await copy.batches(data, real=real, rec_time=rec_time, progress=progress)

        def progress(value: float) -> None:
            replay.progress = value

        replay.recording = ""
        return await self._start_replay(replay, task, feed)

    async def replay_query(self, body: Any) -> dict[str, Any]:
        """POST /replays/query {id, task, query, cluster, recording-time, clock}: the query's answer, not kept."""
        body = _body_dict(body)
        replay = self._new_replay(body, BAD_LIVE_QUERY_ID)
        query = str(body.get("query") or "")
        if not query:
            raise TaskApiError(NO_QUERY)
        task = self._task(body.get("task"), "task load: ")
        cluster = str(body.get("cluster") or "")
        real, rec_time = replay.clock == "real", replay.recording_time

        async def feed(copy: ReplayCopy) -> None:
            if copy.pipeline.type is EdgeType.STREAM:
                points = await self._query_data("stream", query, cluster)
                await copy.stream(
                    [p for p in points if isinstance(p, Point)], real=real, rec_time=rec_time, progress=progress
                )
            else:
                data = await self._query_data("batch", query, cluster)
                await copy.batches(
                    [s for s in data if isinstance(s, list)], real=real, rec_time=rec_time, progress=progress
                )

        def progress(value: float) -> None:
            replay.progress = value

        replay.recording = ""
        return await self._start_replay(replay, task, feed)

    async def _run_replay(
        self, replay: ReplayRecord, task: TaskRecord, feed: Callable[[ReplayCopy], Awaitable[None]]
    ) -> None:
        error = ""
        try:
            try:
                pipeline = self._pipeline(task)
                engine = self.service.engine
                ids = engine.identity
                copy = ReplayCopy(
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
            try:
                await feed(copy)
            except Exception as exc:
                await copy.finish()
                raise RuntimeError(f"running replay: {exc}") from exc
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
            if self.replays.get(replay.id) is replay:
                replay.status, replay.error = (FAILED, error) if error else (FINISHED, "")
                replay.progress, replay.date = 1.0, time.time_ns()
                try:
                    await self._save(replay)
                except Exception:
                    log.exception("saving replay %s failed", replay.id)

    def get_replay(self, rid: str) -> tuple[int, dict[str, Any]]:
        """GET /replays/<id>: 202 while it runs, else 200."""
        replay = self.replays.get(rid)
        if replay is None:
            raise TaskApiError("could not find replay: " + NO_REPLAY, 404)
        return (202 if replay.status == RUNNING else 200), replay.view()

    def replay_result(self, rid: str) -> dict[str, Any]:
        """GET /replays/<id>/result (Tocsin's): the alerts and httpOut results of the copy."""
        replay = self.replays.get(rid)
        if replay is None:
            raise TaskApiError("could not find replay: " + NO_REPLAY, 404)
        result = {"alerts": [], "alerts-dropped": 0, "http-out": {}}
        result.update(replay.result)
        return {"link": {"rel": "self", "href": replay.value("link")["href"] + "/result"}, "id": replay.id, **result}

    def list_replays(self, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
        """GET /replays."""
        return {"replays": listing(list(self.replays.values()), query, fields, "replays", REPLAY_FIELDS)}

    async def delete_replay(self, rid: str) -> None:
        """DELETE /replays/<id>: a running replay is cancelled; unknown IDs are no error."""
        replay = self.replays.pop(rid, None)
        work = self._work.get("replay:" + rid)
        if work is not None:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
        if replay is not None:
            await self.service.engine.store.delete_document(REPLAYS_NS, rid)


def _hostname(config: Any) -> str:
    try:
        return str(config.hostname)
    except (KeyError, AttributeError):
        return "localhost"
