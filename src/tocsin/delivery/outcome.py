"""What a transport reports about a delivery that the peer accepted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    """An accepted delivery: the peer's status (HTTP status code, None for other transports) and a detail.

    `detail` is short text worth keeping in the delivery log, e.g. the captured start of a response body.
    """

    status: int | None
    detail: str = ""
    # What the handler asked to remember from the answer for the alert's next delivery (e.g. a Slack thread
    # ts): a string to keep, "" to forget, None to leave as it was.
    memo: str | None = None
