"""The kafka kind against Kapacitor's vectors (written to a real Tansu broker), its partitioners, section and test."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.brokers import Tansu, consume, free_port
from tests.support.config import StaticConfig
from tests.support.vectors import case, event_from_alert, substitute
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers import kafka
from tocsin.handlers.kafka_config import SECTION, KafkaCluster, KafkaSasl
from tocsin.handlers.kafka_hash import NON_POSITIVE, fnv1a, murmur2, murmur3, partition_index
from tocsin.handlers.options import OptionsError, normalize
from tocsin.handlers.service_tests import run_service_test
from tocsin.transports import Transports

# The TICKscript of stream/kafka: .kafka().cluster('default').kafkaTopic('testTopic').template('{{.Message}}')
STREAM_OPTIONS = {"cluster": "default", "topic": "testTopic", "template": "{{.Message}}"}
EVENT = Event(topic="t", id="cpu:host=a", level=Level.WARNING, time=0, message="cpu is WARNING")


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[Tansu]:
    broker = Tansu(tmp_path).start()
    yield broker
    broker.stop()


def config(values: Any) -> StaticConfig:
    return StaticConfig({"kafka": values}, sections=[SECTION])


def enabled(**more: Any) -> StaticConfig:
    return config([{"enabled": True, "id": "default", "brokers": ["127.0.0.1:1"], **more}])


@pytest.mark.parametrize("case_id", ["server/kafka", "stream/kafka"])
async def test_vectors(case_id: str, tansu: Tansu, transports: Transports) -> None:
    vector = substitute(case(case_id), {"<broker>": tansu.address})
    ((want),) = vector["exact"]
    topic = want["extra"]["topic"]
    # Kapacitor's fake broker has 3 partitions; the message must land on the same one (by index) here.
    tansu.create_topic(topic, partitions=3)
    cfg = config(vector["config"]["kafka"])
    event = event_from_alert(vector["alert"])
    options = normalize(kafka.KIND, STREAM_OPTIONS if case_id == "stream/kafka" else vector["options"], cfg)
    outcome = await transports.send(kafka.render(event, options, cfg), 10.0)
    index = want["extra"].get("crc32_partition_index_of_3", vector["upstream_asserted"]["partition"] - 1)
    assert outcome.detail == f"partition {index}"
    (record,) = await consume(tansu.address, topic, 3, 1)
    assert (record.topic, record.key, record.partition, record.value) == (
        topic,
        want["extra"]["key"].encode(),
        index,
        want["body"].encode(),
    )


def test_render_is_kapacitors_message() -> None:
    vector = case("server/kafka")
    cfg = enabled()
    request = kafka.render(event_from_alert(vector["alert"]), normalize(kafka.KIND, vector["options"], cfg), cfg)
    assert (request.topic, request.key, request.value, request.partitioner) == (
        "test",
        b"id",
        vector["exact"][0]["body"].encode(),
        "crc32",
    )
    assert request.cluster == KafkaCluster(id="default", brokers=("127.0.0.1:1",))


@pytest.mark.parametrize("level", list(Level), ids=[lv.name for lv in Level])
def test_every_level(level: Level) -> None:
    cfg = enabled()
    event = Event(topic="t", id="cpu", level=level, time=0, message=f"cpu is {level.name}")
    plain = kafka.render(event, normalize(kafka.KIND, {"cluster": "default", "topic": "t"}, cfg), cfg)
    assert json.loads(plain.value)["level"] == level.name and plain.value.endswith(b"}\n")
    options = {"cluster": "default", "topic": "t", "template": "{{.Level}}: {{.Message}}"}
    templated = kafka.render(event, normalize(kafka.KIND, options, cfg), cfg)
    assert templated.value == f"{level.name}: cpu is {level.name}".encode()


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("{{.ID}} {{.PreviousLevel}} {{.Recoverable}} {{.Duration}}", "cpu:host=a OK true 0s"),
        ("{{.Time}}", "1970-01-01 00:00:00 +0000 UTC"),
        ("{{.Data.Series}}", "[]"),
    ],
    ids=["fields", "go-time", "data"],
)
def test_template_over_alert_data(template: str, value: str) -> None:
    cfg = enabled()
    options = normalize(kafka.KIND, {"cluster": "default", "topic": "t", "template": template}, cfg)
    assert kafka.render(EVENT, options, cfg).value == value.encode()


@pytest.mark.parametrize(
    ("options", "partitioner"),
    [
        ({}, "crc32"),
        ({"partitionAlgorithm": "crc32"}, "crc32"),
        ({"partitionAlgorithm": "murmur2"}, "murmur2"),
        ({"partitionAlgorithm": "murmur3"}, "murmur3"),
        ({"partitionAlgorithm": "fnv-1a"}, "fnv-1a"),
        ({"disablePartitionById": True}, "fnv-1a"),
        ({"disablePartitionById": True, "partitionAlgorithm": "bogus"}, "fnv-1a"),
        ({"disablepartitionbyid": True}, "fnv-1a"),
    ],
    ids=["default", "crc32", "murmur2", "murmur3", "fnv-1a", "disabled", "disabled-ignores-algorithm", "key-case"],
)
def test_partitioner(options: dict[str, Any], partitioner: str) -> None:
    cfg = enabled()
    raw = {"cluster": "default", "topic": "t", **options}
    assert kafka.render(EVENT, normalize(kafka.KIND, raw, cfg), cfg).partitioner == partitioner


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([{"id": "default", "brokers": ["h:1"]}], {"cluster": "default", "topic": "t"}, "service is not enabled"),
        ([{"enabled": True, "id": "default", "brokers": ["h:1"]}], {"cluster": "default"}, "topic must not be empty"),
        (
            [{"enabled": True, "id": "default", "brokers": ["h:1"]}],
            {"cluster": "default", "topic": "t", "partitionAlgorithm": "md5"},
            'invalid partition algorithm: "md5"',
        ),
        (
            [{"enabled": True, "id": "default", "brokers": ["h:1"], "sasl-username": "u", "sasl-version": 2}],
            {"cluster": "default", "topic": "t"},
            "invalid SASL version",
        ),
        (
            [{"enabled": True, "id": "default", "brokers": ["h:1"]}],
            {"cluster": "default", "topic": "t", "template": "{{.Nope}}"},
            'failed to execute alert template: template: kafka alert template:1:2: executing "kafka alert template" '
            "at <.Nope>: can't evaluate field Nope in type alert.Data",
        ),
    ],
    ids=["disabled", "no-topic", "bad-algorithm", "bad-sasl-version", "template-fails"],
)
def test_render_errors(values: list[dict[str, Any]], options: dict[str, Any], message: str) -> None:
    cfg = config(values)
    with pytest.raises(DeliveryError) as caught:
        kafka.render(EVENT, normalize(kafka.KIND, options, cfg), cfg)
    assert (str(caught.value), caught.value.reason, caught.value.retryable) == (message, Reason.CONFIG, False)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"topic": "t"}, 'unknown cluster ""'),
        ({"cluster": "other", "topic": "t"}, 'unknown cluster "other"'),
        (
            {"cluster": "default", "template": "{{.ID"},
            "failed to parse template: template: kafka alert template:1: unclosed action",
        ),
        (
            {"cluster": "default", "partition": 1},
            "failed to decode options into *kafka.HandlerConfig: 1 error(s) "
            "decoding:\n\n* '' has invalid keys: partition",
        ),
    ],
    ids=["no-cluster", "unknown-cluster", "bad-template", "unknown-option"],
)
def test_definition_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        normalize(kafka.KIND, options, enabled())
    assert str(caught.value) == message


def test_cluster_settings() -> None:
    cfg = config(
        [
            {
                "enabled": True,
                "id": "secure",
                "brokers": ["a:9093", "b:9093"],
                "timeout": 5_000_000_000,
                "batch-size": 0,
                "batch-timeout": 250_000_000,
                "use-ssl": True,
                "ssl-ca": "/ca",
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "id",
                "sasl-oauth-client-secret": "SECRET",
                "sasl-oauth-token-url": "https://t",
                "sasl-oauth-scopes": ["s"],
                "sasl-oauth-parameters": {"b": "2", "a": "1"},
                "sasl_extensions": {"x": "y"},
            }
        ]
    )
    request = kafka.render(EVENT, normalize(kafka.KIND, {"cluster": "secure", "topic": "t"}, cfg), cfg)
    assert request.cluster == KafkaCluster(
        id="secure",
        brokers=("a:9093", "b:9093"),
        timeout=5_000_000_000,
        batch_size=100,
        batch_timeout=250_000_000,
        use_ssl=True,
        ssl_ca="/ca",
        sasl=KafkaSasl(
            mechanism="OAUTHBEARER",
            extensions=(("x", "y"),),
            oauth_client_id="id",
            oauth_client_secret="SECRET",
            oauth_token_url="https://t",
            oauth_scopes=("s",),
            oauth_params=(("a", "1"), ("b", "2")),
        ),
    )
    assert "SECRET" not in repr(request)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"enabled": True, "id": "", "brokers": ["h:1"]}, "id must not be empty"),
        ({"enabled": True, "brokers": []}, "no brokers specified, must provide at least one broker URL"),
        ({"enabled": False}, None),
        ({"enabled": True, "sasl-mechanism": "MD5"}, "invalid sasl-mechanism"),
        ({"enabled": True, "sasl-mechanism": "SCRAM-SHA-256"}, None),
        (
            {"enabled": True, "sasl-mechanism": "OAUTHBEARER"},
            "'sasl-oauth-client-id' and 'sasl-oauth-client-secret' are required",
        ),
        (
            {"enabled": True, "sasl-mechanism": "OAUTHBEARER", "sasl-access-token": "t", "sasl-oauth-service": "auth0"},
            "cannot set 'sasl-access-token' with 'sasl-oauth-service' and 'sasl-oauth-token-url'",
        ),
        (
            {
                "enabled": True,
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "i",
                "sasl-oauth-client-secret": "s",
            },
            "'sasl-oauth-token-url' required for custom service",
        ),
        (
            {
                "enabled": True,
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "i",
                "sasl-oauth-client-secret": "s",
                "sasl-oauth-service": "auth0",
            },
            "'sasl-oauth-token-url' required for Auth0",
        ),
        (
            {
                "enabled": True,
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "i",
                "sasl-oauth-client-secret": "s",
                "sasl-oauth-service": "Auth0",
                "sasl-oauth-token-url": "u",
            },
            "'audience' parameter is required for Auth0",
        ),
        (
            {
                "enabled": True,
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "i",
                "sasl-oauth-client-secret": "s",
                "sasl-oauth-service": "azuread",
            },
            "'sasl-oauth-tenant-id' required for AzureAD",
        ),
        (
            {
                "enabled": True,
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "i",
                "sasl-oauth-client-secret": "s",
                "sasl-oauth-service": "AzureAD",
                "sasl-oauth-tenant-id": "t",
                "sasl-oauth-token-url": "u",
            },
            "'sasl-oauth-token-url' cannot be set for service AzureAD",
        ),
        (
            {
                "enabled": True,
                "sasl-mechanism": "OAUTHBEARER",
                "sasl-oauth-client-id": "i",
                "sasl-oauth-client-secret": "s",
                "sasl-oauth-service": "okta",
            },
            "service okta not supported",
        ),
    ],
    ids=[
        "no-id",
        "no-brokers",
        "disabled",
        "bad-mechanism",
        "scram",
        "oauth-no-client",
        "oauth-token-and-service",
        "oauth-custom-no-url",
        "auth0-no-url",
        "auth0-no-audience",
        "azure-no-tenant",
        "azure-with-url",
        "unknown-service",
    ],
)
def test_section_validation(element: dict[str, Any], message: str | None) -> None:
    assert SECTION.validate is not None
    values = {**SECTION.defaults(), "id": "default", "brokers": ["h:1"], **element}
    assert SECTION.validate(values) == message


def test_section_schema() -> None:
    assert SECTION.element_key == "id"
    assert SECTION.secrets == ("sasl-password", "sasl-oauth-client-secret", "sasl-access-token")
    assert SECTION.initial_elements() == [{**SECTION.defaults(), "id": "default"}]
    assert SECTION.defaults()["sasl-oauth-token-expiry-margin"] == 10_000_000_000


@pytest.mark.parametrize(
    "vector",
    case("unit/kafka/partitioners")["upstream_asserted"]["partition_vectors"],
    ids=lambda v: f"{v['algorithm']}-{v['key'] or 'empty'}-{v['num_partitions']}",
)
def test_partition_vectors(vector: dict[str, Any]) -> None:
    got = partition_index(vector["algorithm"], vector["key"].encode(), vector["num_partitions"])
    assert got == vector["partition"]


def test_hash_vectors() -> None:
    hashes = case("unit/kafka/partitioners")["upstream_asserted"]["murmur2_hash_vectors_int32"]
    signed = {k: v - (1 << 32) if v >= 1 << 31 else v for k, v in ((k, murmur2(k.encode())) for k in hashes)}
    assert signed == hashes
    # spaolacci/murmur3 Sum32 and Go's hash/fnv New32a of well-known inputs.
    assert [murmur3(b""), murmur3(b"hello"), murmur3(b"hello, world")] == [0, 0x248BFA47, 0x149BBB7F]
    assert [fnv1a(b""), fnv1a(b"a"), fnv1a(b"foobar")] == [0x811C9DC5, 0xE40C292C, 0xBF9CF968]


@pytest.mark.parametrize(
    ("algorithm", "key", "partitions", "index"),
    [
        ("fnv-1a", b"a", 7, 6),
        ("fnv-1a", b"", 3, 0),
        ("murmur3", b"hello", 5, 1),
        ("crc32", b"id", 3, 2),
        ("crc32", b"kapacitor/cpu/serverA", 3, 1),
    ],
    ids=["fnv-negative-int32", "fnv-empty", "murmur3", "crc32-server-vector", "crc32-stream-vector"],
)
def test_sarama_style_partitions(algorithm: str, key: bytes, partitions: int, index: int) -> None:
    assert partition_index(algorithm, key, partitions) == index


def test_partition_errors_and_random_choice() -> None:
    with pytest.raises(ValueError, match=NON_POSITIVE):
        partition_index("crc32", b"k", 0)
    picks = {partition_index("crc32", b"", 4, random.Random(seed)) for seed in range(40)}
    assert picks == {0, 1, 2, 3}


def test_service_test_defaults() -> None:
    assert dict(kafka.SERVICE_TEST.defaults) == {
        "cluster": "example",
        "topic": "test",
        "key": "key",
        "message": "test kafka message",
    }


async def test_service_test_on_the_default_config(transports: Transports) -> None:
    cfg = config([{"id": "default"}])
    assert await run_service_test(kafka.SERVICE_TEST, None, cfg, transports, 5) == (False, 'unknown cluster "example"')
    body = {"cluster": "default"}
    assert await run_service_test(kafka.SERVICE_TEST, body, cfg, transports, 5) == (False, "service is not enabled")


async def test_service_test_writes(tansu: Tansu, transports: Transports) -> None:
    tansu.create_topic("test", partitions=3)
    cfg = config([{"enabled": True, "id": "example", "brokers": [tansu.address]}])
    assert await run_service_test(kafka.SERVICE_TEST, None, cfg, transports, 10) == (True, "")
    (record,) = await consume(tansu.address, "test", 3, 1)
    # Kapacitor's test leaves sarama's default partitioner: FNV-1a of the key.
    assert (record.key, record.value, record.partition) == (
        b"key",
        b"test kafka message",
        partition_index("fnv-1a", b"key", 3),
    )


async def test_service_test_against_a_stopped_broker(transports: Transports) -> None:
    port = free_port()
    cfg = config([{"enabled": True, "id": "example", "brokers": [f"127.0.0.1:{port}"]}])
    started = time.monotonic()
    result = await run_service_test(kafka.SERVICE_TEST, None, cfg, transports, 2)
    assert time.monotonic() - started < 2
    assert result == (
        False,
        f'failed to write to Kafka cluster "example": dial tcp 127.0.0.1:{port}: connection refused',
    )
