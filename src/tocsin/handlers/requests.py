"""What a handler's pure `render` returns: a description of one request, executed by a shared transport."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError


def is_2xx(status: int) -> bool:
    return 200 <= status < 300


# A provider's own reading of an answer: (status, headers, body up to 64 KiB) -> the error it means, or None to
# let the shared rules decide. Used for providers that answer 200 with an error body (Slack's `ok: false`) or
# put their rate-limit wait somewhere other than Retry-After (Discord, Telegram).
Inspect = Callable[[int, Sequence[tuple[str, str]], bytes], DeliveryError | None]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request. `headers` keep order and repeats; `success` decides which statuses mean accepted.

    `redacted_url` is what logs, errors and the delivery log show instead of `url` when the URL carries a
    secret (a Slack webhook path, a token in the query).
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    timeout: float | None = None
    verify_tls: bool = True
    success: Callable[[int], bool] = is_2xx
    redacted_url: str | None = None
    capture_response: bool = False
    inspect: Inspect | None = None


@dataclass(frozen=True, slots=True)
class TcpRequest:
    """Connect to `address` (`host:port`), write `payload`, close."""

    address: str
    payload: bytes
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class ExecRequest:
    """Run `argv` (no shell) with `stdin`; success is exit status 0."""

    argv: tuple[str, ...]
    stdin: bytes
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class FileAppend:
    """Append `data` to `path`, creating it with `mode` if it does not exist."""

    path: str
    data: bytes
    mode: int = 0o600


@dataclass(frozen=True, slots=True)
class Publish:
    """Collect `event` again into each of `topics` (the publish and aggregate kinds)."""

    topics: tuple[str, ...]
    event: Event = field(compare=False)


Request = HttpRequest | TcpRequest | ExecRequest | FileAppend | Publish
