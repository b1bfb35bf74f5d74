"""What a triggering alert adds to the item it passes on: levelTag, idTag, levelField, messageField,
durationField (int ns) and idField."""

from __future__ import annotations

import dataclasses

from tocsin.alert.event import Event
from tocsin.points import Batch, FieldValue, Point
from tocsin.tasks.alert.settings import AlertSettings


def _tags(settings: AlertSettings, tags: dict[str, str], event: Event) -> dict[str, str]:
    if not (settings.level_tag or settings.id_tag):
        return tags
    out = dict(tags)
    if settings.level_tag:
        out[settings.level_tag] = event.level.name
    if settings.id_tag:
        out[settings.id_tag] = event.id
    return out


def _fields(settings: AlertSettings, fields: dict[str, FieldValue], event: Event) -> dict[str, FieldValue]:
    if not (settings.level_field or settings.message_field or settings.id_field or settings.duration_field):
        return fields
    out = dict(fields)
    if settings.level_field:
        out[settings.level_field] = event.level.name
    if settings.message_field:
        out[settings.message_field] = event.message
    if settings.id_field:
        out[settings.id_field] = event.id
    if settings.duration_field:
        out[settings.duration_field] = event.duration
    return out


def annotate_point(settings: AlertSettings, point: Point, event: Event) -> Point:
    """A copy of `point` carrying the event's state where the node asks for it."""
    if not settings.annotates:
        return point
    return dataclasses.replace(
        point, tags=_tags(settings, point.tags, event), fields=_fields(settings, point.fields, event)
    )


def annotate_batch(settings: AlertSettings, batch: Batch, event: Event) -> Batch:
    """A copy of `batch` whose rows (and batch tags) carry the event's state where the node asks for it."""
    if not settings.annotates:
        return batch
    points = [
        dataclasses.replace(bp, tags=_tags(settings, bp.tags, event), fields=_fields(settings, bp.fields, event))
        for bp in batch.points
    ]
    return dataclasses.replace(batch, tags=_tags(settings, batch.tags, event), points=points)
