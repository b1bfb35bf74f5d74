"""Typed application state."""

from __future__ import annotations

from aiohttp import web

from tocsin.engine.engine import Engine

ENGINE = web.AppKey("engine", Engine)
