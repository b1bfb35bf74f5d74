"""The silences in force and every change made to them, kept in the store (documents `silences` and
`silence-audit`), so they survive restarts and, on a shared store, hold on every instance.

`holding(labels, now)` is what the engine asks of each event: the active silence that holds it back, if any.
Expired silences are kept (listed, and their audit entries) until the delivery log's retention.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tocsin.silences.silence import EXPIRED, Silence, SilenceError
from tocsin.silences.windows import Window
from tocsin.store.base import Store
from tocsin.store.cluster import DOCUMENT, Notice

log = logging.getLogger(__name__)

SILENCES_NS, AUDIT_NS, WINDOWS_NS = "silences", "silence-audit", "maintenance-windows"
MAX_WINDOWS = 1_000
MAX_SILENCES = 10_000  # not expired; each one is checked against every event of intake
CREATED, UPDATED, EXPIRED_EARLY, RELEASED = "create", "update", "expire", "release"


class UnknownSilence(LookupError):
    """No silence has this ID."""


class SilenceBook:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._by_id: dict[str, Silence] = {}
        self._windows: dict[str, Window] = {}
        self._live: list[Silence] = []  # not expired when last pruned, by start: the only ones `holding` checks
        self._prune_at = 0  # the soonest end among them: past it, `_live` is pruned again
        self._seq = itertools.count()
        self._reload: asyncio.Task[None] | None = None
        self._again = False

    async def load(self) -> None:
        """Read every silence and window from the store, then switch to them at once (no await in between, so an
        event is never checked against half of a reload)."""
        silence_docs = await self.store.load_documents(SILENCES_NS)
        window_docs = await self.store.load_documents(WINDOWS_NS)
        found = {}
        for key, doc in silence_docs.items():
            try:
                found[key] = Silence.from_record(doc)
            except (KeyError, TypeError, ValueError) as exc:
                log.error("stored silence %s not loaded: %s", key, exc)
        windows = {}
        for key, doc in window_docs.items():
            try:
                windows[key] = Window.from_record(doc)
            except (KeyError, TypeError, ValueError) as exc:
                log.error("stored maintenance window %s not loaded: %s", key, exc)
        self._by_id, self._windows = found, windows
        self._relive(0)

    def _relive(self, now: int) -> None:
        self._live = sorted((s for s in self._by_id.values() if s.ends_at > now), key=lambda s: s.starts_at)
        self._prune_at = min((s.ends_at for s in self._live), default=0)

    def all(self) -> list[Silence]:
        return sorted(self._by_id.values(), key=lambda s: (s.starts_at, s.id))

    def get(self, silence_id: str) -> Silence:
        found = self._by_id.get(silence_id)
        if found is None:
            raise UnknownSilence(silence_id)
        return found

    def holding(self, labels: Mapping[str, str], now: int) -> Silence | None:
        """The active silence whose matchers all match `labels` (the one ending last, when several do)."""
        if self._prune_at and now >= self._prune_at:
            self._relive(now)
        best = None
        for silence in self._live:
            if silence.starts_at > now:
                break  # sorted by start: the rest are pending
            later = best is None or silence.ends_at > best.ends_at
            if later and silence.ends_at > now and all(m.matches(labels) for m in silence.matchers):
                best = silence
        for window in self._windows.values():
            occurrence = window.occurrence(now)
            if occurrence is None or (best is not None and occurrence[1] <= best.ends_at):
                continue
            if all(m.matches(labels) for m in window.matchers):
                best = window.as_silence(*occurrence)
        return best

    @property
    def any_live(self) -> bool:
        return bool(self._live) or bool(self._windows)

    def prepare(self, silence: Silence, now: int) -> tuple[Silence, str]:
        """What `commit` will store for `silence` and the audit action: a create (its ID "": a new one is made)
        or an update of the one with its ID (not an expired one). Raises SilenceError or UnknownSilence."""
        if silence.id:
            current = self.get(silence.id)
            if current.state(now) == EXPIRED:
                raise SilenceError(f"silence {silence.id} has expired: create a new one")
            action = UPDATED
        else:
            if sum(1 for s in self._by_id.values() if s.state(now) != EXPIRED) >= MAX_SILENCES:
                raise SilenceError(f"silence: at most {MAX_SILENCES} silences may be pending or active")
            silence, action = replace(silence, id=str(uuid.uuid4())), CREATED
        return silence, action

    def unreleased(self, now: int) -> list[Silence]:
        """The silences, and the windows' occurrences, that have ended and whose still-firing alerts have not had
        their state delivered yet (an occurrence as a silence with its window's ID)."""
        ended = [s for s in self._by_id.values() if s.ends_at <= now and not s.released]
        for window in self._windows.values():
            last = window.last_ended(now)
            if last is not None and last[1] > window.released_until:
                ended.append(window.as_silence(*last))
        return ended

    async def mark_released(self, silence: Silence, now: int) -> None:
        """`silence` (from `unreleased`) has had what it held delivered."""
        window = self._windows.get(silence.id)
        if window is not None:
            done = replace(window, released_until=silence.ends_at)
            await self._put_window(done, RELEASED, now, "tocsin")
        else:
            await self.commit(replace(silence, released=True, updated_at=now), RELEASED, now, "tocsin")

    # maintenance windows

    def windows(self) -> list[Window]:
        return sorted(self._windows.values(), key=lambda w: (w.name, w.id))

    def get_window(self, window_id: str) -> Window:
        found = self._windows.get(window_id)
        if found is None:
            raise UnknownSilence(window_id)
        return found

    async def save_window(self, window: Window, now: int, by: str) -> Window:
        """Create `window` (its ID "": a new one is made) or replace the one with its ID; what ended before it
        was saved is not its to deliver."""
        action = UPDATED if window.id else CREATED
        if not window.id:
            window = replace(window, id=str(uuid.uuid4()))
        window = replace(window, released_until=now)
        await self._put_window(window, action, now, by)
        return window

    async def delete_window(self, window_id: str, now: int, by: str) -> None:
        window = self.get_window(window_id)
        await self.store.delete_document(WINDOWS_NS, window_id)
        await self._audit({"window": window.to_record()}, "delete", now, by)
        self._windows.pop(window_id, None)

    async def _put_window(self, window: Window, action: str, now: int, by: str) -> None:
        record = window.to_record()
        await self.store.put_document(WINDOWS_NS, window.id, record)
        await self._audit({"window": record}, action, now, by)
        self._windows[window.id] = window

    async def _audit(self, what: dict[str, Any], action: str, now: int, by: str) -> None:
        key = f"{now:020d}-{next(self._seq):06d}-{next(iter(what.values()))['id']}"
        await self.store.put_document(AUDIT_NS, key, {"at": now, "action": action, "by": by, **what})

    def ending(self, silence_id: str, now: int) -> Silence:
        """The silence expired at `now`, for `commit` with EXPIRED_EARLY. Raises SilenceError or UnknownSilence."""
        current = self.get(silence_id)
        if current.state(now) == EXPIRED:
            raise SilenceError(f"silence {silence_id} already expired")
        return current.expired_at(now)

    async def audit(self, silence_id: str) -> list[dict[str, Any]]:
        """Every change of one silence, oldest first."""
        docs = await self.store.load_documents(AUDIT_NS)
        return [doc for key, doc in sorted(docs.items()) if doc.get("silence", {}).get("id") == silence_id]

    # another instance's changes, on a shared store (a follower of tocsin.engine.cluster.ClusterLink)

    def notice(self, notice: Notice) -> None:
        namespace = notice.body.partition("\t")[0]
        if notice.kind != DOCUMENT or namespace not in (SILENCES_NS, WINDOWS_NS):
            return
        if self._reload is not None:
            self._again = True  # the reload under way may have read the store before this change
            return
        self._reload = asyncio.get_running_loop().create_task(self._reload_all(), name="tocsin-silences")

    async def resync(self) -> None:
        await self.load()

    async def _reload_all(self) -> None:
        try:
            again = True
            while again:
                self._again = False
                await self.load()
                again = self._again
        except Exception as exc:
            log.error("reloading silences changed on another instance failed: %s", exc)
        finally:
            self._reload = None

    async def commit(self, silence: Silence, action: str, now: int, by: str) -> None:
        """Store `silence` and its audit entry, then apply it (a failed write changes nothing)."""
        record = silence.to_record()
        await self.store.put_document(SILENCES_NS, silence.id, record)
        await self._audit({"silence": record}, action, now, by)
        self._by_id[silence.id] = silence
        self._relive(0)
