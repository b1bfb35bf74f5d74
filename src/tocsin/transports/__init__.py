"""Shared transports: each executes one kind of request that a handler's pure render produced."""

from __future__ import annotations

from tocsin.handlers.requests import ExecRequest, FileAppend, HttpRequest, Publish, Request, TcpRequest
from tocsin.transports.exec import run_program
from tocsin.transports.file import append_file
from tocsin.transports.http import HttpTransport
from tocsin.transports.outcome import Outcome
from tocsin.transports.tcp import send_tcp

__all__ = ["HttpTransport", "Outcome", "Transports"]


class Transports:
    """Dispatches a rendered request to the transport for its type; owns the shared HTTP session."""

    def __init__(self, http: HttpTransport | None = None) -> None:
        self.http = http if http is not None else HttpTransport()

    async def send(self, request: Request, timeout: float) -> Outcome:  # noqa: ASYNC109 (a policy value)
        """Execute `request`; `timeout` (seconds) applies when the request sets none of its own.

        Raises DeliveryError on failure and TypeError for Publish, which never leaves the process.
        """
        if isinstance(request, HttpRequest):
            return await self.http.send(request, timeout)
        if isinstance(request, TcpRequest):
            return await send_tcp(request.address, request.payload, _own_or(request.timeout, timeout))
        if isinstance(request, ExecRequest):
            return await run_program(request.argv, request.stdin, _own_or(request.timeout, timeout))
        if isinstance(request, FileAppend):
            return await append_file(request.path, request.data, request.mode, timeout)
        if isinstance(request, Publish):
            raise TypeError("Publish requests are collected into topics, not sent by a transport")
        raise TypeError(f"no transport for {type(request).__name__}")

    async def close(self) -> None:
        """Release pooled connections."""
        await self.http.close()


def _own_or(own: float | None, default: float) -> float:
    return own if own is not None else default
