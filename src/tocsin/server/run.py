"""`tocsin serve`: load the configuration, open the store, start the engine and the HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import ssl
import sys
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tocsin import KAPACITOR_COMPAT_VERSION, __version__
from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.config.allowlists import log_open_policies
from tocsin.config.loader import FileConfig, load_file
from tocsin.config.unused import ignored_settings
from tocsin.config.view import redact
from tocsin.errors import ConfigError, StoreError
from tocsin.influxdb.subscriptions import subscriptions_of
from tocsin.logs import configure
from tocsin.server.accesslog import RedactingAccessLogger
from tocsin.server.app import build_app
from tocsin.server.auth import USERS
from tocsin.server.bind import DEFAULT_BIND, check_exposure, parse_bind
from tocsin.store.factory import configured_store
from tocsin.wiring import assemble, load_of

log = logging.getLogger("tocsin.server")

USAGE = """Usage: tocsin serve [options]

Options:
  -config FILE      kapacitor.conf to load (else $KAPACITOR_CONFIG_PATH; built-in defaults when neither)
  -hostname NAME    override the configured hostname
  -pidfile FILE     write the process id to FILE
  -log-file FILE    log to FILE instead of [logging] file
  -log-level LEVEL  DEBUG, INFO, WARN or ERROR, instead of [logging] level
"""

_FLAGS = ("config", "hostname", "pidfile", "log-file", "log-level")
SHUTDOWN_GRACE = 5.0  # seconds the engine gives deliveries under way at shutdown
_NS = 1_000_000_000
# Idle keep-alive connections, and new connections that have not sent a complete request head, are closed
# after this long: a slowloris client cannot hold a connection with a trickle of header bytes.
KEEPALIVE_TIMEOUT = 30.0


@dataclass(slots=True)
class ServeOptions:
    config: str | None = None
    hostname: str | None = None
    pidfile: str | None = None
    log_file: str | None = None
    log_level: str | None = None


class UsageError(ValueError):
    pass


def parse_args(argv: list[str]) -> ServeOptions:
    """Go-style flags: `-config x`, `--config x`, `-config=x`."""
    opts = ServeOptions()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            raise UsageError(f"unexpected argument {arg!r}")
        name, eq, value = arg.lstrip("-").partition("=")
        if name in ("h", "help"):
            raise UsageError("")
        if name not in _FLAGS:
            raise UsageError(f"flag provided but not defined: -{name}")
        if not eq:
            i += 1
            if i >= len(argv):
                raise UsageError(f"flag needs an argument: -{name}")
            value = argv[i]
        setattr(opts, name.replace("-", "_"), value)
        i += 1
    return opts


def shutdown_timeout(http: dict[str, Any]) -> float:
    """`[http] shutdown-timeout` in seconds: how long stopping waits for the requests under way."""
    return int(http.get("shutdown-timeout", 10 * _NS)) / _NS


def tune_gc() -> None:
    """What `serve` does once started: everything loaded so far lives for the whole run, so keep it out of the
    collector's scans, and collect the young generation less often (intake allocates many short-lived
    objects per event)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def serve_main(argv: list[str]) -> int:
    try:
        opts = parse_args(argv)
    except UsageError as exc:
        if str(exc):
            print(f"Error: {exc}", file=sys.stderr)
        print(USAGE, file=sys.stderr, end="")
        return 2
    path = opts.config or os.environ.get("KAPACITOR_CONFIG_PATH") or None
    try:
        base = load_file(path, environ=os.environ)
        if opts.hostname:
            base.values[""][0]["hostname"] = opts.hostname
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if opts.pidfile:
        with open(opts.pidfile, "w") as fh:
            fh.write(f"{os.getpid()}\n")
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    try:
        return asyncio.run(_serve(base, opts))
    except (ConfigError, StoreError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


async def _serve(base: FileConfig, opts: ServeOptions) -> int:
    top = base.values[""][0]
    logging_cfg = base.values.get("logging", [{}])[0]
    formatter = configure(
        opts.log_level or str(logging_cfg.get("level", "INFO")),
        opts.log_file or str(logging_cfg.get("file", "STDERR")),
    )
    http = base.values.get("http", [{}])[0]
    for name in base.ignored:
        log.warning("config section [%s] is not implemented by Tocsin; ignored (a task that needs it is refused)", name)
    for line in ignored_settings(base):
        log.warning("%s", line)
    bind = parse_bind(str(http.get("bind-address") or DEFAULT_BIND))
    exposure = check_exposure(bind, bool(http.get("auth-enabled")), bool(http.get("allow-unauthenticated-remote")))
    if exposure:
        log.warning("%s", exposure)
    engine = assemble(base, configured_store(base.values))
    try:
        await engine.start()
    except ConfigError:  # a bad [load] file: give back what was taken (scale-out leases) before saying why
        await engine.stop(0)
        raise
    formatter.scrub = lambda text: redact(engine.config, text)
    app = build_app(engine)
    if http.get("auth-enabled"):
        try:
            await bootstrap_admin(app[USERS], engine.config)
        except ConfigError:
            await engine.stop(0)
            raise
    log_open_policies(engine.config)
    tune_gc()
    runner = web.AppRunner(
        app,
        access_log=log if http.get("log-enabled", True) else None,
        access_log_class=RedactingAccessLogger,
        handle_signals=False,
        keepalive_timeout=KEEPALIVE_TIMEOUT,
    )
    await runner.setup()
    tls = _tls(http)
    sites = [
        web.TCPSite(runner, host, bind.port, ssl_context=tls, shutdown_timeout=shutdown_timeout(http))
        for host in bind.hosts
    ]
    try:
        for site in sites:
            await site.start()
    except OSError as exc:
        await runner.cleanup()
        await engine.stop(0)
        raise ConfigError(f'[http] bind-address "{bind.address}": cannot listen: {exc.strerror or exc}') from None
    if runner.addresses:  # subscription destinations need the real port when bind-address asks for port 0
        subscriptions_of(engine).set_http_port(int(runner.addresses[0][1]))
    log.info(
        "Tocsin %s (Kapacitor API %s) listening on %s; data in %s",
        __version__,
        KAPACITOR_COMPAT_VERSION,
        bind.address,
        top.get("data_dir"),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()

    def reload() -> None:  # SIGHUP loads [load] dir again, as Kapacitor does; a bad file is logged
        task = loop.create_task(load_of(engine).reload())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)
    await stop.wait()
    log.info("shutting down: no new requests; flushing deliveries and the store")
    for site in sites:
        await site.stop()
    await runner.cleanup()
    await engine.stop(SHUTDOWN_GRACE)
    if opts.pidfile:
        with contextlib.suppress(OSError):
            os.remove(opts.pidfile)
    log.info("stopped")
    return 0


def _tls(http: dict[str, object]) -> ssl.SSLContext | None:
    if not http.get("https-enabled"):
        return None
    cert = str(http.get("https-certificate") or "")
    key = str(http.get("https-private-key") or "") or None
    if not cert:
        raise ConfigError("[http] https-certificate: required when https-enabled = true")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"[http] https-certificate: cannot load {cert}: {exc}") from None
    return ctx
