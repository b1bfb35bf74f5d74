"""The aiohttp application: every route of the Kapacitor API and of Tocsin's extensions."""

from __future__ import annotations

import logging

from aiohttp import web

from tocsin.config.view import redact
from tocsin.engine.engine import Engine
from tocsin.logstream import LogBroker
from tocsin.server import auth
from tocsin.server.keys import ENGINE, LOG_BROKER
from tocsin.server.middleware import kapacitor_http
from tocsin.server.routes import (
    alertmanager,
    config,
    logs,
    recordings,
    service_tests,
    session,
    sideload,
    silences,
    storage,
    system,
    tasks,
    templates,
    tocsin_api,
    topics,
    users,
    web_page,
    write,
)

API = "/kapacitor/v1"
PREVIEW = "/kapacitor/v1preview"


def _stream_logs(app: web.Application, engine: Engine) -> None:
    """Every log record goes to the open `/logs` streams too, scrubbed of the configured secrets."""
    broker = LogBroker(lambda text: redact(engine.config, text))
    app[LOG_BROKER] = broker
    root = logging.getLogger()
    root.addHandler(broker)

    async def detach(_app: web.Application) -> None:
        root.removeHandler(broker)

    app.on_cleanup.append(detach)


def build_app(engine: Engine) -> web.Application:
    max_body = int(engine.config.get("http", "max-body-size"))
    # Authentication runs inside kapacitor_http, so its 401/403 answers carry Kapacitor's headers, as there.
    # Bodies are inflated by tocsin.server.routes.inflate, in bounded steps (aiohttp's decoder inflates a whole
    # network chunk at once: a gzip bomb).
    app = web.Application(
        middlewares=[kapacitor_http, auth.authenticate],
        client_max_size=max_body,
        handler_args={"auto_decompress": False},
    )
    app[ENGINE] = engine
    _stream_logs(app, engine)
    auth.init(app)
    # Kapacitor serves every v1 route under v1preview as well.
    for prefix in (API, PREVIEW):
        system.add(app.router, prefix)
        topics.add(app.router, prefix)
        config.add(app.router, prefix)
        service_tests.add(app.router, prefix)
        users.add(app.router, prefix)
        tasks.add(app.router, prefix)
        recordings.add(app.router, prefix)
        templates.add(app.router, prefix)
        write.add(app.router, prefix)
        sideload.add(app.router, prefix)
        logs.add(app.router, prefix)
        storage.add(app.router, prefix)
    write.add_root(app.router)
    tocsin_api.add(app.router)
    silences.add(app.router)
    alertmanager.add(app.router)
    session.add(app.router)
    web_page.add(app.router)
    return app
