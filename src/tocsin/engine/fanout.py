"""Intake and fan-out: events update topic state and queue one durable delivery per matching handler.

Also the dry run (the same matching, nothing sent or changed) and the hand-over of written points to the
task side.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive, EventState, Topic
from tocsin.delivery.dispatcher import Job
from tocsin.engine.dryrun import preview
from tocsin.engine.errors import InvalidError, UnavailableError
from tocsin.engine.handler_secrets import scrubber
from tocsin.engine.handlers import TopicHandler, match_context
from tocsin.engine.state import EngineState
from tocsin.expr.match import MatchContext
from tocsin.loopslice import Slicer
from tocsin.points import Point
from tocsin.silences.matchers import labels_of
from tocsin.store.base import DeliveryStatus, NewDelivery, TopicStateChange

log = logging.getLogger("tocsin.engine.engine")

SILENCED_BY = "silenced by {id}"
MAX_ALERTS_PER_TOPIC = 100_000
TOO_MANY_ALERTS = (
    'topic "{topic}" already holds {limit} alert IDs: send OK events to end old alerts, or delete the topic'
)


class Fanout(EngineState):
    """`collect` (events into topics and the outbox), its quota, the dry run and `write_points`."""

    def check_alert_quota(self, items: list[tuple[Event, Derive]]) -> None:
        """InvalidError when events from a client would give a topic more than MAX_ALERTS_PER_TOPIC alert IDs
        (each ID is state kept, stored and listed). Tasks' own alerts are not limited: refusing them would lose
        them; a client that is refused hears so and may send again."""
        new: dict[str, set[str]] = {}
        for event, _ in items:
            topic = self.topics.get(event.topic)
            known = topic.events if topic is not None else {}
            if event.id in known or event.level == Level.OK:
                continue
            ids = new.setdefault(event.topic, set())
            ids.add(event.id)
            if len(known) + len(ids) > MAX_ALERTS_PER_TOPIC:
                raise InvalidError(TOO_MANY_ALERTS.format(topic=event.topic, limit=MAX_ALERTS_PER_TOPIC))

    async def collect(self, items: list[tuple[Event, Derive]]) -> int:
        """Update topic state, queue a delivery for every matching handler, and return once durable."""
        changes: list[TopicStateChange] = []
        deliveries: list[NewDelivery] = []
        jobs: list[tuple[str, str, Event] | None] = []  # one per delivery; None for one a silence holds back
        undo: list[tuple[Topic, str, Any, int]] = []
        created: list[str] = []  # topics this intake brought into existence
        now = time.time_ns()
        for event, derive in items:
            topic = self.topics.get(event.topic)
            if topic is None:
                topic = self.topics.ensure(event.topic)
                created.append(event.topic)
            previous = topic.events.get(event.id)
            undo.append((topic, event.id, previous, topic.collected))
            held_by = self._held_by(event, previous, now)
            changes.append(self.topics.collect(event, derive, held_by if event.level != Level.OK else ""))
            handlers = self.handlers.for_topic(event.topic)
            if not handlers:
                continue
            ctx: MatchContext | None = None
            record: dict[str, Any] | None = None
            for handler in handlers:
                if handler.match is not None:
                    if ctx is None:
                        ctx = match_context(event)
                    if not self._matches(handler, ctx, event):
                        continue
                if handler.kind.skip is not None and handler.kind.skip(event, handler.options):
                    continue
                if record is None:
                    record = event.to_record()
                delivery = NewDelivery(
                    event.topic, handler.key, handler.kind.name, event.id, int(event.level), record, now
                )
                if held_by:
                    delivery.status, delivery.last_error = DeliveryStatus.SILENCED, SILENCED_BY.format(id=held_by)
                    jobs.append(None)
                    self.metrics.silenced.labels(handler.kind.name).inc()
                else:
                    jobs.append((handler.key, handler.kind.name, event))
                deliveries.append(delivery)
        if not self.config.get("alert", "persist-topics"):
            changes = []
        try:
            ids = await self.store.commit_intake(changes, deliveries)
        except Exception as exc:
            for topic, alert_id, old, collected in reversed(undo):
                if old is None:
                    topic.events.pop(alert_id, None)
                else:
                    topic.events[alert_id] = old
                topic.collected = collected
            for topic_id in created:
                # Unless a concurrent request put something in it while this commit was pending.
                gone = self.topics.get(topic_id)
                if gone is not None and not gone.events and not self.handlers.for_topic(topic_id):
                    self.topics.delete(topic_id)
            raise UnavailableError(f"the store cannot accept events right now: {exc}") from exc
        for row_id, job in zip(ids, jobs, strict=True):
            if job is not None:
                key, kind, event = job
                self.submit(Job(row_id, key, kind, event.id, event, now))
        self.metrics.ingested.inc(len(items))
        return len(items)

    def _held_by(self, event: Event, previous: EventState | None, now: int) -> str:
        """The silence that holds `event`'s deliveries back ("" for none). A recovery goes out when the problem
        it clears went out, silence or not, and is held back with a problem that was held back."""
        if event.level == Level.OK:
            return previous.silenced if previous is not None and previous.level != Level.OK else ""
        if not self.silences.any_live:
            return ""
        silence = self.silences.holding(labels_of(event.topic, event.id, event.tags), now)
        return silence.id if silence is not None else ""

    def _matches(self, handler: TopicHandler, ctx: MatchContext, event: Event) -> bool:
        try:
            return handler.matches(ctx)
        except Exception as exc:
            log.warning("match of handler %s skipped event %s: %s", handler.key, event.id, exc)
            return False

    async def dry_run(self, items: list[tuple[Event, Derive]]) -> list[dict[str, Any]]:
        """What `collect` would do with these events (matches and exact requests), changing nothing."""
        slicer = Slicer()
        results = []
        now = time.time_ns()
        for event, derive in items:
            handlers = self.handlers.for_topic(event.topic)
            scrub = scrubber(self.config, handlers)
            topic = self.topics.get(event.topic)
            held_by = self._held_by(event, topic.events.get(event.id) if topic is not None else None, now)
            results.append(
                await preview(event, derive, self.topics, handlers, self.config, self.memos, scrub, slicer, held_by)
            )
        return results

    async def write_points(self, points: list[Point]) -> None:
        """Hand written points to the running tasks (dropped when no task service is wired)."""
        if self.points is not None and points:
            await self.points.write(points)
