"""The deliveries page: a dead letter found with the filters and retried; the topics page shows the event."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.support.sink import HttpSink
from tests.web.conftest import FAST_RETRY, StartSite, open_page, screenshot
from tocsin.engine.intake import parse_events

ONE_ATTEMPT = FAST_RETRY + "max-attempts = 1\n"


async def test_dead_letter_retried_from_the_page(start_site: StartSite, browser: Browser, sink: HttpSink) -> None:
    site = await start_site(ONE_ATTEMPT)
    engine = site.engine
    await engine.create_handler("disk", {"id": "hook", "kind": "post", "options": {"url": sink.url + "/d"}})
    sink.set_default(503, body=b"try later")
    event = {"topic": "disk", "id": "disk:/", "level": "WARNING", "message": "disk 91% full"}
    await engine.collect(parse_events(event, lambda: 1_767_225_600_000_000_000))
    await sink.wait_for(1)
    await engine.wait_idle()

    page = await open_page(browser, site, "#/deliveries")
    await page.get_by_label("Status").select_option("dead")
    await page.get_by_label("Topic").fill("disk")
    await page.get_by_role("button", name="Apply filters").click()
    row = page.locator("tr[data-delivery]")
    await expect(row).to_have_count(1)
    await expect(row).to_have_attribute("data-status", "dead")
    await expect(row).to_contain_text("HTTP 503")
    await screenshot(page, "deliveries-dead")
    sink.set_default(200)
    delivery_id = await row.get_attribute("data-delivery")
    await row.get_by_role("button", name="Retry").click()
    await expect(page.get_by_role("status").filter(has_text="queued again")).to_have_text(
        f"Delivery {delivery_id} queued again."
    )
    await sink.wait_for(2)
    await engine.wait_idle()
    # the page looks again by itself: delivered now, the row leaves the list of dead ones
    await expect(page.locator(f'tr[data-delivery="{delivery_id}"]')).to_have_count(0)
    await page.get_by_label("Status").select_option("")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.locator(f'tr[data-delivery="{delivery_id}"]')).to_have_attribute("data-status", "delivered")

    await page.goto(f"{site.url}/#/topics/disk")
    events = page.get_by_role("table", name="Events of topic disk, newest first")
    await expect(events).to_contain_text("disk 91% full")
    await expect(page.locator('tr[data-topic="disk"]')).to_contain_text("WARNING")
    await screenshot(page, "topics")
    await page.close()


async def test_the_handler_filter_alone_finds_deliveries_and_a_2xx_is_no_error(
    start_site: StartSite, browser: Browser, sink: HttpSink
) -> None:
    site = await start_site()
    engine = site.engine
    for topic in ("cpu", "disk"):
        await engine.create_handler(topic, {"id": "hook", "kind": "post", "options": {"url": sink.url + "/d"}})
    for topic in ("cpu", "disk"):
        await engine.collect(parse_events({"topic": topic, "id": f"{topic}:a", "level": "CRITICAL"}, lambda: 1))
    await sink.wait_for(2)
    await engine.wait_idle()
    page = await open_page(browser, site, "#/deliveries")
    await page.get_by_label("Handler").fill("hook")
    await page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tr[data-delivery]")
    await expect(rows).to_have_count(2)  # in both topics, without naming one
    for i in range(2):
        await expect(rows.nth(i)).to_have_attribute("data-status", "delivered")
        await expect(rows.nth(i).locator("td.message")).to_have_text("—")
    await page.close()
