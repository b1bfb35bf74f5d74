"""What the engine's parts share: its tables, store and configuration, and the two calls between parts.

The engine (`tocsin.engine.engine.Engine`) is assembled from one class per responsibility, each in its own
module: intake and fan-out (`fanout`), topic handler changes (`handler_registry`), delivery (`delivering`),
topics, configuration and service tests (`administration`). Each reads and changes the state declared here.
"""

from __future__ import annotations

from tocsin.alert.event import Event
from tocsin.alert.topics import Derive
from tocsin.config.overrides import Overrides
from tocsin.delivery.dispatcher import Job
from tocsin.engine.cluster import ClusterLink, Linked
from tocsin.engine.posted_alerts import PostedAlerts
from tocsin.handlers.base import ServiceTest
from tocsin.metrics import Metrics
from tocsin.points import PointSink
from tocsin.silences.book import SilenceBook
from tocsin.transports import Transports

NS = 1_000_000_000


class EngineState(Linked):
    """The engine's state: what the cluster link sees of it (`Linked`) and the rest; `collect` and `submit`
    are defined by the parts that own them."""

    overrides: Overrides  # declared again: mypy cannot see through the Protocol for attributes it reassigns
    metrics: Metrics
    silences: SilenceBook
    posted_alerts: PostedAlerts
    transports: Transports
    cluster: ClusterLink | None
    points: PointSink | None
    memos: dict[tuple[str, str], str]
    default_timeout: float
    kind_timeouts: dict[str, float]
    extra_service_tests: dict[str, ServiceTest]  # of sections that are no handler kind ([[influxdb]]), by name

    async def collect(self, items: list[tuple[Event, Derive]]) -> int:
        raise NotImplementedError  # tocsin.engine.fanout

    def check_alert_quota(self, items: list[tuple[Event, Derive]]) -> None:
        raise NotImplementedError  # tocsin.engine.fanout

    def submit(self, job: Job, *, hold: bool = False, claimed: bool = False) -> None:
        raise NotImplementedError  # tocsin.engine.delivering
