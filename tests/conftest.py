"""Fixtures available to every test: see tests/support/fixtures.py."""

from tests.support.fixtures import sink, sink_process, tcp_sink, transports

__all__ = ["sink", "sink_process", "tcp_sink", "transports"]
