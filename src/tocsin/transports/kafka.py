"""Kafka delivery: one kept producer per cluster, messages batched per partition, each confirmed by the broker.

The partition is Kapacitor's: the request's hash of the key, as an index into the topic's sorted partition IDs.
Acknowledgement is the partition leader's (acks=1, sarama's default).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped]
from aiokafka.errors import (  # type: ignore[import-untyped]
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    ClusterAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NoBrokersAvailable,
    NodeNotReadyError,
    RequestTimedOutError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    UnsupportedSaslMechanismError,
)

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.handlers.kafka_config import KafkaCluster
from tocsin.handlers.kafka_hash import partition_index
from tocsin.handlers.requests import KafkaRequest
from tocsin.transports.kafka_batch import Lane, Message
from tocsin.transports.kafka_oauth import token_provider
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy
from tocsin.transports.tls import client_context

DEFAULT_TIMEOUT_MS = 30_000  # sarama's dial, read and write timeouts
MAX_REQUEST_BYTES = 1_048_576
STOP_WAIT = 1.0  # seconds a producer may take to stop gracefully
PROBE_WAIT = 1.0  # seconds kept back from a delivery's limit to find out why a broker does not answer
DEFAULT_PORT = 9092
GSSAPI_UNSUPPORTED = "SASL mechanism GSSAPI is not supported by Tocsin"
_AUTH_ERRORS = (
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    ClusterAuthorizationFailedError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    UnsupportedSaslMechanismError,
)
_NETWORK_ERRORS = (KafkaConnectionError, NodeNotReadyError, NoBrokersAvailable)
_NS_PER_MS = 1_000_000
_NS_PER_S = 1_000_000_000


def producer_options(cluster: KafkaCluster) -> dict[str, Any]:
    """aiokafka producer settings for a cluster (Kapacitor's sarama settings, as far as they translate).

    Raises DeliveryError (CONFIG) for TLS files that cannot be used and for GSSAPI.
    """
    options: dict[str, Any] = {
        "bootstrap_servers": list(cluster.brokers),
        "client_id": cluster.id,
        "acks": 1,
        "request_timeout_ms": cluster.timeout // _NS_PER_MS if cluster.timeout > 0 else DEFAULT_TIMEOUT_MS,
        "max_batch_size": MAX_REQUEST_BYTES,
        "max_request_size": MAX_REQUEST_BYTES,
        "linger_ms": 0,  # batches are made by Lane, per the cluster's batch-size and batch-timeout
    }
    if cluster.use_ssl:
        options["ssl_context"] = client_context(
            cluster.ssl_ca, cluster.ssl_cert, cluster.ssl_key, cluster.insecure_skip_verify
        )
    sasl = cluster.sasl
    if sasl.enabled:
        mechanism = sasl.mechanism or "PLAIN"
        if mechanism == "GSSAPI":
            raise DeliveryError(Reason.CONFIG, GSSAPI_UNSUPPORTED, retryable=False)
        options["sasl_mechanism"] = mechanism
        options["sasl_plain_username"] = sasl.username
        options["sasl_plain_password"] = sasl.password
        if mechanism == "OAUTHBEARER":
            options["sasl_oauth_token_provider"] = token_provider(sasl)
    options["security_protocol"] = ("SASL_" if sasl.enabled else "") + ("SSL" if cluster.use_ssl else "PLAINTEXT")
    return options


class ClusterProducer:
    """One cluster's producer: started on first use (one attempt shared by all callers), lanes per partition."""

    def __init__(self, cluster: KafkaCluster, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.cluster = cluster
        self.policy = policy
        self._producer: Any = None
        self._starting: asyncio.Task[Any] | None = None
        self._lanes: dict[tuple[str, int], Lane] = {}
        self.starts = 0  # producers started so far

    async def producer(self) -> Any:
        """The started producer, starting one first if there is none."""
        if self._producer is not None:
            return self._producer
        if self._starting is None:
            task = asyncio.create_task(self._start())
            task.add_done_callback(_retrieve)
            self._starting = task
        return await asyncio.shield(self._starting)

    async def _start(self) -> Any:
        try:
            for broker in self.cluster.brokers:  # the bootstrap brokers; aiokafka resolves them again
                host, _, port = broker.rpartition(":") if ":" in broker else (broker, "", str(DEFAULT_PORT))
                await self.policy.check(host.strip("[]"), int(port))
            producer = AIOKafkaProducer(**producer_options(self.cluster))
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
        except BaseException:
            self._starting = None
            raise
        self._producer, self._starting = producer, None
        self.starts += 1
        return producer

    async def produce(self, topic: str, key: bytes, value: bytes, partitioner: str) -> int:
        """Write one message and wait for its batch's acknowledgement; returns the partition it went to."""
        producer = await self.producer()
        partitions = sorted(await producer.partitions_for(topic))
        try:
            index = partition_index(partitioner, key, len(partitions))
        except ValueError as exc:
            raise DeliveryError(Reason.SERVER_ERROR, str(exc), retryable=True) from None
        partition: int = partitions[index]
        lane = self._lanes.get((topic, partition))
        if lane is None:
            linger = self.cluster.batch_timeout / _NS_PER_S

            async def ship(batch: list[Message]) -> None:
                await _ship(producer, topic, partition, batch)

            lane = self._lanes[(topic, partition)] = Lane(ship, self.cluster.batch_size, linger)
        await lane.add(key, value)
        return partition

    async def close(self) -> None:
        """Fail waiting messages and stop the producer."""
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(BaseException):
                await self._starting
        lanes, self._lanes = list(self._lanes.values()), {}
        await asyncio.gather(*(lane.close() for lane in lanes), return_exceptions=True)
        producer, self._producer = self._producer, None
        if producer is not None:
            await _stop(producer)


async def _ship(producer: Any, topic: str, partition: int, batch: list[Message]) -> None:
    """One or more record batches (as many as the request size needs) to one partition, all acknowledged."""
    acks = []
    builder = producer.create_batch()
    for key, value in batch:
        if builder.append(key=key, value=value, timestamp=None) is not None:
            continue
        builder.close()
        acks.append(await producer.send_batch(builder, topic, partition=partition))
        builder = producer.create_batch()
        if builder.append(key=key, value=value, timestamp=None) is None:
            message = f"a message of {len(key) + len(value)} bytes does not fit in a {MAX_REQUEST_BYTES} byte request"
            raise DeliveryError(Reason.CLIENT_ERROR, message, retryable=False)
    builder.close()
    acks.append(await producer.send_batch(builder, topic, partition=partition))
    await asyncio.gather(*acks)


async def _stop(producer: Any) -> None:
    """Stop a producer; batches it still holds for unreachable brokers are failed rather than waited for."""
    stopping = asyncio.ensure_future(producer.stop())
    try:
        await asyncio.wait_for(asyncio.shield(stopping), STOP_WAIT)
        return
    except TimeoutError:
        # aiokafka's stop waits until every batch it holds is delivered or expired: fail them now instead.
        accumulator = getattr(producer, "_message_accumulator", None)
        if accumulator is not None:
            accumulator.fail_all(KafkaConnectionError("the producer was stopped"))
    except Exception:
        pass
    with contextlib.suppress(Exception):
        await asyncio.wait_for(stopping, STOP_WAIT)
    # A stop cut short leaves the client's connections and metadata task behind.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(producer.client.close(), STOP_WAIT)


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


async def unreachable(brokers: tuple[str, ...], limit: float) -> str | None:
    """Why no broker takes a connection (Go's dial error of the last one tried), or None when one does."""
    reason = None
    for broker in brokers:
        host, _, port = broker.rpartition(":") if ":" in broker else (broker, "", str(DEFAULT_PORT))
        try:
            async with asyncio.timeout(limit / max(1, len(brokers))):
                _, writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except TimeoutError:
            reason = f"dial tcp {broker}: i/o timeout"
        except (OSError, ValueError) as exc:
            errno = getattr(exc, "errno", None)
            text = os.strerror(errno) if errno else str(exc)
            reason = f"dial tcp {broker}: {text[:1].lower()}{text[1:]}"
        else:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return None
    return reason


def kafka_error(exc: Exception, where: str) -> DeliveryError:
    """A classified DeliveryError for an aiokafka failure."""
    message = f"{where}: {exc}"
    if isinstance(exc, _AUTH_ERRORS):
        return DeliveryError(Reason.AUTH_ERROR, message, retryable=False)
    if isinstance(exc, (KafkaTimeoutError, RequestTimedOutError)):
        return DeliveryError(Reason.TIMEOUT, message, retryable=True)
    if isinstance(exc, _NETWORK_ERRORS):
        return DeliveryError(Reason.NETWORK, message, retryable=True)
    if getattr(exc, "retriable", False):
        return DeliveryError(Reason.SERVER_ERROR, message, retryable=True)
    return DeliveryError(Reason.CLIENT_ERROR, message, retryable=False)


class KafkaTransport:
    """Writes to Kafka clusters, one kept producer per cluster (per distinct settings)."""

    def __init__(self, policy: AddressPolicy = DEFAULT_POLICY) -> None:
        self.policy = policy
        self._clusters: dict[KafkaCluster, ClusterProducer] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def cluster(self, settings: KafkaCluster) -> ClusterProducer:
        """The producer for `settings`; producers of the same cluster id with other (outdated) settings stop."""
        found = self._clusters.get(settings)
        if found is not None:
            return found
        for old in [c for c in self._clusters if c.id == settings.id]:
            task = asyncio.create_task(self._clusters.pop(old).close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        found = self._clusters[settings] = ClusterProducer(settings, self.policy)
        return found

    async def send(self, request: KafkaRequest, limit: float | None) -> Outcome:
        """Write `request` within `limit` seconds (None or 0: no limit); raises a classified DeliveryError."""
        cluster = self.cluster(request.cluster)
        where = f'failed to write to Kafka cluster "{request.cluster.id}"'
        reserve = min(PROBE_WAIT, limit / 5) if limit and limit > 0 else PROBE_WAIT
        try:
            async with asyncio.timeout(limit - reserve if limit and limit > 0 else None):
                partition = await cluster.produce(request.topic, request.key, request.value, request.partitioner)
        except TimeoutError:
            reason = await unreachable(request.cluster.brokers, reserve)
            message = f"{where}: no acknowledgement within {limit:g}s" + (f" ({reason})" if reason else "")
            raise DeliveryError(Reason.TIMEOUT, message, retryable=True) from None
        except KafkaConnectionError as exc:
            reason = await unreachable(request.cluster.brokers, reserve)
            if reason is None:
                raise kafka_error(exc, where) from exc
            raise DeliveryError(Reason.NETWORK, f"{where}: {reason}", retryable=True) from exc
        except KafkaError as exc:
            raise kafka_error(exc, where) from exc
        return Outcome(None, detail=f"partition {partition}")

    async def close(self) -> None:
        """Stop every producer."""
        clusters, self._clusters = list(self._clusters.values()), {}
        await asyncio.gather(*(c.close() for c in clusters), *self._closing, return_exceptions=True)
