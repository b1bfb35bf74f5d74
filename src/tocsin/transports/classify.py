"""Turn an HTTP answer that is not a success into a classified DeliveryError."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterable, Mapping

from tocsin.delivery.errors import DeliveryError, Reason

BODY_SNIPPET_CHARS = 300


def body_snippet(body: bytes) -> str:
    """The first characters of a response body, for messages and the delivery log."""
    return body.decode("utf-8", "replace")[:BODY_SNIPPET_CHARS]


def http_error_message(status: int, url: str, body: bytes) -> str:
    """`HTTP <status> from <url>: <start of body>` (without the colon part when the body is empty)."""
    snippet = body_snippet(body)
    return f"HTTP {status} from {url}: {snippet}" if snippet else f"HTTP {status} from {url}"


def classify_http(
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    *,
    url: str = "",
    now: float | None = None,
) -> DeliveryError | None:
    """The DeliveryError for an error status (400 and up); None for any other status.

    `url` must already be redacted. `now` (epoch seconds) is the clock for an HTTP-date Retry-After.
    """
    if status < 400:
        return None
    message = http_error_message(status, url, body)
    retry_after = parse_retry_after(_header(headers, "Retry-After"), now=now)
    if status == 429:
        return DeliveryError(Reason.RATE_LIMITED, message, retryable=True, retry_after=retry_after, status=status)
    if status >= 500:
        after = retry_after if status == 503 else None
        return DeliveryError(Reason.SERVER_ERROR, message, retryable=True, retry_after=after, status=status)
    if status == 408:
        return DeliveryError(Reason.TIMEOUT, message, retryable=True, status=status)
    if status == 425:  # "Too Early": the peer will take the same request later
        return DeliveryError(Reason.SERVER_ERROR, message, retryable=True, status=status)
    if status in (401, 403):
        return DeliveryError(Reason.AUTH_ERROR, message, retryable=False, status=status)
    return DeliveryError(Reason.CLIENT_ERROR, message, retryable=False, status=status)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None when absent or invalid."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    return next((v for k, v in items if k.lower() == wanted), None)
