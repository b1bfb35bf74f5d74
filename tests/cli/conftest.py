"""Fixtures: the fake API (see fake_api.py), an in-process CLI runner and a fixed local time zone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tocsin.cli.main import main

from .fake_api import FakeApi, Result, Run, serving


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    """A running fake API; TOCSIN_URL points at it and KAPACITOR_URL is unset."""
    with serving() as fake:
        monkeypatch.setenv("TOCSIN_URL", fake.url)
        monkeypatch.delenv("KAPACITOR_URL", raising=False)
        monkeypatch.delenv("TOCSIN_UNSAFE_SSL", raising=False)
        monkeypatch.delenv("KAPACITOR_UNSAFE_SSL", raising=False)
        yield fake


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `tocsin *argv` in-process and capture its exit code, stdout and stderr."""

    def invoke(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set the process's local time zone (POSIX TZ rules, so no tz database is needed)."""

    def set_tz(rule: str) -> None:
        monkeypatch.setenv("TZ", rule)
        time.tzset()

    set_tz("UTC0")
    yield set_tz
    monkeypatch.undo()
    time.tzset()
