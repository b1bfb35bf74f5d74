"""MQTT delivery: one kept connection per broker, shared by every publish and replaced after a failure.

A publish is confirmed when the broker acknowledges it (PUBACK for QoS 1, PUBCOMP for QoS 2) or, for QoS 0,
once it is written to the socket. Sessions are clean, as Kapacitor's are.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiomqtt
from aiomqtt.exceptions import MqttCodeError, MqttConnectError

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.gocompat.quoting import go_quote
from tocsin.handlers.mqtt_config import MqttBroker
from tocsin.handlers.requests import MqttRequest
from tocsin.transports.headers import redact_url
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy
from tocsin.transports.tls import client_context

DEFAULT_PORTS = {"tcp": 1883, "mqtt": 1883, "ssl": 8883, "tls": 8883, "tcps": 8883, "mqtts": 8883, "ws": 80, "wss": 443}
TLS_SCHEMES = frozenset({"ssl", "tls", "tcps", "mqtts", "wss"})
WEBSOCKET_SCHEMES = frozenset({"ws", "wss"})
MAX_IN_FLIGHT = 10  # aiomqtt logs a warning for every publish beyond 10 pending ones
CONNECT_WAIT = 30.0  # seconds for a CONNACK
DISCONNECT_WAIT = 5.0  # seconds for a graceful DISCONNECT before the client is abandoned
_AUTH_CODES = frozenset({4, 5, 134, 135})  # bad user name or password, not authorised (3.1.1 and 5 codes)
_CLIENT_CODES = frozenset({1, 2, 132, 133})  # protocol version, client identifier
LOST = "the connection was lost"
_CODE_PREFIX = re.compile(r"^\[(?:code:|Errno )-?\d+\] ")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a broker URL points: host, port, socket transport, TLS or not, WebSocket path."""

    host: str
    port: int
    transport: str  # "tcp" or "websockets", as paho names them
    tls: bool
    path: str


