"""The SNMP trap transport against real receivers: net-snmp's snmptrapd and an in-process pysnmp decoder.

`Snmptrapd`, `TrapReceiver` and their fixtures are also used by tests/handlers/test_snmptrap.py. snmptrapd
comes from scripts/peers/snmptrapd.sh; when it is missing the tests fail and say so (they never skip).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyasn1.codec.ber import decoder  # type: ignore[import-untyped]
from pysnmp.proto import api  # type: ignore[import-untyped]

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.requests import SnmpTrapRequest, SnmpVarBind
from tocsin.transports import Transports
from tocsin.transports.snmp import split_udp_address

SNMPTRAPD_MISSING = (
    "snmptrapd (Debian package 'snmptrapd') is not installed: run scripts/peers/snmptrapd.sh as root, "
    "or apt-get install -y --no-install-recommends snmptrapd"
)
COMMUNITY = "tocsin-public"
SYS_UPTIME = ("1.3.6.1.2.1.1.3.0", "TimeTicks", "1000")
# One record per trap: community line, then the varbinds, with separators no value contains.
_FORMAT = "TRAP %P\x1f%V\x1e%v\x1d\n"
_NET_SNMP_TYPES = {
    "Timeticks": "TimeTicks",
    "OID": "Oid",
    "Counter64": "Counter64",
    "INTEGER": "Integer",
    "STRING": "OctetString",
    "NULL": "Null",
}
_DECODED_TYPES = {"ObjectIdentifier": "Oid"}

VarBind = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Trap:
    """A received trap: its community and its varbinds as (oid, type, value) text, in order."""

    community: str
    varbinds: tuple[VarBind, ...]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _net_snmp_varbind(text: str) -> VarBind:
    oid, _, rest = text.partition(" = ")
    kind, _, value = rest.partition(": ")
    if kind == "NULL":
        value = ""
    elif kind == "Timeticks":
        value = value[1 : value.index(")")]
    elif kind == "OID":
        value = value.lstrip(".")
    elif kind == "STRING":
        value = re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.S)
    return oid.lstrip("."), _NET_SNMP_TYPES.get(kind, kind), value


@dataclass
class Snmptrapd:
    """net-snmp's snmptrapd on 127.0.0.1:<free port>, its persistent state in a temporary directory."""

    state_dir: Path
    port: int = field(default_factory=free_udp_port)
    traps: list[Trap] = field(default_factory=list)
    _proc: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> Snmptrapd:
        binary = shutil.which("snmptrapd") or next(
            (p for p in ("/usr/sbin/snmptrapd", "/usr/local/sbin/snmptrapd") if os.access(p, os.X_OK)), None
        )
        if binary is None:
            pytest.fail(SNMPTRAPD_MISSING, pytrace=False)
        conf = self.state_dir / "snmptrapd.conf"
        conf.write_text("disableAuthorization yes\n")
        env = dict(os.environ, SNMP_PERSISTENT_DIR=str(self.state_dir / "persist"), MIBS="")
        args = ["-f", "-C", "-c", str(conf), "-Lo", "-n", "-On", "-m", "", "-F", _FORMAT, f"udp:{self.address}"]
        self._proc = await asyncio.create_subprocess_exec(
            binary, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env
        )
        assert self._proc.stdout is not None
        async with asyncio.timeout(10):
            banner = b""
            while b"NET-SNMP version" not in banner:
                line = await self._proc.stdout.readline()
                if not line:
                    pytest.fail(f"snmptrapd did not start: {banner.decode(errors='replace')}", pytrace=False)
                banner += line
        self._reader = asyncio.get_running_loop().create_task(self._read(self._proc.stdout))
        return self

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                record = await stream.readuntil(b"\x1d\n")
            except asyncio.IncompleteReadError:
                return
            text = record.decode("utf-8", "replace")
            text = text[text.index("TRAP ") + 5 : -2]
            security, _, binds = text.partition("\x1f")
            community = security.rpartition("community ")[2]
            self.traps.append(Trap(community, tuple(_net_snmp_varbind(b) for b in binds.split("\x1e") if b)))
            self._arrived.set()

    async def wait_for(self, count: int) -> list[Trap]:
        async with asyncio.timeout(5):
            while len(self.traps) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return list(self.traps)

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            await self._proc.wait()
        if self._reader is not None:
            await self._reader


def decode_trap(data: bytes) -> Trap:
    """A v2c trap message decoded with pysnmp: community and varbinds with pysnmp's type names."""
    module = api.PROTOCOL_MODULES[int(api.decodeMessageVersion(data))]
    message, _ = decoder.decode(data, asn1Spec=module.Message())
    pdu = module.apiMessage.get_pdu(message)
    assert type(pdu).__name__ == "SNMPv2TrapPDU"
    binds = []
    for oid, value in module.apiTrapPDU.get_varbinds(pdu):
        kind = type(value).__name__
        text = bytes(value).decode() if kind == "OctetString" else value.prettyPrint()
        binds.append((str(oid), _DECODED_TYPES.get(kind, kind), "" if kind == "Null" else text))
    return Trap(str(module.apiMessage.get_community(message)), tuple(binds))


