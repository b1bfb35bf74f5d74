from __future__ import annotations

import pytest

from tests.support.sink import TcpSink
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.transports.tcp import send_tcp, split_host_port


async def test_writes_the_payload_and_closes(tcp_sink: TcpSink) -> None:
    outcome = await send_tcp(tcp_sink.address, b'{"a":1}\n\n', 5.0)
    assert outcome.status is None
    assert await tcp_sink.wait_for(1) == [b'{"a":1}\n\n']


async def test_refused_connection_is_a_retryable_network_error(tcp_sink: TcpSink) -> None:
    address = tcp_sink.address
    await tcp_sink.close()
    with pytest.raises(DeliveryError) as caught:
        await send_tcp(address, b"x", 5.0)
    assert (caught.value.reason, caught.value.retryable) == (Reason.NETWORK, True)
    assert str(caught.value) == f"dial tcp {address}: connection refused"


@pytest.mark.parametrize(
    ("address", "expected"),
    [("127.0.0.1:9000", ("127.0.0.1", 9000)), ("[::1]:80", ("::1", 80)), (":7", ("localhost", 7))],
    ids=["v4", "v6", "no-host"],
)
def test_split_host_port(address: str, expected: tuple[str, int]) -> None:
    assert split_host_port(address) == expected


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("localhost", "address localhost: missing port in address"),
        ("::1:80", "address ::1:80: too many colons in address"),
        ("[::1:80", "address [::1:80: missing ']' in address"),
        ("host:http", "dial tcp: lookup tcp/http: unknown port"),
        ("host:70000", "dial tcp: lookup tcp/70000: unknown port"),
    ],
    ids=["no-port", "colons", "bracket", "named-port", "port-range"],
)
async def test_bad_addresses_are_config_errors(address: str, message: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        await send_tcp(address, b"x", 1.0)
    assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (Reason.CONFIG, False, message)
