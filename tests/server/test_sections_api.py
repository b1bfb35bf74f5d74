"""Every handler kind's section in GET /kapacitor/v1/config with Kapacitor's redactions, and every service in
GET /kapacitor/v1/service-tests with its default options, sorted by name."""

from __future__ import annotations

import json

from tests.support.client import Client
from tocsin.config.registry import all_sections
from tocsin.handlers.registry import all_kinds
from tocsin.handlers.service_tests import all_service_tests
from tocsin.influxdb.service_test import SERVICE_TEST as INFLUXDB_TEST

# api.md §1.6 (Kapacitor's `redact` tags), plus what Tocsin also hides because it carries a key: Kafka's SASL
# secrets, the Discord webhook URL, the Teams channel URL and httppost header values (Kapacitor shows them in clear).
REDACTED = {
    "alerta": ["token"],
    "bigpanda": ["token"],
    "discord": ["url"],
    "hipchat": ["token"],
    "influxdb": ["password", "token", "http-shared-secret"],
    "httppost": ["basic-auth", "headers"],
    "kafka": ["sasl-password", "sasl-oauth-client-secret", "sasl-access-token"],
    "mqtt": ["password"],
    "opsgenie": ["api-key"],
    "opsgenie2": ["api-key"],
    "pagerduty": ["service-key"],
    "pagerduty2": ["routing-key"],
    "pushover": ["token", "user-key"],
    "sensu": [],
    "servicenow": ["password"],
    "slack": ["url", "token"],
    "smtp": ["password"],
    "snmptrap": ["community"],
    "talk": ["url"],
    "teams": ["channel-url"],
    "telegram": ["token"],
    "victorops": ["api-key"],
    "zenoss": ["password"],
}


async def test_config_lists_every_section_with_kapacitors_redactions(api: Client) -> None:
    body = await (await api.get("/kapacitor/v1/config")).json()
    sections = body["sections"]
    assert sorted(sections) == sorted(REDACTED)
    schemas = all_sections()
    for name, secrets in REDACTED.items():
        for element in sections[name]["elements"]:
            assert sorted(element["redacted"] or []) == sorted(secrets), name
            for secret in secrets:
                # shown only as "is it set": snmptrap's community defaults to "public", so it is set
                assert element["options"][secret] is bool(schemas[name].field_map[secret].zero()), (name, secret)


async def test_service_tests_list_every_service_sorted_with_defaults(api: Client) -> None:
    body = await (await api.get("/kapacitor/v1/service-tests")).json()
    names = [s["name"] for s in body["services"]]
    expected = sorted(t.name for k in all_kinds() for t in k.service_tests)
    assert names == sorted([*expected, "influxdb"])  # [[influxdb]] is a section, not a handler kind
    assert set(names) >= set(REDACTED)
    by_name = {**all_service_tests(), INFLUXDB_TEST.name: INFLUXDB_TEST}
    for service in body["services"]:
        assert service["link"] == {"rel": "self", "href": f"/kapacitor/v1/service-tests/{service['name']}"}
        expected_options = json_like(dict(by_name[service["name"]].defaults))
        if service["name"] == "bigpanda":  # its default timestamp is "now", read anew each time
            assert isinstance(expected_options, dict)
            expected_options["timestamp"] = service["options"]["timestamp"]
        assert service["options"] == expected_options


def json_like(value: object) -> object:
    return json.loads(json.dumps(value))
