"""The test client type: aiohttp's TestClient over a Tocsin application."""

from __future__ import annotations

from typing import TypeAlias

from aiohttp import web
from aiohttp.test_utils import TestClient

Client: TypeAlias = TestClient[web.Request, web.Application]
