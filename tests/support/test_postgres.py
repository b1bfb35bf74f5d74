from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import pytest

from tests.support.postgres import admin_url, database_url, fresh_database


async def test_fresh_database_is_created_empty_and_dropped() -> None:
    async with fresh_database() as url:
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        name = await conn.fetchval("SELECT current_database()")
        await conn.close()
    assert name.startswith("tocsin_test_") and url == database_url(admin_url(), name)
    conn = await asyncpg.connect(admin_url())
    assert await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name) == 0
    await conn.close()


async def test_an_unreachable_server_fails_the_test_with_a_clear_message() -> None:
    with pytest.raises(pytest.fail.Exception) as info:
        async with fresh_database("postgresql://postgres@127.0.0.1:1/postgres"):
            pass
    assert str(info.value).startswith(
        "PostgreSQL is required by this test but postgresql://postgres@127.0.0.1:1/postgres cannot be reached ("
    )
    assert str(info.value).endswith(
        "); start PostgreSQL or point TOCSIN_TEST_PG_URL (or TOCSIN_TEST_STORAGE_URL) at a server"
    )


def test_database_url_keeps_user_host_port_and_query() -> None:
    assert (
        database_url("postgresql://u@h:5433/postgres?sslmode=disable", "x") == "postgresql://u@h:5433/x?sslmode=disable"
    )
