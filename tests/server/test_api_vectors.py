"""Every request of spec/api-vectors.json for the alerting routes, sent exactly as Kapacitor's Go client sends
it, answered as the real Kapacitor server answers (the vectors' response side is the client test's mock; where
the real server differs the vector's note says how, and the expected bodies below follow the real server)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from yarl import URL

from tests.support.client import Client
from tests.support.vectors import SPEC_DIR

VECTORS = {v["name"]: v for v in json.loads((SPEC_DIR / "api-vectors.json").read_text())}
TOPIC = "/kapacitor/v1/alerts/topics/system"
ROUTES = ("ping", "config", "service", "topic", "log_level")
ALERTING = sorted(n for n in VECTORS if any(n.startswith(f"client.{r}") or f"_{r}" in n for r in ROUTES))


async def seed(api: Client) -> None:
    events = [
        {
            "topic": "system",
            "id": "cpu",
            "level": "WARNING",
            "message": "cpu is WARNING",
            "time": "2016-12-01T00:00:00Z",
            "duration": "5m",
        },
        {
            "topic": "system",
            "id": "mem",
            "level": "CRITICAL",
            "message": "mem is CRITICAL",
            "time": "2016-12-01T00:10:00Z",
            "duration": "1m",
        },
        {"topic": "app", "id": "req", "level": "WARNING", "message": "req is WARNING", "time": "2016-12-01T00:00:00Z"},
    ]
    assert (await api.post("/tocsin/v1/events", json=events)).status == 202
    r = await api.post(TOPIC + "/handlers", json={"id": "slack", "kind": "slack", "options": {"channel": "#alerts"}})
    assert r.status == 200


def _link(href: str) -> dict[str, str]:
    return {"rel": "self", "href": href}


def _topic(tid: str, level: str, collected: int) -> dict[str, Any]:
    base = f"/kapacitor/v1/alerts/topics/{tid}"
    return {
        "link": _link(base),
        "id": tid,
        "level": level,
        "collected": collected,
        "events-link": {"rel": "events", "href": base + "/events"},
        "handlers-link": {"rel": "handlers", "href": base + "/handlers"},
    }


def _event(alert: str, level: str, time: str, duration: str) -> dict[str, Any]:
    return {
        "link": _link(f"{TOPIC}/events/{alert}"),
        "id": alert,
        "state": {"message": f"{alert} is {level}", "details": "", "time": time, "duration": duration, "level": level},
    }


def _handler(channel: str) -> dict[str, Any]:
    return {
        "link": _link(TOPIC + "/handlers/slack"),
        "id": "slack",
        "kind": "slack",
        "options": {"channel": channel},
        "match": "",
    }


SLACK_TEST = {
    "workspace": "",
    "channel": "",
    "icon-emoji": "",
    "level": "CRITICAL",
    "message": "test slack message",
    "username": "",
}

# name -> (request path rewrite for fake config names, expected status, expected body or None)
EXPECTED: dict[str, tuple[str | None, int, Any]] = {
    "client.ping": (None, 204, None),
    "client.set_log_level": (None, 204, None),
    # The mock's section "section" does not exist in a real server; the same request on a real list
    # element is accepted (a non-list section needs a trailing slash, as the note says).
    "client.config_update_section": ("/kapacitor/v1/config/slack/", 204, None),
    "client.config_update_element": ("/kapacitor/v1/config/httppost/example", 204, None),
    "client.config_sections": (None, 200, "sections"),
    "client.config_section": ("/kapacitor/v1/config/httppost", 200, "httppost"),
    "client.list_service_tests": (None, 200, "service-list"),
    "client.get_service_test": (
        None,
        200,
        {"link": _link("/kapacitor/v1/service-tests/slack"), "name": "slack", "options": SLACK_TEST},
    ),
    "client.do_service_test": (None, 200, {"success": False, "message": "service is not enabled"}),
    "client.get_topic": (None, 200, _topic("system", "CRITICAL", 2)),
    "client.list_topics": (
        None,
        200,
        {
            "link": _link("/kapacitor/v1/alerts/topics?min-level=WARNING&pattern=%2A"),
            "topics": [_topic("app", "WARNING", 1), _topic("system", "CRITICAL", 2)],
        },
    ),
    "client.delete_topic": (None, 204, None),
    "client.get_topic_event": (None, 200, _event("cpu", "WARNING", "2016-12-01T00:00:00Z", "5m0s")),
    "client.list_topic_events": (
        None,
        200,
        {
            "link": _link(TOPIC + "/events"),
            "topic": "system",
            "events": [
                _event("cpu", "WARNING", "2016-12-01T00:00:00Z", "5m0s"),
                _event("mem", "CRITICAL", "2016-12-01T00:10:00Z", "1m0s"),
            ],
        },
    ),
    "client.list_topic_handlers": (
        None,
        200,
        {"link": _link(TOPIC + "/handlers?pattern="), "topic": "system", "handlers": [_handler("#alerts")]},
    ),
    "client.get_topic_handler": (None, 200, _handler("#alerts")),
    "client.create_topic_handler": (None, 200, "create"),
    # The v1.2-era `/topics` path does not exist in a handler spec: the real server refuses the patch.
    "client.patch_topic_handler": (None, 400, "patch"),
    "client.replace_topic_handler": (None, 200, _handler("#testing_alerts")),
    "client.delete_topic_handler": (None, 204, None),
}


def test_every_alerting_vector_has_an_expectation() -> None:
    assert sorted(EXPECTED) == ALERTING


@pytest.mark.parametrize("name", ALERTING)
async def test_vector(api: Client, name: str) -> None:
    vector = VECTORS[name]
    req = vector["request"]
    rewrite, status, expected = EXPECTED[name]
    await seed(api)
    if name == "client.create_topic_handler":
        await api.delete(TOPIC + "/handlers/slack")
    path = rewrite or req["path"]
    body = req["body"]
    if name == "client.config_update_section":
        body = {"set": {"channel": "new value"}}
    if name == "client.config_update_element":
        body = {"set": {"url": "new value"}}
    query = urlencode(req["query"], quote_via=quote)  # as Go: `*` is sent as %2A
    data = None if body is None and req["method"] == "GET" else json.dumps(body) + "\n"
    headers = {"Content-Type": "application/json", **req.get("headers", {})}
    url = URL(str(api.make_url(path)) + ("?" + query if query else ""), encoded=True)
    r = await api.session.request(req["method"], url, data=data, headers=headers)
    text = await r.text()
    assert r.status == status, text
    assert r.headers["X-Kapacitor-Version"]
    if expected is None:
        assert text == ""
        return
    got = json.loads(text)
    if expected == "sections":
        assert got["link"] == _link("/kapacitor/v1/config")
        assert got["sections"]["httppost"] == await (await api.get("/kapacitor/v1/config/httppost")).json()
        assert got["sections"]["slack"]["elements"][0]["link"] == _link("/kapacitor/v1/config/slack/")
        assert got["sections"]["slack"]["elements"][0]["redacted"] == ["url", "token"]
    elif expected == "httppost":
        assert got == {
            "link": _link("/kapacitor/v1/config/httppost"),
            "elements": [
                {
                    "link": _link("/kapacitor/v1/config/httppost/example"),
                    # Kapacitor shows headers (null here); Tocsin treats their values as secrets
                    # (API keys travel there).
                    "options": {
                        "endpoint": "example",
                        "url": "http://example.com",
                        "headers": False,
                        "basic-auth": False,
                        "alert-template": "",
                        "alert-template-file": "",
                        "row-template": "",
                        "row-template-file": "",
                    },
                    "redacted": ["headers", "basic-auth"],
                }
            ],
        }
    elif expected == "service-list":
        names = [s["name"] for s in got["services"]]
        assert names == sorted(names) and {"httppost", "slack"} <= set(names)
        slack = next(s for s in got["services"] if s["name"] == "slack")
        assert slack == {"link": _link("/kapacitor/v1/service-tests/slack"), "name": "slack", "options": SLACK_TEST}
    elif expected == "create":
        assert got == _handler("#alerts")
    elif expected == "patch":
        assert got["error"].startswith("failed to apply patch: ")
        unchanged = await (await api.get(TOPIC + "/handlers/slack")).json()
        assert unchanged == _handler("#alerts")
    else:
        assert got == expected
    if name == "client.delete_topic":
        assert (await api.get(TOPIC)).status == 404
