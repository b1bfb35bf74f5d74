from __future__ import annotations

from typing import Any

import pytest

from tocsin.config.core import CONFIG_OVERRIDE, HTTP, TOP_LEVEL
from tocsin.config.effective import Config
from tocsin.config.loader import load_text
from tocsin.config.overrides import Overrides, UpdateError, apply_update
from tocsin.config.registry import by_name
from tocsin.config.schema import Field, FieldType, Section
from tocsin.config.view import config_document, element_document, redact, section_document
from tocsin.gocompat.json import dumps
from tocsin.handlers.slack_config import SECTION as SLACK

from .sections import HTTPPOST, KAFKA, NO_ENV, SECTIONS, SMTP

VIEW_SECTIONS = by_name([TOP_LEVEL, CONFIG_OVERRIDE, HTTP, SLACK, SMTP, HTTPPOST, KAFKA])


def build(text: str = "", body: Any = None, path: tuple[str, str | None, bool] = ("smtp", None, True)) -> Config:
    base = load_text(text, environ=NO_ENV, sections=VIEW_SECTIONS)
    overrides = Overrides()
    if body is not None:
        overrides = apply_update(base, overrides, *path, body, sections=VIEW_SECTIONS)
    return Config.build(base, overrides, sections=VIEW_SECTIONS)


def link(href: str) -> dict[str, str]:
    return {"rel": "self", "href": href}


SMTP_ELEMENT = {
    "link": link("/kapacitor/v1/config/smtp/"),
    "options": {
        "enabled": False,
        "from": "",
        "global": False,
        "host": "localhost",
        "idle-timeout": "30s",
        "no-verify": False,
        "password": False,
        "port": 25,
        "state-changes-only": False,
        "to": None,
        "to-templates": None,
        "username": "",
    },
    "redacted": ["password"],
}
SLACK_ELEMENT = {
    "link": link("/kapacitor/v1/config/slack/"),
    "options": {
        "channel": "",
        "default": True,
        "enabled": False,
        "global": False,
        "icon-emoji": "",
        "insecure-skip-verify": False,
        "ssl-ca": "",
        "ssl-cert": "",
        "ssl-key": "",
        "state-changes-only": False,
        "token": False,
        "url": False,
        "username": "kapacitor",
        "workspace": "",
        "api-url": "",
        "layout": "attachment",
        "thread-recoveries": False,
    },
    "redacted": ["url", "token"],
}
HTTPPOST_ELEMENT = {
    "link": link("/kapacitor/v1/config/httppost/example"),
    "options": {
        "alert-template": "",
        "alert-template-file": "",
        "basic-auth": False,
        "endpoint": "example",
        "headers": None,
        "row-template": "",
        "row-template-file": "",
        "url": "http://example.com",
    },
    "redacted": ["basic-auth"],
}


def test_default_config_document() -> None:
    assert config_document(build()) == {
        "link": link("/kapacitor/v1/config"),
        "sections": {
            "httppost": {"link": link("/kapacitor/v1/config/httppost"), "elements": [HTTPPOST_ELEMENT]},
            "slack": {"link": link("/kapacitor/v1/config/slack"), "elements": [SLACK_ELEMENT]},
            "smtp": {"link": link("/kapacitor/v1/config/smtp"), "elements": [SMTP_ELEMENT]},
        },
    }


def test_document_key_order_is_gos() -> None:
    text = dumps(config_document(build()))
    assert text.startswith('{"link":{"rel":"self","href":"/kapacitor/v1/config"},"sections":{"httppost":')
    assert '"options":{"alert-template":"","alert-template-file":"","basic-auth":false,"endpoint"' in text
    assert text.endswith('"username":""},"redacted":["password"]}]}}}')


