"""Building HTTP request headers as Go's net/http does, and hiding URL secrets in messages."""

from __future__ import annotations

import functools
import json
import string

from yarl import URL

_TOKEN = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
REDACTED = "xxxxx"


@functools.lru_cache(maxsize=1024)
def canonical_header(name: str) -> str:
    """Go's CanonicalMIMEHeaderKey: `x-custom` -> `X-Custom`; names with non-token bytes stay as they are."""
    if not name or any(c not in _TOKEN for c in name):
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


BAD_HEADER_NAME = "header name {name} is not a valid HTTP token"
BAD_HEADER_VALUE = "header {name}: the value holds a CR, LF or NUL character"


def header_problem(headers: dict[str, str], where: str) -> str | None:
    """Why `headers` cannot be sent (a name that is not a token, a value with CR, LF or NUL), or None.

    Checked when a handler or endpoint is defined: such a header would otherwise split the request or make
    every delivery fail later as an invalid request."""
    for name, value in headers.items():
        if not name or any(c not in _TOKEN for c in name):
            return f"{where}: " + BAD_HEADER_NAME.format(name=json.dumps(name))
        if any(c in value for c in "\r\n\0"):
            return f"{where}: " + BAD_HEADER_VALUE.format(name=name)
    return None


def headers_add(headers: list[tuple[str, str]], name: str, value: str) -> None:
    """Go's Header.Add: append another value."""
    headers.append((canonical_header(name), value))


def headers_set(headers: list[tuple[str, str]], name: str, value: str) -> None:
    """Go's Header.Set: replace every value of the header with this one."""
    key = canonical_header(name)
    headers[:] = [h for h in headers if h[0] != key]
    headers.append((key, value))


def redact_url(url: str) -> str | None:
    """The URL with its userinfo password masked, or None when it carries no password (nothing to hide)."""
    if "@" not in url:
        return None
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return None
    if not parsed.password:
        return None
    return str(parsed.with_password(REDACTED))
