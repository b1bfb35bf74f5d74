"""A stream recording under way: it takes the points of its task's dbrps from every write until it is done."""

from __future__ import annotations

import asyncio

from tocsin.points import Point
from tocsin.tasks import recording_files as files
from tocsin.tasks.recording_errors import TOO_BIG
from tocsin.tasks.recording_records import RecordingRecord


class StreamCapture:
    """A stream recording under way: it takes the points of its dbrps from every write.

    `limit` is the most data (bytes of entries) it writes; past it the capture is done with an error.
    """

    def __init__(
        self,
        record: RecordingRecord,
        path: str,
        dbrps: set[tuple[str, str]],
        names: set[str],
        stop: int,
        limit: int,
    ):
        self.record = record
        self.dbrps = dbrps
        self.names = names
        self.stop = stop
        self.limit = limit
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
            if self.size + len(entry) > self.limit:
                self.error = TOO_BIG.format(limit=self.limit)
                self.done.set()
                return
            self._file.write(entry)
            self.size += len(entry)

    def close(self) -> None:
        self._file.close()
