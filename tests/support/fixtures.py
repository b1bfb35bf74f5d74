"""Pytest fixtures shared by every test package (registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.sink import HttpSink, TcpSink
from tocsin.transports import Transports


@pytest.fixture
async def sink() -> AsyncIterator[HttpSink]:
    """A fresh recording HTTP server, answering 200 until scripted otherwise."""
    server = await HttpSink().start()
    yield server
    await server.close()


@pytest.fixture
async def tcp_sink() -> AsyncIterator[TcpSink]:
    """A fresh recording TCP server."""
    server = await TcpSink().start()
    yield server
    await server.close()


@pytest.fixture
async def transports() -> AsyncIterator[Transports]:
    """The real shared transports, closed after the test."""
    shared = Transports()
    yield shared
    await shared.close()
