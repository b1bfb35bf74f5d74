"""The in-memory session store: ids and tokens, idle and absolute expiry, the size bound."""

from __future__ import annotations

import pytest

from tocsin.auth import sessions
from tocsin.auth.sessions import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_has_fresh_random_id_and_token() -> None:
    store = SessionStore()
    a, b = store.create("ann", "h"), store.create("ann", "h")
    assert len({a.id, b.id, a.csrf_token, b.csrf_token}) == 4
    assert len(a.id) == len(a.csrf_token) == 43
    assert store.get(a.id) is a and len(store) == 2


def test_idle_time_restarts_on_use_and_ends_the_session() -> None:
    clock = Clock()
    store = SessionStore(idle=10, max_age=100, clock=clock)
    session = store.create("ann", "h")
    clock.now += 9
    assert store.get(session.id) is session
    clock.now += 9
    assert store.get(session.id) is session
    clock.now += 11
    assert store.get(session.id) is None
    assert len(store) == 0


def test_age_ends_a_session_in_use() -> None:
    clock = Clock()
    store = SessionStore(idle=10, max_age=25, clock=clock)
    session = store.create("ann", "h")
    for _ in range(2):
        clock.now += 9
        assert store.get(session.id) is session
    clock.now += 9
    assert store.get(session.id) is None


def test_drop_and_unknown_ids() -> None:
    store = SessionStore()
    session = store.create("ann", "h")
    store.drop(session.id)
    store.drop("never")
    assert (store.get(session.id), store.get(""), len(store)) == (None, None, 0)


def test_creating_sweeps_expired_sessions_and_bounds_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    store = SessionStore(idle=10, clock=clock)
    old = store.create("ann", "h")
    clock.now += 11
    store.create("bob", "h")
    assert (len(store), store.get(old.id)) == (1, None)
    monkeypatch.setattr(sessions, "MAX_SESSIONS", 3)
    made = [store.create("u", "h") for _ in range(4)]
    assert len(store) == 3
    assert [store.get(s.id) is not None for s in made] == [False, True, True, True]


@pytest.mark.parametrize(
    ("sent", "ok"),
    [("right", True), ("wrong", False), ("", False), ("righ", False)],
    ids=["same", "other", "empty", "prefix"],
)
def test_csrf_token_comparison(sent: str, ok: bool) -> None:
    session = SessionStore().create("ann", "h")
    session.csrf_token = "right"
    assert session.csrf_matches(sent) is ok
