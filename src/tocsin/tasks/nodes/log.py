"""`|log()`: log every point or batch as a JSON line (`.level()` DEBUG/INFO/WARN/ERROR, `.prefix()`)."""

from __future__ import annotations

import logging
from typing import Any

from tocsin.gocompat.json import dumps, sorted_map
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.pipeline.spec import NodeSpec
from tocsin.points import Batch, Item, Point
from tocsin.tasks.context import TaskContext
from tocsin.tasks.node import NodeError, RuntimeNode

ERR_LEVEL = "invalid log level {level}"
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR}


class LogNode(RuntimeNode):
    """Logs through the task's logger and passes everything on."""

    def __init__(self, spec: NodeSpec, ctx: TaskContext) -> None:
        super().__init__(spec, ctx)
        level = spec.last("level", "INFO")
        self._level = LEVELS.get(str(level).upper(), -1)
        if self._level < 0:
            raise NodeError(ERR_LEVEL.format(level=level))
        prefix = spec.last("prefix", "")
        self._prefix = prefix if isinstance(prefix, str) else ""

    def point(self, point: Point) -> list[Item]:
        """Log the point; pass it on."""
        if self.ctx.log.isEnabledFor(self._level):
            self._log(point_json(point))
        return [point]

    def batch(self, batch: Batch) -> list[Item]:
        """Log the batch; pass it on."""
        if self.ctx.log.isEnabledFor(self._level):
            self._log(batch_json(batch))
        return [batch]

    def _log(self, text: str) -> None:
        self.ctx.log.log(self._level, f"{self._prefix} {text}" if self._prefix else text)


def point_json(point: Point) -> str:
    """A point as Kapacitor's JSON encoder writes models.Point."""
    doc: dict[str, Any] = {
        "Name": point.name,
        "Database": point.database,
        "RetentionPolicy": point.retention_policy,
        "Group": point.group,
        "Dimensions": {"ByName": point.dimensions.by_name, "TagNames": list(point.dimensions.tag_names) or None},
        "Tags": sorted_map(point.tags),
        "Fields": sorted_map(point.fields),
        "Time": format_rfc3339nano(point.time),
    }
    return dumps(doc)


def batch_json(batch: Batch) -> str:
    """A batch as Kapacitor's JSON encoder writes models.Batch (empty parts left out)."""
    doc: dict[str, Any] = {}
    if batch.name:
        doc["name"] = batch.name
    if batch.tags:
        doc["tags"] = sorted_map(batch.tags)
    if batch.points:
        rows = []
        for row in batch.points:
            item: dict[str, Any] = {"fields": sorted_map(row.fields), "time": format_rfc3339nano(row.time)}
            if row.tags:
                item["tags"] = sorted_map(row.tags)
            rows.append(item)
        doc["points"] = rows
    return dumps(doc)
