"""A lean keep-alive HTTP/1.1 client: the delivery fast path of the HTTP transport.

Delivering an alert is one small request and one small answer over a connection that is almost always
already open. aiohttp's general client spends ~140 µs of CPU per such exchange here; this one writes the
request in one buffer and lets llhttp (`httptools`, the parser under uvicorn and Node) frame the answer as its
bytes arrive (benchmarks/delivery.py). It sends what aiohttp sends (header order and defaults, the request
target as yarl encodes it), so peers see no difference, and it covers only the common case: `HttpTransport`
keeps aiohttp for proxies, credentials in the URL and HEAD, and follows redirects from here.

Answers: 1xx answers are skipped; gzip/deflate bodies are decoded (we advertise them, as aiohttp does);
bodies are kept up to `cap` bytes, and a connection whose answer ran past the cap is closed, not reused.
Connections: idle ones are closed after IDLE_TIMEOUT by a timer; a request on a kept-alive connection that
the peer had closed (nothing of an answer came back) is sent once more on a new connection, so a stale
connection never counts as a failed attempt; a new TLS connection that the peer ends without a byte is a
TLS refusal (`TlsRefused`), which is what a TLS 1.3 server that wants a client certificate does.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections import deque
from dataclasses import dataclass
from typing import cast

import httptools
from aiohttp.http import SERVER_SOFTWARE

from tocsin.handlers.requests import TlsFiles
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy, first_connection
from tocsin.transports.tls import TlsRefused, tls_context

# The User-Agent the aiohttp client sends, so switching paths changes nothing on the wire.
USER_AGENT = SERVER_SOFTWARE
IDLE_TIMEOUT = 15.0  # seconds an idle connection is kept (aiohttp's keepalive_timeout)
MAX_HEAD = 64 * 1024  # status line + headers
CLOSED_WITHOUT_ANSWER = "the server closed the connection without answering"
CLOSED_MID_ANSWER = "the server closed the connection in the middle of the answer"
TLS_ENDED = (
    "the server ended the TLS connection without answering (does it want a client certificate? "
    "see the section's ssl-cert and ssl-key)"
)


class ProtocolError(Exception):
    """The peer's answer is not valid HTTP/1.1."""


class _Stale(Exception):
    """A kept-alive connection the peer had closed: nothing of an answer came back on it."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a connection goes: connections are pooled per origin and TLS verification setting."""

    scheme: str
    host: str  # as yarl gives it raw (IDNA-encoded; IPv6 without brackets)
    port: int
    verify_tls: bool
    tls: TlsFiles | None = None  # a CA and client certificate of the handler's section


