"""A silence, in Alertmanager v2's shape (`matchers`, `startsAt`, `endsAt`, `createdBy`, `comment`; answers add
`id`, `status.state` and `updatedAt`), which Tocsin's own API takes and answers too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tocsin.gocompat.timefmt import format_rfc3339nano, parse_rfc3339
from tocsin.silences.matchers import Matcher, MatcherError

PENDING, ACTIVE, EXPIRED = "pending", "active", "expired"
MAX_MATCHERS = 100
MAX_TEXT = 10_000  # createdBy and comment


class SilenceError(ValueError):
    """A silence that cannot be saved: the text names the field."""


@dataclass(frozen=True, slots=True)
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: int  # ns
    ends_at: int  # ns
    created_by: str
    comment: str
    updated_at: int  # ns
    # Once it has ended: the alerts it held that were still not OK have had their state delivered.
    released: bool = False

    def state(self, now: int) -> str:
        if now >= self.ends_at:
            return EXPIRED
        return ACTIVE if now >= self.starts_at else PENDING

    def holds(self, labels: Mapping[str, str], now: int) -> bool:
        """Whether the silence is active and every matcher matches."""
        return self.starts_at <= now < self.ends_at and all(m.matches(labels) for m in self.matchers)

    def expired_at(self, now: int) -> Silence:
        """This silence ended at `now` (a pending one ends before it begins, as Alertmanager's does)."""
        return replace(self, starts_at=min(self.starts_at, now), ends_at=now, updated_at=now)

    def to_json(self, now: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": {"state": self.state(now)},
            "updatedAt": format_rfc3339nano(self.updated_at),
            "matchers": [m.to_json() for m in self.matchers],
            "startsAt": format_rfc3339nano(self.starts_at),
            "endsAt": format_rfc3339nano(self.ends_at),
            "createdBy": self.created_by,
            "comment": self.comment,
        }

    def to_record(self) -> dict[str, Any]:
        """What the store keeps (times as ns)."""
        return {
            "id": self.id,
            "matchers": [m.to_json() for m in self.matchers],
            "startsAt": self.starts_at,
            "endsAt": self.ends_at,
            "createdBy": self.created_by,
            "comment": self.comment,
            "updatedAt": self.updated_at,
            "released": self.released,
        }

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> Silence:
        matchers = tuple(Matcher.parse(m, "matchers") for m in rec["matchers"])
        return cls(
            str(rec["id"]),
            matchers,
            int(rec["startsAt"]),
            int(rec["endsAt"]),
            str(rec.get("createdBy", "")),
            str(rec.get("comment", "")),
            int(rec.get("updatedAt", 0)),
            bool(rec.get("released", False)),
        )


def parse_silence(body: Any, now: int) -> Silence:
    """A silence from an API body; `id` is kept when given (an update), else "" (the book makes one).

    Refused: no matchers, matchers that all match the empty string (they would silence everything), a missing
    or unparseable `startsAt` or `endsAt`, an end before the start or in the past."""
    if not isinstance(body, Mapping):
        raise SilenceError("silence: expected a JSON object")
    matchers = parse_matchers(body.get("matchers"), "silence")
    starts_at, ends_at = _time(body, "startsAt"), _time(body, "endsAt")
    if ends_at < starts_at:
        raise SilenceError("silence: endsAt: before startsAt")
    if ends_at <= now:
        raise SilenceError("silence: endsAt: in the past (a silence cannot be created expired)")
    created_by, comment = _text(body, "createdBy"), _text(body, "comment")
    given = body.get("id")
    if given is not None and (not isinstance(given, str) or not given):
        raise SilenceError("silence: id: a non-empty string when given")
    return Silence(given or "", matchers, starts_at, ends_at, created_by, comment, now)


def parse_matchers(raw: Any, what: str) -> tuple[Matcher, ...]:
    """The matchers of a silence or window: at least one, and not all matching the empty string (they would
    hold back everything)."""
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise SilenceError(f"{what}: matchers: at least one matcher is required")
    if len(raw) > MAX_MATCHERS:
        raise SilenceError(f"{what}: matchers: at most {MAX_MATCHERS}")
    try:
        matchers = tuple(Matcher.parse(m, f"{what}: matchers[{i}]") for i, m in enumerate(raw))
    except MatcherError as exc:
        raise SilenceError(str(exc)) from None
    if all(m.matches_text("") for m in matchers):
        raise SilenceError(f"{what}: matchers: at least one matcher must not match the empty string")
    return matchers


def _time(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise SilenceError(f"silence: {name}: an RFC 3339 time is required")
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise SilenceError(f"silence: {name}: {exc}") from None


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise SilenceError(f"silence: {name}: a string is required")
    if len(value) > MAX_TEXT:
        raise SilenceError(f"silence: {name}: longer than {MAX_TEXT} characters")
    return value
