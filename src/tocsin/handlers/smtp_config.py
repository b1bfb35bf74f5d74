"""The `[smtp]` config section, and Go's net/mail address checks that it and the smtp kind share."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import getaddresses, parseaddr
from typing import Any

from tocsin.config.schema import Field, FieldType, Section
from tocsin.gocompat.duration import SECOND
from tocsin.gocompat.quoting import go_quote

TLS_MODES = ("none", "opportunistic", "starttls", "tls")
# STARTTLS, required unless the server is on loopback; Kapacitor (gomail) falls back to plain text when the
# server does not offer it, which is `opportunistic` here.
DEFAULT_TLS = "starttls"

# Kapacitor's texts (services/smtp/config.go).
EMPTY_HOST = "host cannot be empty"
INVALID_PORT = "invalid port {port}"
NEGATIVE_IDLE_TIMEOUT = "idle timeout must be positive"
MISSING_FROM = "must provide a 'from' address"
INVALID_FROM = "invalid from email address: {address}, {problem}"
INVALID_TO = "invalid to email address: {address}, {problem}"

# Go's net/mail texts for the address problems Tocsin recognises.
NO_ADDRESS = "mail: no address"
SINGLE_ADDRESS = "mail: expected single address"
MISSING_AT = "mail: missing @ in addr-spec"
NO_DOMAIN = "mail: no domain in addr-spec"
INVALID_STRING = "mail: invalid string"
UNCLOSED_ANGLE = "mail: unclosed angle-addr"


def address_problem(text: str) -> str | None:
    """Why Go's `mail.ParseAddress(text)` fails, or None when it parses (the common cases, not every one)."""
    if any(c in text for c in "\r\n\x00"):
        return INVALID_STRING
    if not text.strip():
        return NO_ADDRESS
    if text.count("<") != text.count(">"):
        return UNCLOSED_ANGLE
    if len(getaddresses([text])) > 1:
        return SINGLE_ADDRESS
    address = parseaddr(text)[1]
    if not address:
        return NO_DOMAIN if text.rstrip().endswith("@") else NO_ADDRESS
    local, at, domain = address.rpartition("@")
    if not at:
        return MISSING_AT
    if not local:
        return INVALID_STRING
    if not domain:
        return NO_DOMAIN
    return None


def address_spec(text: str) -> str:
    """The bare `user@host` of an address that `address_problem` accepts (`Bob <bob@example.com>`)."""
    return parseaddr(text)[1]


def validate(values: Mapping[str, Any]) -> str | None:
    """Kapacitor's checks of the section (addresses with Go's net/mail), then Tocsin's `tls` value."""
    if not values["host"]:
        return EMPTY_HOST
    if values["port"] <= 0:
        return INVALID_PORT.format(port=values["port"])
    if values["idle-timeout"] < 0:
        return NEGATIVE_IDLE_TIMEOUT
    if values["enabled"] and not values["from"]:
        return MISSING_FROM
    if values["from"]:
        problem = address_problem(values["from"])
        if problem:
            return INVALID_FROM.format(address=go_quote(values["from"]), problem=problem)
    for address in values["to"] or ():
        problem = address_problem(address)
        if problem:
            return INVALID_TO.format(address=go_quote(address), problem=problem)
    return None


BOOL = FieldType.BOOL
STR = FieldType.STRING

SECTION = Section(
    name="smtp",
    help="An SMTP server for email alerts (TICKscript .email(), handler kind smtp).",
    validate=validate,
    fields=(
        Field("enabled", BOOL, help="Enable sending alerts by email; needs `from`."),
        Field("host", STR, "localhost", help="SMTP server host."),
        Field("port", FieldType.INT, 25, help="SMTP server port."),
        Field(
            "username", STR, help="Login name; the client authenticates only when it is set and the server offers AUTH."
        ),
        Field("password", STR, secret=True, help="Login password."),
        Field("no-verify", BOOL, help="Skip verification of the server's TLS certificate."),
        Field(
            "tls",
            STR,
            DEFAULT_TLS,
            choices=TLS_MODES,
            help="Tocsin only. starttls (default): the connection is upgraded with STARTTLS, and a server that "
            "does not offer it is refused unless it is on loopback; opportunistic: STARTTLS when offered, else "
            "plain text (Kapacitor's behaviour); tls: implicit TLS from the first byte (port 465); none: never TLS.",
        ),
        Field("global", BOOL, help="Email every alert without naming the handler in the TICKscript."),
        Field("state-changes-only", BOOL, help="With global, only email alerts whose level changed."),
        Field("from", STR, help="Sender address (From header and envelope).", example="kapacitor@example.com"),
        Field("to", FieldType.STRING_LIST, help="Default recipients, for handlers that name none."),
        Field(
            "to-templates",
            FieldType.STRING_LIST,
            help="Accepted for compatibility (TOML key toTemplates in Kapacitor); Kapacitor's handler never uses it.",
            ignored="Kapacitor's smtp handler never reads it either",
        ),
        Field(
            "idle-timeout",
            FieldType.DURATION,
            30 * SECOND,
            help="Close the server connection after it has been idle this long; messages sent before then reuse it.",
        ),
    ),
)
