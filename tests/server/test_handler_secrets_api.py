"""Secret handler options over the API: answers show a placeholder; GET-then-PUT/PATCH keeps the stored secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.conftest import FAST_RETRY, StartApi, engine_of
from tests.support.client import Client
from tests.support.sink import HttpSink
from tocsin.engine.handler_secrets import PLACEHOLDER

BASE = "/kapacitor/v1/alerts/topics/pd/handlers"
SECRET = "rk-QzSECRETxQ"
EVENT = {"topic": "pd", "id": "disk", "level": "CRITICAL", "message": "disk full"}


async def start(start_api: StartApi, sink: HttpSink) -> Client:
    conf = f'{FAST_RETRY}[pagerduty2]\nenabled = true\nurl = "{sink.url}/pd"\n'
    client = await start_api(conf)
    body = {"id": "page", "kind": "pagerduty2", "options": {"routing-key": SECRET}, "match": ""}
    resp = await client.post(BASE, json=body)
    assert resp.status == 200, await resp.text()
    return client


def shown(match: str = "", routing_key: str = PLACEHOLDER) -> dict[str, Any]:
    return {
        "link": {"rel": "self", "href": BASE + "/page"},
        "id": "page",
        "kind": "pagerduty2",
        "options": {"routing-key": routing_key},
        "match": match,
        "redacted": ["routing-key"],
    }


async def delivered_key(client: Client, sink: HttpSink, count: int) -> str:
    assert (await client.post("/tocsin/v1/events", json=[{**EVENT, "message": f"m{count}"}])).status == 202
    requests = await sink.wait_for(count)
    key = requests[-1].json()["routing_key"]
    assert isinstance(key, str)
    return key


async def test_every_answer_hides_the_secret(start_api: StartApi, sink: HttpSink) -> None:
    client = await start(start_api, sink)
    got = await (await client.get(BASE + "/page")).json()
    assert got == shown()
    listed = await (await client.get(BASE)).json()
    assert listed["handlers"] == [shown()]
    patched = await client.patch(BASE + "/page", json=[{"op": "replace", "path": "/match", "value": "TRUE"}])
    assert await patched.json() == shown("TRUE")
    for resp in (await client.get(BASE + "/page"), await client.get(BASE), patched):
        assert SECRET not in await resp.text()
    assert engine_of(client).get_handler("pd", "page").options == {"routing-key": SECRET}


async def test_create_answer_hides_the_secret(start_api: StartApi) -> None:
    client = await start_api(FAST_RETRY)
    resp = await client.post(BASE, json={"id": "page", "kind": "pagerduty2", "options": {"Routing-Key": SECRET}})
    got = await resp.json()
    assert (got["options"], got["redacted"]) == ({"Routing-Key": PLACEHOLDER}, ["Routing-Key"])


async def test_unset_secret_is_shown_and_not_listed(start_api: StartApi) -> None:
    client = await start_api(FAST_RETRY)
    resp = await client.post(BASE, json={"id": "plain", "kind": "pagerduty2", "options": {"routing-key": ""}})
    assert await resp.json() == {
        "link": {"rel": "self", "href": BASE + "/plain"},
        "id": "plain",
        "kind": "pagerduty2",
        "options": {"routing-key": ""},
        "match": "",
    }


async def test_get_then_put_keeps_the_secret(start_api: StartApi, sink: HttpSink) -> None:
    client = await start(start_api, sink)
    assert await delivered_key(client, sink, 1) == SECRET
    got = await (await client.get(BASE + "/page")).json()
    got["match"] = "level() >= WARNING"
    del got["link"], got["redacted"]
    resp = await client.put(BASE + "/page", json=got)
    assert await resp.json() == shown("level() >= WARNING")
    assert engine_of(client).get_handler("pd", "page").options == {"routing-key": SECRET}
    stored = await engine_of(client).store.load_handler_specs()
    assert [s["options"] for s in stored] == [{"routing-key": SECRET}]
    assert await delivered_key(client, sink, 2) == SECRET


async def test_put_with_a_new_secret_replaces_it(start_api: StartApi, sink: HttpSink) -> None:
    client = await start(start_api, sink)
    body = {"id": "page", "kind": "pagerduty2", "options": {"routing-key": "rk-new"}}
    assert (await client.put(BASE + "/page", json=body)).status == 200
    assert await delivered_key(client, sink, 1) == "rk-new"


@pytest.mark.parametrize(
    "patch",
    [
        [{"op": "replace", "path": "/options/routing-key", "value": PLACEHOLDER}],
        [{"op": "replace", "path": "/options", "value": {"routing-key": PLACEHOLDER}}],
        [{"op": "replace", "path": "/match", "value": "TRUE"}],
    ],
    ids=["option", "options-object", "other-field"],
)
async def test_patch_with_the_placeholder_keeps_the_secret(
    start_api: StartApi, sink: HttpSink, patch: list[dict[str, Any]]
) -> None:
    client = await start(start_api, sink)
    resp = await client.patch(BASE + "/page", json=patch)
    assert resp.status == 200, await resp.text()
    assert await delivered_key(client, sink, 1) == SECRET


async def test_placeholder_for_a_new_handler_is_refused(start_api: StartApi) -> None:
    client = await start_api(FAST_RETRY)
    body = {"id": "page", "kind": "pagerduty2", "options": {"routing-key": PLACEHOLDER}}
    resp = await client.post(BASE, json=body)
    text = (
        'options.routing-key: "<redacted>" stands for a secret this server already holds, and it holds none '
        "for handler pd/page (give the real value)"
    )
    assert (resp.status, (await resp.json())["error"]) == (400, text)


async def test_placeholder_after_a_kind_change_is_refused(start_api: StartApi, sink: HttpSink) -> None:
    client = await start(start_api, sink)
    body = {"id": "page", "kind": "pagerduty", "options": {"service-key": PLACEHOLDER}}
    resp = await client.put(BASE + "/page", json=body)
    assert resp.status == 400
    assert json.loads(await resp.text())["error"].startswith('options.service-key: "<redacted>" stands for')
