"""The security suite runs on the hardening tests' in-process server (real engine, SQLite in tmp_path)."""

from tests.hardening.conftest import start

__all__ = ["start"]
