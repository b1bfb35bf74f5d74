"""The engine: collects events into topics, fans them out to matching handlers through the outbox.

`ingest -> topic state -> topic handlers (match) -> outbox (store) -> dispatcher -> transports -> log`.
Everything the HTTP API offers is a method here; the engine never imports the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Protocol

import jsonpatch

from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.alert.topics import Derive, Topic, TopicTable
from tocsin.config.effective import Config
from tocsin.config.loader import FileConfig
from tocsin.config.overrides import Overrides, UpdateError, apply_update
from tocsin.config.view import redact
from tocsin.delivery.aggregator import Aggregator
from tocsin.delivery.dispatcher import Dispatcher, Job
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.retry import RetryPolicy
from tocsin.delivery.scrub import request_secrets, scrub, url_secrets
from tocsin.engine.cluster import ClusterLink
from tocsin.engine.dryrun import preview
from tocsin.engine.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnavailableError,
)
from tocsin.engine.handler_secrets import refuse_placeholders, restore_secrets
from tocsin.engine.handlers import HandlerSpec, HandlerTable, TopicHandler, compile_handler, handler_key
from tocsin.engine.identity import fresh, load_identity
from tocsin.expr.match import MatchContext
from tocsin.gocompat.duration import parse_duration
from tocsin.gotemplate.budget import rendered
from tocsin.handlers.base import ServiceTest
from tocsin.handlers.options import normalize
from tocsin.handlers.registry import HANDLERS, get_kind
from tocsin.handlers.requests import Publish
from tocsin.handlers.service_tests import all_service_tests, run_service_test
from tocsin.loopslice import Slicer
from tocsin.metrics import Metrics
from tocsin.points import Point, PointSink
from tocsin.store.base import DeliveryFilter, DeliveryRow, NewDelivery, Store, TopicStateChange
from tocsin.store.cluster import cluster_of
from tocsin.tasks.service import TaskService
from tocsin.transports import Transports
from tocsin.transports.netpolicy import AddressPolicy
from tocsin.transports.outcome import Outcome

log = logging.getLogger(__name__)

_NS = 1_000_000_000
PURGE_EVERY = 60.0
LANE_MEMORY = 10_000  # pending deliveries per handler held in memory; more wait in the store


class Service(Protocol):
    """Something with a lifetime inside the engine's (the TICKscript task service)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...


