"""The engine's side of scale-out: several instances on one shared store (issue 8).

When the store is shared (`tocsin.store.cluster.cluster_of`), the engine delivers only what it claimed
(`tocsin.delivery.claims`): intake commits rows and wakes the claimer, and any instance may claim them. The
link also keeps this instance's copies of shared state current from other instances' notices:
- topic handler specs and config overrides are reloaded as a whole when a notice says they changed;
- topic states arrive in the notice (last writer wins per topic and alert ID); a state that an OK event
  removed elsewhere is removed here too (so it is not listed here, where it would be listed until restart on
  the instance that took the OK event); a topic deleted elsewhere is deleted here;
- what a handler remembers for an alert ID (memos) comes with each claimed row.
If the listening connection is lost, the link reconnects every second and then reloads all of it.
Followers (the TICKscript task service) get the notices the link does not handle itself, and resync with
the store when notices may have been missed or a claimed row names a handler this instance does not know.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import orjson

from tocsin.alert.topics import TopicTable
from tocsin.config.effective import Config
from tocsin.config.loader import FileConfig
from tocsin.config.overrides import Overrides, UpdateError
from tocsin.delivery.aggregator import Aggregator
from tocsin.delivery.claims import Claimer
from tocsin.delivery.dispatcher import Dispatcher, Job
from tocsin.engine.errors import InvalidError
from tocsin.engine.handlers import HandlerSpec, HandlerTable, compile_handler
from tocsin.engine.jobs import job_from_row
from tocsin.store.base import Store
from tocsin.store.cluster import OUTBOX, OVERRIDES, SPECS, STATES, TOPIC, Claimed, Cluster, Notice

log = logging.getLogger(__name__)

WATCH_EVERY = 1.0  # seconds between checks of the listening connection


class Follower(Protocol):
    """Shared state kept outside the engine, told about other instances' changes."""

    def notice(self, notice: Notice) -> None:
        """A notice of a kind the link does not handle itself."""
        ...

    async def resync(self) -> None:
        """Notices may have been missed: reload everything from the store."""
        ...


class Linked(Protocol):
    """What the link reads and changes of its engine (public names only)."""

    base: FileConfig
    store: Store
    overrides: Overrides
    config: Config
    topics: TopicTable
    handlers: HandlerTable
    dispatcher: Dispatcher
    aggregator: Aggregator
    memos: dict[tuple[str, str], str]

    def submit(self, job: Job, *, hold: bool = False, claimed: bool = False) -> None: ...


