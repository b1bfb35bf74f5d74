"""A Slack workspace added over the config API stays redacted everywhere and survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.server import ServerProcess

SECRET = "T0SECRET/B0SECRET/xoxoSECRETvalue"
URL = f"https://hooks.slack.com/services/{SECRET}"


def test_slack_workspace_secret_is_redacted_and_persisted(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, '[logging]\nlevel = "DEBUG"\n').start()
    answers: list[str] = []

    def call(method: str, path: str, body: object = None) -> tuple[int, object]:
        status, got = server.request(method, path, body)
        answers.append(json.dumps(got))
        return status, got

    status, _ = call(
        "POST",
        "/kapacitor/v1/config/slack",
        {"add": {"workspace": "ops", "url": URL, "channel": "#ops", "enabled": True}},
    )
    assert status == 204
    # a rejected update that carries the secret must not echo it
    status, err = call("POST", "/kapacitor/v1/config/slack/ops", {"set": {"url": URL, "username": 5}})
    assert status == 400 and isinstance(err, dict) and "username" in err["error"]
    status, err = call("POST", "/kapacitor/v1/config/slack", {"add": {"workspace": "ops", "url": URL}})
    assert status == 400

    def check_redacted() -> None:
        status, element = call("GET", "/kapacitor/v1/config/slack/ops")
        assert status == 200 and isinstance(element, dict)
        assert element["link"] == {"rel": "self", "href": "/kapacitor/v1/config/slack/ops"}
        assert element["options"]["url"] is True
        assert element["options"]["token"] is False
        assert element["options"]["channel"] == "#ops"
        assert sorted(element["redacted"]) == ["token", "url"]
        status, everything = call("GET", "/kapacitor/v1/config")
        assert status == 200 and isinstance(everything, dict)
        workspaces = [e["options"]["workspace"] for e in everything["sections"]["slack"]["elements"]]
        assert "ops" in workspaces

    check_redacted()
    assert server.stop() == 0
    server.start()
    check_redacted()
    call("GET", "/kapacitor/v1/debug/vars")
    assert server.stop() == 0
    assert all(SECRET not in a for a in answers)
    assert SECRET not in server.log.read_text()
