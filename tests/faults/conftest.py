"""Fault tests reuse the in-process server of tests/server (real engine, SQLite store in tmp_path)."""

from tests.server.conftest import start_api

__all__ = ["start_api"]
