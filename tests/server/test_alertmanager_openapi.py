"""Alertmanager API v2 answers validated against Alertmanager 0.25's own OpenAPI document, read from Debian's
source package (scripts/peers/alertmanager-source.sh) where go-swagger embedded it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from tests.support.server import ServerProcess
from tocsin.gocompat.timefmt import parse_rfc3339

EMBEDDED = Path("/usr/share/gocode/src/github.com/prometheus/alertmanager/api/v2/restapi/embedded_spec.go")


def _spec() -> dict[str, Any]:
    assert EMBEDDED.exists(), "Alertmanager's source is missing: run scripts/peers/alertmanager-source.sh"
    found = re.search(r"SwaggerJSON = json\.RawMessage\(\[\]byte\(`(.*?)`\)\)", EMBEDDED.read_text(), re.S)
    assert found is not None
    spec: dict[str, Any] = json.loads(found.group(1))
    return spec


SPEC = _spec()
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or parse_rfc3339(value) is not None


def check(path: str, method: str, answer: Any, status: str = "200") -> None:
    """`answer` is what the document says `method path` answers with `status`."""
    schema = SPEC["paths"][path][method]["responses"][status].get("schema")
    assert schema is not None, f"{method} {path} {status} answers no body in the document"
    validator = jsonschema.Draft4Validator({**schema, "definitions": SPEC["definitions"]}, format_checker=FORMATS)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer)]
    assert errors == []


def test_silence_alert_and_status_answers_follow_the_document(serve_process: ServerProcess) -> None:
    server = serve_process
    silence = {
        "matchers": [{"name": "host", "value": "db3", "isRegex": False, "isEqual": True}],
        "startsAt": "2026-01-01T00:00:00Z",
        "endsAt": "2099-01-01T00:00:00Z",
        "createdBy": "ann",
        "comment": "patching",
    }
    status, created = server.request("POST", "/api/v2/silences", silence)
    assert status == 200
    check("/silences", "post", created)
    status, listed = server.request("GET", "/api/v2/silences")
    assert status == 200 and len(listed) == 1
    check("/silences", "get", listed)
    status, one = server.request("GET", f"/api/v2/silence/{created['silenceID']}")
    assert status == 200
    check("/silence/{silenceID}", "get", one)
    alerts = [
        {"labels": {"alertname": "DiskFull", "host": "db3"}, "annotations": {"summary": "full"}},
        {"labels": {"alertname": "DiskFull", "host": "web1"}, "generatorURL": "http://prometheus/graph"},
    ]
    assert server.request("POST", "/api/v2/alerts", alerts)[0] == 200
    status, got = server.request("GET", "/api/v2/alerts")
    assert status == 200 and len(got) == 2
    check("/alerts", "get", got)
    status, answer = server.request("GET", "/api/v2/status")
    assert status == 200
    check("/status", "get", answer)
