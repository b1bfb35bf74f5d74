"""The `smtp` kind (TICKscript `.email()`): the alert as an HTML email. Its `[smtp]` section lives in `smtp_config`.

Capabilities: resolve = no (a recovery is another email); idempotency key = none; honours Retry-After = no (SMTP
has none: 4xx replies are retried, 5xx are final); max payload = not enforced (the server's own limit answers
552); secrets = `password` (never in messages; SmtpRequest leaves it out of its repr).

The message is laid out as Kapacitor's mailer (gomail) writes it: `Mime-Version`, `Date` (added when sent),
`From`, `To` (joined with ", "), `Subject` = the alert message, and the details as a quoted-printable
`text/html; charset=UTF-8` body; non-ASCII header values become RFC 2047 Q-words and long headers are folded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat.duration import SECOND
from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate import StringMap, Struct, TemplateError
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.post import alert_template_data
from tocsin.handlers.requests import SmtpRequest
from tocsin.handlers.sections import enabled_section
from tocsin.handlers.smtp_config import SECTION, address_problem, address_spec
from tocsin.handlers.templating import handler_template

NO_RECIPIENTS = "not sending email, no recipients defined"
INVALID_ADDRESS = "gomail: invalid address {address}: {problem}"
CONTENT_HEADERS = "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"

_LINE_MAX = 76  # Go's mime/quotedprintable line length, and gomail's header fold width
_WORD_OPEN = "=?UTF-8?q?"
_WORD_CONTENT_MAX = 75 - len(_WORD_OPEN) - len("?=")


def event_data(event: Event) -> Struct:
    """Kapacitor's alert.EventData, the dot of the `to-field` templates."""
    fields = {
        "Name": event.name,
        "TaskName": event.task_name,
        "Category": event.category,
        "Group": event.group,
        "Tags": StringMap(event.tags),
        "Fields": dict(event.fields),
        "Recoverable": event.recoverable,
        "Result": alert_template_data(event)["Data"],
    }
    return Struct("alert.EventData", fields)


def recipients(event: Event, options: Mapping[str, Any]) -> list[str]:
    """The handler's `to`, then each non-empty `to-field` result, as Kapacitor collects them."""
    to = list(options["to"])
    data: Struct | None = None
    for index, text in enumerate(options["to-field"]):
        try:
            template = handler_template(str(index), text)
        except TemplateError:
            break  # Kapacitor logs "bad template in email address template" and keeps the ones before
        data = data if data is not None else event_data(event)
        try:
            address = template.execute(data)
        except TemplateError:
            continue  # logged by Kapacitor as "error in email template"; the email still goes out
        if address:
            to.append(address)
    return to


def build(to: Sequence[str], subject: str, body: str, config: ConfigView) -> SmtpRequest:
    """The email of Kapacitor's SendMail: `to`, else the section's default recipients."""
    section = enabled_section(config, SECTION.name)
    to = list(to) or list(section["to"] or ())
    if not to:
        raise DeliveryError(Reason.CONFIG, NO_RECIPIENTS, retryable=False)
    return SmtpRequest(
        host=section["host"],
        port=section["port"],
        sender=_envelope_address(section["from"]),
        recipients=tuple(dict.fromkeys(_envelope_address(a) for a in to)),
        message=compose(section["from"], to, subject, body),
        tls=section["tls"],
        username=section["username"],
        password=section["password"],
        verify_tls=not section["no-verify"],
        idle_timeout=section["idle-timeout"] / SECOND,
    )


def _envelope_address(address: str) -> str:
    problem = address_problem(address)
    if problem:
        message = INVALID_ADDRESS.format(address=go_quote(address), problem=problem)
        raise DeliveryError(Reason.CONFIG, message, retryable=False)
    return address_spec(address)


