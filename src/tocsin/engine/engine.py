"""The engine: collects events into topics, fans them out to matching handlers through the outbox.

`ingest -> topic state -> topic handlers (match) -> outbox (store) -> dispatcher -> transports -> log`.
Everything the HTTP API offers is a method here; the engine never imports the API, the CLI or the tasks.
What it needs of the task side is a Service (a lifetime) and a PointSink (written points), attached by
whoever assembles the server (`tocsin.wiring`). Each responsibility lives in its own module (`state`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol, TypeVar

from tocsin.alert.topics import TopicTable
from tocsin.config.effective import Config
from tocsin.config.loader import FileConfig
from tocsin.config.overrides import Overrides, UpdateError
from tocsin.delivery.aggregator import Aggregator
from tocsin.delivery.dispatcher import Dispatcher
from tocsin.delivery.errors import Reason
from tocsin.delivery.retry import RetryPolicy
from tocsin.engine.administration import Administration
from tocsin.engine.cluster import ClusterLink
from tocsin.engine.delivering import Delivering
from tocsin.engine.errors import InvalidError
from tocsin.engine.fanout import MAX_ALERTS_PER_TOPIC, Fanout
from tocsin.engine.handler_registry import MAX_HANDLERS_PER_TOPIC, HandlerRegistry
from tocsin.engine.handlers import HandlerSpec, HandlerTable, compile_handler, handler_key
from tocsin.engine.identity import fresh, load_identity
from tocsin.engine.jobs import job_from_row
from tocsin.engine.posted_alerts import PostedAlerts
from tocsin.engine.silencing import Silencing
from tocsin.engine.state import NS
from tocsin.gocompat.duration import parse_duration
from tocsin.handlers.registry import HANDLERS
from tocsin.metrics import Metrics
from tocsin.points import PointSink
from tocsin.silences.book import SilenceBook
from tocsin.store.base import Store
from tocsin.store.cluster import cluster_of
from tocsin.transports import Transports
from tocsin.transports.netpolicy import AddressPolicy

log = logging.getLogger(__name__)

_NS = NS
PURGE_EVERY = 60.0
RELEASE_EVERY = 1.0  # seconds between checks for silences that have ended
LANE_MEMORY = 10_000  # pending deliveries per handler held in memory; more wait in the store


S = TypeVar("S")


class Service(Protocol):
    """Something with a lifetime inside the engine's (the TICKscript task service)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...


