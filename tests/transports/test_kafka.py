"""The Kafka transport against a real Kafka-protocol broker (Tansu): partitions, batching, failures, settings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.brokers import Tansu, consume, free_port, silent_server
from tests.support.sink import Answer, HttpSink
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.kafka_config import KafkaCluster, KafkaSasl
from tocsin.handlers.kafka_hash import partition_index
from tocsin.handlers.requests import KafkaRequest
from tocsin.transports import Transports
from tocsin.transports.kafka import GSSAPI_UNSUPPORTED, KafkaTransport, producer_options
from tocsin.transports.kafka_oauth import ClientCredentialsToken, StaticToken, token_provider

MS = 1_000_000


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[Tansu]:
    broker = Tansu(tmp_path).start()
    yield broker
    broker.stop()


@pytest.fixture
async def kafka() -> AsyncIterator[KafkaTransport]:
    transport = KafkaTransport()
    yield transport
    await transport.close()


def cluster_at(address: str, **settings: Any) -> KafkaCluster:
    values: dict[str, Any] = {"id": "default", "brokers": (address,), **settings}
    return KafkaCluster(**values)


@pytest.mark.parametrize("algorithm", ["crc32", "murmur2", "murmur3", "fnv-1a"])
async def test_message_lands_on_kapacitors_partition(tansu: Tansu, kafka: KafkaTransport, algorithm: str) -> None:
    tansu.create_topic("alerts", partitions=3)
    keys = [b"cpu:host=a", b"cpu:host=b", b"mem:nil", b"disk/serverA"]
    for key in keys:
        request = KafkaRequest(cluster_at(tansu.address), "alerts", key, b"value of " + key, partitioner=algorithm)
        outcome = await kafka.send(request, 10.0)
        assert outcome.detail == f"partition {partition_index(algorithm, key, 3)}"
    records = await consume(tansu.address, "alerts", 3, len(keys))
    got = sorted((r.key, r.partition, r.value) for r in records)
    assert got == sorted((k, partition_index(algorithm, k, 3), b"value of " + k) for k in keys)


async def test_empty_key_goes_to_a_random_partition_with_crc32(tansu: Tansu, kafka: KafkaTransport) -> None:
    tansu.create_topic("anon", partitions=3)
    await kafka.send(KafkaRequest(cluster_at(tansu.address), "anon", b"", b"v"), 10.0)
    (record,) = await consume(tansu.address, "anon", 3, 1)
    assert (record.key, record.value, record.partition in (0, 1, 2)) == (b"", b"v", True)


async def test_batch_size_sends_a_full_batch_at_once(tansu: Tansu, kafka: KafkaTransport) -> None:
    tansu.create_topic("batched")
    cluster = cluster_at(tansu.address, batch_size=3, batch_timeout=30_000 * MS)
    first_two = [
        asyncio.create_task(kafka.send(KafkaRequest(cluster, "batched", b"k", b"%d" % i), 10.0)) for i in (0, 1)
    ]
    await asyncio.sleep(0.5)
    assert not any(task.done() for task in first_two)  # waiting for the batch to fill up
    started = time.monotonic()
    await kafka.send(KafkaRequest(cluster, "batched", b"k", b"2"), 10.0)
    await asyncio.gather(*first_two)
    assert time.monotonic() - started < 5  # the full batch did not wait for its 30 s timeout
    records = await consume(tansu.address, "batched", 1, 3)
    assert ([r.offset for r in records], sorted(r.value for r in records)) == ([0, 1, 2], [b"0", b"1", b"2"])


async def test_batch_timeout_holds_a_lone_message(tansu: Tansu, kafka: KafkaTransport) -> None:
    tansu.create_topic("lingering")
    cluster = cluster_at(tansu.address, batch_size=100, batch_timeout=400 * MS)
    await kafka.send(KafkaRequest(cluster, "lingering", b"k", b"warm-up"), 10.0)  # connection and metadata
    started = time.monotonic()
    await kafka.send(KafkaRequest(cluster, "lingering", b"k", b"held"), 10.0)
    assert 0.4 <= time.monotonic() - started < 3
    no_linger = cluster_at(tansu.address)
    started = time.monotonic()
    await kafka.send(KafkaRequest(no_linger, "lingering", b"k", b"at once"), 10.0)
    assert time.monotonic() - started < 0.4


async def test_broker_down_at_first(tmp_path: Path, kafka: KafkaTransport) -> None:
    port = free_port()
    cluster = cluster_at(f"127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await kafka.send(KafkaRequest(cluster, "late", b"k", b"first try"), 5.0)
    assert time.monotonic() - started < 5.0
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        f'failed to write to Kafka cluster "default": dial tcp 127.0.0.1:{port}: connection refused',
        Reason.NETWORK,
        True,
    )
    broker = Tansu(tmp_path, port).start()
    try:
        broker.create_topic("late")
        await kafka.send(KafkaRequest(cluster, "late", b"k", b"second try"), 10.0)
        (record,) = await consume(broker.address, "late", 1, 1)
    finally:
        broker.stop()
    assert (record.key, record.value, record.partition) == (b"k", b"second try", 0)


async def test_broker_restart(tansu: Tansu, kafka: KafkaTransport) -> None:
    tansu.create_topic("steady")
    cluster = cluster_at(tansu.address)
    await kafka.send(KafkaRequest(cluster, "steady", b"k", b"before"), 10.0)
    await asyncio.to_thread(tansu.stop)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await kafka.send(KafkaRequest(cluster, "steady", b"k", b"while down"), 2.0)
    assert time.monotonic() - started < 2.5
    assert caught.value.retryable and caught.value.reason in (Reason.TIMEOUT, Reason.NETWORK)
    assert str(caught.value).endswith(f"(dial tcp {tansu.address}: connection refused)")
    await asyncio.to_thread(tansu.start)
    # The broker keeps topics in memory only. A new topic: aiokafka still holds the "while down" record and sends
    # it the moment the broker is back, auto-creating "steady" in a race with our create_topic that Tansu then
    # answers with an error (its storage finds offset 0 taken).
    tansu.create_topic("resumed")
    await kafka.send(KafkaRequest(cluster, "resumed", b"k", b"after"), 15.0)
    records = await consume(tansu.address, "resumed", 1, 1)
    assert records[-1].value == b"after"
    assert kafka.cluster(cluster).starts == 1  # the same producer reconnected


async def test_broker_that_never_answers_times_out(kafka: KafkaTransport) -> None:
    async with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            await kafka.send(KafkaRequest(cluster_at(f"127.0.0.1:{port}"), "t", b"k", b"v"), 1.0)
    assert time.monotonic() - started < 1.5
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        'failed to write to Kafka cluster "default": no acknowledgement within 1s',
        Reason.TIMEOUT,
        True,
    )


async def test_transports_dispatch_and_close(tansu: Tansu) -> None:
    tansu.create_topic("via")
    transports = Transports()
    outcome = await transports.send(KafkaRequest(cluster_at(tansu.address), "via", b"k", b"v"), 10.0)
    assert (outcome.status, outcome.detail) == (None, "partition 0")
    producer = transports.kafka().cluster(cluster_at(tansu.address))
    await transports.close()
    assert (await consume(tansu.address, "via", 1, 1))[0].value == b"v"
    assert producer.starts == 1


def test_producer_options_plain() -> None:
    options = producer_options(cluster_at("h:9092", timeout=5_000 * MS))
    assert options == {
        "bootstrap_servers": ["h:9092"],
        "client_id": "default",
        "acks": 1,
        "request_timeout_ms": 5000,
        "max_batch_size": 1_048_576,
        "max_request_size": 1_048_576,
        "linger_ms": 0,
        "security_protocol": "PLAINTEXT",
    }
    assert producer_options(cluster_at("h"))["request_timeout_ms"] == 30_000


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"sasl": KafkaSasl(username="u", password="p")},
            {
                "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": "PLAIN",
                "sasl_plain_username": "u",
                "sasl_plain_password": "p",
            },
        ),
        (
            {
                "sasl": KafkaSasl(mechanism="SCRAM-SHA-512", username="u", password="p"),
                "use_ssl": True,
                "insecure_skip_verify": True,
            },
            {
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_plain_username": "u",
                "sasl_plain_password": "p",
            },
        ),
        ({"use_ssl": True}, {"security_protocol": "SSL"}),
    ],
    ids=["sasl-plain", "scram-over-tls", "tls"],
)
def test_producer_options_security(settings: dict[str, Any], expected: dict[str, Any]) -> None:
    options = producer_options(cluster_at("h:9092", **settings))
    assert {k: v for k, v in options.items() if k in expected} == expected
    assert ("ssl_context" in options) is settings.get("use_ssl", False)


def test_producer_options_oauth_and_gssapi() -> None:
    static = KafkaSasl(mechanism="OAUTHBEARER", access_token="SECRET-TOKEN", extensions=(("ext", "1"),))
    provider = producer_options(cluster_at("h", sasl=static))["sasl_oauth_token_provider"]
    assert isinstance(provider, StaticToken) and provider.extensions() == {"ext": "1"}
    with pytest.raises(DeliveryError) as caught:
        producer_options(cluster_at("h", sasl=KafkaSasl(mechanism="GSSAPI")))
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (
        GSSAPI_UNSUPPORTED,
        Reason.CONFIG,
        False,
    )
    assert "SECRET-TOKEN" not in repr(static)


async def test_static_token() -> None:
    provider = token_provider(KafkaSasl(mechanism="OAUTHBEARER", access_token="static-token"))
    assert await provider.token() == "static-token"


async def test_client_credentials_token(sink: HttpSink) -> None:
    url = sink.url.rstrip("/") + "/token"
    sasl = KafkaSasl(
        mechanism="OAUTHBEARER",
        oauth_client_id="id",
        oauth_client_secret="se cret",
        oauth_token_url=url,
        oauth_scopes=("a", "b"),
        oauth_params=(("aud", "x"),),
    )
    provider = token_provider(sasl)
    assert isinstance(provider, ClientCredentialsToken)
    sink.answer(Answer(200, body=b'{"access_token":"t1","token_type":"bearer","expires_in":3600}'))
    assert await provider.token() == "t1"
    assert await provider.token() == "t1"  # reused until shortly before it expires
    (request,) = await sink.wait_for(1)
    assert (request.method, request.path) == ("POST", "/token")
    assert request.header("Authorization") == "Basic aWQ6c2UrY3JldA=="  # id:se+cret, escaped as Go does
    assert request.body == b"grant_type=client_credentials&scope=a+b&aud=x"


async def test_client_credentials_falls_back_to_the_form_and_auth0_uses_it(sink: HttpSink) -> None:
    sasl = KafkaSasl(
        mechanism="OAUTHBEARER",
        oauth_client_id="id",
        oauth_client_secret="s",
        oauth_token_url=sink.url.rstrip("/") + "/token",
    )
    sink.answer(Answer(401, body=b"no header auth"), Answer(200, body=b"access_token=t2&expires_in=1"))
    assert await token_provider(sasl).token() == "t2"
    auth0 = KafkaSasl(
        mechanism="OAUTHBEARER",
        oauth_service="auth0",
        oauth_client_id="id",
        oauth_client_secret="s",
        oauth_token_url=sasl.oauth_token_url,
        oauth_params=(("audience", "kafka"),),
    )
    sink.answer(Answer(200, body=b'{"access_token":"t3"}'))
    assert await token_provider(auth0).token() == "t3"
    header, form, auth0_form = await sink.wait_for(3)
    assert header.header("Authorization") is not None
    assert (form.header("Authorization"), form.body) == (
        None,
        b"grant_type=client_credentials&client_id=id&client_secret=s",
    )
    assert auth0_form.body == b"grant_type=client_credentials&audience=kafka&client_id=id&client_secret=s"


async def test_client_credentials_failure_names_the_answer(sink: HttpSink) -> None:
    sasl = KafkaSasl(
        mechanism="OAUTHBEARER",
        oauth_service="auth0",
        oauth_client_id="id",
        oauth_client_secret="SECRET",
        oauth_token_url=sink.url.rstrip("/") + "/token",
    )
    sink.answer(Answer(400, body=b'{"error":"invalid_client"}'))
    with pytest.raises(Exception, match=r'HTTP 400: \{"error":"invalid_client"\}') as caught:
        await token_provider(sasl).token()
    assert "SECRET" not in str(caught.value)


async def test_close_with_the_broker_gone_is_prompt_and_complete(tansu: Tansu) -> None:
    tansu.create_topic("gone")
    transport = KafkaTransport()
    cluster = cluster_at(tansu.address)
    await transport.send(KafkaRequest(cluster, "gone", b"k", b"delivered"), 10.0)
    await asyncio.to_thread(tansu.stop)
    with pytest.raises(DeliveryError):
        await transport.send(KafkaRequest(cluster, "gone", b"k", b"stuck in the producer"), 1.5)
    started = time.monotonic()
    await transport.close()
    assert time.monotonic() - started < 3
    await asyncio.sleep(0.1)
    assert [t for t in asyncio.all_tasks() if "aiokafka" in repr(t.get_coro())] == []
