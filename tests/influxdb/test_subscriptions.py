"""The subscription service against a real influxd: what it creates, keeps, fixes, drops and never touches."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.influxd import Influxd
from tests.support.server import free_port
from tests.support.sink import HttpSink
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.influxdb import subscriptions as subscriptions_module
from tocsin.influxdb.destinations import split_credential
from tocsin.influxdb.grants import cluster_of
from tocsin.influxdb.subscriptions import PEERS, SubscriptionService, subscriptions_of
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble

COLUMNS = ["retention_policy", "name", "mode", "destinations"]
HERE = "http://tocsin.example:9092"

Start = Callable[..., Awaitable[tuple[Engine, SubscriptionService]]]


@pytest.fixture
async def start(tmp_path: Path, influxd: Influxd) -> AsyncIterator[Start]:
    """An engine whose one [[influxdb]] cluster is `influxd`; `extra` adds options to it, `top` other sections."""
    engines: list[Engine] = []

    async def run(
        extra: str = "", top: str = "", urls: str | None = None, host: str = "tocsin.example"
    ) -> tuple[Engine, SubscriptionService]:
        conf = (
            f'data_dir = "{tmp_path}"\nhostname = "localhost"\n{top}\n'
            f'[[influxdb]]\nname = "local"\nurls = ["{urls or influxd.url}"]\nkapacitor-hostname = "{host}"\n'
            f'http-port = 9092\nsubscriptions-sync-interval = "1h"\n{extra}\n'
        )
        engine = assemble(load_text(conf, "test.conf", environ={}), SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        engines.append(engine)
        return engine, subscriptions_of(engine)

    yield run
    for engine in engines:
        await engine.stop(0.1)


def shown(influxd: Influxd) -> dict[str, list[list[Any]]]:
    """SHOW SUBSCRIPTIONS by database, every series with Kapacitor's columns."""
    series = influxd.query("SHOW SUBSCRIPTIONS")["results"][0].get("series") or []  # type: ignore[index]
    assert all(s["columns"] == COLUMNS for s in series)
    return {s["name"]: s["values"] for s in series}


def name_of(engine: Engine) -> str:
    return "kapacitor-" + engine.identity.cluster_id


