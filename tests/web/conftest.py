"""Browser tests of the web page: an in-process Tocsin on a real port, driven by Playwright and Debian's Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, Response, async_playwright

from tocsin.auth.bootstrap import bootstrap_admin
from tocsin.config.loader import load_text
from tocsin.engine.engine import Engine
from tocsin.server.app import build_app
from tocsin.server.auth import USERS
from tocsin.store.sqlite import SqliteStore
from tocsin.wiring import assemble

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
FAST_RETRY = '[delivery]\nbackoff-initial = "10ms"\nbackoff-max = "50ms"\n'


@dataclass
class Site:
    """A running Tocsin: its engine, its base URL and every response body the page received."""

    engine: Engine
    url: str
    received: list[tuple[str, str]] = field(default_factory=list)

    async def record(self, response: Response) -> None:
        if response.url.startswith(self.url):
            try:
                self.received.append((response.url, await response.text()))
            except Exception:  # a response without a body (redirect, aborted)
                self.received.append((response.url, ""))


StartSite = Callable[..., Awaitable[Site]]


@pytest.fixture
async def start_site(tmp_path: Path) -> AsyncIterator[StartSite]:
    """Start Tocsin with extra config text (the data directory is tmp_path)."""
    running: list[tuple[Engine, TestServer]] = []

    async def start(conf: str = FAST_RETRY) -> Site:
        base = load_text(f'data_dir = "{tmp_path}"\n{conf}', "test.conf", environ={})
        engine = assemble(base, SqliteStore(str(tmp_path / "tocsin.db")))
        await engine.start()
        app = build_app(engine)
        if engine.config.get("http", "auth-enabled"):
            await bootstrap_admin(app[USERS], engine.config)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        running.append((engine, server))
        return Site(engine, str(server.make_url("")).rstrip("/"))

    yield start
    for engine, server in running:
        await server.close()
        await engine.stop(0.1)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def open_page(browser: Browser, site: Site, hash_path: str) -> Page:
    """A laptop-sized page on `hash_path` that records every response it receives from the site."""
    page = await browser.new_page(viewport={"width": 1366, "height": 900})
    page.on("response", site.record)
    page.set_default_timeout(10_000)
    await page.goto(f"{site.url}/{hash_path}")
    return page


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
