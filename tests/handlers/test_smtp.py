"""The smtp kind: Kapacitor's vectors delivered to a real SMTP server (aiosmtpd), recipients, the gomail
message layout (Q-words, folding, quoted-printable), the [smtp] section and the service test."""

from __future__ import annotations

import email.header
import quopri
import time
from typing import Any

import pytest

from tests.support.config import StaticConfig
from tests.support.vectors import case, event_from_alert
from tests.transports.test_smtp import AUTH_FAILED, PASSWORD, USER, PeerFactory, Received, smtp_peer, stopped_port
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import smtp
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.service_tests import run_service_test
from tocsin.handlers.smtp_config import SECTION, validate
from tocsin.transports import Transports

__all__ = ["smtp_peer"]  # the fixture, imported from the transport tests

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS", "ignore:Session.login_data")

RECIPIENTS = ["user1@example.com", "user2@example.com"]
# The TICKscripts of the stream/email-* vectors set these handlers.
STREAM_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "stream/email-direct": [{"to": RECIPIENTS}, {"to": RECIPIENTS}],
    "stream/email-toTemplates-field": [{"to": RECIPIENTS, "to-field": ['{{ index .Fields "extraemail" }}']}],
    "stream/email-toTemplates-tag": [{"to": RECIPIENTS, "to-field": ['{{ index .Tags "tagemail" }}']}],
}


def config(**values: Any) -> StaticConfig:
    return StaticConfig({"smtp": {"enabled": True, "from": "test@example.com", **values}}, sections=[SECTION])


def headers(received: Received) -> dict[str, str]:
    """The message's headers, unfolded, as written (no decoding)."""
    head = received.content.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    return dict(line.split(": ", 1) for line in head.split("\r\n"))


def body(received: Received) -> bytes:
    return received.content.split(b"\r\n\r\n", 1)[1]


def stream_event() -> Event:
    """The first CRITICAL event of TestStream_AlertEmail (count 10 for serverA), with its rendered details."""
    details = quopri.decodestring(case("stream/email-direct")["upstream_asserted"][0]["qp_body"].encode()).decode()
    return Event(
        topic="main:testStreamer:alert2",
        id="kapacitor.cpu.serverA",
        level=Level.CRITICAL,
        time=31_536_010_000_000_000,
        message="kapacitor.cpu.serverA is CRITICAL",
        details=details,
        name="cpu",
        task_name="testStreamer",
        group="host=serverA",
        tags={"host": "serverA", "tagemail": "bob2@example.com"},
        fields={"count": 10.0, "extraemail": "bob@example.com"},
    )


async def test_server_vector(smtp_peer: PeerFactory, transports: Transports) -> None:
    vector = case("server/smtp")
    peer = await smtp_peer()
    cfg = config(host="127.0.0.1", port=peer.port)
    request = smtp.render(event_from_alert(vector["alert"]), normalize(smtp.KIND, vector["options"], cfg), cfg)
    await transports.send(request, smtp.KIND.timeout)
    (got,) = await peer.wait_for(1)
    want = vector["upstream_asserted"]
    assert {k: v for k, v in headers(got).items() if k != "Date"} == want["headers"]
    assert body(got) == want["body"].replace("\n", "\r\n").encode()
    assert (got.mail_from, got.rcpt_tos) == ("test@example.com", ("oncall@example.com", "backup@example.com"))
    assert list(headers(got)) == [
        "Date",
        "Mime-Version",
        "From",
        "To",
        "Subject",
        "Content-Type",
        "Content-Transfer-Encoding",
    ]


