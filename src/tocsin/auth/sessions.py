"""Web-page sign-in sessions: kept in memory, ended by logout, idleness or age; each with its own CSRF token.

A session remembers the password hash its user had at sign-in, so a password change or a deleted user ends it.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

IDLE_SECONDS = 12 * 3600.0
MAX_AGE_SECONDS = 7 * 24 * 3600.0
# Bounds memory when something signs in over and over; the oldest sessions go first.
MAX_SESSIONS = 10_000
# One user signing in over and over replaces its own oldest sessions, never other users'.
MAX_PER_USER = 32


@dataclass(slots=True)
class Session:
    """One signed-in browser: the cookie value is `id`; writes must send `csrf_token`."""

    id: str
    username: str
    password_hash: str
    csrf_token: str
    created: float
    last_used: float

    def csrf_matches(self, sent: str) -> bool:
        return hmac.compare_digest(sent.encode(), self.csrf_token.encode())


class SessionStore:
    """Live sessions by id; `clock` is monotonic seconds (tests pass their own)."""

    def __init__(
        self,
        idle: float = IDLE_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle, self.max_age, self.clock = idle, max_age, clock
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, username: str, password_hash: str) -> Session:
        """A new session with fresh random id and CSRF token."""
        self._sweep()
        own = [sid for sid, s in self._sessions.items() if s.username == username]
        for sid in own[: max(0, len(own) - MAX_PER_USER + 1)]:
            del self._sessions[sid]
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), username, password_hash, secrets.token_urlsafe(32), now, now)
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        """The live session with this id (its idle time restarts), or None; an expired one is dropped."""
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self.clock()
        if self._expired(session, now):
            del self._sessions[session_id]
            return None
        session.last_used = now
        return session

    def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_used > self.idle or now - session.created > self.max_age

    def _sweep(self) -> None:
        now = self.clock()
        for sid in [sid for sid, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[sid]
        while len(self._sessions) >= MAX_SESSIONS:
            del self._sessions[next(iter(self._sessions))]
