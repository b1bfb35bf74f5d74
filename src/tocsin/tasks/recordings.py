"""Kapacitor's recordings and replays: the API operations, the files under `<data_dir>/replay`, the background work.

A stream recording takes the points written to its task's dbrps (and the task's measurements, if its from()
nodes name any) from the runtime's write path (`TaskRuntime.captures`) until a point is later than `stop`, or
the clock passes `stop` (Kapacitor waits for such a point; Tocsin also stops on time, so a quiet stream ends).
The capture is tasks/recording_capture.py. Batch and query recordings (tasks/recording_queries.py) run their
queries against InfluxDB (tasks/recording_sources.py). Every recording is bounded: past MAX_BYTES of data it
stops, failed, with an error saying so. Replays (tasks/replay_ops.py) run a copy of the task
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
from collections.abc import Awaitable
from typing import Any

from tocsin.gocompat.quoting import go_quote
from tocsin.pipeline.spec import Pipeline
from tocsin.tasks import recording_files as files
from tocsin.tasks import recording_queries, replay_ops
from tocsin.tasks.errors import NO_TASK, TaskApiError
from tocsin.tasks.host import TaskHost
from tocsin.tasks.recording_capture import StreamCapture
from tocsin.tasks.recording_errors import (
    BAD_RECORDING_ID,
    NO_RECORDING,
    RECORDING_EXISTS,
    SHUTDOWN,
)
from tocsin.tasks.recording_records import (
    FAILED,
    FINISHED,
    RECORDING_FIELDS,
    RECORDINGS_NS,
    REPLAYS_NS,
    RUNNING,
    RecordingRecord,
    ReplayRecord,
    listing,
)
from tocsin.tasks.recording_requests import body_dict, time_field
from tocsin.tasks.records import TaskRecord, valid_id
from tocsin.tasks.replay_run import ReplayCopy
from tocsin.tasks.scripts import compile_script

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024  # uncompressed data of one recording (a replay holds it all in memory)


class Recordings:
    """Recordings and replays of one server; the task service owns it (`TaskService.recordings`).

    Stream recordings live here, batch and query recordings in tasks/recording_queries.py, replays in
    tasks/replay_ops.py; for those two modules it is the `RecordingsHost` (tasks/recording_host.py).
    """

    def __init__(self, service: TaskHost) -> None:
        self.service = service
        self.recordings: dict[str, RecordingRecord] = {}
        self.replays: dict[str, ReplayRecord] = {}
        self.copies: dict[str, ReplayCopy] = {}  # the running replays' copies of their task
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
                await self.save(record)
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        for name in sorted(os.listdir(self.directory)):
            stem, ext = os.path.splitext(name)
            kind = {files.STREAM_EXT: "stream", files.BATCH_EXT: "batch"}.get(ext)
            if kind is None or stem in self.recordings or not valid_id(stem):
                continue
            info = os.stat(os.path.join(self.directory, name))
            found = RecordingRecord(stem, kind, int(info.st_mtime * 1e9), FINISHED, info.st_size, "", 1.0)
            self.recordings[stem] = found
            await self.save(found)

    async def close(self) -> None:
        """Stop what runs; it is marked failed, as Kapacitor finds it after a restart."""
        for key, task in list(self._work.items()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            self._work.pop(key, None)

    async def save(self, record: RecordingRecord | ReplayRecord) -> None:
        ns = RECORDINGS_NS if isinstance(record, RecordingRecord) else REPLAYS_NS
        await self.service.engine.store.put_document(ns, record.id, record.to_doc())

    def spawn(self, key: str, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            finally:
                self._work.pop(key, None)

        self._work[key] = asyncio.get_running_loop().create_task(run())

    async def cancel(self, key: str) -> None:
        """Cancel the background work under `key`, if any runs, and wait for it."""
        work = self._work.get(key)
        if work is not None:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work

    def task_of(self, task_id: Any, prefix: str = "") -> TaskRecord:
        rec = self.service.tasks.get(str(task_id or ""))
        if rec is None:
            raise TaskApiError(prefix + NO_TASK, 404)
        return rec

    def pipeline_of(self, rec: TaskRecord) -> Pipeline:
        return compile_script(rec.script, rec.vars, self.service.engine.config)

    # recordings

    def new_recording(self, body: dict[str, Any], kind: str) -> RecordingRecord:
        rid = str(body.get("id") or uuid.uuid4())
        if not valid_id(rid):
            raise TaskApiError(BAD_RECORDING_ID.format(id=go_quote(rid)))
        if rid in self.recordings:
            raise TaskApiError(RECORDING_EXISTS, 500)
        return RecordingRecord(rid, kind, time.time_ns())

    async def record_stream(self, body: Any) -> dict[str, Any]:
        """POST /recordings/stream {id, task, stop}."""
        body = body_dict(body)
        rec = self.new_recording(body, "stream")
        task = self.task_of(body.get("task"))
        stop = time_field(body, "stop")
        pipeline = self.pipeline_of(task)
        names = {str(n.last("measurement")) for n in pipeline.nodes if n.desc == "from" and n.last("measurement")}
        capture = StreamCapture(rec, self.path(rec), set(task.dbrps), names, stop, MAX_BYTES)
        self.recordings[rec.id] = rec
        await self.save(rec)
        self._captures[rec.id] = capture
        self.service.runtime.captures.add(capture)
        self.spawn("recording:" + rec.id, self._run_capture(capture))
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
            await self.finish(capture.record, capture.error)

    async def finish(self, rec: RecordingRecord, error: str) -> None:
        if self.recordings.get(rec.id) is not rec:
            return  # deleted meanwhile
        rec.status, rec.error = (FAILED, error) if error else (FINISHED, "")
        rec.date, rec.progress = time.time_ns(), 1.0
        with contextlib.suppress(OSError):
            rec.size = await asyncio.to_thread(os.path.getsize, self.path(rec))
        try:
            await self.save(rec)
        except Exception:
            log.exception("saving recording %s failed", rec.id)

    async def record_batch(self, body: Any) -> dict[str, Any]:
        """POST /recordings/batch {id, task, start, stop, cluster}."""
        return await recording_queries.record_batch(self, body, MAX_BYTES)

    async def record_query(self, body: Any) -> dict[str, Any]:
        """POST /recordings/query {id, query, type, cluster}."""
        return await recording_queries.record_query(self, body, MAX_BYTES)

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
        capture = self._captures.get(rid)
        if capture is not None:
            capture.done.set()
        await self.cancel("recording:" + rid)
        await self.service.engine.store.delete_document(RECORDINGS_NS, rid)
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(rec))

    # replays: see replay_ops

    async def create_replay(self, body: Any) -> dict[str, Any]:
        """POST /replays {id, task, recording, recording-time, clock}."""
        return await replay_ops.create(self, body)

    async def replay_batch(self, body: Any) -> dict[str, Any]:
        """POST /replays/batch {id, task, start, stop, recording-time, clock}: the task's queries, not kept."""
        return await replay_ops.replay_batch(self, body)

    async def replay_query(self, body: Any) -> dict[str, Any]:
        """POST /replays/query {id, task, query, cluster, recording-time, clock}: the query's answer, not kept."""
        return await replay_ops.replay_query(self, body)

    def get_replay(self, rid: str) -> tuple[int, dict[str, Any]]:
        """GET /replays/<id>: 202 while it runs, else 200."""
        return replay_ops.get(self, rid)

    def replay_result(self, rid: str) -> dict[str, Any]:
        """GET /replays/<id>/result (Tocsin's): the alerts and httpOut results of the copy."""
        return replay_ops.result(self, rid)

    def list_replays(self, query: dict[str, str], fields: list[str]) -> dict[str, Any]:
        """GET /replays."""
        return replay_ops.list_replays(self, query, fields)

    async def delete_replay(self, rid: str) -> None:
        """DELETE /replays/<id>: a running replay is cancelled; unknown IDs are no error."""
        await replay_ops.delete(self, rid)

    def running_copy(self, rid: str, task_id: str) -> ReplayCopy:
        """The copy of task `task_id` the running replay `rid` runs (`GET /tasks/<id>?replay-id=`)."""
        return replay_ops.running_copy(self, rid, task_id)
