"""A small blocking HTTP client for the Kapacitor-compatible API (stdlib only, so the CLI starts fast).

It behaves like Kapacitor's Go client: request bodies are JSON-encoded as a Go `json.Encoder` writes them,
query parameters are encoded in sorted key order, a link's `href` replaces the base URL's path, and any
status other than the expected one becomes an error carrying the body's `error` field (matched
case-insensitively) or `invalid response: code N: body: ...`.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any, Final

from tocsin import __version__
from tocsin.cli.errors import ApiError, UnreachableError, UsageError
from tocsin.gocompat.json import encode_line

INVALID_RESPONSE = "invalid response: code {status}: body: {body}"
DECODE_FAILED = "failed to decode JSON: {reason}"
CANNOT_REACH = "cannot reach Tocsin at {url}: {reason}"
UNSUPPORTED_SCHEME = "Unsupported protocol scheme: {scheme}, your address must start with http:// or https://"

# Go's URL path escaping leaves these bytes alone inside a path; everything else outside [A-Za-z0-9-_.~] is escaped.
_PATH_SAFE = "/$&+,:;=@"
USER_AGENT = f"tocsin-cli/{__version__}"


class _NoBody:
    """Marks a request without a body (JSON `null` is a body: the service-test POST sends it)."""


NO_BODY: Final = _NoBody()


def error_message(status: int, body: bytes) -> str:
    """The text Kapacitor's client reports for an unexpected status: the `error` field, else the raw body."""
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        decoded = None
    if isinstance(decoded, dict):
        # Go's decoder matches struct fields case-insensitively, preferring the exact name.
        candidates = [decoded.get("error")] + [v for k, v in decoded.items() if k.lower() == "error"]
        for value in candidates:
            if isinstance(value, str) and value:
                return value
    return INVALID_RESPONSE.format(status=status, body=body.decode("utf-8", "replace"))


QueryValue = str | list[str]


def encode_query(query: Mapping[str, QueryValue]) -> str:
    """Query text as Go's `url.Values.Encode` writes it: keys sorted, `*` as `%2A`, space as `+`.

    A list value repeats its key once per item, in the list's order (`fields=a&fields=b`).
    """
    return urllib.parse.urlencode(sorted(query.items()), doseq=True, quote_via=urllib.parse.quote_plus)


class ApiClient:
    """Calls one Tocsin (or Kapacitor) server; `base_url` is `http(s)://host:port`."""

    def __init__(self, base_url: str, *, skip_verify: bool = False, timeout: float = 60.0, token: str = "") -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise UsageError(UNSUPPORTED_SCHEME.format(scheme=parts.scheme))
        host = parts.netloc.rpartition("@")[2]
        # Kapacitor's `-url http://user:password@host:9092`: HTTP Basic; a token (TOCSIN_TOKEN) is a bearer
        # token instead. Neither appears in messages: the URL is shown without its userinfo.
        self._authorization = ""
        if token:
            self._authorization = "Bearer " + token
        elif parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self._authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.base_url = urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
        self._origin = f"{parts.scheme}://{host}"
        self._timeout = timeout
        self._ssl: ssl.SSLContext | None = None
        if parts.scheme == "https" and skip_verify:
            self._ssl = ssl.create_default_context()
            self._ssl.check_hostname = False
            self._ssl.verify_mode = ssl.CERT_NONE

    def url_for(self, href: str, query: Mapping[str, QueryValue] | None = None) -> str:
        """The full URL of a link `href` (an unescaped path) with an optional query."""
        url = self._origin + urllib.parse.quote(href, safe=_PATH_SAFE)
        if query is not None:
            url += "?" + encode_query(query)
        return url

    def call(
        self,
        method: str,
        href: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        body: object = NO_BODY,
        expect: int = 200,
    ) -> Any:
        """Send one request; return the decoded JSON answer (None when the answer has no body)."""
        data = None if isinstance(body, _NoBody) else encode_line(body)
        request = urllib.request.Request(self.url_for(href, query), data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", USER_AGENT)
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        status, payload = self._send(request)
        if status != expect:
            raise ApiError(error_message(status, payload), status)
        if not payload.strip():
            return None
        try:
            return json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(DECODE_FAILED.format(reason=exc), status) from None

    def download(self, href: str, path: str) -> int:
        """Save a binary answer (a backup) to the new or emptied file `path`, mode 0600; the bytes written."""
        request = urllib.request.Request(self.url_for(href), method="GET")
        request.add_header("User-Agent", USER_AGENT)
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        written = 0
        try:
            with urllib.request.urlopen(request, timeout=self._timeout, context=self._ssl) as response:
                descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY | os.O_CLOEXEC, 0o600)
                with os.fdopen(descriptor, "wb") as out:
                    while chunk := response.read(1 << 16):
                        out.write(chunk)
                        written += len(chunk)
        except urllib.error.HTTPError as exc:
            with exc:
                raise ApiError(error_message(exc.code, exc.read()), exc.code) from None
        except urllib.error.URLError as exc:
            raise UnreachableError(CANNOT_REACH.format(url=self.base_url, reason=_reason(exc.reason))) from None
        return written

    def stream(self, href: str, query: Mapping[str, QueryValue] | None = None) -> Iterator[Any]:
        """The JSON objects of a streamed answer (one per line, `/logs`), as they arrive; empty lines skipped."""
        request = urllib.request.Request(self.url_for(href, query), method="GET")
        request.add_header("User-Agent", USER_AGENT)
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        try:
            # no timeout: a quiet log is not a dead server (the server sends an empty line now and then)
            with urllib.request.urlopen(request, context=self._ssl) as response:
                for line in response:
                    if line.strip():
                        yield json.loads(line)
        except urllib.error.HTTPError as exc:
            with exc:
                raise ApiError(error_message(exc.code, exc.read()), exc.code) from None
        except urllib.error.URLError as exc:
            raise UnreachableError(CANNOT_REACH.format(url=self.base_url, reason=_reason(exc.reason))) from None

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(request, timeout=self._timeout, context=self._ssl) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read()
        except urllib.error.URLError as exc:
            raise UnreachableError(CANNOT_REACH.format(url=self.base_url, reason=_reason(exc.reason))) from None
        except (OSError, http.client.HTTPException) as exc:
            raise UnreachableError(CANNOT_REACH.format(url=self.base_url, reason=_reason(exc))) from None


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)
