"""Two PostgreSQL stores on one database: claims, order per alert ID, leases, release, and notices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import orjson
import pytest

from tests.support.postgres import fresh_database
from tocsin.errors import StoreError
from tocsin.store.base import AttemptRecord, DeliveryStatus, NewDelivery, TopicStateChange
from tocsin.store.cluster import Claimed, Notice, cluster_of
from tocsin.store.postgres import DEFAULT_LEASE, PostgresStore, split_lease
from tocsin.store.postgres_cluster import NOTICE_LIMIT, state_notices
from tocsin.store.sqlite import SqliteStore


def _d(alert: str, n: int, handler: str = "t/h") -> NewDelivery:
    return NewDelivery("t", handler, "post", alert, 3, {"id": alert, "n": n}, n)


def _delivered(row_id: int) -> AttemptRecord:
    return AttemptRecord(row_id, DeliveryStatus.DELIVERED, 1, 200, "", 1.0, 10, None, 10)


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


def _ids(claimed: Sequence[Claimed]) -> list[int]:
    return [c.row.id for c in claimed]


async def test_a_claim_takes_whole_alert_runs_oldest_pair_first(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    ids = await a.commit_intake([], [_d(x, n) for n, x in enumerate(["x", "y", "x", "z", "y", "x"])])
    got = await a.cluster.claim(4)
    # pair heads: x at ids[0], y at ids[1], z at ids[3]; x's run (3 rows) first, then y's oldest row
    assert _ids(got) == sorted([ids[0], ids[2], ids[5], ids[1]])
    rest = await b.cluster.claim(10)
    assert _ids(rest) == [ids[3]]  # y is held by a (one live row), so b only gets z
    assert [c.row.alert_id for c in rest] == ["z"]


async def test_a_pair_moves_only_once_its_claimed_rows_are_finished(
    pair: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = pair
    first = await a.commit_intake([], [_d("x", 1)])
    assert _ids(await a.cluster.claim(10)) == first
    second = await b.commit_intake([], [_d("x", 2)])
    assert await b.cluster.claim(10) == []
    a.record_attempt(_delivered(first[0]))
    await a.flush()
    assert _ids(await b.cluster.claim(10)) == second
    assert await a.cluster.claim(10) == []


async def test_the_holder_keeps_claiming_new_rows_of_its_pairs(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    first = await a.commit_intake([], [_d("x", 1), _d("x", 2, handler="t/other")])
    assert _ids(await a.cluster.claim(10)) == first
    later = await b.commit_intake([], [_d("x", 3)])
    assert _ids(await a.cluster.claim(10)) == later


async def test_expired_leases_pass_to_another_instance_and_fence_the_old_holder(
    pair: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = pair
    ids = await a.commit_intake([], [_d("x", 1), _d("x", 2)])
    assert _ids(await a.cluster.claim(10)) == ids
    assert await a.cluster.renew() == set(ids)
    assert await b.cluster.claim(10) == []
    await asyncio.sleep(1.2)
    assert _ids(await b.cluster.claim(10)) == ids
    assert await a.cluster.renew() == set()
    # a's late confirmation does not overwrite the row b now holds
    a.record_attempt(_delivered(ids[0]))
    await a.flush()
    row = await b.get_delivery(ids[0])
    assert row is not None and row.status is DeliveryStatus.PENDING
    b.record_attempt(_delivered(ids[0]))
    await b.flush()
    row = await b.get_delivery(ids[0])
    assert row is not None and row.status is DeliveryStatus.DELIVERED
    assert await b.cluster.renew() == {ids[1]}


async def test_release_hands_pending_rows_over_at_once(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    ids = await a.commit_intake([], [_d("x", 1), _d("y", 2)])
    assert _ids(await a.cluster.claim(10)) == ids
    a.record_attempt(_delivered(ids[0]))
    await a.cluster.release()
    assert _ids(await b.cluster.claim(10)) == [ids[1]]


async def test_a_requeued_dead_letter_is_claimable_by_anyone(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    ids = await a.commit_intake([], [_d("x", 1)])
    await a.cluster.claim(10)
    a.record_attempt(AttemptRecord(ids[0], DeliveryStatus.DEAD, 1, 400, "bad", 1.0, 10, None, None))
    await a.flush()
    assert await b.requeue_dead(ids[0], 20) is not None
    assert _ids(await b.cluster.claim(10)) == ids


async def test_a_claim_brings_what_the_handler_remembers(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    await a.put_memo("t/h", "x", "thread-1")
    await a.commit_intake([], [_d("x", 1), _d("y", 2)])
    got = await b.cluster.claim(10)
    assert [(c.row.alert_id, c.memo) for c in got] == [("x", "thread-1"), ("y", None)]


async def test_notices_reach_the_other_instance_only(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    seen_a: list[Notice] = []
    seen_b: list[Notice] = []
    six = asyncio.Event()

    def on_b(n: Notice) -> None:
        seen_b.append(n)
        if len(seen_b) == 6:
            six.set()

    await a.cluster.listen(seen_a.append)
    await b.cluster.listen(on_b)
    assert a.cluster.listening() and b.cluster.listening()
    await a.put_handler_spec({"id": "h", "topic": "t", "kind": "post", "options": {}, "match": ""})
    await a.delete_handler_spec("t", "h")
    await a.save_overrides({"x": 1})
    await a.commit_intake([TopicStateChange("t", "x", {"level": "CRITICAL"}), TopicStateChange("t", "y", None)], [])
    await a.commit_intake([], [_d("x", 1)])
    await a.delete_topic("t")
    await asyncio.wait_for(six.wait(), 5)
    assert seen_b == [
        Notice("specs", ""),
        Notice("specs", ""),
        Notice("overrides", ""),
        Notice("states", '["t","x",{"level":"CRITICAL"}],["t","y",null]'.join("[]")),
        Notice("outbox", ""),
        Notice("topic", "t"),
    ]
    assert seen_a == []
    await b.cluster.unlisten()
    assert not b.cluster.listening()


async def test_an_oversized_state_is_sent_as_a_reference(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, _b = pair
    big = {"level": "CRITICAL", "message": "m" * NOTICE_LIMIT}
    await a.commit_intake([TopicStateChange("t", "x", big)], [])
    assert state_notices("me", [("t", "x", orjson.dumps(big))]) == ['me\tstates\t[["t","x","?"]]']
    assert await a.cluster.topic_state("t", "x") == big
    assert await a.cluster.topic_state("t", "nope") is None


def test_state_notices_are_split_under_the_limit() -> None:
    changes: list[tuple[str, str, bytes | None]] = [
        ("t", f"alert{i}", orjson.dumps({"message": "m" * 100})) for i in range(200)
    ]
    out = state_notices("me", changes)
    assert len(out) == 4
    assert all(len(n.encode()) <= NOTICE_LIMIT + len("me\tstates\t") for n in out)
    items = [item for n in out for item in orjson.loads(n.split("\t", 2)[2])]
    assert items == [["t", f"alert{i}", {"message": "m" * 100}] for i in range(200)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", ("postgresql://u@h/db", DEFAULT_LEASE)),
        ("postgresql://u@h/db?lease=5s", ("postgresql://u@h/db", 5.0)),
        ("postgresql://u@h/db?search_path=x&lease=1m30s", ("postgresql://u@h/db?search_path=x", 90.0)),
    ],
    ids=["default", "alone", "with-other-parameters"],
)
def test_the_lease_comes_from_the_url(url: str, expected: tuple[str, float]) -> None:
    assert split_lease(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://h/db?lease=soon", "[storage] url: invalid lease 'soon': time: invalid duration \"soon\""),
        ("postgresql://h/db?lease=500ms", "[storage] url: lease '500ms' is shorter than 1s"),
    ],
    ids=["not-a-duration", "too-short"],
)
def test_a_bad_lease_is_refused(url: str, message: str) -> None:
    with pytest.raises(StoreError) as info:
        split_lease(url)
    assert str(info.value) == message


def test_only_the_shared_store_has_the_capability(tmp_path: object) -> None:
    assert cluster_of(SqliteStore(f"{tmp_path}/x.db")) is None
    pg = PostgresStore("postgresql://h/db")
    assert cluster_of(pg) is pg.cluster
