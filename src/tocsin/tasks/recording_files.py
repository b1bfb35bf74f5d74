"""Recording files in Kapacitor's formats, so recordings move between Kapacitor and Tocsin as they are.

A stream recording (`<id>.srpl`) is gzip of one entry per point: the database, the retention policy and the
point in line protocol (nanosecond times), each on its own line. A batch recording (`<id>.brpl`) is a zip archive
with one member per batch source (`0`, `1`, ...: the task's query nodes in order), each holding one JSON
object per batch as Kapacitor's BufferedBatchMessage encodes it: `{"name","tmax","group","byname","tags",
"points":[{"fields","tags","time"}]}`. Files are created 0600: they hold the monitored data.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from tocsin.gocompat.json import encode_line
from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339
from tocsin.lineprotocol.encode import line
from tocsin.lineprotocol.parser import parse_points
from tocsin.points import Batch, BatchPoint, Dimensions, FieldValue, Point

STREAM_EXT = ".srpl"
BATCH_EXT = ".brpl"
ZERO_TIME = "0001-01-01T00:00:00Z"
BAD_STREAM = "invalid replay file format, expected another line"


def create_private(path: str) -> IO[bytes]:
    """A new file (replacing any) that only the server's user can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_TRUNC
    return os.fdopen(fd, "wb")


def point_entry(point: Point) -> bytes | None:
    """One point as a stream recording stores it; None when it has nothing line protocol can carry."""
    text = line(point.name, point.tags, point.fields, point.time)
    if text is None or "\n" in text:  # a string field holding a newline would break the entry's lines
        return None
    return f"{point.database}\n{point.retention_policy}\n{text}\n".encode()


class StreamFile:
    """A stream recording being written: entries go through gzip to the file."""

    def __init__(self, path: str) -> None:
        self._file = create_private(path)
        self._gzip = gzip.GzipFile(fileobj=self._file, mode="wb")

    def write(self, entry: bytes) -> None:
        self._gzip.write(entry)

    def close(self) -> None:
        try:
            self._gzip.close()
        finally:
            self._file.close()


def write_stream(path: str, points: list[Point]) -> int:
    """Write a whole stream recording; returns the uncompressed size."""
    size = 0
    stream = StreamFile(path)
    try:
        for point in points:
            entry = point_entry(point)
            if entry is not None:
                stream.write(entry)
                size += len(entry)
    finally:
        stream.close()
    return size


def read_stream(path: str) -> list[Point]:
    """The points of a stream recording, in recorded order."""
    with gzip.open(path, "rb") as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="\n")
        return list(_stream_points(lines))


def _stream_points(lines: Iterator[str]) -> Iterator[Point]:
    while True:
        db = next(lines, None)
        if db is None:
            return
        rp, text = next(lines, None), next(lines, None)
        if rp is None or text is None:
            raise ValueError(BAD_STREAM)
        yield from parse_points(
            text.encode(), precision="n", database=db.rstrip("\n"), retention_policy=rp.rstrip("\n")
        )


def batch_json(batch: Batch) -> dict[str, Any]:
    """Kapacitor's JSON of a buffered batch (`omitempty` on name, group, byname, tags and points)."""
    doc: dict[str, Any] = {}
    if batch.name:
        doc["name"] = batch.name
    doc["tmax"] = format_rfc3339nano(batch.time)
    if batch.group:
        doc["group"] = batch.group
    if batch.by_name:
        doc["byname"] = True
    if batch.tags:
        doc["tags"] = {k: batch.tags[k] for k in sorted(batch.tags)}
    if batch.points:
        doc["points"] = [
            {
                "fields": {k: p.fields[k] for k in sorted(p.fields)},
                "tags": {k: p.tags[k] for k in sorted(p.tags)},
                "time": format_rfc3339nano(p.time),
            }
            for p in batch.points
        ]
    return doc


def batch_of(doc: dict[str, Any]) -> Batch:
    """A batch from its recorded JSON; numbers come back as floats, as Kapacitor's decoder reads them."""
    name = str(doc.get("name") or "")
    tags = {str(k): str(v) for k, v in (doc.get("tags") or {}).items()}
    by_name = bool(doc.get("byname"))
    rows = []
    for p in doc.get("points") or ():
        fields: dict[str, FieldValue] = {
            str(k): float(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in (p.get("fields") or {}).items()
            if isinstance(v, float | int | str | bool)
        }
        row_tags = {str(k): str(v) for k, v in (p.get("tags") or {}).items()} or dict(tags)
        rows.append(BatchPoint(_time(p.get("time")), fields, row_tags))
    dims = Dimensions(tuple(sorted(tags)), by_name)
    return Batch(
        name,
        _time(doc.get("tmax")),
        tags,
        rows,
        group=dims.group_id(name, tags),
        dimensions=dims,
        by_name=by_name,
    )


def _time(text: object) -> int:
    if not isinstance(text, str) or not text or text == ZERO_TIME:
        return 0
    return parse_rfc3339(text)


def batch_line(batch: Batch) -> bytes:
    """One batch as a line of a `.brpl` member (json.Encoder: compact, HTML-escaped, newline)."""
    return encode_line(batch_json(batch))


def write_batches(path: str, sources: list[list[bytes]]) -> int:
    """Write a batch recording from encoded lines, one member per source; returns the uncompressed size."""
    size = 0
    with create_private(path) as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, lines in enumerate(sources):
            data = b"".join(lines)
            archive.writestr(str(index), data)
            size += len(data)
    return size


def read_batches(path: str) -> list[list[Batch]]:
    """The batches of each source of a batch recording, members in archive order; empty batches skipped."""
    sources: list[list[Batch]] = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            batches = []
            for raw in archive.read(info).splitlines():
                if raw.strip():
                    batch = batch_of(json.loads(raw))
                    if batch.points:
                        batches.append(batch)
            sources.append(batches)
    return sources
