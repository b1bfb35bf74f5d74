"""Shared transports: each executes one kind of request that a handler's pure render produced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.delivery.outcome import Outcome
from tocsin.extras import missing
from tocsin.handlers.requests import (
    ExecRequest,
    FileAppend,
    HttpRequest,
    KafkaRequest,
    MqttRequest,
    Publish,
    Request,
    SmtpRequest,
    SnmpTrapRequest,
    TcpRequest,
)
from tocsin.transports.exec import run_program
from tocsin.transports.file import append_file
from tocsin.transports.http import HttpTransport
from tocsin.transports.netpolicy import DEFAULT_POLICY, AddressPolicy
from tocsin.transports.smtp import SmtpTransport
from tocsin.transports.snmp import send_trap
from tocsin.transports.tcp import send_tcp

if TYPE_CHECKING:
    from tocsin.transports.kafka import KafkaTransport
    from tocsin.transports.mqtt import MqttTransport

__all__ = ["HttpTransport", "Outcome", "Transports"]


class Transports:
    """Dispatches a rendered request to the transport for its type; owns the shared HTTP session."""

    def __init__(
        self, http: HttpTransport | None = None, policy: AddressPolicy = DEFAULT_POLICY, redirects: str = "same-origin"
    ) -> None:
        self.policy = policy
        self.http = http if http is not None else HttpTransport(policy=policy, redirects=redirects)
        self.smtp = SmtpTransport(policy)
        # Broker clients are imported and made on first use: most configurations never need them.
        self._mqtt: MqttTransport | None = None
        self._kafka: KafkaTransport | None = None

    async def send(self, request: Request, timeout: float) -> Outcome:  # noqa: ASYNC109 (a policy value)
        """Execute `request`; `timeout` (seconds) applies when the request sets none of its own.

        Raises DeliveryError on failure and TypeError for Publish, which never leaves the process.
        """
        if isinstance(request, HttpRequest):
            return await self.http.send(request, timeout)
        if isinstance(request, TcpRequest):
            limit = _own_or(request.timeout, timeout)
            return await send_tcp(request.address, request.payload, limit, request.check_reply, self.policy)
        if isinstance(request, ExecRequest):
            return await run_program(request.argv, request.stdin, _own_or(request.timeout, timeout))
        if isinstance(request, FileAppend):
            return await append_file(request.path, request.data, request.mode, timeout)
        if isinstance(request, SmtpRequest):
            return await self.smtp.send(request, timeout)
        if isinstance(request, SnmpTrapRequest):
            _require("snmp", "snmptrap")
            return await send_trap(request, timeout, self.policy)
        if isinstance(request, MqttRequest):
            _require("mqtt", "mqtt")
            return await self.mqtt().send(request, _own_or(request.timeout, timeout))
        if isinstance(request, KafkaRequest):
            _require("kafka", "kafka")
            return await self.kafka().send(request, _own_or(request.timeout, timeout))
        if isinstance(request, Publish):
            raise TypeError("Publish requests are collected into topics, not sent by a transport")
        raise TypeError(f"no transport for {type(request).__name__}")

    async def close(self) -> None:
        """Release pooled connections."""
        await self.http.close()
        await self.smtp.close()
        if self._mqtt is not None:
            await self._mqtt.close()
        if self._kafka is not None:
            await self._kafka.close()

    def mqtt(self) -> MqttTransport:
        """The MQTT transport (one kept connection per broker), made on first use."""
        if self._mqtt is None:
            from tocsin.transports.mqtt import MqttTransport

            self._mqtt = MqttTransport(self.policy)
        return self._mqtt

    def kafka(self) -> KafkaTransport:
        """The Kafka transport (one kept producer per cluster), made on first use."""
        if self._kafka is None:
            from tocsin.transports.kafka import KafkaTransport

            self._kafka = KafkaTransport(self.policy)
        return self._kafka


def _require(extra: str, kind: str) -> None:
    """A service test (or a delivery) of a kind whose extra is missing fails with the extra's name."""
    problem = missing(extra, f"the {kind} handler")
    if problem:
        raise DeliveryError(Reason.CONFIG, problem, retryable=False)


def _own_or(own: float | None, default: float) -> float:
    return own if own is not None else default
