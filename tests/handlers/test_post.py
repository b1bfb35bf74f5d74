from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.sink import HttpSink
from tocsin.alert.event import Event, alert_json_line
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import post
from tocsin.handlers.options import normalize
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import Transports

EVENT = Event(
    topic="t",
    id="id",
    level=Level.CRITICAL,
    time=10_000_000_000,
    message="msg",
    details="det",
    duration=2_000_000,
    previous_level=Level.WARNING,
    data={"series": [{"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "v"], "values": [["t0", 1.5]]}]},
)
JSON = ("Content-Type", "application/json")


def _config(*endpoints: dict[str, Any]) -> StaticConfig:
    return StaticConfig({"httppost": list(endpoints)} if endpoints else {}, sections=[post.SECTION])


def _render(raw: dict[str, Any], config: StaticConfig | None = None) -> HttpRequest:
    config = config or _config()
    return post.render(EVENT, normalize(post.KIND, raw, config), config)


def test_url_only() -> None:
    assert _render({"url": "http://h/p?q=1"}) == HttpRequest(
        "POST", "http://h/p?q=1", headers=(JSON,), body=alert_json_line(EVENT)
    )


def test_handler_options_reach_the_request() -> None:
    req = _render({"url": "http://h", "timeout": "2s", "skip-ssl-verification": True, "capture-response": True})
    assert (req.timeout, req.verify_tls, req.capture_response) == (2.0, False, True)


def test_url_is_a_template_over_alert_data() -> None:
    assert _render({"url": "http://h/hook/{{.ID}}/{{.Level}}"}).url == "http://h/hook/id/CRITICAL"


def test_endpoint_headers_basic_auth_then_handler_headers() -> None:
    config = _config(
        {
            "endpoint": "e",
            "url": "http://h/hook/{{.ID}}",
            "headers": {"x-custom": "v", "X-Over": "endpoint"},
            "basic-auth": {"username": "u", "password": "p"},
        }
    )
    req = _render({"endpoint": "e", "url": "http://ignored", "headers": {"X-Extra": "1", "x-over": "handler"}}, config)
    assert req.url == "http://h/hook/id"
    assert req.headers == (
        ("Authorization", "Basic dTpw"),
        ("X-Custom", "v"),
        ("X-Extra", "1"),
        ("X-Over", "handler"),
        JSON,
    )


@pytest.mark.parametrize(
    "auth", [{"username": "u"}, {"password": "p"}, {}], ids=["no-password", "no-username", "empty"]
)
def test_basic_auth_needs_both_parts(auth: dict[str, str]) -> None:
    req = _render({"endpoint": "e"}, _config({"endpoint": "e", "url": "http://h", "basic-auth": auth}))
    assert req.headers == (JSON,)


def test_unknown_endpoint_falls_back_to_the_url() -> None:
    req = _render({"endpoint": "nope", "url": "http://fallback"}, _config({"endpoint": "e", "url": "http://h"}))
    assert (req.url, req.headers) == ("http://fallback", (JSON,))


def test_alert_template_body_has_no_content_type() -> None:
    config = _config({"endpoint": "e", "url": "http://h", "alert-template": "{{.Message}} at {{.Time}}"})
    req = _render({"endpoint": "e", "headers": {"X-A": "1"}}, config)
    assert (req.body, req.headers) == (b"msg at 1970-01-01 00:00:10 +0000 UTC", (("X-A", "1"),))


@pytest.mark.parametrize(
    ("template", "body"),
    [
        ("{{.Duration}} {{.PreviousLevel}} {{.Recoverable}} {{.Details}}", "2ms WARNING true det"),
        (
            "{{ json .Data }}",
            '{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["t0",1.5]]}]}\n',
        ),
        ("{{ jsonCompact .Time }}", '"1970-01-01T00:00:10Z"'),
        ('{{ range .Data.Series }}{{ .Name }}{{ index .Tags "host" }}{{ end }}', "cpua"),
        ("{{ .Time.Unix }}", "10"),
        ("{{ .Data }}", "{[{cpu map[host:a] [time v] [[t0 1.5]] false}] [] <nil>}"),
        ("{{ json . }}", alert_json_line(EVENT).decode()),
    ],
    ids=["fields", "json-data", "json-compact-time", "series", "time-method", "print-data", "json-dot"],
)
def test_template_data(template: str, body: str) -> None:
    config = _config({"endpoint": "e", "url": "http://h", "alert-template": template})
    assert _render({"endpoint": "e"}, config).body == body.encode()


def test_alert_template_file_has_no_json_function(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.tmpl", tmp_path / "bad.tmpl"
    good.write_text("{{.ID}}:{{.Level}}")
    bad.write_text("{{ json . }}")
    config = _config({"endpoint": "e", "url": "http://h", "alert-template-file": str(good)})
    assert _render({"endpoint": "e"}, config).body == b"id:CRITICAL"
    with pytest.raises(DeliveryError) as caught:
        _render({"endpoint": "e"}, _config({"endpoint": "e", "url": "http://h", "alert-template-file": str(bad)}))
    assert (caught.value.reason, caught.value.retryable) == (Reason.CONFIG, False)
    assert str(caught.value) == (
        f'failed to parse template from file "{bad}": template: body:1: function "json" not defined'
    )


def test_missing_template_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.tmpl"
    with pytest.raises(DeliveryError) as caught:
        _render({"endpoint": "e"}, _config({"endpoint": "e", "url": "http://h", "alert-template-file": str(path)}))
    assert str(caught.value) == f'failed to read template file "{path}": open {path}: no such file or directory'


def test_url_template_failure_is_a_config_error() -> None:
    with pytest.raises(DeliveryError) as caught:
        _render({"url": "http://h/{{ .Nope }}"})
    assert (caught.value.reason, str(caught.value)) == (
        Reason.CONFIG,
        'failed to execute url template: template: body:1:12: executing "body" at <.Nope>: '
        "can't evaluate field Nope in type alert.Data",
    )


def test_url_with_a_password_is_redacted() -> None:
    assert _render({"url": "http://user:s3cret@h/x"}).redacted_url == "http://user:xxxxx@h/x"


def test_endpoint_removed_after_definition_is_a_config_error() -> None:
    options = normalize(post.KIND, {"endpoint": "example"})
    with pytest.raises(DeliveryError) as caught:
        post.KIND.render(EVENT, options, _config({"endpoint": "other", "url": "http://h"}))
    assert (caught.value.reason, str(caught.value)) == (Reason.CONFIG, post.NEEDS_URL)


def test_url_that_does_not_parse_is_refused_at_definition() -> None:
    from tocsin.handlers.options import OptionsError

    with pytest.raises(OptionsError) as caught:
        normalize(post.KIND, {"url": "http://h/{{ .ID "})
    assert str(caught.value) == "failed to parse template: template: body:1: unclosed action"


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"endpoint": "", "url": "http://h"}, "must specify endpoint name"),
        ({"endpoint": "e", "url": ""}, "must specify url"),
        (
            {"endpoint": "e", "url": "http://h/{{"},
            'invalid URL template syntax "http://h/{{": failed to parse template: template: body:1: unclosed action',
        ),
        (
            {"endpoint": "e", "url": "http://h", "alert-template": "a", "alert-template-file": "/b"},
            "must specify only one of alert-template and alert-template-file",
        ),
        (
            {"endpoint": "e", "url": "http://h", "alert-template-file": "b.tmpl"},
            "must use an absolute path for alert-template-file",
        ),
        (
            {"endpoint": "e", "url": "http://h", "row-template": "a", "row-template-file": "/b"},
            "must specify only one of row-template and row-template-file",
        ),
        (
            {"endpoint": "e", "url": "http://h", "row-template-file": "b"},
            "must use an absolute path for row-template-file",
        ),
        ({"endpoint": "e", "url": "http://h/{{.ID}}", "alert-template-file": "/b"}, None),
    ],
    ids=[
        "no-endpoint",
        "no-url",
        "bad-url-template",
        "two-alert-templates",
        "relative-alert-file",
        "two-row-templates",
        "relative-row-file",
        "valid",
    ],
)
def test_section_validation(element: dict[str, Any], message: str | None) -> None:
    assert post.SECTION.validate is not None
    assert post.SECTION.validate({**post.SECTION.defaults(), **element}) == message


