"""The `influxdb` service test pings the cluster over its URL and credentials, against a real influxd."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import api, start_api
from tests.support.client import Client
from tests.support.influxd import Influxd

__all__ = ["api", "start_api"]  # fixtures

TEST = "/kapacitor/v1/service-tests/influxdb"


async def run(api: Client, body: Any) -> tuple[int, Any]:
    r = await api.post(TEST, data="null") if body is None else await api.post(TEST, json=body)  # the CLI sends null
    return r.status, await r.json()


async def test_the_influxdb_service_test_is_listed_with_kapacitor_s_options(api: Client) -> None:
    r = await api.get(TEST)
    assert (r.status, await r.json()) == (
        200,
        {"link": {"rel": "self", "href": TEST}, "name": "influxdb", "options": {"cluster": ""}},
    )


async def test_the_fresh_default_cluster_is_not_enabled(api: Client) -> None:
    assert await run(api, None) == (
        200,
        {"success": False, "message": 'cluster "default" is not enabled or does not exist'},
    )
    assert await run(api, {"cluster": "other"}) == (
        200,
        {"success": False, "message": 'cluster "other" is not enabled or does not exist'},
    )


async def test_a_live_cluster_answers_and_a_dead_one_fails(start_api: Any, influxd: Influxd) -> None:
    conf = f'[[influxdb]]\nname = "local"\nurls = ["{influxd.url}"]\ndisable-subscriptions = true\n'
    api = await start_api(conf + "[stats]\nenabled = false\n")
    assert await run(api, {"cluster": "local"}) == (200, {"success": True, "message": ""})
    assert await run(api, None) == (200, {"success": True, "message": ""})  # the only cluster is the default
    influxd.stop()
    status, answer = await run(api, {"cluster": "local"})
    assert (status, answer["success"]) == (200, False)
    assert answer["message"].startswith(f"GET {influxd.url}/ping")
