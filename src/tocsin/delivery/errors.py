"""Delivery failures, classified once where they happen and acted on by the one shared retrier."""

from __future__ import annotations

from enum import StrEnum

from tocsin.errors import TocsinError


class Reason(StrEnum):
    CLIENT_ERROR = "client_error"  # the peer refused the request as malformed (4xx); retrying will not help
    AUTH_ERROR = "auth_error"  # 401/403, bad credentials
    SERVER_ERROR = "server_error"  # 5xx or a peer-side failure that may pass
    RATE_LIMITED = "rate_limited"  # 429 or a provider's rate-limit answer
    TIMEOUT = "timeout"  # no answer within the delivery timeout
    NETWORK = "network"  # connection refused, reset, DNS failure
    TLS = "tls"  # the TLS handshake failed: a certificate not trusted or refused (the ssl-* settings)
    CONFIG = "config"  # the handler or its config section cannot produce a request
    POLICY = "policy"  # the operator's allow-lists or deny-networks forbid it
    CANCELED = "canceled"  # shutdown interrupted the attempt
    OTHER = "other"


class DeliveryError(TocsinError):
    """A failed delivery attempt.

    `retryable` says whether the same request may succeed later; `retry_after` (seconds) is the earliest
    moment the peer asked us to come back, when it said so; `status` is the peer's status code, if any.
    Messages must never carry secrets: transports build them from redacted URLs.
    """

    def __init__(
        self,
        reason: Reason,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status

    def __repr__(self) -> str:
        return (
            f"DeliveryError({self.reason.value}, {str(self)!r}, retryable={self.retryable}, "
            f"retry_after={self.retry_after}, status={self.status})"
        )