@pytest.mark.parametrize("case_id", sorted(STREAM_OPTIONS))
async def test_stream_vectors(case_id: str, smtp_peer: PeerFactory, transports: Transports) -> None:
    peer = await smtp_peer()
    cfg = config(host="127.0.0.1", port=peer.port)
    for raw in STREAM_OPTIONS[case_id]:
        await transports.send(smtp.render(stream_event(), normalize(smtp.KIND, raw, cfg), cfg), 5)
    wanted = case(case_id)["upstream_asserted"]
    got = await peer.wait_for(len(wanted))
    for received, want in zip(got, wanted, strict=True):
        assert {k: v for k, v in headers(received).items() if k != "Date"} == want["headers"]
        assert body(received) == want["qp_body"].replace("\n", "\r\n").encode()
        assert received.rcpt_tos == tuple(want["headers"]["To"].split(", "))


@pytest.mark.parametrize("level", list(Level), ids=[lv.name for lv in Level])
def test_every_level_is_the_message_and_details(level: Level) -> None:
    cfg = config(to=["oncall@example.com"])
    event = Event(topic="t", id="cpu", level=level, time=0, message=f"cpu is {level.name}", details="<b>cpu</b>")
    request = smtp.render(event, normalize(smtp.KIND, {}, cfg), cfg)
    assert (
        request.message
        == (
            "Mime-Version: 1.0\r\nFrom: test@example.com\r\nTo: oncall@example.com\r\n"
            f"Subject: cpu is {level.name}\r\n"
            "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<b>cpu</b>"
        ).encode()
    )


def test_request_carries_the_section() -> None:
    cfg = config(
        host="mail.example.com",
        port=587,
        username=USER,
        password=PASSWORD,
        to=["a@example.com"],
        **{"no-verify": True, "idle-timeout": 5_000_000_000, "tls": "tls", "from": "Ops <ops@example.com>"},
    )
    request = smtp.render(Event(topic="t", id="a", level=Level.CRITICAL, time=0), normalize(smtp.KIND, {}, cfg), cfg)
    assert (request.host, request.port, request.tls, request.username, request.password) == (
        "mail.example.com",
        587,
        "tls",
        USER,
        PASSWORD,
    )
    assert (request.verify_tls, request.idle_timeout, request.sender, request.recipients) == (
        False,
        5.0,
        "ops@example.com",
        ("a@example.com",),
    )
    assert b"From: Ops <ops@example.com>\r\n" in request.message