class ClusterLink:
    """Claims, leases and shared-state notices for one engine."""

    def __init__(self, engine: Linked, cluster: Cluster) -> None:
        self._engine = engine
        self.cluster = cluster
        self.claimer = Claimer(cluster, self._take, self._lanes, self._held, self._holds)
        self._reloads: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._unknown: list[Job] = []  # claimed rows of handlers this instance does not know yet
        self._watch: asyncio.Task[None] | None = None
        self.followers: list[Follower] = []

    def owns(self, delivery_id: int) -> bool:
        """Whether this instance may attempt the delivery now."""
        return self.claimer.owns(delivery_id)

    def wake(self) -> None:
        """New pending rows: claim them now."""
        self.claimer.wake()

    async def start(self) -> None:
        """Listen for notices, then start claiming."""
        try:
            await self.cluster.listen(self._notice)
        except Exception as exc:
            log.error("cannot listen for other instances' changes (retrying every %ss): %s", WATCH_EVERY, exc)
        self._watch = asyncio.get_running_loop().create_task(self._watch_listener(), name="tocsin-listen")
        self.claimer.start()

    async def stop(self) -> None:
        """Stop claiming and listening (claims stay held until `release`)."""
        await self.claimer.stop()
        tasks = [t for t in (self._watch, *self._reloads.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._watch = None
        await self.cluster.unlisten()

    async def release(self) -> None:
        """Give back what this instance still holds, so that others take it over at once."""
        try:
            await self.cluster.release()
        except Exception as exc:
            log.error("could not give back claimed deliveries (others take them after the lease): %s", exc)

    async def wait_idle(self) -> None:
        """Claim and deliver until nothing is left for this instance."""
        await self.claimer.settle(self._engine.dispatcher.wait_idle)

    # claims

    def _take(self, claimed: Claimed) -> None:
        engine, row = self._engine, claimed.row
        if claimed.memo:
            engine.memos[(row.handler, row.alert_id)] = claimed.memo
        else:
            engine.memos.pop((row.handler, row.alert_id), None)
        job = job_from_row(row)
        if engine.handlers.by_key(row.handler) is None:
            # Maybe created on another instance a moment ago: deliver once the handler specs are reloaded.
            self._unknown.append(job)
            self._reload(SPECS)
            return
        engine.submit(job, claimed=True)

    def _lanes(self) -> dict[str, int]:
        return self._engine.dispatcher.loads()

    def _held(self) -> int:
        return self._engine.dispatcher.depth()[0] + self._engine.aggregator.depth()

    def _holds(self, delivery_id: int) -> bool:
        return self._engine.dispatcher.holds(delivery_id)

    # notices

    def _notice(self, notice: Notice) -> None:
        if notice.kind == OUTBOX:
            self.claimer.wake()
        elif notice.kind in (SPECS, OVERRIDES):
            self._reload(notice.kind)
        elif notice.kind == TOPIC:
            self._engine.topics.delete(notice.body)
        elif notice.kind == STATES:
            self._states(orjson.loads(notice.body))
        else:
            for follower in self.followers:
                follower.notice(notice)

    def _states(self, items: list[list[Any]]) -> None:
        topics = self._engine.topics
        for topic_id, alert_id, state in items:
            if state == "?":
                self._spawn(f"state {topic_id}/{alert_id}", self._fetch_state(topic_id, alert_id))
            elif state is None:
                topic = topics.get(topic_id)
                if topic is not None:
                    topic.events.pop(alert_id, None)
            else:
                topics.restore(topic_id, alert_id, state)

    async def _fetch_state(self, topic_id: str, alert_id: str) -> None:
        state = await self.cluster.topic_state(topic_id, alert_id)
        self._states([[topic_id, alert_id, state]])

    def _reload(self, what: str) -> None:
        """Reload `what` soon; a notice arriving during a reload makes it run once more afterwards."""
        if what in self._reloads:
            self._again.add(what)
            return
        load = self._reload_handlers if what == SPECS else self.reload_overrides
        task = self._spawn(what, load())
        self._reloads[what] = task

        def done(finished: asyncio.Task[None]) -> None:
            del self._reloads[what]
            if finished.cancelled():
                return
            if what in self._again:
                self._again.discard(what)
                self._reload(what)
            elif what == SPECS and self._unknown:
                waiting, self._unknown = self._unknown, []
                for job in waiting:  # a handler still unknown dead-letters the job, as without scale-out
                    self._engine.submit(job, claimed=True)

        task.add_done_callback(done)

    def _spawn(self, what: str, work: Any) -> asyncio.Task[None]:
        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("reloading %s changed by another instance failed: %s", what, exc)

        return asyncio.get_running_loop().create_task(guarded())

    async def reload_specs(self) -> None:
        """Make this instance's topic handlers those in the store (task-chained handlers kept)."""
        engine = self._engine
        specs = [HandlerSpec.from_json(raw) for raw in await engine.store.load_handler_specs()]
        wanted = {(s.topic, s.id) for s in specs}
        for handler in engine.handlers.all():
            if not handler.owner and (handler.spec.topic, handler.spec.id) not in wanted:
                engine.handlers.remove(handler.spec.topic, handler.spec.id)
        for spec in specs:
            current = engine.handlers.get(spec.topic, spec.id)
            if current is not None and current.spec.to_json() == spec.to_json():
                continue
            try:
                engine.handlers.put(compile_handler(spec, engine.config, "load"))
            except InvalidError as exc:
                log.error("topic handler %s/%s not loaded: %s", spec.topic, spec.id, exc)
                continue
            engine.topics.ensure(spec.topic)

    async def _reload_handlers(self) -> None:
        """Topic handlers, and the followers' (task-chained handlers come with their tasks)."""
        await self.reload_specs()
        for follower in self.followers:
            await follower.resync()

    async def reload_overrides(self) -> None:
        """Apply the config overrides in the store, as a start would."""
        engine = self._engine
        saved = await engine.store.load_overrides()
        overrides = Overrides.from_json(saved) if saved else Overrides()
        if engine.config.skip_overrides:
            engine.overrides = overrides
            return
        try:
            config = Config.build(engine.base, overrides)
        except UpdateError as exc:
            log.error("config overrides saved by another instance do not apply here: %s", exc)
            return
        engine.overrides, engine.config = overrides, config

    async def reload_states(self) -> None:
        """Take every stored topic state (after notices may have been missed)."""
        for topic_id, alert_id, record in await self._engine.store.load_topic_states():
            self._engine.topics.restore(topic_id, alert_id, record)

    async def _watch_listener(self) -> None:
        while True:
            await asyncio.sleep(WATCH_EVERY)
            if self.cluster.listening():
                continue
            with contextlib.suppress(Exception):
                await self.cluster.listen(self._notice)
                log.info("listening for other instances' changes again; reloading shared state")
                await self.reload_specs()
                await self.reload_overrides()
                await self.reload_states()
                for follower in self.followers:
                    await follower.resync()
                self.claimer.wake()
