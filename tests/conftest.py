"""Fixtures available to every test: see tests/support/fixtures.py.

Under CI (`CI` set, as `.ci/run` does) hypothesis draws the same inputs every run, so a gate never fails on
an input no one has seen; run the suite without `CI` to explore new ones.
"""

import os

from hypothesis import settings

from tests.support.fixtures import serve_process, sink, sink_process, tcp_sink, transports
from tests.support.influxd import influxd

__all__ = ["influxd", "serve_process", "sink", "sink_process", "tcp_sink", "transports"]

if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")
