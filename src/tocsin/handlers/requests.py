"""What a handler's pure `render` returns: a description of one request, executed by a shared transport."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tocsin.alert.event import Event
from tocsin.delivery.errors import DeliveryError
from tocsin.handlers.kafka_config import KafkaCluster
from tocsin.handlers.mqtt_config import MqttBroker


def is_2xx(status: int) -> bool:
    return 200 <= status < 300


# A provider's own reading of an answer: (status, headers, body up to 64 KiB) -> the error it means, or None to
# let the shared rules decide. Used for providers that answer 200 with an error body (Slack's `ok: false`) or
# put their rate-limit wait somewhere other than Retry-After (Discord, Telegram).
Inspect = Callable[[int, Sequence[tuple[str, str]], bytes], DeliveryError | None]


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A section's `ssl-ca`, `ssl-cert` and `ssl-key` (paths; "" when not set)."""

    ca: str = ""
    cert: str = ""
    key: str = ""

    @classmethod
    def of(cls, section: Mapping[str, Any]) -> TlsFiles | None:
        """The files a section declares, or None when it sets none (the system CAs, no client certificate)."""
        files = cls(*(str(section.get(name) or "") for name in ("ssl-ca", "ssl-cert", "ssl-key")))
        return files if files != cls() else None


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
    tls: TlsFiles | None = None  # a CA to trust and a client certificate to present
    success: Callable[[int], bool] = is_2xx
    redacted_url: str | None = None
    capture_response: bool = False
    inspect: Inspect | None = None
    # Reads what to remember for the alert's next delivery from a successful answer (see Outcome.memo).
    memo: Callable[[int, Sequence[tuple[str, str]], bytes], str | None] | None = None


# A judge of what a TCP peer answered before closing (sensu's client socket answers `ok`): the error it
# means, or None when the answer is a success.
CheckReply = Callable[[bytes], DeliveryError | None]


@dataclass(frozen=True, slots=True)
class TcpRequest:
    """Connect to `address` (`host:port`), write `payload`, close.

    With `check_reply`, the answer is read until the peer closes (up to 64 KiB) and judged before closing.
    """

    address: str
    payload: bytes
    timeout: float | None = None
    check_reply: CheckReply | None = None


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


@dataclass(frozen=True, slots=True)
class SmtpRequest:
    """Send `message` (RFC 5322 headers and body, CRLF lines, no Date) from `sender` to each of `recipients`.

    `tls` is "none", "starttls" (upgrade when the server offers it, as Kapacitor does) or "tls" (implicit TLS).
    The connection is reused by later messages to the same server and login until `idle_timeout` seconds pass.
    """

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    message: bytes
    tls: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    verify_tls: bool = True
    idle_timeout: float = 30.0
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class SnmpVarBind:
    """One variable binding: `syntax` is Counter64, Integer, Null, OctetString or TimeTicks."""

    oid: str
    syntax: str
    value: int | bytes | None = None


@dataclass(frozen=True, slots=True)
class SnmpTrapRequest:
    """An SNMP v2c trap over UDP to `address` (`host:port`): sysUpTime, snmpTrapOID = `trap_oid`, `varbinds`.

    A trap the peer refuses (ICMP port unreachable) is sent again up to `retries` times.
    """

    address: str
    community: str = field(repr=False)
    trap_oid: str
    varbinds: tuple[SnmpVarBind, ...] = ()
    retries: int = 1
    uptime: int = 1000
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class MqttRequest:
    """Publish `payload` to `topic` on `broker`; confirmed by PUBACK/PUBCOMP (QoS 1/2), by the write for QoS 0."""

    broker: MqttBroker
    topic: str
    payload: bytes
    qos: int = 0
    retained: bool = False
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class KafkaRequest:
    """Produce `key`/`value` to `topic` on `cluster`; confirmed by the broker's acknowledgement.

    `partitioner` (crc32, murmur2, murmur3, fnv-1a) picks the partition from the key, as Kapacitor's does.
    """

    cluster: KafkaCluster
    topic: str
    key: bytes
    value: bytes
    partitioner: str = "crc32"
    timeout: float | None = None


Request = (
    HttpRequest
    | TcpRequest
    | ExecRequest
    | FileAppend
    | Publish
    | SmtpRequest
    | SnmpTrapRequest
    | MqttRequest
    | KafkaRequest
)