@pytest.mark.parametrize(
    ("options", "tags", "fields", "expected"),
    [
        ({}, {}, {}, ("default@example.com",)),
        ({"to": ["a@example.com"]}, {}, {}, ("a@example.com",)),
        ({"to-field": ['{{ index .Tags "owner" }}']}, {"owner": "o@example.com"}, {}, ("o@example.com",)),
        ({"to-field": ['{{ index .Tags "owner" }}']}, {}, {}, ("default@example.com",)),
        (
            {"to": ["a@example.com"], "to-field": ["{{ .Nope }}", "{{ .Name }}@example.com"]},
            {},
            {},
            ("a@example.com", "cpu@example.com"),
        ),
        (
            {"to": ["a@example.com"], "to-field": ["{{ .Name }}@x.com", "{{ if }}", "{{ .Name }}@y.com"]},
            {},
            {},
            ("a@example.com", "cpu@x.com"),
        ),
        (
            {"to-field": ["{{ .TaskName }}-{{ .Category }}-{{ .Recoverable }}@example.com"]},
            {},
            {},
            ("task-cat-true@example.com",),
        ),
        ({"to": ["a@example.com", "A <a@example.com>"]}, {}, {}, ("a@example.com",)),
    ],
    ids=[
        "config-default",
        "to",
        "tag-template",
        "empty-template-result",
        "exec-error-skipped",
        "parse-error-stops",
        "event-data",
        "envelope-deduplicated",
    ],
)
def test_recipients(
    options: dict[str, Any], tags: dict[str, str], fields: dict[str, Any], expected: tuple[str, ...]
) -> None:
    cfg = config(to=["default@example.com"])
    event = Event(
        topic="t",
        id="a",
        level=Level.CRITICAL,
        time=0,
        name="cpu",
        task_name="task",
        category="cat",
        tags=tags,
        fields=fields,
    )
    assert smtp.render(event, normalize(smtp.KIND, options, cfg), cfg).recipients == expected


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ({"enabled": False}, {"to": ["a@example.com"]}, "service is not enabled"),
        ({}, {}, "not sending email, no recipients defined"),
        ({}, {"to": ["nobody"]}, 'gomail: invalid address "nobody": mail: missing @ in addr-spec'),
        (
            {},
            {"to": ["a@example.com, b@example.com"]},
            'gomail: invalid address "a@example.com, b@example.com": mail: expected single address',
        ),
    ],
    ids=["disabled", "no-recipients", "bad-address", "two-addresses"],
)
def test_render_errors(values: dict[str, Any], options: dict[str, Any], message: str) -> None:
    cfg = config(**values)
    with pytest.raises(DeliveryError) as caught:
        smtp.render(Event(topic="t", id="a", level=Level.CRITICAL, time=0), normalize(smtp.KIND, options, cfg), cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (message, Reason.CONFIG, False)


def test_docs_option_name_is_rejected() -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(smtp.KIND, {"to": ["a@example.com"], "toTemplates": ["x"]})
    assert str(caught.value) == (
        "failed to decode options into *smtp.HandlerConfig: 1 error(s) decoding:\n\n* '' has invalid keys: toTemplates"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cpu is CRITICAL", "cpu is CRITICAL"),
        ("café", "=?UTF-8?q?caf=C3=A9?="),
        ("é b_c=d?", "=?UTF-8?q?=C3=A9_b=5Fc=3Dd=3F?="),
        ("tab\there\n", "=?UTF-8?q?tab=09here=0A?="),
        ("é" * 40, " ".join(["=?UTF-8?q?" + "=C3=A9" * 10 + "?="] * 4)),
    ],
    ids=["ascii", "accent", "specials", "controls", "split-words"],
)
def test_q_encoding(value: str, expected: str) -> None:
    assert smtp.q_encode(value) == expected
    decoded = "".join(
        part.decode(charset or "ascii") if isinstance(part, bytes) else part
        for part, charset in email.header.decode_header(expected)
    )
    assert decoded == value


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("To", ["a@example.com", "b@example.com"], "To: a@example.com, b@example.com\r\n"),
        ("Subject", ["x" * 80], "Subject: " + "x" * 80 + "\r\n"),
        ("Subject", ["word " * 16 + "end"], "Subject: " + "word " * 12 + "word\r\n word word word end\r\n"),
        (
            "To",
            [f"user{i}@example.com" for i in range(5)],
            "To: user0@example.com, user1@example.com, user2@example.com, user3@example.com, user4@example.com\r\n",
        ),
        ("To", ["a" * 60 + "@example.com", "b@example.com"], "To: " + "a" * 60 + "@example.com,\r\n b@example.com\r\n"),
    ],
    ids=["short", "unbreakable", "folded-at-space", "list-unfolded", "folded-list"],
)
def test_header_folding(name: str, values: list[str], expected: str) -> None:
    assert smtp.header_line(name, values) == expected


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        (b"a=b", b"a=3Db"),
        (b"trailing \nnext\t", b"trailing=20\r\nnext=09"),
        (b"x" * 80, b"x" * 75 + b"=\r\n" + b"x" * 5),
        (b"x" * 74 + b"=", b"x" * 74 + b"=\r\n=3D"),
        ("é".encode(), b"=C3=A9"),
        (b"a\r\nb\rc\nd\r\n", b"a\r\nb\r\nc\r\nd\r\n"),
        (b'\n<a href="u">x</a>\n', b'\r\n<a href=3D"u">x</a>\r\n'),
    ],
    ids=["equals", "trailing-blanks", "soft-break", "soft-break-before-escape", "utf8", "line-ends", "html"],
)
def test_quoted_printable(text: bytes, encoded: bytes) -> None:
    assert smtp.quoted_printable(text) == encoded
    assert quopri.decodestring(encoded).replace(b"\r\n", b"\n") == text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, None),
        ({"enabled": True}, "must provide a 'from' address"),
        ({"enabled": True, "from": "Ops <ops@example.com>", "to": ["a@example.com"]}, None),
        ({"host": ""}, "host cannot be empty"),
        ({"port": 0}, "invalid port 0"),
        ({"idle-timeout": -1}, "idle timeout must be positive"),
        ({"from": "ops"}, 'invalid from email address: "ops", mail: missing @ in addr-spec'),
        ({"from": "ops@"}, 'invalid from email address: "ops@", mail: no domain in addr-spec'),
        ({"to": ["a@example.com", ""]}, 'invalid to email address: "", mail: no address'),
    ],
    ids=["defaults", "no-from", "valid", "no-host", "port", "idle", "from-no-at", "from-no-domain", "to-empty"],
)
def test_section_validation(values: dict[str, Any], message: str | None) -> None:
    assert validate({**SECTION.defaults(), **values}) == message


