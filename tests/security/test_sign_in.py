"""Sign-in is throttled per user and per address; one user's sessions never evict another's."""

from __future__ import annotations

from tests.hardening.conftest import ADMIN, ADMIN_PASSWORD, AUTH_CONF, Start
from tests.hardening.test_auth import basic, compact
from tests.support.client import Client
from tocsin.auth.sessions import MAX_PER_USER, SessionStore
from tocsin.auth.throttle import FREE_PER_ADDRESS, FREE_PER_USER, MAX_WAIT, LoginThrottle
from tocsin.server.auth import THROTTLE


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_wrong_passwords_slow_down_then_a_wait_lets_the_right_one_in(start: Start) -> None:
    client: Client = await start(AUTH_CONF)
    assert client.app is not None
    clock = Clock()
    client.app[THROTTLE] = LoginThrottle(clock)
    topics = "/kapacitor/v1/alerts/topics"
    statuses = [(await client.get(topics, headers=basic(ADMIN, f"guess-{i}"))).status for i in range(FREE_PER_USER + 2)]
    assert statuses == [401] * (FREE_PER_USER + 1) + [429]
    resp = await client.get(topics, headers=basic(ADMIN, ADMIN_PASSWORD))  # even the right one waits
    assert (resp.status, resp.headers["Retry-After"], await resp.text()) == (
        429,
        "1",
        compact(f'too many failed sign-ins for user "{ADMIN}"; try again in 1 s'),
    )
    signed = await client.post("/tocsin/v1/session", json={"username": ADMIN, "password": "guess"})
    assert signed.status == 429
    clock.now += 1.0
    assert (await client.get(topics, headers=basic(ADMIN, ADMIN_PASSWORD))).status == 200
    assert (await client.get(topics, headers=basic(ADMIN, "guess"))).status == 401  # the count starts over


def test_the_wait_doubles_up_to_a_minute_and_addresses_count_too() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock)
    waits = []
    for _ in range(FREE_PER_USER + 8):
        throttle.failed("root", "10.0.0.1")
        found = throttle.wait("root", "10.0.0.1")
        waits.append(found[0] if found else 0.0)
        clock.now += 1000
    assert waits == [0.0] * FREE_PER_USER + [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, MAX_WAIT, MAX_WAIT]
    spray = LoginThrottle(clock)
    for i in range(FREE_PER_ADDRESS + 1):
        spray.failed(f"user{i}", "10.0.0.2")
    assert spray.wait("someone-else", "10.0.0.2") == (1.0, "address 10.0.0.2")
    assert spray.wait("someone-else", "10.0.0.3") is None


def test_one_users_sign_ins_keep_other_users_sessions() -> None:
    store = SessionStore()
    other = store.create("alice", "h")
    mine = [store.create("mallory", "h") for _ in range(MAX_PER_USER * 3)]
    assert store.get(other.id) is not None
    assert [store.get(s.id) is not None for s in mine].count(True) == MAX_PER_USER