class Engine(Fanout, HandlerRegistry, Delivering, Administration, Silencing):
    def __init__(
        self,
        base: FileConfig,
        store: Store,
        *,
        transports: Transports | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.base = base
        self.store = store
        self.overrides = Overrides()
        self.config = Config.build(base, self.overrides)
        self.topics = TopicTable()
        self.handlers = HandlerTable()
        self.metrics = metrics or Metrics()
        self.started_ns = time.time_ns()
        delivery = self.config.element("delivery") or {}
        self.transports = transports or Transports(
            policy=AddressPolicy.from_lists(delivery.get("deny-networks") or (), delivery.get("allow-networks") or ()),
            redirects=str(delivery.get("redirects") or "same-origin"),
        )
        self.policy = RetryPolicy(
            max_attempts=int(delivery.get("max-attempts", 10)),
            max_age=int(delivery.get("max-age", 24 * 3600 * _NS)),
            initial=int(delivery.get("backoff-initial", _NS)) / _NS,
            maximum=int(delivery.get("backoff-max", 300 * _NS)) / _NS,
            multiplier=float(delivery.get("backoff-multiplier", 2.0)),
            jitter=float(delivery.get("jitter", 0.2)),
            kind_max_attempts=tuple((str(k), int(n)) for k, n in (delivery.get("kind-max-attempts") or {}).items()),
        )
        self.default_timeout = int(delivery.get("timeout", 10 * _NS)) / _NS
        self.kind_timeouts = {
            kind: parse_duration(str(text)) / _NS for kind, text in (delivery.get("kind-timeouts") or {}).items()
        }
        self.retention = int(delivery.get("retention", 168 * 3600 * _NS))
        self.extra_service_tests = {}
        concurrency = max(1, int(delivery.get("concurrency", 4)))
        # scale-out: with a shared store, deliver what this instance claims (engine/cluster.py)
        shared = cluster_of(store)
        self.cluster = ClusterLink(self, shared) if shared is not None else None
        self.dispatcher = Dispatcher(
            store,
            self._attempt,
            self.policy,
            self.metrics,
            concurrency=lambda _key: concurrency,
            load=self._load_jobs if self.cluster is None else None,
            lane_memory=LANE_MEMORY,
            owns=self.cluster.owns if self.cluster is not None else None,
        )
        self.aggregator = Aggregator(store, self.metrics, self._aggregate_target, self._publish_folded)
        self.metrics.init_kinds(HANDLERS, (reason.value for reason in Reason))
        self.metrics.watch_outbox(self._outbox_sample)
        self._purger: asyncio.Task[None] | None = None
        self._releaser: asyncio.Task[None] | None = None
        self._stopped = False
        self.points: PointSink | None = None  # the task service, once wired
        # Services started after topic handlers load and before pending deliveries resume (their handlers
        # must exist by then), stopped before the dispatcher closes: the TICKscript task service.
        self.services: list[Service] = []
        self.identity = fresh()  # replaced by the stored IDs at start
        self.memos: dict[tuple[str, str], str] = {}
        self.silences = SilenceBook(store)
        self.posted_alerts = PostedAlerts()
        if self.cluster is not None:  # scale-out: silences made on other instances hold here too
            self.cluster.followers.append(self.silences)

    async def start(self) -> None:
        await self.store.open()
        saved = await self.store.load_overrides()
        if saved:
            self.overrides = Overrides.from_json(saved)
            if self.config.skip_overrides:
                log.info("skip-config-overrides is set: stored config overrides are not applied")
            else:
                try:
                    self.config = Config.build(self.base, self.overrides)
                except UpdateError as exc:
                    log.error("stored config overrides no longer apply (%s); running on the file config", exc)
        self.identity = await load_identity(self.store, shared=self.cluster is not None)
        self.memos = await self.store.load_memos()
        await self.silences.load()
        for topic_id, alert_id, record in await self.store.load_topic_states():
            self.topics.restore(topic_id, alert_id, record)
        for raw in await self.store.load_handler_specs():
            spec = HandlerSpec.from_json(raw)
            try:
                self.handlers.put(compile_handler(spec, self.config, "load"))
            except InvalidError as exc:
                log.error("topic handler %s/%s not loaded: %s", spec.topic, spec.id, exc)
            self.topics.ensure(spec.topic)
        for service in self.services:
            await service.open()
        counts = await self.store.pending_counts() if self.cluster is None else {}  # scale-out: claimed instead
        for key, count in counts.items():
            handler = self.handlers.by_key(key)
            aggregating = handler is not None and handler.kind.combine is not None
            rows = await self.store.load_pending(handler=key, limit=None if aggregating else LANE_MEMORY)
            for row in rows:
                self.submit(job_from_row(row))
            self.dispatcher.note_spilled(key, count - len(rows))
        if counts:
            log.info("resuming %d pending deliveries", sum(counts.values()))
        self._purger = asyncio.get_running_loop().create_task(self._purge_loop())
        self._releaser = asyncio.get_running_loop().create_task(self._release_loop())
        if self.cluster is not None:  # scale-out
            await self.cluster.start()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking work, finish or give back what is in flight, close the store; a second call does nothing."""
        if self._stopped:
            return
        self._stopped = True
        for loop_task in (self._purger, self._releaser):
            if loop_task is not None:
                loop_task.cancel()
                await asyncio.gather(loop_task, return_exceptions=True)
        for service in reversed(self.services):
            await service.close()
        if self.cluster is not None:  # scale-out: stop claiming, then give back what is left
            await self.cluster.stop()
        await self.dispatcher.close(grace)
        await self.aggregator.close()
        if self.cluster is not None:
            await self.cluster.release()
        await self.store.close()
        await self.transports.close()

    async def _release_loop(self) -> None:
        """Silences that have ended deliver the state of what they still hold (tocsin.engine.silencing)."""
        while True:
            await asyncio.sleep(RELEASE_EVERY)
            try:
                await self.release_ended_silences(time.time_ns())
            except Exception as exc:
                log.error("delivering what ended silences held failed (tried again in %gs): %s", RELEASE_EVERY, exc)

    async def _purge_loop(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY)
            try:
                gone = await self.store.purge(time.time_ns() - self.retention)
                if gone:
                    log.info("purged %d finished deliveries older than the retention", gone)
            except Exception as exc:
                log.error("purging the delivery log failed: %s", exc)

    def service_of(self, kind: type[S]) -> S:
        """The attached service of that class (the assembly's task service, ...); LookupError without one."""
        for service in self.services:
            if isinstance(service, kind):
                return service
        raise LookupError(f"this engine runs no {kind.__name__}")

    def attach(self, service: Service, *, points: PointSink | None = None) -> None:
        """Run `service` inside the engine's lifetime (opened after topic handlers load and before pending
        deliveries resume, closed before the dispatcher); `points` takes what /write receives."""
        self.services.append(service)
        if points is not None:
            self.points = points


__all__ = ["MAX_ALERTS_PER_TOPIC", "MAX_HANDLERS_PER_TOPIC", "Engine", "handler_key"]
