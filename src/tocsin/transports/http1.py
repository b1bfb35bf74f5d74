"""A lean keep-alive HTTP/1.1 client: the delivery fast path of the HTTP transport.

Delivering an alert is one small request and one small answer over a connection that is almost always
already open. aiohttp's general client spends ~140 µs of CPU per such exchange here; this one writes the
request in one buffer and parses the answer in place, for ~30 µs (benchmarks/delivery.py). It sends what
aiohttp sends (header order and defaults, the request target as yarl encodes it), so peers see no
difference, and it covers only the common case: `HttpTransport` keeps aiohttp for proxies, credentials
in the URL, and redirects (which it follows from here).

Answers: status line and headers, then a body delimited by Content-Length, chunked encoding, or the end of
the connection; 1xx answers are skipped; gzip/deflate bodies are decoded (we advertise them, as aiohttp
does). Bodies are kept up to `cap` bytes; a connection whose body ran past the cap is closed, not reused.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections import deque
from dataclasses import dataclass
from typing import cast

from aiohttp.http import SERVER_SOFTWARE

from tocsin.handlers.requests import TlsFiles
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy, first_connection
from tocsin.transports.tls import tls_context

# The User-Agent the aiohttp client sends, so switching paths changes nothing on the wire.
USER_AGENT = SERVER_SOFTWARE
IDLE_TIMEOUT = 15.0  # seconds an idle connection is kept (aiohttp's keepalive_timeout)
MAX_HEAD = 64 * 1024  # status line + headers
_NO_BODY_STATUSES = frozenset((204, 304))


class ProtocolError(Exception):
    """The peer's answer is not valid HTTP/1.1."""


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


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; at most one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.error: BaseException | None = None
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool | None:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.error = exc
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def more(self) -> bool:
        """Wait for more bytes; False once the peer closed and nothing more will come."""
        if self.closed:
            return False
        self.waiter = asyncio.get_running_loop().create_future()
        try:
            await self.waiter
        finally:
            self.waiter = None
        return True

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Http1Client:
    """Pooled keep-alive connections per origin."""

    def __init__(self, *, cap: int, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.cap = cap
        self.policy = policy
        self._idle: dict[Origin, deque[_Connection]] = {}
        self._contexts: dict[tuple[bool, TlsFiles | None], ssl.SSLContext] = {}

    async def request(
        self, origin: Origin, method: str, target: str, headers: tuple[tuple[str, str], ...], body: bytes
    ) -> Answer:
        """One exchange. Raises OSError (connect, reset), ssl.SSLError, ProtocolError, or DeliveryError (POLICY)
        when the origin resolves only to denied addresses; the caller times out."""
        conn = self._take(origin) or await self._connect(origin)
        assert conn.transport is not None
        conn.transport.write(self._head(origin, method, target, headers, len(body)) + body)
        try:
            answer, reusable = await self._read(conn, method)
        except BaseException:
            conn.close()
            raise
        if reusable and not conn.closed:
            conn.idle_since = time.monotonic()
            self._idle.setdefault(origin, deque()).append(conn)
        else:
            conn.close()
        return answer

    def close(self) -> None:
        """Close every idle connection."""
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    def _take(self, origin: Origin) -> _Connection | None:
        conns = self._idle.get(origin)
        now = time.monotonic()
        while conns:
            conn = conns.pop()  # the most recently used: the least likely to have been closed by the peer
            if not conn.closed and not conn.buffer and now - conn.idle_since < IDLE_TIMEOUT:
                return conn
            conn.close()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        context = self.context(origin.verify_tls, origin.tls) if origin.scheme == "https" else None

        async def connect(address: str) -> _Connection:
            _, conn = await loop.create_connection(
                _Connection, address, origin.port, ssl=context, server_hostname=origin.host if context else None
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

    async def _read(self, conn: _Connection, method: str) -> tuple[Answer, bool]:
        while True:
            status, headers, keep_alive = await self._read_head(conn)
            if 100 <= status < 200:
                continue  # interim answer (100 Continue): the real one follows
            break
        fields = {name.lower(): value for name, value in headers}
        if method == "HEAD" or status in _NO_BODY_STATUSES:
            body, complete = b"", True
        elif "chunked" in fields.get("transfer-encoding", "").lower():
            body, complete = await self._read_chunked(conn)
        elif "content-length" in fields:
            try:
                length = int(fields["content-length"])
            except ValueError:
                raise ProtocolError(f"invalid Content-Length {fields['content-length']!r}") from None
            body, complete = await self._read_length(conn, length)
        else:
            body, complete = await self._read_to_close(conn), False
        encoding = fields.get("content-encoding", "").lower()
        if encoding in ("gzip", "deflate") and body:
            body = _decode(body, encoding, self.cap)
        return Answer(status, headers, body), keep_alive and complete

    async def _read_head(self, conn: _Connection) -> tuple[int, list[tuple[str, str]], bool]:
        while True:
            end = conn.buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            if len(conn.buffer) > MAX_HEAD:
                raise ProtocolError("answer headers too large")
            if not await conn.more():
                if conn.error is not None:
                    raise conn.error
                raise ConnectionResetError("the server closed the connection without answering")
        head = bytes(conn.buffer[:end]).decode("latin-1")
        del conn.buffer[: end + 4]
        status_line, *header_lines = head.split("\r\n")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise ProtocolError(f"invalid status line {status_line[:80]!r}")
        headers: list[tuple[str, str]] = []
        for line in header_lines:
            if line[:1] in (" ", "\t") and headers:  # obsolete line folding
                name, value = headers[-1]
                headers[-1] = (name, value + " " + line.strip())
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise ProtocolError(f"invalid header line {line[:80]!r}")
            headers.append((name, value.strip()))
        connection = ",".join(v for n, v in headers if n.lower() == "connection").lower()
        keep_alive = "close" not in connection if version != "HTTP/1.0" else "keep-alive" in connection
        return int(code), headers, keep_alive

    async def _read_length(self, conn: _Connection, length: int) -> tuple[bytes, bool]:
        keep = min(length, self.cap)
        while len(conn.buffer) < keep:
            if not await conn.more():
                raise ConnectionResetError("the server closed the connection in the middle of the answer")
        body = bytes(conn.buffer[:keep])
        if length > self.cap:  # the rest is dropped with the connection
            conn.buffer.clear()
            return body, False
        del conn.buffer[:length]
        return body, True

    async def _read_chunked(self, conn: _Connection) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        size = 0
        while True:
            line = await _read_line(conn)
            try:
                chunk = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError(f"invalid chunk size {line[:40]!r}") from None
            if chunk == 0:
                while await _read_line(conn):  # trailers, up to the empty line
                    pass
                return b"".join(parts), True
            while len(conn.buffer) < chunk + 2:
                if not await conn.more():
                    raise ConnectionResetError("the server closed the connection in the middle of the answer")
            parts.append(bytes(conn.buffer[:chunk]))
            del conn.buffer[: chunk + 2]
            size += chunk
            if size > self.cap:
                return b"".join(parts)[: self.cap], False

    async def _read_to_close(self, conn: _Connection) -> bytes:
        while len(conn.buffer) < self.cap and await conn.more():
            pass
        body = bytes(conn.buffer[: self.cap])
        conn.buffer.clear()
        return body


async def _read_line(conn: _Connection) -> bytes:
    while True:
        end = conn.buffer.find(b"\r\n")
        if end >= 0:
            line = bytes(conn.buffer[:end])
            del conn.buffer[: end + 2]
            return line
        if len(conn.buffer) > MAX_HEAD:
            raise ProtocolError("chunk header too large")
        if not await conn.more():
            raise ConnectionResetError("the server closed the connection in the middle of the answer")


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
