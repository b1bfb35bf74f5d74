"""What the recording and replay operations need of the recordings service.

`Recordings` (tasks/recordings.py) satisfies it; recording_queries.py and replay_ops.py name only this
Protocol, so neither imports the service that imports them.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from tocsin.pipeline.spec import Pipeline
from tocsin.tasks.host import TaskHost
from tocsin.tasks.recording_records import RecordingRecord, ReplayRecord
from tocsin.tasks.records import TaskRecord
from tocsin.tasks.replay_run import ReplayCopy


class RecordingsHost(Protocol):
    """The recordings and replays of one server, their files, store documents and background work."""

    service: TaskHost
    recordings: dict[str, RecordingRecord]
    replays: dict[str, ReplayRecord]
    copies: dict[str, ReplayCopy]  # the running replays' copies of their task, by replay ID

    def path(self, rec: RecordingRecord) -> str: ...

    async def save(self, record: RecordingRecord | ReplayRecord) -> None: ...

    def spawn(self, key: str, work: Awaitable[None]) -> None: ...

    async def cancel(self, key: str) -> None: ...

    def task_of(self, task_id: Any, prefix: str = "") -> TaskRecord: ...

    def pipeline_of(self, rec: TaskRecord) -> Pipeline: ...

    def new_recording(self, body: dict[str, Any], kind: str) -> RecordingRecord: ...

    async def finish(self, rec: RecordingRecord, error: str) -> None: ...
