"""Typed application state."""

from __future__ import annotations

from aiohttp import web

from tocsin.engine.engine import Engine
from tocsin.logstream import LogBroker

ENGINE = web.AppKey("engine", Engine)

# The log entries `GET /kapacitor/v1/logs` streams (tocsin.logstream).
LOG_BROKER = web.AppKey("log_broker", LogBroker)
