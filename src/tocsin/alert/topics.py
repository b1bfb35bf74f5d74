"""Topics: per topic, the current state of every alert ID, and the rules that derive an event's history."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level, parse_level
from tocsin.store.base import TopicStateChange


@dataclass(slots=True)
class EventState:
    """The current state of one alert ID in one topic."""

    message: str
    details: str
    time: int
    duration: int
    level: Level
    silenced: str = ""  # the silence that held this problem's deliveries back ("": they went out)
    tags: dict[str, str] = field(default_factory=dict)  # the event's, for silences' matchers (not in Kapacitor's)

    def to_record(self) -> dict[str, Any]:
        record = {
            "message": self.message,
            "details": self.details,
            "time": self.time,
            "duration": self.duration,
            "level": self.level.name,
        }
        if self.silenced:
            record["silenced"] = self.silenced
        if self.tags:
            record["tags"] = self.tags
        return record

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> EventState:
        return cls(
            message=rec.get("message", ""),
            details=rec.get("details", ""),
            time=int(rec.get("time", 0)),
            duration=int(rec.get("duration", 0)),
            level=parse_level(rec.get("level", "OK")),
            silenced=str(rec.get("silenced", "")),
            tags={str(k): str(v) for k, v in (rec.get("tags") or {}).items()},
        )


@dataclass(slots=True)
class Topic:
    id: str
    events: dict[str, EventState] = field(default_factory=dict)
    collected: int = 0

    @property
    def level(self) -> Level:
        return max((s.level for s in self.events.values()), default=Level.OK)


@dataclass(frozen=True, slots=True)
class Derive:
    """Which parts of an incoming event the topic derives from its stored state (not given by the sender)."""

    previous_level: bool = True
    duration: bool = True


class TopicTable:
    """All topics in memory. Persistence is the caller's: `collect` returns the change to store."""

    def __init__(self) -> None:
        self._topics: dict[str, Topic] = {}

    def ensure(self, topic_id: str) -> Topic:
        topic = self._topics.get(topic_id)
        if topic is None:
            topic = self._topics[topic_id] = Topic(topic_id)
        return topic

    def get(self, topic_id: str) -> Topic | None:
        return self._topics.get(topic_id)

    def delete(self, topic_id: str) -> None:
        self._topics.pop(topic_id, None)

    def restore(self, topic_id: str, alert_id: str, record: dict[str, Any]) -> None:
        self.ensure(topic_id).events[alert_id] = EventState.from_record(record)

    def firing(self) -> list[tuple[Topic, str, EventState]]:
        """Every alert that is not OK, by topic and alert ID."""
        return [
            (topic, alert_id, state)
            for topic in self._topics.values()
            for alert_id, state in topic.events.items()
            if state.level != Level.OK
        ]

    def held_by(self, silence_id: str) -> list[tuple[Topic, str]]:
        """The (topic, alert ID) pairs whose current problem a silence held back."""
        return [(topic, alert_id) for topic, alert_id, state in self.firing() if state.silenced == silence_id]

    def list(self, pattern: str = "", min_level: Level = Level.OK) -> list[Topic]:
        out = [
            t
            for tid, t in sorted(self._topics.items())
            if (not pattern or fnmatch.fnmatchcase(tid, pattern)) and t.level >= min_level
        ]
        return out

    def preview(self, event: Event, derive: Derive = Derive()) -> None:
        """Fill in what `collect` would derive for `event`, without recording anything (dry runs)."""
        topic = self._topics.get(event.topic)
        prev = topic.events.get(event.id) if topic is not None else None
        _derive(event, prev, derive)

    def collect(self, event: Event, derive: Derive = Derive(), silenced: str = "") -> TopicStateChange:
        """Record `event` as the current state of its alert ID and fill in what the topic derives.

        previousLevel is the level this ID last had in this topic (OK when unknown). Duration runs from the
        first non-OK event of the incident to this one, so a recovery carries the incident's full length.
        """
        topic = self.ensure(event.topic)
        _derive(event, topic.events.get(event.id), derive)
        state = EventState(event.message, event.details, event.time, event.duration, event.level, silenced, event.tags)
        topic.events[event.id] = state
        topic.collected += 1
        # As Kapacitor's v2 topic store: an OK event removes the ID from disk but stays listed until restart.
        record = state.to_record() if event.level != Level.OK else None
        return TopicStateChange(event.topic, event.id, record)


def _derive(event: Event, prev: EventState | None, derive: Derive) -> None:
    if derive.previous_level:
        event.previous_level = prev.level if prev is not None else Level.OK
    if derive.duration:
        if prev is not None and prev.level != Level.OK:
            start = prev.time - prev.duration
            event.duration = max(0, event.time - start)
        else:
            event.duration = 0
