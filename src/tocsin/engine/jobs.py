"""Jobs rebuilt from stored delivery rows (at start, on a retry, and when another instance's row is claimed)."""

from __future__ import annotations

import time

from tocsin.alert.event import Event
from tocsin.delivery.dispatcher import Job
from tocsin.store.base import DeliveryRow

_NS = 1_000_000_000


def job_from_row(row: DeliveryRow) -> Job:
    event = Event.from_record(row.event)
    job = Job(row.id, row.handler, row.kind, row.alert_id, event, row.created, attempts=row.attempts)
    if row.next_attempt:
        # Never longer than the pause chosen at the last attempt (`updated` and `next_attempt` come from one
        # reading of the wall clock): a clock set back while the server was down must not stall the retry.
        wait = min(row.next_attempt - time.time_ns(), row.next_attempt - row.updated) / _NS
        if wait > 0:
            job.not_before = time.monotonic() + wait
    return job