class TrapReceiver(asyncio.DatagramProtocol):
    """An in-process UDP trap receiver decoding every datagram with pysnmp."""

    def __init__(self) -> None:
        self.traps: list[Trap] = []
        self.arrived = asyncio.Event()
        self.transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.traps.append(decode_trap(data))
        self.arrived.set()

    @property
    def address(self) -> str:
        assert self.transport is not None
        return f"127.0.0.1:{self.transport.get_extra_info('sockname')[1]}"

    async def wait_for(self, count: int) -> list[Trap]:
        async with asyncio.timeout(5):
            while len(self.traps) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return list(self.traps)


@pytest.fixture
async def snmptrapd(tmp_path: Path) -> AsyncIterator[Snmptrapd]:
    """A running snmptrapd (the test fails with a clear message when it is not installed)."""
    daemon = await Snmptrapd(tmp_path).start()
    yield daemon
    await daemon.stop()


@pytest.fixture
async def trap_receiver() -> AsyncIterator[TrapReceiver]:
    loop = asyncio.get_running_loop()
    transport, receiver = await loop.create_datagram_endpoint(TrapReceiver, local_addr=("127.0.0.1", 0))
    yield receiver
    transport.close()


ALL_TYPES = (
    SnmpVarBind("1.3.6.1.4.1.1.1", "Counter64", 18446744073709551615),
    SnmpVarBind("1.3.6.1.4.1.1.2", "Integer", -2147483648),
    SnmpVarBind("1.3.6.1.4.1.1.3", "Null"),
    SnmpVarBind("1.3.6.1.4.1.1.4", "OctetString", b'cpu "high" on web01'),
    SnmpVarBind("1.3.6.1.4.1.1.5", "TimeTicks", 4294967295),
)
ALL_TYPES_RECEIVED = (
    SYS_UPTIME,
    ("1.3.6.1.6.3.1.1.4.1.0", "Oid", "1.3.6.1.4.1.1"),
    ("1.3.6.1.4.1.1.1", "Counter64", "18446744073709551615"),
    ("1.3.6.1.4.1.1.2", "Integer", "-2147483648"),
    ("1.3.6.1.4.1.1.3", "Null", ""),
    ("1.3.6.1.4.1.1.4", "OctetString", 'cpu "high" on web01'),
    ("1.3.6.1.4.1.1.5", "TimeTicks", "4294967295"),
)


def trap(address: str, **kwargs: object) -> SnmpTrapRequest:
    values: dict[str, object] = {"community": COMMUNITY, "trap_oid": "1.3.6.1.4.1.1", "varbinds": ALL_TYPES}
    return SnmpTrapRequest(address, **(values | kwargs))  # type: ignore[arg-type]


async def test_every_type_reaches_snmptrapd(snmptrapd: Snmptrapd, transports: Transports) -> None:
    assert (await transports.send(trap(snmptrapd.address), 5)).status is None
    assert await snmptrapd.wait_for(1) == [Trap(COMMUNITY, ALL_TYPES_RECEIVED)]


async def test_every_type_decodes_with_pysnmp(trap_receiver: TrapReceiver, transports: Transports) -> None:
    await transports.send(trap(trap_receiver.address), 5)
    assert await trap_receiver.wait_for(1) == [Trap(COMMUNITY, ALL_TYPES_RECEIVED)]


async def test_a_trap_without_data_has_uptime_and_trap_oid(trap_receiver: TrapReceiver, transports: Transports) -> None:
    await transports.send(trap(trap_receiver.address, varbinds=(), uptime=7, trap_oid="1.1.2"), 5)
    assert await trap_receiver.wait_for(1) == [
        Trap(COMMUNITY, (("1.3.6.1.2.1.1.3.0", "TimeTicks", "7"), ("1.3.6.1.6.3.1.1.4.1.0", "Oid", "1.1.2")))
    ]


@pytest.mark.parametrize("retries", [0, 2])
async def test_stopped_receiver_is_refused_within_the_timeout(transports: Transports, retries: int) -> None:
    address = f"127.0.0.1:{free_udp_port()}"
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await transports.send(trap(address, retries=retries), 2)
    assert time.monotonic() - started < 1
    assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (
        Reason.NETWORK,
        True,
        f"failed to send SNMP trap: write udp {address}: connection refused",
    )
    assert COMMUNITY not in str(caught.value) and COMMUNITY not in repr(trap(address))


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("localhost", "address localhost: missing port in address"),
        ("::1:162", "address ::1:162: too many colons in address"),
        ("[::1:162", "address [::1:162: missing ']' in address"),
        ("localhost:snmp-trap", "dial udp: lookup udp/snmp-trap: unknown port"),
    ],
    ids=["no-port", "colons", "bracket", "named-port"],
)
def test_bad_addresses(address: str, message: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        split_udp_address(address)
    assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (Reason.CONFIG, False, message)


@pytest.mark.parametrize(
    ("address", "expected"),
    [("127.0.0.1:162", ("127.0.0.1", 162)), ("[::1]:1162", ("::1", 1162)), (":162", ("localhost", 162))],
    ids=["v4", "v6", "no-host"],
)
def test_addresses(address: str, expected: tuple[str, int]) -> None:
    assert split_udp_address(address) == expected
