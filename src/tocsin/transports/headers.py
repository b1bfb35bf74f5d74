"""Building HTTP request headers as Go's net/http does, and hiding URL secrets in messages."""

from __future__ import annotations

import functools
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
