"""The secrets a delivery carries, by value, so that no error text shows them (lastError, logs).

A peer that echoes the request (a body with the webhook URL, a 401 quoting the API key) or an error that names
the URL would otherwise put credentials in the delivery log. Secrets here: values of headers that carry
credentials or that the handler set (custom headers such as X-Api-Key), the URL's userinfo password and
query values, and the handler's secret options; each at least MIN_LENGTH characters, replaced longest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

from tocsin.handlers.requests import HttpRequest, Request

MIN_LENGTH = 4
MASK = "***"
# Headers any client sends whose values are not secret.
_PLAIN_HEADERS = frozenset({"content-type", "accept", "user-agent", "content-length", "accept-encoding", "host"})


def request_secrets(request: Request) -> set[str]:
    """The secret texts in `request` (empty for kinds whose requests carry none)."""
    if not isinstance(request, HttpRequest):
        return set()
    found = {value for name, value in request.headers if name.lower() not in _PLAIN_HEADERS}
    for value in list(found):
        scheme, _, credential = value.partition(" ")
        if credential and scheme.lower() in ("basic", "bearer", "token", "key"):
            found.add(credential)
    found |= url_secrets(request.url)
    return found


def url_secrets(url: str) -> set[str]:
    found: set[str] = set()
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    if parts.password:
        found |= {parts.password, unquote(parts.password)}
    for _, value in parse_qsl(parts.query, keep_blank_values=False):
        found.add(value)
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if len(s) >= MIN_LENGTH), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