@dataclass(slots=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class _Reading:
    """The httptools callbacks of one answer: status, headers and body as llhttp frames them."""

    __slots__ = (
        "body",
        "cap",
        "complete",
        "cut",
        "done",
        "head_size",
        "headers",
        "interim",
        "keep_alive",
        "parser",
        "size",
        "status",
    )

    def __init__(self, cap: int) -> None:
        self.cap = cap
        # One parser per connection: llhttp frames answer after answer on it.
        self.parser = httptools.HttpResponseParser(self)
        # RFC 9112 5.2: a user agent must accept obsolete line folding in an answer (llhttp refuses it unless
        # lenient); the headers of an answer are only read, never forwarded.
        self.parser.set_dangerous_leniencies(lenient_headers=True)
        self.reset()

    def reset(self) -> None:
        """Ready for the next answer on the connection."""
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.status = 0
        self.size = 0
        self.head_size = 0
        self.interim = False
        self.done = False  # a whole answer, or as much of it as the cap keeps
        self.complete = False  # the answer ended where its framing says: the connection may be reused
        self.cut = False
        self.keep_alive = False

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value) + 4
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.interim = 100 <= self.status < 200  # 100 Continue: the real answer follows

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > self.cap:
            kept = self.cap - (self.size - len(body))
            if kept > 0:
                self.body.append(body[:kept])
            self.cut = self.done = True  # the rest is dropped with the connection
        else:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if self.interim:
            self.headers, self.body, self.size, self.head_size, self.interim = [], [], 0, 0, False
            return
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = not self.cut
        self.done = True

    # reading

    def feed(self, data: bytes) -> None:
        """Frame `data`; ProtocolError when it is not HTTP/1.1."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            raise ProtocolError("the server switched protocols") from None
        except httptools.HttpParserError as exc:
            raise ProtocolError(f"invalid answer: {str(exc).lower() or type(exc).__name__}") from None
        if self.head_size > MAX_HEAD and not self.status:
            raise ProtocolError("answer headers too large")

    def ended(self) -> bool:
        """The connection ended: True when that ends the answer too (no length, not chunked: to the end)."""
        if not self.status or self.interim:
            return False
        framed = {name.lower() for name, _ in self.headers} & {"content-length", "transfer-encoding"}
        if framed or self.status in (204, 304):
            return False
        self.done = True
        return True


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; at most one exchange at a time."""

    def __init__(self, cap: int) -> None:
        self.transport: asyncio.Transport | None = None
        self.reading = _Reading(cap)
        self.busy = False  # an exchange is under way
        self.waiter: asyncio.Future[None] | None = None
        self.received = 0  # bytes of the current answer
        self.closed = False
        self.error: BaseException | None = None
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        reading = self.reading
        if not self.busy or reading.done:
            self.close()  # bytes nobody asked for: the connection is out of step
            return
        self.received += len(data)
        try:
            reading.feed(data)
        except ProtocolError as exc:
            self.error = exc
            self.close()
        if self._answered():
            self._wake()

    def _answered(self) -> bool:
        return self.reading.done

    def eof_received(self) -> bool | None:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if exc is not None and self.error is None:
            self.error = exc
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def exchange(self, request: bytes, reused: bool) -> _Reading:
        """Send `request` and wait for its answer (or for the connection to end)."""
        transport = self.transport
        if transport is None or self.closed:
            raise _Stale
        reading = self.reading
        reading.reset()
        self.received, self.error, self.busy = 0, None, True
        transport.write(request)
        while not reading.done and not self._ended(reading, reused):
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return reading

    def _ended(self, reading: _Reading, reused: bool) -> bool:
        """True when the connection's end is the answer's end; raises when it ends the exchange otherwise."""
        error = self.error
        if error is not None:
            if reused and not self.received and isinstance(error, ConnectionResetError | BrokenPipeError):
                raise _Stale
            raise error
        if not self.closed:
            return False
        if reading.ended():
            return True
        raise self._closed(reused)

    def _closed(self, reused: bool) -> Exception:
        if self.received:
            return ConnectionResetError(CLOSED_MID_ANSWER)
        if reused:
            return _Stale()
        if self.transport is not None and self.transport.get_extra_info("ssl_object") is not None:
            return TlsRefused(TLS_ENDED)
        return ConnectionResetError(CLOSED_WITHOUT_ANSWER)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()
        self._wake()


