from __future__ import annotations

import json
from typing import Any

from .fake_api import VECTORS, FakeApi, Run

SERVICE_TESTS = "/kapacitor/v1/service-tests"


def service(name: str, options: dict[str, Any]) -> dict[str, Any]:
    return {"link": {"rel": "self", "href": f"{SERVICE_TESTS}/{name}"}, "name": name, "options": options}


def test_list_service_tests_sends_the_default_pattern(api: FakeApi, run: Run) -> None:
    vector = VECTORS["client.list_service_tests"]
    api.on("GET", SERVICE_TESTS, vector["response"]["body"])
    result = run("list", "service-tests")
    assert (result.code, result.out) == (0, "Service Name\ninfluxdb\nslack\nsmtp\n")
    sent, expected = api.requests[0], vector["request"]
    assert (sent.method, sent.path, sent.query) == (expected["method"], expected["path"], expected["query"])
    assert sent.raw_query == "pattern=%2A"


def test_list_service_tests_one_request_per_pattern(api: FakeApi, run: Run) -> None:
    api.on("GET", SERVICE_TESTS, {"link": {}, "services": [service("slack", {})]})
    result = run("list", "service-tests", "sl*", "slack")
    assert result.out == "Service Name\nslack\nslack\n"
    assert api.lines() == [f"GET {SERVICE_TESTS}?pattern=sl%2A", f"GET {SERVICE_TESTS}?pattern=slack"]


def test_list_service_tests_json(api: FakeApi, run: Run) -> None:
    services = VECTORS["client.list_service_tests"]["response"]["body"]["services"]
    api.on("GET", SERVICE_TESTS, {"link": {}, "services": services})
    result = run("list", "service-tests", "-json")
    assert json.loads(result.out) == services


def _two_services(api: FakeApi) -> None:
    api.on("GET", SERVICE_TESTS, {"link": {}, "services": [service("slack", {}), service("smtp", {})]})
    api.on("POST", f"{SERVICE_TESTS}/slack", {"success": True, "message": ""})
    api.on("POST", f"{SERVICE_TESTS}/smtp", {"success": False, "message": "service is not enabled"})


def test_service_tests_posts_null_and_prints_results(api: FakeApi, run: Run) -> None:
    _two_services(api)
    result = run("service-tests", "s*")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Service             Success   Message\n"
        "slack               true      \n"
        "smtp                false     service is not enabled\n"
    )
    assert api.lines() == [
        f"GET {SERVICE_TESTS}?pattern=s%2A",
        f"POST {SERVICE_TESTS}/slack",
        f"POST {SERVICE_TESTS}/smtp",
    ]
    # Kapacitor's CLI runs each test with the defaults: the Go client encodes a nil options map as `null`.
    assert [r.body for r in api.requests[1:]] == [b"null\n", b"null\n"]
    expected = VECTORS["client.do_service_test"]["request"]
    assert (api.requests[1].method, api.requests[1].path) == (expected["method"], expected["path"])


def test_service_tests_json(api: FakeApi, run: Run) -> None:
    _two_services(api)
    result = run("service-tests", "--json", "s*")
    assert json.loads(result.out) == [
        {"service": "slack", "success": True, "message": ""},
        {"service": "smtp", "success": False, "message": "service is not enabled"},
    ]


def test_service_tests_unknown_service_error(api: FakeApi, run: Run) -> None:
    api.on("GET", SERVICE_TESTS, {"error": "bad pattern: syntax error in pattern", "message": "x"}, status=400)
    result = run("service-tests", "[")
    assert (result.code, result.out, result.err) == (3, "", "Error: bad pattern: syntax error in pattern\n")


def test_service_tests_needs_a_name(api: FakeApi, run: Run) -> None:
    result = run("service-tests")
    assert result.code == 2
    assert result.err.startswith(
        "Error: must provide at least one service name or pattern\n\nUsage: tocsin service-tests"
    )
    assert api.requests == []
