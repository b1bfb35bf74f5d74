"""The alerts posted to Alertmanager's API, as `GET /api/v2/alerts` lists them: held in memory, as Alertmanager
holds them (Prometheus sends every firing alert again each evaluation, so after a restart the list fills again
within its resend interval), until resolved."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.silences.matchers import Matcher

MAX_HELD = 100_000
_FNV_OFFSET, _FNV_PRIME, _MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's fingerprint of a label set: FNV-1a 64 over the sorted names and values, 0xff-separated."""
    h = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode() + b"\xff":
                h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return f"{h:016x}"


@dataclass(slots=True)
class PostedAlert:
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: int
    ends_at: int | None  # None: firing until told otherwise
    generator_url: str
    updated_at: int
    topic: str
    alert_id: str

    def resolved(self, now: int) -> bool:
        return self.ends_at is not None and self.ends_at <= now


class PostedAlerts:
    def __init__(self) -> None:
        self._by_fingerprint: dict[str, PostedAlert] = {}

    def put(self, alert: PostedAlert, now: int) -> None:
        held = self._by_fingerprint
        held[fingerprint(alert.labels)] = alert
        if len(held) > MAX_HELD:
            for key in [k for k, a in held.items() if a.resolved(now)]:
                del held[key]
            while len(held) > MAX_HELD:
                del held[next(iter(held))]  # the oldest posted

    def listing(
        self,
        now: int,
        filters: list[Matcher],
        silenced_by: Callable[[PostedAlert], str],
        *,
        show_active: bool = True,
        show_silenced: bool = True,
    ) -> list[dict[str, Any]]:
        """gettableAlert objects of the unresolved alerts the filters match, by fingerprint."""
        out = []
        for key in sorted(self._by_fingerprint):
            alert = self._by_fingerprint[key]
            if alert.resolved(now) or not all(f.matches(alert.labels) for f in filters):
                continue
            silence = silenced_by(alert)
            if not (show_silenced if silence else show_active):
                continue
            out.append(
                {
                    "labels": alert.labels,
                    "annotations": alert.annotations,
                    "startsAt": format_rfc3339nano(alert.starts_at),
                    "endsAt": format_rfc3339nano(alert.ends_at) if alert.ends_at else "0001-01-01T00:00:00.000Z",
                    "generatorURL": alert.generator_url,
                    "updatedAt": format_rfc3339nano(alert.updated_at),
                    "fingerprint": key,
                    "receivers": [{"name": alert.topic}],
                    "status": {
                        "state": "suppressed" if silence else "active",
                        "silencedBy": [silence] if silence else [],
                        "inhibitedBy": [],
                    },
                }
            )
        return out