class Http1Client:
    """Pooled keep-alive connections per origin."""

    def __init__(self, *, cap: int, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.cap = cap
        self.policy = policy
        self._idle: dict[Origin, deque[_Connection]] = {}
        self._contexts: dict[tuple[bool, TlsFiles | None], ssl.SSLContext] = {}
        self._sweeper: asyncio.TimerHandle | None = None

    async def request(
        self, origin: Origin, method: str, target: str, headers: tuple[tuple[str, str], ...], body: bytes
    ) -> Answer:
        """One exchange. Raises OSError (connect, reset), ssl.SSLError, TlsRefused, ProtocolError, or
        DeliveryError (POLICY) when the origin resolves only to denied addresses; the caller times out."""
        request = self._head(origin, method, target, headers, len(body)) + body
        conn = self._take(origin)
        if conn is not None:
            try:
                return await self._exchange(origin, conn, request, reused=True)
            except _Stale:
                pass  # the peer closed it while it was idle: once more, on a new connection
        conn = await self._connect(origin)
        return await self._exchange(origin, conn, request, reused=False)

    async def _exchange(self, origin: Origin, conn: _Connection, request: bytes, *, reused: bool) -> Answer:
        try:
            reading = await conn.exchange(request, reused)
        except BaseException:
            conn.close()
            raise
        conn.busy = False
        body = b"".join(reading.body)
        encoding = next((v for n, v in reading.headers if n.lower() == "content-encoding"), "").lower()
        if encoding in ("gzip", "deflate") and body:
            try:
                body = _decode(body, encoding, self.cap)
            except ProtocolError:
                conn.close()
                raise
        if reading.complete and reading.keep_alive and not conn.closed:
            self._keep(origin, conn)
        else:
            conn.close()
        return Answer(reading.status, reading.headers, body)

    def close(self) -> None:
        """Close every idle connection."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    def _keep(self, origin: Origin, conn: _Connection) -> None:
        loop = asyncio.get_running_loop()
        conn.idle_since = loop.time()
        self._idle.setdefault(origin, deque()).append(conn)
        if self._sweeper is None:
            self._sweeper = loop.call_later(IDLE_TIMEOUT / 4, self._sweep)

    def _sweep(self) -> None:
        """Close the connections idle for IDLE_TIMEOUT (checked four times per timeout, while any is idle)."""
        loop = asyncio.get_running_loop()
        self._sweeper = None
        oldest = loop.time() - IDLE_TIMEOUT
        for origin, conns in list(self._idle.items()):
            while conns and (conns[0].closed or conns[0].idle_since <= oldest):
                conns.popleft().close()  # the least recently used sit at the left
            if not conns:
                del self._idle[origin]
        if self._idle:
            self._sweeper = loop.call_later(IDLE_TIMEOUT / 4, self._sweep)

    def _take(self, origin: Origin) -> _Connection | None:
        conns = self._idle.get(origin)
        while conns:
            conn = conns.pop()  # the most recently used: the least likely to have been closed by the peer
            if not conn.closed:
                return conn
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        context = self.context(origin.verify_tls, origin.tls) if origin.scheme == "https" else None

        async def connect(address: str) -> _Connection:
            _, conn = await loop.create_connection(
                lambda: _Connection(self.cap),
                address,
                origin.port,
                ssl=context,
                server_hostname=origin.host if context else None,
            )
            return conn

        return await first_connection(self.policy, origin.host, origin.port, connect)

    def context(self, verify: bool, tls: TlsFiles | None) -> ssl.SSLContext:
        """The TLS context for these settings, built once per client (loading the CA store costs milliseconds);
        the HTTP transport's aiohttp path uses it too."""
        key = (verify, tls)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = tls_context(tls, verify)
        return context

    @staticmethod
    def _head(origin: Origin, method: str, target: str, headers: tuple[tuple[str, str], ...], length: int) -> bytes:
        # aiohttp's order: Host (unless given), the caller's headers, then the defaults the caller did not set.
        given = {name.lower() for name, _ in headers}
        lines = [f"{method} {target} HTTP/1.1"]
        if "host" not in given:
            lines.append("Host: " + _host_header(origin))
        lines.extend(f"{name}: {value}" for name, value in headers)
        if "accept" not in given:
            lines.append("Accept: */*")
        if "accept-encoding" not in given:
            lines.append("Accept-Encoding: gzip, deflate")
        if "user-agent" not in given:
            lines.append("User-Agent: " + USER_AGENT)
        if "content-length" not in given:
            lines.append(f"Content-Length: {length}")
        lines.append("\r\n")
        return "\r\n".join(lines).encode("utf-8")


def _host_header(origin: Origin) -> str:
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    default = 443 if origin.scheme == "https" else 80
    return host if origin.port == default else f"{host}:{origin.port}"


def _decode(body: bytes, encoding: str, cap: int) -> bytes:
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    try:
        return zlib.decompressobj(wbits).decompress(body, cap)
    except zlib.error:
        try:  # servers that say deflate but send a raw stream
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, cap)
        except zlib.error as exc:
            raise ProtocolError(f"cannot decode the {encoding} answer: {exc}") from None
