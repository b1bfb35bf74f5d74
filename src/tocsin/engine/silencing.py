"""Silences as the API changes them: the engine's calls over the silence book (tocsin.silences)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.topics import EventState, Topic
from tocsin.delivery.dispatcher import Job
from tocsin.engine.am_alerts import events_of
from tocsin.engine.errors import InvalidError, NotFoundError, storing
from tocsin.engine.fanout import SILENCED_BY
from tocsin.engine.posted_alerts import PostedAlert
from tocsin.engine.state import EngineState
from tocsin.silences.book import EXPIRED_EARLY, MAX_WINDOWS, UnknownSilence
from tocsin.silences.matchers import Matcher, labels_of
from tocsin.silences.silence import Silence, SilenceError, parse_matchers, parse_silence
from tocsin.silences.windows import Window, occurrences_json, parse_window
from tocsin.store.base import DeliveryFilter, DeliveryRow, DeliveryStatus, NewDelivery, TopicStateChange


class Silencing(EngineState):
    """List, create, update and expire silences, and read their audit trail."""

    def list_silences(self) -> list[Silence]:
        return self.silences.all()

    def get_silence(self, silence_id: str) -> Silence:
        try:
            return self.silences.get(silence_id)
        except UnknownSilence:
            raise NotFoundError(f'unknown silence: "{silence_id}"') from None

    async def save_silence(self, body: Any, by: str) -> Silence:
        """Create a silence, or update the one whose `id` the body names."""
        now = time.time_ns()
        try:
            silence, action = self.silences.prepare(parse_silence(body, now), now)
        except SilenceError as exc:
            raise InvalidError(str(exc)) from None
        except UnknownSilence as exc:
            raise NotFoundError(f'unknown silence: "{exc.args[0]}"') from None
        with storing("silence"):
            await self.silences.commit(silence, action, now, by)
        return silence

    async def expire_silence(self, silence_id: str, by: str) -> Silence:
        now = time.time_ns()
        self.get_silence(silence_id)
        try:
            ended = self.silences.ending(silence_id, now)
        except SilenceError as exc:
            raise InvalidError(str(exc)) from None
        with storing("silence"):
            await self.silences.commit(ended, EXPIRED_EARLY, now, by)
        return ended

    async def post_am_alerts(self, body: Any) -> int:
        """Alerts posted to Alertmanager's API: the state changes among them collected as events."""
        items = events_of(body, self.config, self.topics, time.time_ns(), self.posted_alerts)
        self.check_alert_quota(items)
        return await self.collect(items) if items else 0

    def list_am_alerts(self, filters: list[Matcher], *, active: bool, silenced: bool) -> list[dict[str, Any]]:
        """`GET /api/v2/alerts`: the unresolved alerts posted to Alertmanager's API, with their silence."""
        now = time.time_ns()

        def silenced_by(alert: PostedAlert) -> str:
            silence = self.silences.holding(labels_of(alert.topic, alert.alert_id, alert.labels), now)
            return silence.id if silence is not None else ""

        return self.posted_alerts.listing(now, filters, silenced_by, show_active=active, show_silenced=silenced)

    async def release_ended_silences(self, now: int) -> int:
        """For each silence that has ended: the alerts it held back that are still not OK have their latest held
        deliveries sent once (as they would have gone out without the silence), unless another silence holds
        them now or `[alert] deliver-after-silence` is off. Returns how many deliveries were queued."""
        queued = 0
        ended = self.silences.unreleased(now)
        if ended and self.cluster is not None:
            # another instance may have just released them: read the store, not the last notice
            await self.silences.load()
            ended = self.silences.unreleased(now)
        for silence in ended:
            if self.config.get("alert", "deliver-after-silence"):
                queued += await self._release(silence, now)
            with storing("silence"):
                await self.silences.mark_released(silence, now)
        return queued

    async def _release(self, silence: Silence, now: int) -> int:
        deliveries, changes, jobs = [], [], []
        held_rows: dict[str, list[DeliveryRow]] = {}
        for topic, alert_id in self.topics.held_by(silence.id):
            topic_id = topic.id
            rows = held_rows.get(topic_id)
            if rows is None:
                flt = DeliveryFilter(topic=topic_id, status=DeliveryStatus.SILENCED, since=silence.starts_at)
                flt.limit = 10_000
                rows = held_rows[topic_id] = await self.store.query_deliveries(flt)
            latest: dict[str, DeliveryRow] = {}
            for row in rows:  # newest first
                if row.alert_id == alert_id and row.last_error == SILENCED_BY.format(id=silence.id):
                    latest.setdefault(row.handler, row)
            state = topic.events[alert_id]
            events = {key: Event.from_record(row.event) for key, row in latest.items()}
            first = next(iter(events.values()), None)
            other = self.silences.holding(labels_of(first.topic, first.id, first.tags), now) if first else None
            if other is not None:
                state.silenced = other.id  # still held, by another silence now
            else:
                state.silenced = ""
                for key, row in latest.items():
                    if self.handlers.by_key(key) is None:
                        continue  # the handler is gone: nothing to send it to
                    deliveries.append(
                        NewDelivery(row.topic, row.handler, row.kind, row.alert_id, row.level, row.event, now)
                    )
                    jobs.append((row.handler, row.kind, events[key]))
            changes.append(TopicStateChange(topic_id, alert_id, state.to_record()))
        if not self.config.get("alert", "persist-topics"):
            changes = []
        if not changes and not deliveries:
            return 0
        with storing("delivery"):
            ids = await self.store.commit_intake(changes, deliveries)
        for row_id, (key, kind, event) in zip(ids, jobs, strict=True):
            self.submit(Job(row_id, key, kind, event.id, event, now))
        return len(deliveries)

    def held_alerts(self, silence_id: str) -> list[dict[str, str]]:
        """The alerts whose current problem the silence (or window) holds back."""
        if silence_id not in {w.id for w in self.silences.windows()}:
            self.get_silence(silence_id)
        return _alerts((topic, alert_id, topic.events[alert_id]) for topic, alert_id in self.topics.held_by(silence_id))

    def silence_preview(self, body: Any) -> list[dict[str, str]]:
        """The alerts not OK now whose deliveries silences with these `matchers` would hold back."""
        if not isinstance(body, dict):
            raise InvalidError("silence: expected a JSON object")
        try:
            matchers = parse_matchers(body.get("matchers"), "silence")
        except SilenceError as exc:
            raise InvalidError(str(exc)) from None
        return _alerts(
            (topic, alert_id, state)
            for topic, alert_id, state in self.topics.firing()
            if all(m.matches(labels_of(topic.id, alert_id, state.tags)) for m in matchers)
        )

    def silence_suggestion(self, topic_id: str, alert_id: str) -> list[dict[str, Any]]:
        """Matchers for silencing what an alert is about: its host when it has a `host` tag, else the alert."""
        topic = self.topics.get(topic_id)
        state = topic.events.get(alert_id) if topic is not None else None
        if state is None:
            raise NotFoundError(f'unknown alert: "{alert_id}" in topic "{topic_id}"')
        pairs = [("host", state.tags["host"])] if state.tags.get("host") else [("topic", topic_id), ("id", alert_id)]
        return [Matcher(name, value).to_json() for name, value in pairs]

    # maintenance windows

    def list_windows(self) -> list[Window]:
        return self.silences.windows()

    def get_window(self, window_id: str) -> Window:
        try:
            return self.silences.get_window(window_id)
        except UnknownSilence:
            raise NotFoundError(f'unknown maintenance window: "{window_id}"') from None

    def preview_window(self, body: Any, count: int) -> list[dict[str, str]]:
        """The next occurrences of the window `body` describes, saving nothing."""
        now = time.time_ns()
        try:
            return occurrences_json(parse_window(body, now), now, count)
        except SilenceError as exc:
            raise InvalidError(str(exc)) from None

    async def save_window(self, body: Any, by: str) -> Window:
        now = time.time_ns()
        try:
            window = parse_window(body, now)
        except SilenceError as exc:
            raise InvalidError(str(exc)) from None
        if window.id:
            self.get_window(window.id)
        elif len(self.silences.windows()) >= MAX_WINDOWS:
            raise InvalidError(f"window: at most {MAX_WINDOWS} maintenance windows")
        with storing("maintenance window"):
            return await self.silences.save_window(window, now, by)

    async def delete_window(self, window_id: str, by: str) -> None:
        self.get_window(window_id)
        with storing("maintenance window"):
            await self.silences.delete_window(window_id, time.time_ns(), by)

    async def silence_audit(self, silence_id: str) -> list[dict[str, Any]]:
        self.get_silence(silence_id)
        return await self.silences.audit(silence_id)


def _alerts(found: Iterable[tuple[Topic, str, EventState]]) -> list[dict[str, str]]:
    """Alerts as the silence routes list them, by topic and alert ID."""
    rows = [{"topic": topic.id, "id": alert_id, "level": state.level.name} for topic, alert_id, state in found]
    return sorted(rows, key=lambda a: (a["topic"], a["id"]))
