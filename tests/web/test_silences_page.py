"""The silences page: a host silenced from its topic event in three clicks, what the silence holds back shown on
it, the held-back delivery in the delivery log as silenced, and the silence expired."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.support.sink import HttpSink
from tests.web.conftest import StartSite, open_page, screenshot
from tocsin.engine.intake import parse_events


def _event(level: str, message: str, host: str = "db3") -> list:  # type: ignore[type-arg]
    event = {"topic": "disk", "id": f"{host}:/var", "level": level, "message": message, "tags": {"host": host}}
    return parse_events(event, lambda: 1_767_225_600_000_000_000)


async def test_silence_a_host_from_its_topic_event_in_three_clicks(
    start_site: StartSite, browser: Browser, sink: HttpSink
) -> None:
    site = await start_site()
    engine = site.engine
    await engine.create_handler("disk", {"id": "hook", "kind": "post", "options": {"url": sink.url + "/d"}})
    await engine.collect(_event("WARNING", "disk 91% full"))
    await engine.collect(_event("WARNING", "disk 93% full", host="web1"))
    await sink.wait_for(2)

    page = await open_page(browser, site, "#/topics")
    await page.get_by_role("link", name="disk", exact=True).click()  # 1
    await page.get_by_role("link", name="Silence db3:/var").click()  # 2
    await expect(page.get_by_label("Matchers")).to_have_value("host=db3")  # the event's host
    preview = page.locator("#s-preview")
    await expect(preview).to_contain_text("Would hold back now: 1 alert")
    await expect(preview).to_contain_text("WARNING disk db3:/var")
    await page.get_by_label("Comment").fill("replacing the disk")
    await page.get_by_role("button", name="Create silence").click()  # 3
    await expect(page.get_by_role("status").filter(has_text="Silence created")).to_have_text(
        'Silence created: host="db3", for 1h.'
    )
    row = page.locator("tr[data-silence]")
    await expect(row).to_have_attribute("data-state", "active")
    await expect(row).to_contain_text("replacing the disk")

    await engine.collect(_event("CRITICAL", "disk 99% full"))  # held back
    await engine.wait_idle()
    await engine.collect(_event("CRITICAL", "disk 99% full", host="web1"))  # another host: sent
    await engine.wait_idle()
    assert [r.json()["id"] for r in sink.requests] == ["db3:/var", "web1:/var", "web1:/var"]
    await page.reload()
    await expect(page.locator("tr[data-silence]")).to_contain_text("CRITICAL disk db3:/var")  # what it holds back
    await expect(page.locator("tr[data-silence]")).not_to_contain_text("web1")
    await screenshot(page, "silences")

    await page.goto(f"{site.url}/#/deliveries")
    await page.get_by_label("Status").select_option("silenced")
    await page.get_by_role("button", name="Apply filters").click()
    held = page.locator("tr[data-delivery]")
    await expect(held).to_have_count(1)
    await expect(held).to_have_attribute("data-status", "silenced")
    await expect(held).to_contain_text("silenced by")

    await page.goto(f"{site.url}/#/silences")
    await page.get_by_role("button", name="Expire silence").click()
    await expect(page.get_by_role("status").filter(has_text="expired")).to_have_text("Silence expired.")
    await expect(page.locator("tr[data-silence]")).to_have_attribute("data-state", "expired")
    await page.close()


async def test_the_form_names_a_bad_matcher_and_fits_a_phone(start_site: StartSite, browser: Browser) -> None:
    site = await start_site()
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{site.url}/#/silences")
    await page.get_by_label("Matchers").fill("host")
    await page.keyboard.press("Tab")
    await page.get_by_role("button", name="Create silence").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status").filter(has_text="not a matcher")).to_have_text(
        '"host" is not a matcher: write name=value, name!=value, name=~regex or name!~regex.'
    )
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await page.close()
