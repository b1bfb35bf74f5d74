"""Every view fits a 390 px phone: nothing makes the page wider than the screen (wide tables scroll inside)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.web.conftest import StartSite
from tocsin.engine.intake import parse_events

VIEWS = ["#/endpoints", "#/topics", "#/topics/disk", "#/handlers", "#/handlers/disk", "#/deliveries", "#/silences"]


@pytest.mark.parametrize("view", VIEWS)
async def test_a_view_is_no_wider_than_a_phone(start_site: StartSite, browser: Browser, view: str) -> None:
    site = await start_site()
    await site.engine.create_handler("disk", {"id": "hook", "kind": "post", "options": {"url": "http://127.0.0.1:9/"}})
    message = "disk 91% full on a host with a rather long name, said at length"
    event = {"topic": "disk", "id": "db3.example.com:/var/lib", "level": "WARNING", "message": message}
    await site.engine.collect(parse_events(event, lambda: 1_767_225_600_000_000_000))
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{site.url}/{view}")
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.close()
