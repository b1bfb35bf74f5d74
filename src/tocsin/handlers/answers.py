"""Providers' error answers read as Kapacitor reads them, and classified by the shared HTTP rules.

Several kinds word a refused request as Kapacitor does (a field of the JSON error body, else "failed to
understand ... response"); the reason, retryability and Retry-After still come from `classify_http`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.transports.classify import body_snippet, classify_http


def json_fields(body: bytes, names: Sequence[str]) -> dict[str, Any]:
    """The named fields of a JSON object answer, matched as Go's decoder matches struct fields.

    Keys match exactly or case-insensitively, the last match wins; a body that is not one JSON object
    (trailing text after it is ignored, as by Go's json.Decoder) yields nothing.
    """
    try:
        text = body.decode("utf-8", "replace").lstrip()
        value, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    folded = {name.casefold(): name for name in names}
    found: dict[str, Any] = {}
    for key, item in value.items():
        name = folded.get(key.casefold())
        if name is not None and item is not None:
            found[name] = item
    return found


def json_message(body: bytes, fallback: str) -> str:
    """The `message` string of a JSON error answer, else `fallback`."""
    message = json_fields(body, ["message"]).get("message")
    return message if isinstance(message, str) else fallback


def error_field(body: bytes) -> str:
    """The `error` string of a JSON object body (strict UTF-8), matched as Go's decoder matches keys; "" if none.

    Unlike `json_fields`, a later key of another type does not hide an earlier string.
    """
    try:
        pairs, _ = json.JSONDecoder(object_pairs_hook=lambda p: p).raw_decode(body.decode("utf-8").lstrip())
    except (UnicodeDecodeError, ValueError):
        return ""
    found = ""
    if isinstance(pairs, list):
        for key, value in pairs:
            if key.casefold() == "error" and isinstance(value, str):
                found = value
    return found


def answer_error(
    status: int, headers: Sequence[tuple[str, str]], body: bytes, text: str, *, classify_as: int | None = None
) -> DeliveryError:
    """An unaccepted answer, classified by the shared HTTP rules but worded `text`.

    `classify_as` is the status the rules see when the provider says more than its HTTP status (a 200
    carrying an error code); the error keeps the real status.
    """
    shared = classify_http(status if classify_as is None else classify_as, headers, body)
    if shared is None:  # a 1xx-3xx status the provider does not use for success
        return DeliveryError(Reason.OTHER, text, retryable=False, status=status)
    return DeliveryError(shared.reason, text, retryable=shared.retryable, retry_after=shared.retry_after, status=status)


@dataclass(frozen=True, slots=True)
class MessageBody:
    """Kapacitor's reading of a refused request: the body's `message` text, else `template` with the code and
    the whole body; the text is put in `wording` (at `{message}`).

    The reason, retryability and Retry-After still come from the shared HTTP rules.
    """

    template: str
    success: Callable[[int], bool]
    wording: str = "{message}"

    def __call__(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
        if self.success(status):
            return None
        fallback = self.template.format(status=status, body=body.decode("utf-8", "replace"))
        return answer_error(status, headers, body, self.wording.format(message=json_message(body, fallback)))


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """Kapacitor's reading of a refused request: the body's `error` text, else `template` with the code and
    the start of the body.

    The reason, retryability and Retry-After still come from the shared HTTP rules.
    """

    template: str
    success: Callable[[int], bool]

    def __call__(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> DeliveryError | None:
        if self.success(status):
            return None
        text = error_field(body) or self.template.format(status=status, content=body_snippet(body))
        return answer_error(status, headers, body, text)
