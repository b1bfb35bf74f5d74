"""What a running node may reach outside its own pipeline: alert intake, topic state, outputs, config."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event
from tocsin.alert.topics import Derive, EventState
from tocsin.handlers.base import ConfigView
from tocsin.influxdb.clusters import Clusters
from tocsin.points import Point
from tocsin.tasks.inhibit import Inhibitors
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy


@dataclass(slots=True)
class TaskContext:
    """Per task; nodes get it at construction.

    `emit(event, derive)` hands an alert event to the engine: the executor gathers the events of one
    write and collects them into their topics once the write has gone through every node, so the write
    is answered only after the deliveries are durably queued. `last_event(topic, alert_id)` is the
    stored state of an alert ID (alert nodes restore their level from it). `http_outputs` holds the
    latest result of each `httpOut('name')` node. `background(coro)` runs I/O (httpPost) off the
    processing path. `influxdb` gives the clients of the `[[influxdb]]` clusters (None in unit tests
    without them).
    """

    task_id: str
    hostname: str
    config: ConfigView
    emit: Callable[[Event, Derive], None]
    last_event: Callable[[str, str], EventState | None]
    inhibitors: Inhibitors
    cluster_id: str = ""
    server_id: str = ""
    http_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("tocsin.tasks"))
    pending: set[asyncio.Task[Any]] = field(default_factory=set)
    address_policy: AddressPolicy = DEFAULT_POLICY  # where httpPost may connect ([delivery] deny-networks)
    influxdb: Clusters | None = None  # the [[influxdb]] clusters batch queries and influxDBOut use
    dbrps: tuple[tuple[str, str], ...] = ()  # the task's databases and retention policies
    # kapacitorLoopback: hand points back to the stream, written once the current write is through
    loopback: Callable[[list[Point]], None] | None = None

    def background(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run `coro` on the loop without waiting for it; failures are logged by the coroutine itself."""
        task = asyncio.get_running_loop().create_task(coro)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
