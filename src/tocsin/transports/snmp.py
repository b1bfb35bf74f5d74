"""SNMP v2c traps over UDP (the snmptrap kind).

The message is built with pysnmp's protocol API and sent on a connected datagram socket. A trap has no answer,
but a connected socket does learn when the peer's port is closed (ICMP port unreachable): the transport waits
briefly for that after each send, so a stopped receiver is reported as refused instead of silently missed.
Refused traps are sent again up to the request's `retries` times, then the delivery fails.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
from typing import Any

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.handlers.requests import SnmpTrapRequest
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy

SYS_UPTIME_OID = "1.3.6.1.2.1.1.3.0"
SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
# How long to listen for the ICMP refusal after a send: far above a LAN round trip, short enough not to
# hold a handler's queue back.
REFUSAL_WAIT = 0.05
SEND_FAILED = "failed to send SNMP trap"


class _Watch(asyncio.DatagramProtocol):
    """Collects the errors the connected socket reports (ECONNREFUSED after an ICMP port unreachable)."""

    def __init__(self) -> None:
        self.errors: asyncio.Queue[OSError] = asyncio.Queue()

    def error_received(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            self.errors.put_nowait(exc)


async def send_trap(
    req: SnmpTrapRequest,
    timeout: float,  # noqa: ASYNC109 (a policy value)
    policy: AddressPolicy = DEFAULT_POLICY,
) -> Outcome:
    """Send `req` as one SNMPv2-Trap PDU to an address `policy` allows; its own timeout wins when set.
    Raises DeliveryError."""
    limit = req.timeout if req.timeout is not None else timeout
    host, port = split_udp_address(req.address)
    payload = encode_trap(req)
    where = f"write udp {req.address}"
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(limit if limit and limit > 0 else None):
            allowed = await policy.addresses(host, port)
            if not allowed:
                raise socket.gaierror(socket.EAI_NONAME, "no such host")
            transport, watch = await loop.create_datagram_endpoint(_Watch, remote_addr=(allowed[0][1], port))
            try:
                refusal: OSError | None = None
                for _ in range(max(req.retries, 0) + 1):
                    transport.sendto(payload)
                    refusal = await _refusal(watch, REFUSAL_WAIT)
                    if refusal is None:
                        return Outcome(None)
            finally:
                transport.close()
    except TimeoutError:
        raise DeliveryError(
            Reason.TIMEOUT, f"{SEND_FAILED}: {where}: not sent within {limit:g}s", retryable=True
        ) from None
    except socket.gaierror as exc:
        raise DeliveryError(Reason.NETWORK, f"{SEND_FAILED}: lookup {host}: {exc.strerror}", retryable=True) from exc
    except OSError as exc:
        refusal = exc
    raise DeliveryError(Reason.NETWORK, f"{SEND_FAILED}: {where}: {_describe(refusal)}", retryable=True)


async def _refusal(watch: _Watch, wait: float) -> OSError | None:
    try:
        async with asyncio.timeout(wait):
            return await watch.errors.get()
    except TimeoutError:
        return None


def _describe(exc: OSError | None) -> str:
    if exc is None or not exc.errno:
        return str(exc) if exc is not None else "unknown error"
    return os.strerror(exc.errno).lower()


def split_udp_address(address: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` as Go's net.SplitHostPort reads it; raises DeliveryError (CONFIG)."""
    host, sep, port = address.rpartition(":")
    problem = ""
    if not sep:
        problem = "missing port in address"
    elif host.startswith("[") != host.endswith("]"):
        problem = "missing ']' in address"
    elif ":" in host and not host.startswith("["):
        problem = "too many colons in address"
    if problem:
        raise DeliveryError(Reason.CONFIG, f"address {address}: {problem}", retryable=False)
    if not port.isdigit() or int(port) > 65535:
        raise DeliveryError(Reason.CONFIG, f"dial udp: lookup udp/{port}: unknown port", retryable=False)
    return host.strip("[]") or "localhost", int(port)


def encode_trap(req: SnmpTrapRequest) -> bytes:
    """The BER bytes of the v2c message: community, then the trap PDU with sysUpTime and snmpTrapOID first."""
    from pyasn1.codec.ber import encoder  # type: ignore[import-untyped]

    v2c = _v2c()
    syntaxes = {
        "Counter64": v2c.Counter64,
        "Integer": v2c.Integer,
        "OctetString": v2c.OctetString,
        "TimeTicks": v2c.TimeTicks,
    }
    varbinds: list[tuple[Any, Any]] = [
        (v2c.ObjectIdentifier(SYS_UPTIME_OID), v2c.TimeTicks(req.uptime)),
        (v2c.ObjectIdentifier(SNMP_TRAP_OID), v2c.ObjectIdentifier(req.trap_oid)),
    ]
    for bind in req.varbinds:
        value = v2c.Null("") if bind.syntax == "Null" else syntaxes[bind.syntax](bind.value)
        varbinds.append((v2c.ObjectIdentifier(bind.oid), value))
    pdu = v2c.SNMPv2TrapPDU()
    v2c.apiTrapPDU.set_defaults(pdu)
    v2c.apiTrapPDU.set_varbinds(pdu, varbinds)
    message = v2c.Message()
    v2c.apiMessage.set_defaults(message)
    v2c.apiMessage.set_community(message, req.community)
    v2c.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


@functools.cache
def _v2c() -> Any:
    # Imported on first use: pysnmp takes ~80 ms to import and most deployments never send a trap.
    from pysnmp.proto import api  # type: ignore[import-untyped]

    return api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
