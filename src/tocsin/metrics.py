"""Prometheus metrics of intake and delivery (served at GET /metrics)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _OutboxCollector(Collector):
    def __init__(self, sample: Callable[[], tuple[int, float]]) -> None:
        self._sample = sample

    def collect(self) -> Iterable[GaugeMetricFamily]:
        depth, oldest_age = self._sample()
        yield GaugeMetricFamily("tocsin_outbox_depth", "Deliveries waiting in the outbox.", value=depth)
        yield GaugeMetricFamily(
            "tocsin_outbox_oldest_age_seconds",
            "Age of the oldest delivery waiting in the outbox (0 when empty).",
            value=oldest_age,
        )


class Metrics:
    """Every metric Tocsin exports, on a registry of its own (several servers may share a process in tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.delivered = Counter(
            "tocsin_notifications_total",
            "Deliveries confirmed by their peer.",
            ["kind", "handler"],
            registry=self.registry,
        )
        self.failed = Counter(
            "tocsin_notifications_failed_total",
            "Failed delivery attempts, by classified reason.",
            ["kind", "reason"],
            registry=self.registry,
        )
        self.dead = Counter("tocsin_dead_letters_total", "Deliveries given up.", ["kind"], registry=self.registry)
        self.silenced = Counter(
            "tocsin_notifications_silenced_total",
            "Deliveries a silence held back (recorded in the delivery log, never sent).",
            ["kind"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tocsin_delivery_latency_seconds",
            "Time of one delivery attempt, from request to the peer's answer.",
            ["kind"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ingested = Counter(
            "tocsin_events_ingested_total", "Alert events accepted by intake.", registry=self.registry
        )

    def init_kinds(self, kinds: Iterable[str], reasons: Iterable[str]) -> None:
        """Create every (kind, reason) series at zero, so rates work before the first failure."""
        reasons = list(reasons)
        for kind in kinds:
            for reason in reasons:
                self.failed.labels(kind, reason)
            self.dead.labels(kind)
            self.silenced.labels(kind)

    def watch_outbox(self, sample: Callable[[], tuple[int, float]]) -> None:
        self.registry.register(_OutboxCollector(sample))
