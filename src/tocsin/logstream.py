"""The server's log as a stream of entries for `GET /kapacitor/v1/logs` (and `tocsin logs`, `tocsin watch`).

Each log record becomes an entry as Kapacitor's JSON log lines have them: `ts`, `lvl`, `msg`, `service` (the
logger) and the `key=value` pairs a message starts with (`task=cpu node=alert2 ...`) as tags, secrets scrubbed
by value. Subscribers get the entries that match their filters (each key equal, `lvl` at least that level);
one that does not keep up loses entries rather than hold the server (a bounded queue per subscriber).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tocsin.logs import LEVEL_NAMES, logfmt_quote, record_time

LEVELS = ("debug", "info", "warn", "error")
_PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)\s*")
QUEUE_SIZE = 1000
MAX_SUBSCRIBERS = 100

Entry = dict[str, str]


class TooManySubscribers(RuntimeError):
    """MAX_SUBSCRIBERS streams are open already."""


@dataclass(eq=False)
class Subscription:
    """One open stream: its filters and the queue its entries wait in."""

    filters: Mapping[str, str]
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Entry] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0

    def matches(self, entry: Entry) -> bool:
        for key, wanted in self.filters.items():
            if key == "lvl":
                if LEVELS.index(entry["lvl"]) < LEVELS.index(wanted):
                    return False
            elif entry.get(key) != wanted:
                return False
        return True

    def offer(self, entry: Entry) -> None:
        try:
            self.queue.put_nowait(entry)
        except asyncio.QueueFull:
            self.dropped += 1


class LogBroker(logging.Handler):
    """A logging handler that hands each record to the streams that want it."""

    def __init__(self, scrub: Callable[[str], str] | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.scrub: Callable[[str], str] = scrub or (lambda text: text)
        self._subscriptions: set[Subscription] = set()

    def subscribe(self, filters: Mapping[str, str]) -> Subscription:
        if len(self._subscriptions) >= MAX_SUBSCRIBERS:
            raise TooManySubscribers(f"at most {MAX_SUBSCRIBERS} log streams may be open")
        subscription = Subscription(dict(filters), asyncio.get_running_loop())
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def emit(self, record: logging.LogRecord) -> None:
        if not self._subscriptions:
            return
        try:
            entry = self.entry(record)
        except Exception:  # a record that cannot be formatted must not break logging
            return
        for subscription in list(self._subscriptions):
            if subscription.matches(entry):
                # records come from other threads too (the store's writer): the queue belongs to the loop
                subscription.loop.call_soon_threadsafe(subscription.offer, entry)

    def entry(self, record: logging.LogRecord) -> Entry:
        """The entry of one record: Kapacitor's keys, then the tags its message starts with."""
        message = self.scrub(record.getMessage())
        level = LEVEL_NAMES.get(record.levelname, "info")
        entry: Entry = {"ts": record_time(record), "lvl": level, "service": record.name}
        position = 0
        while match := _PAIR.match(message, position):
            key, value = match.groups()
            if key not in entry:
                entry[key] = value
            position = match.end()
        entry["msg"] = message
        return entry


def logfmt(entry: Mapping[str, Any]) -> str:
    """An entry as one logfmt line (`ts=... lvl=... msg=... key=value`), as `tocsin logs` prints it."""
    first = [k for k in ("ts", "lvl", "msg") if k in entry]
    keys = first + sorted(k for k in entry if k not in first)
    return " ".join(f"{k}={logfmt_quote(str(entry[k]))}" for k in keys)
