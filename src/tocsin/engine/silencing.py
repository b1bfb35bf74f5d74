"""Silences as the API changes them: the engine's calls over the silence book (tocsin.silences)."""

from __future__ import annotations

import time
from typing import Any

from tocsin.engine.am_alerts import events_of
from tocsin.engine.errors import InvalidError, NotFoundError, storing
from tocsin.engine.posted_alerts import PostedAlert
from tocsin.engine.state import EngineState
from tocsin.silences.book import EXPIRED_EARLY, UnknownSilence
from tocsin.silences.matchers import Matcher, labels_of
from tocsin.silences.silence import Silence, SilenceError, parse_silence


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
            silence = self.silences.holding(labels_of(alert.topic, alert.alert_id, alert.tags), now)
            return silence.id if silence is not None else ""

        return self.posted_alerts.listing(now, filters, silenced_by, show_active=active, show_silenced=silenced)

    async def silence_audit(self, silence_id: str) -> list[dict[str, Any]]:
        self.get_silence(silence_id)
        return await self.silences.audit(silence_id)