def test_values_secrets_and_sorting() -> None:
    text = """
[[slack]]
  workspace = "zeta"
  default = true
  url = "https://hooks/z"
[[slack]]
  workspace = "alpha"
  token = "xoxb-1"

[[httppost]]
  endpoint = "hook"
  headers = { b = "2", a = "1" }
  basic-auth = { password = "p" }

[[kafka]]
  id = "k"
  brokers = ["b:9092"]
  timeout = "1m30s"
"""
    cfg = build(text, {"set": {"password": "pw", "to": ["a@x"], "idle-timeout": "2h"}})
    slack = section_document(cfg, "slack")
    assert [e["link"]["href"] for e in slack["elements"]] == [
        "/kapacitor/v1/config/slack/alpha",
        "/kapacitor/v1/config/slack/zeta",
    ]
    assert [(e["options"]["url"], e["options"]["token"]) for e in slack["elements"]] == [(False, True), (True, False)]
    assert element_document(cfg, "httppost", "hook") == {
        "link": link("/kapacitor/v1/config/httppost/hook"),
        "options": {
            "alert-template": "",
            "alert-template-file": "",
            "basic-auth": True,
            "endpoint": "hook",
            "headers": {"a": "1", "b": "2"},
            "row-template": "",
            "row-template-file": "",
            "url": "",
        },
        "redacted": ["basic-auth"],
    }
    assert list(element_document(cfg, "httppost", "hook")["options"]["headers"]) == ["a", "b"]
    assert element_document(cfg, "kafka", "k") == {
        "link": link("/kapacitor/v1/config/kafka/k"),
        "options": {"batch-size": 100, "brokers": ["b:9092"], "enabled": False, "id": "k", "timeout": "1m30s"},
        "redacted": None,
    }
    smtp = element_document(cfg, "smtp", "")
    assert (smtp["options"]["password"], smtp["options"]["to"], smtp["options"]["idle-timeout"]) == (
        True,
        ["a@x"],
        "2h0m0s",
    )


def test_overridden_element_appears_and_removed_one_goes() -> None:
    cfg = build("", {"add": {"id": "new", "enabled": True}}, ("kafka", None, True))
    assert section_document(cfg, "kafka")["elements"][0]["options"]["id"] == "new"
    assert element_document(cfg, "kafka", "new")["link"] == link("/kapacitor/v1/config/kafka/new")


ERRORS = [
    (
        "section-empty",
        lambda c: section_document(c, ""),
        400,
        "section not specified, do you have an extra trailing '/'?",
    ),
    ("section-unknown", lambda c: section_document(c, "nope"), 404, "unknown section: nope"),
    ("section-core", lambda c: section_document(c, "http"), 404, "unknown section: http"),
    (
        "element-in-core-section",
        lambda c: element_document(c, "config-override", ""),
        404,
        "unknown section: config-override",
    ),
    ("section-no-elements", lambda c: section_document(c, "kafka"), 404, "unknown section: kafka"),
    ("element-unknown", lambda c: element_document(c, "slack", "nope"), 404, "unknown section/element: slack/nope"),
    ("element-on-non-list", lambda c: element_document(c, "smtp", "x"), 404, "unknown section/element: smtp/x"),
    (
        "element-list-empty-key",
        lambda c: element_document(c, "httppost", ""),
        404,
        "unknown section/element: httppost/",
    ),
]


