"""Task leases between two PostgreSQL stores on one database: claim, fair share, renewal, expiry, release; and
the notices and reads the task service follows other instances with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.support.postgres import fresh_database
from tocsin.store.base import TopicStateChange
from tocsin.store.cluster import Notice
from tocsin.store.postgres import PostgresStore
from tocsin.store.postgres_cluster import NOTICE_LIMIT, document_notice
from tocsin.store.postgres_tasks import fair_share

TASKS = ["t1", "t2", "t3"]


@pytest.fixture
async def pair() -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two instances on one fresh database, with 1 s leases."""
    async with fresh_database() as url:
        a, b = PostgresStore(url + "?lease=1s"), PostgresStore(url + "?lease=1s")
        await a.open()
        await b.open()
        yield a, b
        await a.close()
        await b.close()


async def _leases(store: PostgresStore) -> dict[str, str]:
    rows = await store.pool.fetch("SELECT task, owner FROM task_leases ORDER BY task")
    return {r[0]: r[1] for r in rows}


@pytest.mark.parametrize(
    ("runnable", "live", "share"),
    [(0, 1, 0), (3, 1, 3), (3, 2, 2), (4, 2, 2), (1, 3, 1), (5, 0, 5)],
    ids=["none", "alone", "odd", "even", "fewer-tasks", "no-presence-yet"],
)
def test_the_fair_share_rounds_up(runnable: int, live: int, share: int) -> None:
    assert fair_share(runnable, live) == share


async def test_alone_an_instance_claims_every_task(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, _b = pair
    assert await a.cluster.hold_tasks(TASKS) == set(TASKS)
    assert await _leases(a) == dict.fromkeys(TASKS, a.cluster.instance)


async def test_with_another_live_instance_each_claims_its_share(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    assert await b.cluster.hold_tasks([]) == set()  # b is alive, holding nothing
    assert await a.cluster.hold_tasks(TASKS) == {"t1", "t2"}
    assert await b.cluster.hold_tasks(TASKS) == {"t3"}
    # renewals keep them; nothing is free for either
    assert await a.cluster.hold_tasks(TASKS) == {"t1", "t2"}
    assert await b.cluster.hold_tasks(TASKS) == {"t3"}
    assert await _leases(a) == {"t1": a.cluster.instance, "t2": a.cluster.instance, "t3": b.cluster.instance}


async def test_candidates_limit_what_is_claimed(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, _b = pair
    assert await a.cluster.hold_tasks(TASKS, ["t2"]) == {"t2"}
    assert await a.cluster.hold_tasks(TASKS, ["t9"]) == {"t2"}  # not runnable: never claimed
    assert await a.cluster.hold_tasks(TASKS) == set(TASKS)


async def test_renewal_outlives_the_lease(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    assert await a.cluster.hold_tasks(["t1"]) == {"t1"}
    for _ in range(3):
        await asyncio.sleep(0.4)
        assert await a.cluster.hold_tasks(["t1"]) == {"t1"}
        assert await b.cluster.hold_tasks(["t1"]) == set()


async def test_an_expired_owner_is_taken_over_with_its_share(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    await b.cluster.hold_tasks([])
    assert await a.cluster.hold_tasks(TASKS) == {"t1", "t2"}
    assert await b.cluster.hold_tasks(TASKS) == {"t3"}
    await asyncio.sleep(0.7)
    assert await b.cluster.hold_tasks(TASKS) == {"t3"}  # a's leases still live
    await asyncio.sleep(0.5)
    # a neither renewed its leases nor its presence: b is the only live instance and takes everything
    assert await b.cluster.hold_tasks(TASKS) == set(TASKS)
    # a comes back: its leases are b's now, and nothing is free
    assert await a.cluster.hold_tasks(TASKS) == set()
    assert await _leases(a) == dict.fromkeys(TASKS, b.cluster.instance)


async def test_tasks_no_longer_runnable_are_given_up(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    assert await a.cluster.hold_tasks(["t1", "t2"]) == {"t1", "t2"}
    assert await a.cluster.hold_tasks(["t2"]) == {"t2"}
    assert await b.cluster.hold_tasks(["t1", "t2"]) == {"t1"}


async def test_release_hands_every_task_over_and_tells_the_others(
    pair: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = pair
    seen: list[Notice] = []
    arrived = asyncio.Event()

    def on_b(n: Notice) -> None:
        seen.append(n)
        arrived.set()

    await b.cluster.listen(on_b)
    await b.cluster.hold_tasks([])
    assert await a.cluster.hold_tasks(TASKS) == {"t1", "t2"}
    await a.cluster.release_tasks()
    await asyncio.wait_for(arrived.wait(), 5)
    assert seen == [Notice("tasks", "")]
    assert await _leases(a) == {}
    # a is no longer counted as alive: b's share is everything
    assert await b.cluster.hold_tasks(TASKS) == set(TASKS)


async def test_documents_send_notices_and_are_read_one_by_one(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    seen: list[Notice] = []
    two = asyncio.Event()

    def on_b(n: Notice) -> None:
        seen.append(n)
        if len(seen) == 2:
            two.set()

    await b.cluster.listen(on_b)
    await a.put_document("tasks", "cpu", {"id": "cpu", "status": "enabled"})
    assert await b.cluster.document("tasks", "cpu") == {"id": "cpu", "status": "enabled"}
    await a.delete_document("tasks", "cpu")
    await asyncio.wait_for(two.wait(), 5)
    assert seen == [Notice("document", "tasks\tcpu"), Notice("document", "tasks\tcpu")]
    assert await b.cluster.document("tasks", "cpu") is None


def test_a_key_too_long_for_a_notice_names_the_namespace() -> None:
    assert document_notice("me", "tasks", "k" * NOTICE_LIMIT) == "me\tdocument\ttasks\t"
    assert document_notice("me", "tasks", "cpu") == "me\tdocument\ttasks\tcpu"


async def test_topic_states_are_read_by_prefix(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    await a.commit_intake(
        [
            TopicStateChange("main:cpu:alert2", "x", {"level": "CRITICAL"}),
            TopicStateChange("main:cpu2:alert2", "y", {"level": "WARNING"}),
            TopicStateChange("main:cpu:alert4", "z", {"level": "INFO"}),
        ],
        [],
    )
    assert await b.cluster.topic_states("main:cpu:") == [
        ("main:cpu:alert2", "x", {"level": "CRITICAL"}),
        ("main:cpu:alert4", "z", {"level": "INFO"}),
    ]
