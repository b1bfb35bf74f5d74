"""The MQTT transport against a real mosquitto: QoS confirmations, a kept connection, failures, TLS, auth."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.brokers import Mosquitto, free_port, mqtt_subscriber, next_message, password_file, silent_server
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.mqtt_config import MqttBroker
from tocsin.handlers.requests import MqttRequest
from tocsin.transports import Transports
from tocsin.transports.mqtt import Endpoint, MqttTransport, parse_url


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path).start()
    yield broker
    broker.stop()


@pytest.fixture
async def mqtt() -> AsyncIterator[MqttTransport]:
    transport = MqttTransport()
    yield transport
    await transport.close()


def broker_at(url: str, **settings: object) -> MqttBroker:
    values: dict[str, object] = {"name": "test", "url": url, "client_id": "tocsin-test", **settings}
    return MqttBroker(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("tcp://h:1884", Endpoint("h", 1884, "tcp", False, "/")),
        ("tcp://h", Endpoint("h", 1883, "tcp", False, "/")),
        ("mqtt://h", Endpoint("h", 1883, "tcp", False, "/")),
        ("ssl://h", Endpoint("h", 8883, "tcp", True, "/")),
        ("TLS://h:1", Endpoint("h", 1, "tcp", True, "/")),
        ("mqtts://[::1]:8884", Endpoint("::1", 8884, "tcp", True, "/")),
        ("ws://h:8080/mqtt", Endpoint("h", 8080, "websockets", False, "/mqtt")),
        ("wss://h", Endpoint("h", 443, "websockets", True, "/")),
    ],
    ids=["tcp", "tcp-default-port", "mqtt", "ssl", "tls-upper", "mqtts-ipv6", "ws-path", "wss"],
)
def test_parse_url(url: str, endpoint: Endpoint) -> None:
    assert parse_url(url) == endpoint


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://h:1883", 'unsupported MQTT broker URL scheme in "http://h:1883"'),
        ("h:1883", 'unsupported MQTT broker URL scheme in "h:1883"'),
        ("tcp://:1883", 'no host in MQTT broker URL "tcp://:1883"'),
        ("tcp://h:99999", 'invalid port in MQTT broker URL "tcp://h:99999"'),
        ("ftp://u:secret@h", 'unsupported MQTT broker URL scheme in "ftp://u:xxxxx@h"'),
    ],
    ids=["http", "no-scheme", "no-host", "bad-port", "password-hidden"],
)
def test_parse_url_errors(url: str, message: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        parse_url(url)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (message, Reason.CONFIG, False)


@pytest.mark.parametrize("qos", [0, 1, 2], ids=["qos0-written", "qos1-puback", "qos2-pubcomp"])
async def test_publish_is_received_with_its_qos(mosquitto: Mosquitto, mqtt: MqttTransport, qos: int) -> None:
    async with mqtt_subscriber(mosquitto.port, "alerts/#") as sub:
        request = MqttRequest(broker_at(mosquitto.url), "alerts/cpu", b"cpu is CRITICAL", qos=qos)
        outcome = await mqtt.send(request, 5.0)
        message = await next_message(sub)
    assert outcome.status is None
    assert (str(message.topic), message.payload, message.qos, message.retain) == (
        "alerts/cpu",
        b"cpu is CRITICAL",
        qos,
        False,
    )


async def test_retained_message_reaches_a_later_subscriber(mosquitto: Mosquitto, mqtt: MqttTransport) -> None:
    await mqtt.send(MqttRequest(broker_at(mosquitto.url), "state/cpu", b"down", qos=1, retained=True), 5.0)
    async with mqtt_subscriber(mosquitto.port, "state/cpu") as sub:
        message = await next_message(sub)
    assert (message.payload, message.qos, message.retain) == (b"down", 1, True)


async def test_one_connection_is_kept_and_shared(mosquitto: Mosquitto, mqtt: MqttTransport) -> None:
    broker = broker_at(mosquitto.url)
    async with mqtt_subscriber(mosquitto.port, "t") as sub:
        await asyncio.gather(*(mqtt.send(MqttRequest(broker, "t", b"%d" % i, qos=1), 5.0) for i in range(25)))
        payloads = sorted([(await next_message(sub)).payload for _ in range(25)])
    assert payloads == sorted(b"%d" % i for i in range(25))
    assert mqtt.link(broker).connections == 1
    log = mosquitto.event_log()
    assert log.count("New client connected") == 2  # the subscriber and Tocsin's one connection
    assert "as tocsin-test" in log


async def test_stopped_broker_fails_fast_with_its_reason(mqtt: MqttTransport) -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await mqtt.send(MqttRequest(broker_at(f"tcp://127.0.0.1:{port}"), "t", b"x", qos=1), 5.0)
    assert time.monotonic() - started < 5.0
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        'failed to connect to MQTT broker "test": connection refused',
        Reason.NETWORK,
        True,
    )


async def test_broker_restart_while_publishing(mosquitto: Mosquitto, mqtt: MqttTransport) -> None:
    broker = broker_at(mosquitto.url)
    await mqtt.send(MqttRequest(broker, "t", b"before", qos=1), 5.0)
    failures: list[DeliveryError] = []

    async def publish_until_delivered(payload: bytes) -> None:
        async with asyncio.timeout(20):
            while True:
                try:
                    await mqtt.send(MqttRequest(broker, "t", payload, qos=1), 2.0)
                    return
                except DeliveryError as err:
                    failures.append(err)
                    await asyncio.sleep(0.05)

    await asyncio.to_thread(mosquitto.stop)
    publisher = asyncio.create_task(publish_until_delivered(b"after"))
    await asyncio.sleep(0.5)
    assert not publisher.done() and failures
    async with asyncio.timeout(10):
        await asyncio.to_thread(mosquitto.start)
        async with mqtt_subscriber(mosquitto.port, "t") as sub:
            await publisher
            # The publisher may have got through before the subscription: publish once more to observe one.
            await mqtt.send(MqttRequest(broker, "t", b"seen", qos=1), 5.0)
            assert (await next_message(sub)).payload in (b"after", b"seen")
    assert all(err.retryable and err.reason in (Reason.NETWORK, Reason.TIMEOUT) for err in failures)
    assert any(str(err) == 'failed to connect to MQTT broker "test": connection refused' for err in failures)
    assert mqtt.link(broker).connections == 2


async def test_broker_that_never_answers_times_out(mqtt: MqttTransport) -> None:
    async with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            await mqtt.send(MqttRequest(broker_at(f"tcp://127.0.0.1:{port}"), "t", b"x"), 0.5)
    assert time.monotonic() - started < 2.0
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        'failed to connect to MQTT broker "test": no answer within 0.5s',
        Reason.TIMEOUT,
        True,
    )


async def test_wildcard_topic_is_refused_for_good(mosquitto: Mosquitto, mqtt: MqttTransport) -> None:
    with pytest.raises(DeliveryError) as caught:
        await mqtt.send(MqttRequest(broker_at(mosquitto.url), "alerts/#", b"x"), 5.0)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        'failed to publish to MQTT broker "test": publish topic cannot contain wildcards',
        Reason.CLIENT_ERROR,
        False,
    )


async def test_credentials(tmp_path: Path, mqtt: MqttTransport) -> None:
    passwords = password_file(tmp_path, "kapacitor", "s3cret")
    broker = Mosquitto(tmp_path, extra=f"password_file {passwords}").start()
    try:
        broker.config.write_text(broker.config.read_text().replace("allow_anonymous true", "allow_anonymous false"))
        broker.stop()
        broker.start()
        good = broker_at(broker.url, username="kapacitor", password="s3cret")
        assert (await mqtt.send(MqttRequest(good, "t", b"x", qos=1), 5.0)).status is None
        bad = broker_at(broker.url, username="kapacitor", password="wrong")
        with pytest.raises(DeliveryError) as caught:
            await mqtt.send(MqttRequest(bad, "t", b"x", qos=1), 5.0)
    finally:
        broker.stop()
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        'failed to connect to MQTT broker "test": not authorized',
        Reason.AUTH_ERROR,
        False,
    )
    assert "wrong" not in repr(bad) and "s3cret" not in repr(good)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_broker(tmp_path: Path, ca: trustme.CA) -> Iterator[tuple[Mosquitto, Path]]:
    server = ca.issue_cert("127.0.0.1")
    cert, key, ca_file = tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "ca.pem"
    server.cert_chain_pems[0].write_to_path(str(cert))
    server.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    broker = Mosquitto(tmp_path, extra=f"certfile {cert}\nkeyfile {key}").start()
    yield broker, ca_file
    broker.stop()


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({"ssl_ca": "<ca>"}, None),
        ({"insecure_skip_verify": True}, None),
        ({}, "certificate verify failed"),
        ({"ssl_ca": "/nonexistent/ca.pem"}, "Could not load TLS CA: open /nonexistent/ca.pem: no such file or dir"),
        ({"ssl_cert": "/x.pem"}, "Must provide both key and cert files: only cert file provided."),
    ],
    ids=["trusted-ca", "insecure-skip-verify", "untrusted", "missing-ca-file", "cert-without-key"],
)
async def test_tls(
    tls_broker: tuple[Mosquitto, Path], mqtt: MqttTransport, settings: dict[str, object], error: str | None
) -> None:
    broker, ca_file = tls_broker
    values = {k: str(ca_file) if v == "<ca>" else v for k, v in settings.items()}
    request = MqttRequest(broker_at(f"ssl://127.0.0.1:{broker.port}", **values), "t", b"x", qos=1)
    if error is None:
        assert (await mqtt.send(request, 5.0)).status is None
        return
    with pytest.raises(DeliveryError) as caught:
        await mqtt.send(request, 5.0)
    assert error in str(caught.value)
    assert caught.value.reason is (Reason.NETWORK if error == "certificate verify failed" else Reason.CONFIG)


async def test_websockets(tmp_path: Path, mqtt: MqttTransport) -> None:
    port = free_port()
    broker = Mosquitto(tmp_path, extra=f"listener {port} 127.0.0.1\nprotocol websockets").start()
    try:
        async with mqtt_subscriber(broker.port, "t") as sub:
            await mqtt.send(MqttRequest(broker_at(f"ws://127.0.0.1:{port}/mqtt"), "t", b"over ws", qos=1), 5.0)
            assert (await next_message(sub)).payload == b"over ws"
    finally:
        broker.stop()


async def test_changed_settings_replace_the_connection(mosquitto: Mosquitto, mqtt: MqttTransport) -> None:
    old, new = broker_at(mosquitto.url), broker_at(mosquitto.url, client_id="renamed")
    await mqtt.send(MqttRequest(old, "t", b"1", qos=1), 5.0)
    first = mqtt.link(old)
    await mqtt.send(MqttRequest(new, "t", b"2", qos=1), 5.0)
    await asyncio.sleep(0.2)
    assert mqtt.link(new) is not first
    assert "Client tocsin-test disconnected" in mosquitto.event_log()


async def test_transports_dispatch_and_close(mosquitto: Mosquitto) -> None:
    transports = Transports()
    async with mqtt_subscriber(mosquitto.port, "t") as sub:
        await transports.send(MqttRequest(broker_at(mosquitto.url), "t", b"via Transports", qos=2), 5.0)
        assert (await next_message(sub)).payload == b"via Transports"
    await transports.close()
    await asyncio.sleep(0.2)
    assert "Client tocsin-test disconnected" in mosquitto.event_log()


async def test_connection_lost_during_a_publish_fails_it_at_once(mqtt: MqttTransport) -> None:
    async def accept_then_drop_on_publish(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)  # CONNECT
        writer.write(b"\x20\x02\x00\x00")  # CONNACK, accepted
        await writer.drain()
        await reader.read(1024)  # PUBLISH: hang up instead of PUBACK
        writer.close()

    server = await asyncio.start_server(accept_then_drop_on_publish, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(DeliveryError) as caught:
            await mqtt.send(MqttRequest(broker_at(f"tcp://127.0.0.1:{port}"), "t", b"x", qos=1), 10.0)
    finally:
        server.close()
    assert time.monotonic() - started < 2.0
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        'failed to publish to MQTT broker "test": the connection was lost',
        Reason.NETWORK,
        True,
    )
