"""The `kafka` kind: write the alert JSON (or a template over it) to a Kafka topic, keyed by the alert ID.
Its `[[kafka]]` section lives in `kafka_config`, its partitioners in `kafka_hash`.

Capabilities: resolve = no (a recovery is another message); idempotency key = the message key (the alert ID;
a retried write may duplicate the message); honours Retry-After = no (Kafka has none); max payload = the
producer's 1 MiB request limit; secrets = `sasl-password`, `sasl-oauth-client-secret`, `sasl-access-token`
(section; Kapacitor forgets to redact them).
"""

from __future__ import annotations

from typing import Any

from tocsin.alert.event import Event, alert_json_line
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate import TemplateError
from tocsin.handlers.base import ConfigView, HandlerKind, Option, OptionType, ServiceTest
from tocsin.handlers.kafka_config import SECTION, cluster_settings
from tocsin.handlers.kafka_hash import ALGORITHMS
from tocsin.handlers.post import alert_template_data
from tocsin.handlers.requests import KafkaRequest
from tocsin.handlers.sections import NOT_ENABLED
from tocsin.handlers.templating import handler_template

# Kapacitor's texts (services/kafka/service.go, config.go, sasl.go).
UNKNOWN_CLUSTER = 'unknown cluster "{}"'
MISSING_TOPIC = "topic must not be empty"
INVALID_ALGORITHM = "invalid partition algorithm: {}"
INVALID_SASL_VERSION = "invalid SASL version"
PARSE_FAILED = "failed to parse template: {}"
EXECUTION_FAILED = "failed to execute alert template: {}"
TEMPLATE_NAME = "kafka alert template"
# With partitioning by ID disabled Kapacitor leaves sarama's default partitioner: FNV-1a of the same key.
UNPARTITIONED = "fnv-1a"


def partitioner(options: dict[str, Any]) -> str:
    """The hash that places the message: the option's (crc32 when empty), or fnv-1a when partitioning by ID is off.

    Raises DeliveryError (CONFIG) with Kapacitor's text for an unknown algorithm, as its first write does.
    """
    if options["disablePartitionById"]:
        return UNPARTITIONED
    algorithm = options["partitionAlgorithm"] or "crc32"
    if algorithm not in ALGORITHMS:
        message = INVALID_ALGORITHM.format(go_quote(options["partitionAlgorithm"]))
        raise DeliveryError(Reason.CONFIG, message, retryable=False)
    return str(algorithm)


def validate(options: dict[str, Any], config: ConfigView) -> str | None:
    """Kapacitor's handler creation: a configured cluster and a template that parses."""
    cluster = options["cluster"]
    if not cluster or config.element(SECTION.name, cluster) is None:
        return UNKNOWN_CLUSTER.format(cluster)
    if options["template"]:
        try:
            handler_template(TEMPLATE_NAME, options["template"])
        except TemplateError as exc:
            return PARSE_FAILED.format(exc)
    return None


def build(cluster: str, topic: str, key: bytes, value: bytes, hash_name: str, config: ConfigView) -> KafkaRequest:
    """Kapacitor's write: `value` under `key` to `topic` of the named cluster."""
    element = config.element(SECTION.name, cluster) if cluster else None
    if element is None:
        raise DeliveryError(Reason.CONFIG, UNKNOWN_CLUSTER.format(cluster), retryable=False)
    if not element["enabled"]:
        raise DeliveryError(Reason.CONFIG, NOT_ENABLED, retryable=False)
    if not topic:
        raise DeliveryError(Reason.CONFIG, MISSING_TOPIC, retryable=False)
    settings = cluster_settings(element)
    if settings.sasl.enabled and settings.sasl.version not in (0, 1):
        raise DeliveryError(Reason.CONFIG, INVALID_SASL_VERSION, retryable=False)
    return KafkaRequest(settings, topic, key, value, partitioner=hash_name)


def message_value(event: Event, template: str) -> bytes:
    """The template over alert.Data (no extra functions), or the alert JSON line."""
    if not template:
        return alert_json_line(event)
    try:
        text: str = handler_template(TEMPLATE_NAME, template).execute(alert_template_data(event))
    except TemplateError as exc:
        raise DeliveryError(Reason.CONFIG, EXECUTION_FAILED.format(exc), retryable=False) from exc
    return text.encode()


def render(event: Event, options: dict[str, Any], config: ConfigView) -> KafkaRequest:
    value = message_value(event, options["template"])
    return build(options["cluster"], options["topic"], event.id.encode(), value, partitioner(options), config)


def build_test_request(options: dict[str, Any], config: ConfigView) -> KafkaRequest:
    """Kapacitor's Kafka test: `message` under `key` to `topic`, placed by sarama's default partitioner."""
    return build(
        str(options.get("cluster") or ""),
        str(options.get("topic") or ""),
        str(options.get("key") or "").encode(),
        str(options.get("message") or "").encode(),
        UNPARTITIONED,
        config,
    )


SERVICE_TEST = ServiceTest(
    name="kafka",
    defaults={"cluster": "example", "topic": "test", "key": "key", "message": "test kafka message"},
    build=build_test_request,
)

KIND = HandlerKind(
    name="kafka",
    help="Write each alert as JSON (or a template over it) to a Kafka topic, keyed by the alert ID.",
    options=(
        Option("cluster", OptionType.STRING, "", tick="cluster", help="[[kafka]] cluster (its id) to write to."),
        Option("topic", OptionType.STRING, "", tick="kafkaTopic", help="Kafka topic to write to."),
        Option(
            "template",
            OptionType.STRING,
            "",
            tick="template",
            help="Message template over the alert data (.ID .Message .Level ...); the alert JSON by default.",
        ),
        Option(
            "disablePartitionById",
            OptionType.BOOL,
            False,
            tick="disablePartitionById",
            help="Do not place messages by hashing the alert ID (Kapacitor then still hashes it with FNV-1a).",
        ),
        Option(
            "partitionAlgorithm",
            OptionType.STRING,
            "",
            tick="partitionHashAlgorithm",
            help="Hash of the alert ID that picks the partition: crc32 (default), murmur2, murmur3 or fnv-1a.",
        ),
    ),
    render=render,
    config=SECTION,
    service_tests=(SERVICE_TEST,),
    validate=validate,
    go_config_type="*kafka.HandlerConfig",
    package_extra="kafka",
)