@pytest.mark.parametrize(("call", "status", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_view_errors(call: Any, status: int, message: str) -> None:
    with pytest.raises(UpdateError) as info:
        call(build())
    assert (info.value.status, info.value.message) == (status, message)


def test_element_lookup_of_single_and_default_list_elements() -> None:
    cfg = build()
    assert element_document(cfg, "smtp", "") == SMTP_ELEMENT
    assert element_document(cfg, "slack", "") == SLACK_ELEMENT


@pytest.mark.parametrize(
    "call",
    [config_document, lambda c: section_document(c, "smtp"), lambda c: element_document(c, "smtp", "")],
    ids=["config", "section", "element"],
)
def test_disabled_service_is_a_403(call: Any) -> None:
    with pytest.raises(UpdateError) as info:
        call(build("[config-override]\n  enabled = false\n"))
    assert (info.value.status, info.value.message) == (403, "config override service is not enabled")


# The sections of api-vectors.json `client.config_sections` that a schema can express: a list section keyed by
# `name` and a single section with a redacted option. The real server adds `"redacted": null` to the list
# elements (see the vector's note).
SECTION_A = Section(
    name="sectionA",
    element_key="name",
    fields=tuple(Field(n, FieldType.STRING) for n in ("name", "optionA", "optionB", "optionC", "optionD")),
)
SECTION_C = Section(
    name="sectionC",
    fields=(
        Field("optionA", FieldType.STRING, "o1"),
        Field("optionB", FieldType.STRING, "o2"),
        Field("optionC", FieldType.STRING, "o3", secret=True),
        Field("optionD", FieldType.STRING, "o4"),
    ),
)
VECTOR_TOML = """
[[sectionA]]
  name = "B"
  optionA = "o5"
  optionB = "o6"
  optionC = "o7"
  optionD = "o8"
[[sectionA]]
  name = "A"
  optionA = "o1"
  optionB = "o2"
  optionC = "o3"
  optionD = "o4"
"""


def test_client_config_sections_vector_shape() -> None:
    sections = by_name([SECTION_A, SECTION_C])
    cfg = Config.build(load_text(VECTOR_TOML, environ=NO_ENV, sections=sections), Overrides(), sections=sections)
    assert config_document(cfg) == {
        "link": {"rel": "self", "href": "/kapacitor/v1/config"},
        "sections": {
            "sectionA": {
                "link": {"rel": "self", "href": "/kapacitor/v1/config/sectionA"},
                "elements": [
                    {
                        "link": {"rel": "self", "href": "/kapacitor/v1/config/sectionA/A"},
                        "options": {"name": "A", "optionA": "o1", "optionB": "o2", "optionC": "o3", "optionD": "o4"},
                        "redacted": None,
                    },
                    {
                        "link": {"rel": "self", "href": "/kapacitor/v1/config/sectionA/B"},
                        "options": {"name": "B", "optionA": "o5", "optionB": "o6", "optionC": "o7", "optionD": "o8"},
                        "redacted": None,
                    },
                ],
            },
            "sectionC": {
                "link": {"rel": "self", "href": "/kapacitor/v1/config/sectionC"},
                "elements": [
                    {
                        "link": {"rel": "self", "href": "/kapacitor/v1/config/sectionC/"},
                        "options": {"optionA": "o1", "optionB": "o2", "optionC": True, "optionD": "o4"},
                        "redacted": ["optionC"],
                    },
                ],
            },
        },
    }
    assert section_document(cfg, "sectionA") == config_document(cfg)["sections"]["sectionA"]


def test_redact_replaces_every_configured_secret() -> None:
    text = """
[http]
  shared-secret = "jwt-shared"
[smtp]
  password = "abc"
[[slack]]
  default = true
  url = "https://hooks.slack.com/services/T0/B0/XYZ"
  token = "xoxb-token"
[[httppost]]
  endpoint = "e"
  basic-auth = { username = "admin", password = "hunter2" }
"""
    cfg = Config.build(load_text(text, environ=NO_ENV, sections=SECTIONS), Overrides(), sections=SECTIONS)
    message = (
        "POST https://hooks.slack.com/services/T0/B0/XYZ failed: Bearer xoxb-token rejected; "
        "admin:hunter2 via jwt-shared; abc stays"
    )
    assert redact(cfg, message) == "POST *** failed: Bearer *** rejected; ***:*** via ***; abc stays"
    assert redact(build(), "nothing secret here") == "nothing secret here"


def test_redact_prefers_the_longest_secret() -> None:
    text = '[smtp]\n  password = "secret"\n[[slack]]\n  default = true\n  token = "secret-and-more"\n'
    cfg = Config.build(load_text(text, environ=NO_ENV, sections=SECTIONS), Overrides(), sections=SECTIONS)
    assert redact(cfg, "x secret-and-more y secret z") == "x *** y *** z"