def parse_url(url: str) -> Endpoint:
    """A broker URL (`tcp://`, `ssl://`, `ws://`, and `mqtt://`, `mqtts://`, `tls://`, `tcps://`, `wss://`).

    Raises DeliveryError (CONFIG) for a URL that names no host or an unknown scheme.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    shown = go_quote(redact_url(url) or url)
    if scheme not in DEFAULT_PORTS:
        raise DeliveryError(Reason.CONFIG, f"unsupported MQTT broker URL scheme in {shown}", retryable=False)
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise DeliveryError(Reason.CONFIG, f"invalid port in MQTT broker URL {shown}", retryable=False) from None
    if not parts.hostname:
        raise DeliveryError(Reason.CONFIG, f"no host in MQTT broker URL {shown}", retryable=False)
    websocket = scheme in WEBSOCKET_SCHEMES
    transport = "websockets" if websocket else "tcp"
    return Endpoint(parts.hostname, port, transport, scheme in TLS_SCHEMES, parts.path or "/")


def _detail(exc: BaseException) -> str:
    """An aiomqtt/paho error as a lower-case phrase: `[Errno 111] Connection refused` -> `connection refused`."""
    text = _CODE_PREFIX.sub("", str(exc)).strip().rstrip(".") or type(exc).__name__
    return text[:1].lower() + text[1:]


def _code(exc: MqttCodeError) -> int:
    rc = exc.rc
    if rc is None or isinstance(rc, int):
        return rc or 0
    return int(rc.value)


def connect_error(broker: MqttBroker, exc: aiomqtt.MqttError) -> DeliveryError:
    """A failed connection attempt: refused credentials and identifiers are final, anything else may pass."""
    message = f'failed to connect to MQTT broker "{broker.name}": {_detail(exc)}'
    if isinstance(exc, MqttConnectError):
        code = _code(exc)
        if code in _AUTH_CODES:
            return DeliveryError(Reason.AUTH_ERROR, message, retryable=False)
        if code in _CLIENT_CODES:
            return DeliveryError(Reason.CLIENT_ERROR, message, retryable=False)
        return DeliveryError(Reason.SERVER_ERROR, message, retryable=True)
    return DeliveryError(Reason.NETWORK, message, retryable=True)


class BrokerLink:
    """One broker's client: connected on first use, shared by every publish, replaced once it fails."""

    def __init__(self, broker: MqttBroker, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.broker = broker
        self.policy = policy
        self._client: aiomqtt.Client | None = None
        self._watcher: asyncio.Task[str] | None = None  # ends, with the reason, when the connection does
        self._connecting: asyncio.Task[tuple[aiomqtt.Client, asyncio.Task[str]]] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self.connections = 0  # connections made so far (a reconnect adds one)

    async def connected(self) -> tuple[aiomqtt.Client, asyncio.Task[str]]:
        """The connected client and its watcher, connecting first if there is none (one attempt for all)."""
        if self._client is not None and self._watcher is not None:
            return self._client, self._watcher
        if self._connecting is None:
            task = asyncio.create_task(self._connect())
            task.add_done_callback(_retrieve)
            self._connecting = task
        return await asyncio.shield(self._connecting)

    async def _connect(self) -> tuple[aiomqtt.Client, asyncio.Task[str]]:
        try:
            endpoint = parse_url(self.broker.url)
            await self.policy.check(endpoint.host, endpoint.port)  # aiomqtt resolves the name again
            client = self._new_client()
            try:
                await client.__aenter__()
            except aiomqtt.MqttError as exc:
                raise connect_error(self.broker, exc) from exc
        except BaseException:
            self._connecting = None
            raise
        watcher = asyncio.create_task(self._watch(client))
        self._client, self._watcher, self._connecting = client, watcher, None
        self.connections += 1
        return client, watcher

    def _new_client(self) -> aiomqtt.Client:
        b = self.broker
        endpoint = parse_url(b.url)
        websocket = endpoint.transport == "websockets"
        tls = client_context(b.ssl_ca, b.ssl_cert, b.ssl_key, b.insecure_skip_verify) if endpoint.tls else None
        return aiomqtt.Client(
            endpoint.host,
            endpoint.port,
            username=b.username or None,
            password=b.password or None,
            identifier=b.client_id,
            clean_session=True,
            transport="websockets" if websocket else "tcp",
            timeout=CONNECT_WAIT,
            tls_context=tls,
            websocket_path=endpoint.path if websocket else None,
            max_concurrent_outgoing_calls=MAX_IN_FLIGHT,
        )

    async def _watch(self, client: aiomqtt.Client) -> str:
        # Nothing is subscribed: the message iterator only ever ends, when the connection does.
        reason = LOST
        try:
            async for _ in client.messages:
                pass
        except aiomqtt.MqttError as exc:
            detail = _detail(exc.__cause__) if isinstance(exc.__cause__, Exception) else ""
            # paho reports an abrupt end of the stream as an "unspecified error"
            if detail and detail not in (LOST, "unspecified error"):
                reason = f"{LOST}: {detail}"
        if self._client is client:
            self._client = None
        await _disconnect(client)
        return reason

    def drop(self, client: aiomqtt.Client) -> None:
        """Stop using `client` (a publish on it failed); the next publish connects again."""
        if self._client is not client:
            return
        self._client = None
        if self._watcher is not None:
            self._watcher.cancel()
        task = asyncio.create_task(_disconnect(client))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Disconnect, and give up a connection attempt under way."""
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(BaseException):
                await self._connecting
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(BaseException):
                await self._watcher
        client, self._client = self._client, None
        if client is not None:
            await _disconnect(client)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)


async def publish_on(client: aiomqtt.Client, watcher: asyncio.Task[str], request: MqttRequest) -> None:
    """Publish and wait for the confirmation, or fail as soon as the connection is lost (aiomqtt would wait)."""
    publishing = asyncio.ensure_future(
        client.publish(request.topic, request.payload, qos=request.qos, retain=request.retained, timeout=math.inf)
    )
    try:
        await asyncio.wait((publishing, watcher), return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        publishing.cancel()
        raise
    if publishing.done():
        publishing.result()
        return
    publishing.cancel()
    reason = watcher.result() if watcher.done() and not watcher.cancelled() else "the connection was dropped"
    raise aiomqtt.MqttError(reason)


def _retrieve(task: asyncio.Task[tuple[aiomqtt.Client, asyncio.Task[str]]]) -> None:
    # The outcome belongs to whoever awaited it; when every caller timed out, nobody did.
    if not task.cancelled():
        task.exception()


async def _disconnect(client: aiomqtt.Client) -> None:
    # A broker that does not see the DISCONNECT through must not hold up a shutdown.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(DISCONNECT_WAIT):
            await client.__aexit__(None, None, None)


class MqttTransport:
    """Publishes to MQTT brokers, one kept connection per broker (per distinct settings)."""

    def __init__(self, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.policy = policy
        self._links: dict[MqttBroker, BrokerLink] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def link(self, broker: MqttBroker) -> BrokerLink:
        """The link for `broker`; links of the same name with other (outdated) settings are closed."""
        found = self._links.get(broker)
        if found is not None:
            return found
        for old in [b for b in self._links if b.name == broker.name]:
            task = asyncio.create_task(self._links.pop(old).close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        found = self._links[broker] = BrokerLink(broker, self.policy)
        return found

    async def send(self, request: MqttRequest, limit: float | None) -> Outcome:
        """Publish `request` within `limit` seconds (None or 0: no limit); raises a classified DeliveryError."""
        link = self.link(request.broker)
        client: aiomqtt.Client | None = None
        where = f'MQTT broker "{request.broker.name}"'
        try:
            async with asyncio.timeout(limit if limit and limit > 0 else None):
                client, watcher = await link.connected()
                await publish_on(client, watcher, request)
        except TimeoutError:
            if client is None:
                message = f"failed to connect to {where}: no answer within {limit:g}s"
                raise DeliveryError(Reason.TIMEOUT, message, retryable=True) from None
            link.drop(client)
            step = "acknowledgement" if request.qos else "write"
            message = f"failed to publish to {where}: no {step} within {limit:g}s"
            raise DeliveryError(Reason.TIMEOUT, message, retryable=True) from None
        except aiomqtt.MqttError as exc:
            if client is None:
                raise connect_error(request.broker, exc) from exc
            link.drop(client)
            cause = exc.__cause__ if isinstance(exc.__cause__, aiomqtt.MqttError) else exc
            message = f"failed to publish to {where}: {_detail(cause)}"
            raise DeliveryError(Reason.NETWORK, message, retryable=True) from exc
        except ValueError as exc:  # paho refuses the message itself: a wildcard topic, an oversized payload
            message = f"failed to publish to {where}: {_detail(exc)}"
            raise DeliveryError(Reason.CLIENT_ERROR, message, retryable=False) from exc
        return Outcome(None)

    async def close(self) -> None:
        """Disconnect from every broker."""
        links, self._links = list(self._links.values()), {}
        await asyncio.gather(*(link.close() for link in links), *self._closing, return_exceptions=True)
