"""A UDP listener for one subscribed database and retention policy (subscription-protocol udp).

As in Kapacitor (services/influxdb/service.go startUDPListener, services/udp/service.go): one listener per
db.rp, bound to `udp-bind` on a port the system picks, its points tagged with that db.rp; each datagram
(at most 64 KiB) is line protocol in nanoseconds; `udp-buffer` datagrams wait to be parsed, and
`udp-read-buffer` sets the socket's SO_RCVBUF. A datagram that does not parse is logged and skipped.

Kapacitor's reader blocks when its buffer is full (the kernel then drops); asyncio cannot stop reading one
datagram socket, so Tocsin drops the datagram itself and counts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable

from tocsin.errors import TocsinError
from tocsin.lineprotocol import LineProtocolError, PartialWriteError, parse_points
from tocsin.points import Point

log = logging.getLogger(__name__)

PACKET_SIZE = 65536
DEFAULT_BUFFER = 1000  # Kapacitor's udp.DefaultBuffer

Sink = Callable[[list[Point]], Awaitable[None]]


def bind_host(udp_bind: str) -> str:
    """The host of `udp-bind` (Kapacitor appends the port itself; a port written here is not used)."""
    host, sep, port = udp_bind.rpartition(":")
    if sep and port.isdigit() and (host.startswith("[") or ":" not in host):
        udp_bind = host
    return udp_bind.strip("[]")


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, listener: UdpListener) -> None:
        self._listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self._listener.received(data)

    def error_received(self, exc: Exception) -> None:
        log.warning("udp %s: read failed: %s", self._listener.label, exc)


class UdpListener:
    """Reads datagrams of one db.rp and hands their points to `sink`."""

    def __init__(self, host: str, database: str, rp: str, sink: Sink, *, buffer: int = 0, read_buffer: int = 0) -> None:
        self.host, self.database, self.rp = host, database, rp
        self.label = f"{database}.{rp}"
        self._sink = sink
        self._read_buffer = read_buffer
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(buffer if buffer > 0 else DEFAULT_BUFFER)
        self._transport: asyncio.DatagramTransport | None = None
        self._worker: asyncio.Task[None] | None = None
        self.port = 0
        self.points_received = 0
        self.dropped = 0
        self.parse_failures = 0
        self._last_problem = ""

    async def open(self) -> int:
        """Listen; the port the system picked."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(self.host or None, 0, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        try:
            if self._read_buffer > 0:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._read_buffer)
            sock.bind(address)
            transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sock)
        except OSError:
            sock.close()
            raise
        self._transport = transport
        self.port = int(sock.getsockname()[1])
        self._worker = loop.create_task(self._drain(), name=f"tocsin-udp-{self.label}")
        log.info("started UDP listener for %s on port %d", self.label, self.port)
        return self.port

    def received(self, data: bytes) -> None:
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            self.dropped += 1
            self._problem(f"buffer full (udp-buffer = {self._queue.maxsize}): datagrams dropped")

    async def _drain(self) -> None:
        while True:
            data = await self._queue.get()
            try:
                points = parse_points(data, precision="n", database=self.database, retention_policy=self.rp)
            except PartialWriteError as exc:
                points = exc.points
                self.parse_failures += 1
                self._problem(f"failed to parse points: {exc}")
            except LineProtocolError as exc:
                self.parse_failures += 1
                self._problem(f"failed to parse points: {exc}")
                continue
            self.points_received += len(points)
            try:
                await self._sink(points)
            except TocsinError as exc:
                self._problem(f"failed to write points: {exc}")

    def _problem(self, text: str) -> None:
        # A flood of bad datagrams would otherwise flood the log: one line per kind of problem.
        kind = text.split(":", 1)[0]
        if kind != self._last_problem:
            self._last_problem = kind
            log.warning("udp %s: %s", self.label, text)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