def test_section_defaults() -> None:
    assert SECTION.defaults() == {
        "enabled": False,
        "host": "localhost",
        "port": 25,
        "username": "",
        "password": "",
        "no-verify": False,
        "tls": "starttls",
        "global": False,
        "state-changes-only": False,
        "from": "",
        "to": [],
        "to-templates": [],
        "idle-timeout": 30_000_000_000,
    }
    assert SECTION.secrets == ("password",)


def test_service_test_defaults() -> None:
    assert dict(smtp.SERVICE_TEST.defaults) == {"to": None, "subject": "test subject", "body": "test body"}


@pytest.mark.parametrize(
    ("body", "recipients"),
    [(None, ("config@example.com",)), ({"to": ["posted@example.com"]}, ("posted@example.com",))],
    ids=["defaults", "posted-to"],
)
async def test_service_test_sends(
    smtp_peer: PeerFactory, transports: Transports, body: Any, recipients: tuple[str, ...]
) -> None:
    peer = await smtp_peer()
    cfg = config(host="127.0.0.1", port=peer.port, to=["config@example.com"])
    assert await run_service_test(smtp.SERVICE_TEST, body, cfg, transports, 5) == (True, "")
    (got,) = await peer.wait_for(1)
    assert (headers(got)["Subject"], got.rcpt_tos, got.content.endswith(b"\r\n\r\ntest body\r\n")) == (
        "test subject",
        recipients,
        True,
    )


async def test_service_test_auth_failure_shows_the_reply_not_the_password(
    smtp_peer: PeerFactory, transports: Transports
) -> None:
    peer = await smtp_peer(users={USER: PASSWORD})
    cfg = config(host="127.0.0.1", port=peer.port, to=["a@example.com"], username=USER, password="x" + PASSWORD)
    ok, message = await run_service_test(smtp.SERVICE_TEST, None, cfg, transports, 5)
    assert (ok, message) == (False, f"smtp 127.0.0.1:{peer.port}: authentication failed: {AUTH_FAILED}")


async def test_service_test_against_a_stopped_server(transports: Transports) -> None:
    port = stopped_port()
    cfg = config(host="127.0.0.1", port=port, to=["a@example.com"])
    started = time.monotonic()
    result = await run_service_test(smtp.SERVICE_TEST, None, cfg, transports, 3)
    assert time.monotonic() - started < 3
    assert result == (False, f"smtp 127.0.0.1:{port}: connection refused")


@pytest.mark.parametrize(
    ("values", "message"),
    [({"enabled": False}, "service is not enabled"), ({}, "not sending email, no recipients defined")],
    ids=["disabled", "no-recipients"],
)
async def test_service_test_config_errors(transports: Transports, values: dict[str, Any], message: str) -> None:
    assert await run_service_test(smtp.SERVICE_TEST, None, config(**values), transports, 5) == (False, message)