class Engine:
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
        )
        self.default_timeout = int(delivery.get("timeout", 10 * _NS)) / _NS
        self.kind_timeouts = {
            kind: parse_duration(str(text)) / _NS for kind, text in (delivery.get("kind-timeouts") or {}).items()
        }
        self.retention = int(delivery.get("retention", 168 * 3600 * _NS))
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
        self.metrics.init_kinds(HANDLERS)
        self.metrics.watch_outbox(self._outbox_sample)
        self._purger: asyncio.Task[None] | None = None
        self.points: PointSink | None = None  # the task service, once wired
        # Services started after topic handlers load and before pending deliveries resume (their handlers
        # must exist by then), stopped before the dispatcher closes: the TICKscript task service.
        self.services: list[Service] = []
        self.identity = fresh()  # replaced by the stored IDs at start
        self.tasks = TaskService(self)
        self.points = self.tasks
        self.services.append(self.tasks)
        self.memos: dict[tuple[str, str], str] = {}

    # lifecycle

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
                self._submit(_job_from_row(row))
            self.dispatcher.note_spilled(key, count - len(rows))
        if counts:
            log.info("resuming %d pending deliveries", sum(counts.values()))
        self._purger = asyncio.get_running_loop().create_task(self._purge_loop())
        if self.cluster is not None:  # scale-out
            await self.cluster.start()

    async def stop(self, grace: float = 5.0) -> None:
        if self._purger is not None:
            self._purger.cancel()
            await asyncio.gather(self._purger, return_exceptions=True)
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

    async def _purge_loop(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY)
            try:
                gone = await self.store.purge(time.time_ns() - self.retention)
                if gone:
                    log.info("purged %d finished deliveries older than the retention", gone)
            except Exception as exc:
                log.error("purging the delivery log failed: %s", exc)

    # intake

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
        jobs: list[tuple[str, str, Event]] = []
        undo: list[tuple[Topic, str, Any, int]] = []
        created: list[str] = []  # topics this intake brought into existence
        now = time.time_ns()
        for event, derive in items:
            topic = self.topics.get(event.topic)
            if topic is None:
                topic = self.topics.ensure(event.topic)
                created.append(event.topic)
            undo.append((topic, event.id, topic.events.get(event.id), topic.collected))
            changes.append(self.topics.collect(event, derive))
            handlers = self.handlers.for_topic(event.topic)
            if not handlers:
                continue
            ctx: MatchContext | None = None
            record: dict[str, Any] | None = None
            for handler in handlers:
                if handler.match is not None:
                    if ctx is None:
                        ctx = MatchContext(
                            level=event.level,
                            previous_level=event.previous_level,
                            name=event.name,
                            task_name=event.task_name,
                            duration=event.duration,
                            tags=event.tags,
                        )
                    if not self._matches(handler, ctx, event):
                        continue
                if handler.kind.skip is not None and handler.kind.skip(event, handler.options):
                    continue
                if record is None:
                    record = event.to_record()
                deliveries.append(
                    NewDelivery(event.topic, handler.key, handler.kind.name, event.id, int(event.level), record, now)
                )
                jobs.append((handler.key, handler.kind.name, event))
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
        for row_id, (key, kind, event) in zip(ids, jobs, strict=True):
            self._submit(Job(row_id, key, kind, event.id, event, now))
        self.metrics.ingested.inc(len(items))
        return len(items)

    def _matches(self, handler: TopicHandler, ctx: MatchContext, event: Event) -> bool:
        try:
            return handler.matches(ctx)
        except Exception as exc:
            log.warning("match of handler %s skipped event %s: %s", handler.key, event.id, exc)
            return False

    def _submit(self, job: Job, *, hold: bool = False, claimed: bool = False) -> None:
        if self.cluster is not None and not claimed:  # scale-out: committed rows are claimed, not taken
            self.cluster.wake()
            return
        handler = self.handlers.by_key(job.handler_key)
        kind = handler.kind if handler is not None else None
        if kind is not None and kind.combine is not None:
            self.aggregator.submit(job)
        else:
            self.dispatcher.submit(job, hold=hold)

    async def _load_jobs(self, key: str, after_id: int, limit: int) -> list[Job]:
        rows = await self.store.load_pending(handler=key, after_id=after_id, limit=limit)
        return [_job_from_row(row) for row in rows]

    # delivery

    async def _attempt(self, job: Job) -> Outcome:
        handler = self.handlers.by_key(job.handler_key)
        if handler is None:
            raise DeliveryError(Reason.CONFIG, f"topic handler {job.handler_key} no longer exists", retryable=False)
        kind = handler.kind
        try:
            if kind.render_memo is not None:
                memo, render_memo = self.memos.get((job.handler_key, job.alert_id)), kind.render_memo
                request = await rendered(lambda: render_memo(job.event, handler.options, self.config, memo))
            else:
                render = kind.render
                request = await rendered(lambda: render(job.event, handler.options, self.config))
        except DeliveryError:
            raise
        except Exception as exc:
            raise DeliveryError(Reason.CONFIG, f"cannot build the request: {exc}", retryable=False) from exc
        if isinstance(request, Publish):
            await self.collect([(replace(request.event, topic=t), Derive(duration=False)) for t in request.topics])
            return Outcome(None, "published to " + ", ".join(request.topics))
        try:
            outcome = await self.transports.send(request, self.timeout_for(handler))
        except DeliveryError as err:
            # The request's own secrets (headers, URL); the scrubber adds the handler's and the configured ones.
            text = self._scrubber([handler])(scrub(str(err), request_secrets(request)))
            if text != str(err):
                err.args = (text,)
            raise
        if outcome.memo is not None:
            await self._remember(job.handler_key, job.alert_id, outcome.memo)
        return outcome

    async def _remember(self, key: str, alert_id: str, memo: str) -> None:
        # Kept in memory first: the alert's next delivery may start before the write commits.
        if memo:
            self.memos[(key, alert_id)] = memo
        else:
            self.memos.pop((key, alert_id), None)
        try:
            await self.store.put_memo(key, alert_id, memo)
        except Exception as exc:
            log.error("could not store what handler %s remembers for %s: %s", key, alert_id, exc)

    def timeout_for(self, handler: TopicHandler) -> float:
        """Seconds for one attempt: the handler's `timeout` option, else `[delivery] kind-timeouts`, else timeout."""
        own = handler.options.get("timeout") or 0
        if isinstance(own, int) and own > 0:
            return own / _NS
        return self.kind_timeouts.get(handler.kind.name, self.default_timeout)

    def _aggregate_target(self, key: str) -> Any:
        handler = self.handlers.by_key(key)
        if handler is None or handler.kind.combine is None or handler.kind.interval is None:
            return None
        combine, options = handler.kind.combine, handler.options
        return handler.kind.interval(options), lambda events: combine(events, options)

    async def _publish_folded(self, event: Event) -> None:
        await self.collect([(event, Derive(duration=False))])

    def _outbox_sample(self) -> tuple[int, float]:
        depth, age = self.dispatcher.depth()
        extra = self.aggregator.depth()
        oldest = self.aggregator.oldest()
        if oldest is not None:
            age = max(age, (time.time_ns() - oldest) / 1e9)
        return depth + extra, age

    async def dry_run(self, items: list[tuple[Event, Derive]]) -> list[dict[str, Any]]:
        """What `collect` would do with these events (matches and exact requests), changing nothing."""
        slicer = Slicer()
        results = []
        for event, derive in items:
            handlers = self.handlers.for_topic(event.topic)
            scrub = self._scrubber(handlers)
            results.append(await preview(event, derive, self.topics, handlers, self.config, self.memos, scrub, slicer))
        return results

    def _scrubber(self, handlers: list[TopicHandler]) -> Callable[[str], str]:
        """Hide configured secrets and the handlers' own secret options (Option.secret) in a text."""
        own = sorted({value for h in handlers for value in _own_secrets(h)}, key=len, reverse=True)

        def scrub(text: str) -> str:
            text = redact(self.config, text)
            for value in own:
                text = text.replace(value, "***")
            return text

        return scrub

    # topics

    def get_topic(self, topic_id: str) -> Topic:
        topic = self.topics.get(topic_id)
        if topic is None:
            raise NotFoundError(f'unknown topic: "{topic_id}"')
        return topic

    async def delete_topic(self, topic_id: str) -> None:
        self.topics.delete(topic_id)
        with _storing("topic"):
            await self.store.delete_topic(topic_id)

    # points written to /write

    async def write_points(self, points: list[Point]) -> None:
        """Hand written points to the running tasks (dropped when no task service is wired)."""
        if self.points is not None and points:
            await self.points.write(points)

    # handlers chained in TICKscript alert nodes

    def attach_task_handlers(self, owner: str, topic: str, calls: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Register the handlers a task's alert node chains: `(handler id, kind, options)` on `topic`.

        They deliver through the same outbox as topic handlers but are not handler specs: they are not
        stored or listed, and they come back when the task starts again. Ids must be stable across
        restarts (`alert2:slack:0`) so pending deliveries find their handler.
        """
        compiled: list[TopicHandler] = []
        for handler_id, kind_name, options in calls:
            try:
                kind = get_kind(kind_name)
                normalized = normalize(kind, options, self.config)
            except (LookupError, ValueError) as exc:
                raise InvalidError(f"invalid {kind_name} handler: {exc.args[0] if exc.args else exc}") from None
            spec = HandlerSpec(handler_id, topic, kind_name, options, "")
            compiled.append(TopicHandler(spec, kind, normalized, None, owner=owner))
        self.topics.ensure(topic)
        for handler in compiled:
            self.handlers.put(handler)

    def detach_task_handlers(self, owner: str) -> None:
        """Forget the handlers of a stopped task (pending deliveries stay in the outbox)."""
        for handler in self.handlers.owned_by(owner):
            self.handlers.remove(handler.spec.topic, handler.spec.id)

    # topic handlers

    async def create_handler(self, topic: str, body: Any) -> HandlerSpec:
        spec = HandlerSpec.from_json(body, topic)
        spec.check()
        refuse_placeholders(spec.kind, spec.options, handler_key(topic, spec.id))
        if self.handlers.get(topic, spec.id) is not None:
            raise ConflictError(
                f'failed to create handler: cannot register handler, handler with ID "{spec.id}" already exists'
            )
        if len(self.handlers.for_topic(topic)) >= MAX_HANDLERS_PER_TOPIC:
            raise InvalidError(TOO_MANY_HANDLERS.format(topic=topic, limit=MAX_HANDLERS_PER_TOPIC))
        handler = compile_handler(spec, self.config, "create")
        with _storing("topic handler"):
            await self.store.put_handler_spec(spec.to_json())
        self.handlers.put(handler)
        self.topics.ensure(topic)
        return spec

    def get_handler(self, topic: str, handler_id: str) -> HandlerSpec:
        handler = self.handlers.get(topic, handler_id)
        if handler is None:
            raise NotFoundError(f'unknown handler: "{handler_id}"')
        return handler.spec

    async def replace_handler(self, topic: str, handler_id: str, body: Any) -> HandlerSpec:
        current = self.get_handler(topic, handler_id)
        return await self._replace(topic, handler_id, _kept_secrets(HandlerSpec.from_json(body, topic), current))

    async def patch_handler(self, topic: str, handler_id: str, patch: Any) -> HandlerSpec:
        current = self.get_handler(topic, handler_id)
        if not isinstance(patch, list):
            raise InvalidError("invalid patch json: expected a JSON array of operations")
        try:
            ops = jsonpatch.JsonPatch(patch)
        except Exception as exc:
            raise InvalidError(f"invalid patch json: {exc}") from None
        try:
            patched = ops.apply(copy.deepcopy(current.to_json()))
        except Exception as exc:
            raise InvalidError(f"failed to apply patch: {exc}") from None
        return await self._replace(topic, handler_id, _kept_secrets(HandlerSpec.from_json(patched, topic), current))

    async def _replace(self, topic: str, old_id: str, spec: HandlerSpec) -> HandlerSpec:
        spec.check()
        if spec.id != old_id and self.handlers.get(topic, spec.id) is not None:
            raise ConflictError(
                f'failed to update handler: cannot rename handler, handler with ID "{spec.id}" already exists'
            )
        handler = compile_handler(spec, self.config, "update")
        with _storing("topic handler"):
            await self.store.put_handler_spec(spec.to_json(), replaces=(topic, old_id))
        self.handlers.remove(topic, old_id)
        self.handlers.put(handler)
        return spec

    async def delete_handler(self, topic: str, handler_id: str) -> None:
        with _storing("topic handler"):
            await self.store.delete_handler_spec(topic, handler_id)
        self.handlers.remove(topic, handler_id)

    # configuration

    async def update_config(self, section: str, element: str | None, trailing: bool, body: Any) -> None:
        self.check_overrides_enabled()
        new = apply_update(self.base, self.overrides, section, element, trailing, body)
        config = Config.build(self.base, new)
        with _storing("configuration override"):
            await self.store.save_overrides(new.to_json())
        self.overrides, self.config = new, config

    def check_overrides_enabled(self) -> None:
        if not self.config.get("config-override", "enabled"):
            raise ForbiddenError("config override service is not enabled")

    # service tests

    def service_tests(self) -> dict[str, ServiceTest]:
        return all_service_tests()

    async def run_service_test(self, name: str, body: Any) -> tuple[bool, str]:
        test = self.service_tests().get(name)
        if test is None:
            raise NotFoundError(f'service "{name}" not found')
        success, message = await run_service_test(test, body, self.config, self.transports, self.default_timeout)
        return success, redact(self.config, message)

    # delivery log

    async def deliveries(self, flt: DeliveryFilter) -> list[DeliveryRow]:
        return await self.store.query_deliveries(flt)

    async def delivery(self, delivery_id: int) -> DeliveryRow:
        row = await self.store.get_delivery(delivery_id)
        if row is None:
            raise NotFoundError(f"unknown delivery: {delivery_id}")
        return row

    async def retry_delivery(self, delivery_id: int) -> DeliveryRow:
        await self.delivery(delivery_id)
        now = time.time_ns()
        row = await self.store.requeue_dead(delivery_id, now)
        if row is None:
            raise ConflictError(f"delivery {delivery_id} is not dead")
        job = _job_from_row(row)
        job.budget_attempts, job.budget_since = row.attempts, now
        self._submit(job, hold=True)
        return row

    async def wait_idle(self) -> None:
        """Wait until nothing is pending in the dispatcher (tests and graceful shutdown)."""
        if self.cluster is not None:  # scale-out
            await self.cluster.wait_idle()
        await self.dispatcher.wait_idle()


@contextlib.contextmanager
def _storing(what: str) -> Iterator[None]:
    """Turn a failed store write into 503: nothing was changed, and the caller may try again."""
    try:
        yield
    except Exception as exc:
        raise UnavailableError(f"the store cannot save the {what} right now: {exc}") from exc


MAX_ALERTS_PER_TOPIC = 100_000
TOO_MANY_ALERTS = (
    'topic "{topic}" already holds {limit} alert IDs: send OK events to end old alerts, or delete the topic'
)
# Each event is matched against every handler of its topic: a bound keeps one topic from slowing all intake.
MAX_HANDLERS_PER_TOPIC = 1000
TOO_MANY_HANDLERS = 'failed to create handler: topic "{topic}" already has {limit} handlers'


def _own_secrets(handler: TopicHandler) -> set[str]:
    """A handler's secret option values, and the values of the headers it sets (custom headers carry keys)."""
    found = {
        value
        for opt in handler.kind.options
        if opt.secret and isinstance(value := handler.options.get(opt.name), str) and value
    }
    headers = handler.options.get("headers")
    if isinstance(headers, dict):
        found |= {v for v in headers.values() if isinstance(v, str) and v}
    url = handler.options.get("url")
    if isinstance(url, str):
        found |= url_secrets(url)
    return found


def _job_from_row(row: DeliveryRow) -> Job:
    event = Event.from_record(row.event)
    job = Job(row.id, row.handler, row.kind, row.alert_id, event, row.created, attempts=row.attempts)
    if row.next_attempt:
        # Never longer than the pause chosen at the last attempt (`updated` and `next_attempt` come from one
        # reading of the wall clock): a clock set back while the server was down must not stall the retry.
        wait = min(row.next_attempt - time.time_ns(), row.next_attempt - row.updated) / _NS
        if wait > 0:
            job.not_before = time.monotonic() + wait
    return job


def _kept_secrets(spec: HandlerSpec, current: HandlerSpec) -> HandlerSpec:
    """`spec` with the secret options it sends back as the placeholder of API answers set to their stored values."""
    key = handler_key(current.topic, current.id)
    spec.options = restore_secrets(spec.kind, spec.options, current.kind, current.options, key)
    return spec


__all__ = ["Engine", "handler_key"]
