"""Fixtures available to every test: see tests/support/fixtures.py."""

from tests.support.fixtures import sink, tcp_sink, transports

__all__ = ["sink", "tcp_sink", "transports"]
