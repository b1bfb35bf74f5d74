"""GET /kapacitor/v1/logs: log entries as they happen, filtered by tag and level, secrets scrubbed."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import ClientResponse

from tests.server.conftest import StartApi, engine_of
from tests.support.client import Client
from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.server.auth import USERS

SECRET = "https://hooks.slack.example/services/T000/B000/XXXXSECRETXXXX"


async def next_entry(response: ClientResponse) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            line = await response.content.readline()
            if line.strip():
                entry: dict[str, Any] = json.loads(line)
                return entry


async def open_stream(api: Client, **query: str) -> ClientResponse:
    response = await api.get("/kapacitor/v1/logs", params=query)
    assert (response.status, response.headers["Content-Type"]) == (200, "application/json")
    await asyncio.sleep(0.05)  # the stream is subscribed once its headers are out
    return response


async def test_entries_of_one_task_at_a_level_arrive_with_their_tags(start_api: StartApi) -> None:
    api = await start_api(f'[[slack]]\nenabled = true\nurl = "{SECRET}"\n')
    response = await open_stream(api, task="cpu", lvl="warn")
    log = logging.getLogger("tocsin.tasks")
    log.error("task=other node=alert2 error: not this task")
    log.info("task=cpu node=alert2 only info")
    log.error("task=cpu node=alert2 error: posting to %s failed", SECRET)
    entry = await next_entry(response)
    assert {k: v for k, v in entry.items() if k != "ts"} == {
        "lvl": "error",
        "service": "tocsin.tasks",
        "task": "cpu",
        "node": "alert2",
        "msg": "task=cpu node=alert2 error: posting to *** failed",
    }
    assert entry["ts"].endswith("Z")
    response.close()


async def test_a_bad_level_is_refused(api: Client) -> None:
    response = await api.get("/kapacitor/v1/logs", params={"lvl": "loud"})
    assert (response.status, (await response.json())["error"]) == (
        400,
        'invalid lvl "loud": must be one of debug, info, warn, error',
    )


async def test_with_auth_the_stream_needs_the_api_permission_and_credentials_are_no_filter(
    start_api: StartApi,
) -> None:
    api = await start_api('[http]\nauth-enabled = true\nadmin-user = "root"\nadmin-password = "s3cret-Passw0rd"\n')
    assert api.app is not None
    await bootstrap_admin(api.app[USERS], engine_of(api).config)
    anonymous = await api.get("/kapacitor/v1/logs")
    assert anonymous.status == 401
    response = await open_stream(api, u="root", p="s3cret-Passw0rd", service="tests.logs")
    logging.getLogger("tests.logs").warning("key=value something happened")
    entry = await next_entry(response)
    assert (entry["service"], entry["key"], entry["msg"]) == ("tests.logs", "value", "key=value something happened")
    response.close()