def test_section_shape() -> None:
    section = post.SECTION
    assert (section.name, section.element_key, section.is_list, section.secrets) == (
        "httppost",
        "endpoint",
        True,
        ("headers", "basic-auth"),
    )
    assert section.initial_elements()[0]["endpoint"] == "example"
    assert section.initial_elements()[0]["url"] == "http://example.com"
    assert [f.name for f in section.fields] == [
        "endpoint",
        "url",
        "headers",
        "basic-auth",
        "alert-template",
        "alert-template-file",
        "row-template",
        "row-template-file",
    ]
    assert [f.name for f in section.field_map["basic-auth"].fields] == ["username", "password"]


async def test_details_escaped_by_html_template_are_json_encoded(sink: HttpSink, transports: Transports) -> None:
    """server/alertjson-details-json: html/template output (`&#34;`) gets `\\u0026` in the JSON body."""
    event = Event(topic="t", id="id", level=Level.CRITICAL, time=0, details="{&#34;Name&#34;:&#34;cpu&#34;}")
    config = _config()
    await transports.send(post.KIND.render(event, normalize(post.KIND, {"url": sink.url}), config), 5.0)
    (got,) = await sink.wait_for(1)
    assert b'"details":"{\\u0026#34;Name\\u0026#34;:\\u0026#34;cpu\\u0026#34;}"' in got.body
    assert got.json()["details"] == "{&#34;Name&#34;:&#34;cpu&#34;}"
