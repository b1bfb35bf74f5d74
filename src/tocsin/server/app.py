"""The aiohttp application: every route of the Kapacitor API and of Tocsin's extensions."""

from __future__ import annotations

from aiohttp import web

from tocsin.engine.engine import Engine
from tocsin.server.keys import ENGINE
from tocsin.server.middleware import kapacitor_http
from tocsin.server.routes import config, service_tests, system, tocsin_api, topics

API = "/kapacitor/v1"
PREVIEW = "/kapacitor/v1preview"
MAX_BODY = 64 * 1024 * 1024


def build_app(engine: Engine) -> web.Application:
    app = web.Application(middlewares=[kapacitor_http], client_max_size=MAX_BODY)
    app[ENGINE] = engine
    system.init(app)
    # Kapacitor serves every v1 route under v1preview as well.
    for prefix in (API, PREVIEW):
        system.add(app.router, prefix)
        topics.add(app.router, prefix)
        config.add(app.router, prefix)
        service_tests.add(app.router, prefix)
    tocsin_api.add(app.router)
    return app
