"""Delivery: jobs into the dispatcher (or the aggregator, or the cluster's claimer), one attempt each, and
the delivery log (list, show, retry a dead letter)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.topics import Derive
from tocsin.delivery.dispatcher import Job
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.engine.errors import ConflictError, NotFoundError
from tocsin.engine.handler_secrets import scrubber
from tocsin.engine.handlers import TopicHandler
from tocsin.engine.jobs import job_from_row
from tocsin.engine.state import NS, EngineState
from tocsin.gotemplate.budget import rendered
from tocsin.handlers.requests import Publish
from tocsin.handlers.scrub import request_secrets, scrub
from tocsin.store.base import DeliveryFilter, DeliveryRow

log = logging.getLogger("tocsin.engine.engine")


class Delivering(EngineState):
    """What happens to a job once its delivery row is committed."""

    def submit(self, job: Job, *, hold: bool = False, claimed: bool = False) -> None:
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
        return [job_from_row(row) for row in rows]

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
            text = scrubber(self.config, [handler])(scrub(str(err), request_secrets(request)))
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
            return own / NS
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
        job = job_from_row(row)
        job.budget_attempts, job.budget_since = row.attempts, now
        self.submit(job, hold=True)
        return row

    async def wait_idle(self) -> None:
        """Wait until nothing is pending in the dispatcher (tests and graceful shutdown)."""
        if self.cluster is not None:  # scale-out
            await self.cluster.wait_idle()
        await self.dispatcher.wait_idle()
