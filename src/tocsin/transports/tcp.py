"""TCP delivery: connect, write the payload, close (the tcp handler kind)."""

from __future__ import annotations

import asyncio
import contextlib
import os

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.handlers.requests import CheckReply
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy, open_checked

MAX_REPLY_BYTES = 64 * 1024


def split_host_port(address: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` as Go's net.SplitHostPort reads it; raises DeliveryError (CONFIG)."""
    host, sep, port = address.rpartition(":")
    if not sep:
        raise _bad_address(address, "missing port in address")
    if host.startswith("["):
        if not host.endswith("]"):
            raise _bad_address(address, "missing ']' in address")
        host = host[1:-1]
    elif ":" in host:
        raise _bad_address(address, "too many colons in address")
    if not port.isdigit() or int(port) > 65535:
        raise DeliveryError(Reason.CONFIG, f"dial tcp: lookup tcp/{port}: unknown port", retryable=False)
    return host or "localhost", int(port)


def _bad_address(address: str, problem: str) -> DeliveryError:
    return DeliveryError(Reason.CONFIG, f"address {address}: {problem}", retryable=False)


async def send_tcp(
    address: str,
    payload: bytes,
    limit: float | None,
    check_reply: CheckReply | None = None,
    policy: AddressPolicy = DEFAULT_POLICY,
) -> Outcome:
    """Write `payload` to a fresh connection to `address` (an address `policy` allows) and close it.

    With `check_reply`, read the peer's answer until it closes and raise the error the check finds in it.
    """
    host, port = split_host_port(address)
    verdict: DeliveryError | None = None
    try:
        async with asyncio.timeout(limit if limit and limit > 0 else None):
            reader, writer = await open_checked(policy, host, port)
            try:
                writer.write(payload)
                await writer.drain()
                if check_reply is not None:
                    verdict = check_reply(await _read_to_eof(reader))
            finally:
                writer.close()
                # The payload is written; like Kapacitor, a failing close does not fail the delivery.
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except TimeoutError:
        raise DeliveryError(
            Reason.TIMEOUT, f"dial tcp {address}: no answer within {limit:g}s", retryable=True
        ) from None
    except OSError as exc:
        # asyncio's strerror repeats the address ("Connect call failed (...)"); the errno text is enough.
        detail = os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__
        raise DeliveryError(Reason.NETWORK, f"dial tcp {address}: {_lower_first(detail)}", retryable=True) from exc
    if verdict is not None:
        raise verdict
    return Outcome(None)


async def _read_to_eof(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < MAX_REPLY_BYTES:
        chunk = await reader.read(MAX_REPLY_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