def render(event: Event, options: dict[str, Any], config: ConfigView) -> SmtpRequest:
    return build(recipients(event, options), event.message, event.details, config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> SmtpRequest:
    to = [str(a) for a in options.get("to") or ()]
    return build(to, str(options.get("subject", "")), str(options.get("body", "")), config)


def compose(sender: str, to: Iterable[str], subject: str, body: str) -> bytes:
    """The message without its Date: headers as gomail writes them, then the quoted-printable HTML body."""
    head = "Mime-Version: 1.0\r\n"
    head += header_line("From", [q_encode(sender)])
    head += header_line("To", [q_encode(a) for a in to])
    head += header_line("Subject", [q_encode(subject)])
    return (head + CONTENT_HEADERS + "\r\n").encode("ascii") + quoted_printable(body.encode("utf-8"))


def q_encode(value: str) -> str:
    """Go's `mime.QEncoding.Encode("UTF-8", value)`: unchanged when printable ASCII, else Q encoded-words."""
    if all(" " <= c <= "~" or c == "\t" for c in value):
        return value
    words: list[str] = []
    current = ""
    for char in value:
        plain = " " <= char <= "~" and char not in "=?_"
        encoded = ("_" if char == " " else char) if plain else "".join(f"={b:02X}" for b in char.encode())
        if len(current) + len(encoded) > _WORD_CONTENT_MAX:
            words.append(current)
            current = ""
        current += encoded
    words.append(current)
    return " ".join(f"{_WORD_OPEN}{w}?=" for w in words)


def header_line(name: str, values: Sequence[str]) -> str:
    """gomail's writeHeader: values joined by ", ", folded near 76 columns at spaces."""
    if not values:
        return name + ":\r\n"
    out = [name, ": "]
    left = _LINE_MAX - len(name) - 2
    for i, value in enumerate(values):
        if left < 1:
            out.append("\r\n " if i == 0 else ",\r\n ")
            left = 75
        elif i:
            out.append(", ")
            left -= 2
        while len(value) > left:
            value = _fold(out, value, left)
            left = 75
        out.append(value)
        newline = value.rfind("\n")
        left = 75 - (len(value) - newline - 1) if newline >= 0 else left - len(value)
    out.append("\r\n")
    return "".join(out)


def _fold(out: list[str], value: str, left: int) -> str:
    newline = value.find("\n")
    if 0 <= newline < left:
        out.append(value[: newline + 1])
        return value[newline + 1 :]
    for i in range(left - 1, -1, -1):
        if value[i] == " ":
            out.append(value[:i] + "\r\n ")
            return value[i + 1 :]
    for i in range(75, len(value)):
        if value[i] == " ":
            out.append(value[:i] + "\r\n ")
            return value[i + 1 :]
        if value[i] == "\n":
            out.append(value[: i + 1])
            return value[i + 1 :]
    out.append(value)
    return ""


def quoted_printable(data: bytes) -> bytes:
    """Go's mime/quotedprintable Writer in text mode: CRLF line ends, soft breaks at 76 columns."""
    out = bytearray()
    line = bytearray()
    after_cr = False

    def line_end() -> None:
        line.extend(b"\r\n")
        out.extend(line)
        line.clear()

    def encode(byte: int) -> None:
        if _LINE_MAX - 1 - len(line) < 3:
            line.append(0x3D)
            line_end()
        line.extend(b"=%02X" % byte)

    def encode_trailing_blank() -> None:
        if line and line[-1] in (0x20, 0x09):
            encode(line.pop())

    for byte in data:
        if byte in (0x0A, 0x0D):
            if after_cr and byte == 0x0A:
                after_cr = False
                continue
            after_cr = byte == 0x0D
            encode_trailing_blank()
            line_end()
        elif (0x21 <= byte <= 0x7E and byte != 0x3D) or byte in (0x20, 0x09):
            if len(line) == _LINE_MAX - 1:
                line.append(0x3D)
                line_end()
            line.append(byte)
            after_cr = False
        else:
            encode(byte)
    encode_trailing_blank()
    out.extend(line)
    return bytes(out)


SERVICE_TEST = ServiceTest(
    name="smtp",
    defaults={"to": None, "subject": "test subject", "body": "test body"},
    build=build_test_request,
)

KIND = HandlerKind(
    name="smtp",
    help="Email the alert: subject = message, HTML body = details (TICKscript .email()).",
    options=(
        Option("to", OptionType.STRING_LIST, tick="to", help="Recipients; the [smtp] `to` list when empty."),
        Option(
            "to-field",
            OptionType.STRING_LIST,
            tick="toTemplates",
            help="Templates over the event data (Name, TaskName, Group, Tags, Fields, ...) giving more "
            'recipients, e.g. {{ index .Tags "owner" }}; empty results are skipped.',
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    timeout=30.0,
    extras='`tls = "none" | "starttls" | "tls"`; connection reused within `idle-timeout`; delivered only on '
    "the server's 250; each refused recipient reported; credentials never sent unencrypted to a remote host.",
)
