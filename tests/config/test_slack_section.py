from __future__ import annotations

from typing import Any

import pytest

from tocsin.handlers.slack_config import SECTION, validate

VALID = {**SECTION.defaults(), "default": True}


def test_declaration() -> None:
    assert (SECTION.name, SECTION.element_key, SECTION.single_table_ok, SECTION.overridable) == (
        "slack",
        "workspace",
        True,
        True,
    )
    assert SECTION.secrets == ("url", "token")
    assert [f.name for f in SECTION.fields] == [
        "enabled",
        "default",
        "workspace",
        "url",
        "token",
        "channel",
        "username",
        "icon-emoji",
        "global",
        "state-changes-only",
        "ssl-ca",
        "ssl-cert",
        "ssl-key",
        "insecure-skip-verify",
        "api-url",
        "layout",
        "thread-recoveries",
    ]
    assert SECTION.initial_elements() == [
        {
            "enabled": False,
            "default": True,
            "workspace": "",
            "url": "",
            "token": "",
            "channel": "",
            "username": "kapacitor",
            "icon-emoji": "",
            "global": False,
            "state-changes-only": False,
            "ssl-ca": "",
            "ssl-cert": "",
            "ssl-key": "",
            "insecure-skip-verify": False,
            "api-url": "",
            "layout": "attachment",
            "thread-recoveries": False,
        }
    ]
    assert SECTION.defaults()["default"] is False


CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("valid-default", {}, None),
    ("enabled-with-url", {"enabled": True, "url": "https://hooks/x"}, None),
    ("enabled-without-url", {"enabled": True}, "must specify url"),
    ("global-default", {"global": True, "state-changes-only": True}, None),
    ("global-not-default", {"default": False, "global": True}, "only the default config may be assigned as global"),
    (
        "state-changes-without-global",
        {"state-changes-only": True},
        "stateChangesOnly may only be assigned when the config is both default and global",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validate(changes: dict[str, Any], message: str | None) -> None:
    assert validate({**VALID, **changes}) == message
