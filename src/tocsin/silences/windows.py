"""Maintenance windows: silences that come back on a schedule (a cron expression, or weekdays with a start and end
time of day), in a time zone, each occurrence lasting `duration`. The schedule is croniter's; daylight-saving
gaps and repeats are its answer (a start in a skipped hour moves to the next valid time)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from croniter import croniter

from tocsin.gocompat.duration import parse_duration
from tocsin.gocompat.timefmt import format_rfc3339nano
from tocsin.silences.matchers import Matcher
from tocsin.silences.silence import MAX_MATCHERS, Silence, SilenceError, parse_matchers

_NS = 1_000_000_000
_DAY = 24 * 3600 * _NS
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron's 0..6
MAX_DURATION = 7 * _DAY


@dataclass(frozen=True, slots=True)
class Window:
    id: str
    name: str
    matchers: tuple[Matcher, ...]
    schedule: Mapping[str, Any]  # as given (cron or weekdays form), for answers
    cron: str
    duration: int  # ns
    timezone: str
    created_by: str
    comment: str
    updated_at: int
    released_until: int = 0  # occurrences ending at or before this have had what they held delivered
    # [lo, hi, occurrence]: the answer of `occurrence` for every time in [lo, hi)
    _cache: list[Any] = field(default_factory=lambda: [0, 0, None], compare=False, repr=False)
    # [lo, hi, occurrence]: the answer of `last_ended` for every time in [lo, hi) (hi: the next end)
    _ended: list[Any] = field(default_factory=lambda: [0, 0, None], compare=False, repr=False)

    def _zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def _start_before(self, at: int) -> int:
        """The start of the latest occurrence beginning at or before `at` (ns)."""
        base = dt.datetime.fromtimestamp(at / _NS, self._zone())
        it = croniter(self.cron, base + dt.timedelta(microseconds=1))
        return int(it.get_prev(dt.datetime).timestamp()) * _NS

    def starts_after(self, at: int, count: int) -> list[int]:
        base = dt.datetime.fromtimestamp(at / _NS, self._zone())
        it = croniter(self.cron, base)
        return [int(it.get_next(dt.datetime).timestamp()) * _NS for _ in range(count)]

    def occurrence(self, now: int) -> tuple[int, int] | None:
        """The occurrence [start, end) holding `now`, or None; cached until the state can change."""
        lo, hi, cached = self._cache
        if lo <= now < hi:
            return cached if cached is None else (int(cached[0]), int(cached[1]))
        start = self._start_before(now)
        found: tuple[int, int] | None = None
        if now < start + self.duration:
            found, lo, hi = (start, start + self.duration), start, start + self.duration
        else:
            lo, hi = now, self.starts_after(now, 1)[0]
        self._cache[:] = [lo, hi, found]
        return found

    def last_ended(self, now: int) -> tuple[int, int] | None:
        """The occurrence that ended most recently at or before `now` (None if none ended since the window was
        saved); cached until the next occurrence ends, since the release loop asks every second."""
        lo, hi, cached = self._ended
        if lo <= now < hi:
            return cached if cached is None else (int(cached[0]), int(cached[1]))
        start = self._start_before(now - self.duration)
        end = start + self.duration
        found = (start, end) if self.updated_at <= end <= now else None
        # no occurrence ends between this one's end and the next end: the answer holds for all of it
        self._ended[:] = [end, self.starts_after(now - self.duration, 1)[0] + self.duration, found]
        return found

    def as_silence(self, start: int, end: int) -> Silence:
        return Silence(self.id, self.matchers, start, end, self.created_by, self.comment, self.updated_at)

    def to_json(self, now: int, upcoming: int = 3) -> dict[str, Any]:
        """The API's answer: the record's fields (times as RFC 3339), the state now and the next occurrences."""
        answer = self.to_record()
        del answer["releasedUntil"]
        answer["updatedAt"] = format_rfc3339nano(self.updated_at)
        answer["status"] = {"state": "active" if self.occurrence(now) else "inactive"}
        answer["next"] = occurrences_json(self, now, upcoming)
        return answer

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "matchers": [m.to_json() for m in self.matchers],
            "schedule": dict(self.schedule),
            "createdBy": self.created_by,
            "comment": self.comment,
            "updatedAt": self.updated_at,
            "releasedUntil": self.released_until,
        }

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> Window:
        window = parse_window(rec, int(rec.get("updatedAt", 0)))
        return replace(window, id=str(rec["id"]), released_until=int(rec.get("releasedUntil", 0)))


def occurrences_json(window: Window, now: int, count: int) -> list[dict[str, str]]:
    """The current occurrence (if any) and the next ones, `count` in all."""
    out = []
    current = window.occurrence(now)
    if current is not None:
        out.append(current)
    out.extend((s, s + window.duration) for s in window.starts_after(now, count - len(out)))
    return [{"startsAt": format_rfc3339nano(s), "endsAt": format_rfc3339nano(e)} for s, e in out]


def parse_window(body: Any, now: int) -> Window:
    """A window from an API body: `matchers`, `schedule` ({"cron", "duration"} or {"weekdays", "start", "end"},
    each with an optional `timezone`, default UTC), `name`, `comment`, `createdBy`, `id` to update."""
    if not isinstance(body, Mapping):
        raise SilenceError("window: expected a JSON object")
    matchers = parse_matchers(body.get("matchers"), "window")
    schedule = body.get("schedule")
    if not isinstance(schedule, Mapping):
        raise SilenceError('window: schedule: expected {"cron", "duration"} or {"weekdays", "start", "end"}')
    timezone = schedule.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(str(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SilenceError(f'window: schedule.timezone: unknown time zone "{timezone}"') from None
    if "cron" in schedule:
        cron, duration = _cron_form(schedule)
    else:
        cron, duration = _weekday_form(schedule)
    texts = {k: body.get(k, "") for k in ("name", "comment", "createdBy")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise SilenceError(f"window: {key}: a string is required")
    given = body.get("id") or ""
    if not isinstance(given, str):
        raise SilenceError("window: id: a string when given")
    return Window(
        given,
        texts["name"],
        matchers,
        dict(schedule),
        cron,
        duration,
        str(timezone),
        texts["createdBy"],
        texts["comment"],
        now,
    )


def _cron_form(schedule: Mapping[str, Any]) -> tuple[str, int]:
    cron = schedule.get("cron")
    if not isinstance(cron, str) or not croniter.is_valid(cron):
        raise SilenceError(f"window: schedule.cron: not a cron expression: {cron!r}")
    text = schedule.get("duration")
    try:
        duration = parse_duration(str(text))
    except ValueError:
        duration = 0
    if not 0 < duration <= MAX_DURATION:
        raise SilenceError(f"window: schedule.duration: a duration from 1s to 168h is required, got {text!r}")
    return cron, duration


def _weekday_form(schedule: Mapping[str, Any]) -> tuple[str, int]:
    days = schedule.get("weekdays")
    if not isinstance(days, Sequence) or isinstance(days, str) or not days:
        raise SilenceError('window: schedule.weekdays: a list such as ["sat", "sun"] is required')
    numbers = []
    for day in days:
        name = str(day).lower()[:3]
        if name not in WEEKDAYS:
            raise SilenceError(f"window: schedule.weekdays: unknown day {day!r}")
        numbers.append(WEEKDAYS.index(name))
    start, end = _clock(schedule, "start"), _clock(schedule, "end")
    duration = (end - start) % _DAY or _DAY  # an end at or before the start is the next day's
    hours, minutes = divmod(start // (60 * _NS), 60)
    return f"{minutes} {hours} * * {','.join(str(n) for n in sorted(set(numbers)))}", duration


def _clock(schedule: Mapping[str, Any], name: str) -> int:
    text = schedule.get(name)
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
        if not (0 <= hours < 24 and 0 <= minutes < 60):
            raise ValueError
    except ValueError:
        raise SilenceError(f"window: schedule.{name}: a time of day HH:MM is required, got {text!r}") from None
    return (hours * 60 + minutes) * 60 * _NS


__all__ = ["MAX_MATCHERS", "Window", "occurrences_json", "parse_window"]