async def test_creates_one_all_subscription_per_db_rp_but_the_excluded_stats_database(
    start: Start, influxd: Influxd
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    influxd.query("CREATE DATABASE _kapacitor")
    engine, service = await start()
    assert await service.sync_now() == {"local": ""}
    assert shown(influxd) == {"telegraf": [["autogen", name_of(engine), "ALL", [HERE]]]}
    assert service.subscription_count() == 1
    # In sync: a second pass changes nothing.
    assert await service.sync_now() == {"local": ""}
    assert shown(influxd) == {"telegraf": [["autogen", name_of(engine), "ALL", [HERE]]]}


async def test_server_mode_is_named_after_the_server_and_uses_mode_any(start: Start, influxd: Influxd) -> None:
    influxd.query("CREATE DATABASE telegraf")
    engine, service = await start('subscription-mode = "server"\nsubscription-path = "/proxy"')
    await service.sync_now()
    name = "kapacitor-" + engine.identity.server_id
    assert shown(influxd) == {"telegraf": [["autogen", name, "ANY", [HERE + "/proxy"]]]}


async def test_subscriptions_and_excluded_subscriptions_pick_the_db_rps(start: Start, influxd: Influxd) -> None:
    for q in (
        "CREATE DATABASE telegraf",
        'CREATE RETENTION POLICY "week" ON "telegraf" DURATION 7d REPLICATION 1',
        'CREATE RETENTION POLICY "day" ON "telegraf" DURATION 1d REPLICATION 1',
        "CREATE DATABASE other",
    ):
        influxd.query(q)
    engine, service = await start(
        'subscriptions = { telegraf = ["autogen", "week", "day"] }\nexcluded-subscriptions = { telegraf = ["day"] }'
    )
    await service.sync_now()
    name = name_of(engine)
    assert shown(influxd) == {"telegraf": [["autogen", name, "ALL", [HERE]], ["week", name, "ALL", [HERE]]]}
    assert service.subscription_count() == 2


async def test_disable_subscriptions_creates_none(start: Start, influxd: Influxd) -> None:
    influxd.query("CREATE DATABASE telegraf")
    _, service = await start("disable-subscriptions = true")
    assert await service.sync_now() == {"local": ""}
    assert shown(influxd) == {}
    assert service.subscription_count() == 0


async def test_drops_its_own_stale_subscriptions_and_never_touches_foreign_ones(start: Start, influxd: Influxd) -> None:
    influxd.query("CREATE DATABASE telegraf")
    influxd.query("CREATE DATABASE old")
    engine, service = await start('subscriptions = { telegraf = ["autogen"] }')
    name = name_of(engine)
    influxd.query(f'CREATE SUBSCRIPTION "{name}" ON "old"."autogen" DESTINATIONS ALL \'{HERE}\'')
    influxd.query('CREATE SUBSCRIPTION "chronograf" ON "old"."autogen" DESTINATIONS ANY \'http://elsewhere:1\'')
    influxd.query('CREATE SUBSCRIPTION "kapacitor" ON "telegraf"."autogen" DESTINATIONS ANY \'http://elsewhere:2\'')
    await service.sync_now()
    assert shown(influxd) == {
        "old": [["autogen", "chronograf", "ANY", ["http://elsewhere:1"]]],
        "telegraf": [
            ["autogen", "kapacitor", "ANY", ["http://elsewhere:2"]],
            ["autogen", name, "ALL", [HERE]],
        ],
    }


async def test_fixes_a_wrong_destination_or_mode(start: Start, influxd: Influxd) -> None:
    influxd.query("CREATE DATABASE telegraf")
    influxd.query("CREATE DATABASE cpu")
    engine, service = await start()
    name = name_of(engine)
    await service.sync_now()
    influxd.query(f'DROP SUBSCRIPTION "{name}" ON "telegraf"."autogen"')
    influxd.query(f'CREATE SUBSCRIPTION "{name}" ON "telegraf"."autogen" DESTINATIONS ALL \'http://wrong:1\'')
    influxd.query(f'DROP SUBSCRIPTION "{name}" ON "cpu"."autogen"')
    influxd.query(f'CREATE SUBSCRIPTION "{name}" ON "cpu"."autogen" DESTINATIONS ANY \'{HERE}\'')
    await service.sync_now()
    assert shown(influxd) == {
        "cpu": [["autogen", name, "ALL", [HERE]]],
        "telegraf": [["autogen", name, "ALL", [HERE]]],
    }


async def test_two_instances_share_one_all_subscription(start: Start, influxd: Influxd) -> None:
    influxd.query("CREATE DATABASE telegraf")
    engine, service = await start()
    name = name_of(engine)
    peer = {"cluster": "local", "server": "ffffffff-0000-0000-0000-000000000000", "http": "http://peer.example:9093"}
    await engine.store.put_document(PEERS, "local/" + peer["server"], peer | {"updated": time.time(), "udp": []})
    await service.sync_now()
    assert shown(influxd) == {"telegraf": [["autogen", name, "ALL", ["http://peer.example:9093", HERE]]]}

    # The peer stops refreshing its document: after three intervals it is gone from the destinations.
    stale = time.time() - 3 * 3600 - 60
    await engine.store.put_document(PEERS, "local/" + peer["server"], peer | {"updated": stale, "udp": []})
    await service.sync_now()
    assert shown(influxd) == {"telegraf": [["autogen", name, "ALL", [HERE]]]}


async def test_only_the_instance_with_the_lowest_server_id_changes_the_subscription(
    start: Start, influxd: Influxd
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    engine, service = await start()
    name = name_of(engine)
    await service.sync_now()
    peer = {"cluster": "local", "server": "00000000-0000-0000-0000-000000000000", "http": "http://peer.example:9093"}
    await engine.store.put_document(PEERS, "local/" + peer["server"], peer | {"updated": time.time(), "udp": []})
    await service.sync_now()
    # The peer manages it now; until it syncs, the subscription stays as it was.
    assert shown(influxd) == {"telegraf": [["autogen", name, "ALL", [HERE]]]}
    assert service.subscription_count() == 1


async def test_with_authentication_the_destination_carries_a_subscriber_token(
    start: Start, influxd: Influxd, caplog: pytest.LogCaptureFixture
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    caplog.set_level(logging.DEBUG)
    engine, service = await start(top="[http]\nauth-enabled = true\n")
    name = name_of(engine)
    await service.sync_now()
    rows = shown(influxd)["telegraf"]
    assert [row[:3] for row in rows] == [["autogen", name, "ALL"]]
    [destination] = rows[0][3]
    bare, token = split_credential(destination)
    assert bare == HERE
    assert token is not None and cluster_of(token) == "local"
    assert destination == f"http://~subscriber:{token}@tocsin.example:9092"
    user = await service.grants.user(token)
    assert user is not None
    assert user.name == "~subscriber"
    assert user.privileges == {"/api/write": 4, "/api/ping": 16, "/databases/telegraf": 4}
    assert await service.grants.user(token + "x") is None
    # The next pass keeps the subscription and its token; nothing logs the token.
    await service.sync_now()
    assert shown(influxd)["telegraf"] == rows
    assert token not in caplog.text
    assert "created subscription " + name + " on telegraf.autogen: ALL " + HERE in caplog.text


async def test_a_subscription_whose_token_was_revoked_is_made_again_with_a_new_one(
    start: Start, influxd: Influxd
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    engine, service = await start(top="[http]\nauth-enabled = true\n")
    await service.sync_now()
    _, first = split_credential(shown(influxd)["telegraf"][0][3][0])
    assert first is not None
    await service.grants.revoke_unused("local", name_of(engine), set())
    await service.sync_now()
    _, second = split_credential(shown(influxd)["telegraf"][0][3][0])
    assert second is not None and second != first
    assert await service.grants.user(second) is not None


async def test_influxdb_down_does_not_block_the_start_and_is_logged_once_per_change(
    start: Start, influxd: Influxd, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tocsin.influxdb.subscriptions")
    down = f"http://127.0.0.1:{free_port()}"
    began = time.monotonic()
    _, service = await start('startup-timeout = "1s"', urls=down)
    assert time.monotonic() - began < 5
    first = await service.sync_now()
    second = await service.sync_now()
    assert first == second
    assert first["local"].startswith(f"failed to reach InfluxDB: {down}: connection refused")
    warnings = [r for r in caplog.records if "subscriptions not synced" in r.getMessage()]
    assert len(warnings) == 1
    assert all(r.exc_info is None for r in caplog.records)
    assert service.subscription_count() == 0


async def test_udp_listens_per_db_rp_and_feeds_its_points(start: Start, influxd: Influxd) -> None:
    influxd.query("CREATE DATABASE telegraf")
    engine, service = await start('subscription-protocol = "udp"\nudp-bind = "127.0.0.1"', host="127.0.0.1")
    name = name_of(engine)
    await service.sync_now()
    [row] = shown(influxd)["telegraf"]
    assert row[:3] == ["autogen", name, "ALL"]
    [destination] = row[3]
    assert destination.startswith("udp://127.0.0.1:")
    port = int(destination.rsplit(":", 1)[1])
    received: list[Any] = []
    arrived = asyncio.Event()

    async def capture(points: list[Any]) -> None:
        received.extend(points)
        arrived.set()

    state = next(iter(service._states.values()))
    listener = state.listeners[("telegraf", "autogen")]
    assert listener.port == port
    listener._sink = capture
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"cpu,host=a idle=5 1700000000000000000\nbad line\n", ("127.0.0.1", port))
        sock.sendto(b"cpu,host=a idle=6 1700000001000000000\n", ("127.0.0.1", port))
    async with asyncio.timeout(5):
        await arrived.wait()
    assert [(p.name, p.tags, p.fields, p.time, p.database, p.retention_policy) for p in received] == [
        ("cpu", {"host": "a"}, {"idle": 6.0}, 1700000001000000000, "telegraf", "autogen")
    ]
    assert listener.parse_failures == 1


async def test_a_cluster_disabled_through_the_config_api_loses_its_subscriptions(
    start: Start, influxd: Influxd
) -> None:
    influxd.query("CREATE DATABASE telegraf")
    engine, service = await start()
    await service.sync_now()
    assert shown(influxd) == {"telegraf": [["autogen", name_of(engine), "ALL", [HERE]]]}
    await engine.update_config("influxdb", "local", False, {"set": {"enabled": False}})
    assert await service.sync_now() == {}
    assert shown(influxd) == {}
    assert service.subscription_count() == 0


async def test_a_cluster_that_never_answers_does_not_hold_the_sync(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions_module, "SYNC_LIMIT", 0.2)
    sink = await HttpSink().start()
    sink.hang()
    try:
        _, service = await start(urls=sink.url)
        assert await service.sync_now() == {"local": "no answer within 0.2s"}
    finally:
        await sink.close()
