"""The topic-handlers page: a handler created from YAML, parse errors with line numbers, and a dry run."""

from __future__ import annotations

import json

from playwright.async_api import Browser, expect

from tests.support.sink import HttpSink
from tests.web.conftest import StartSite, open_page, screenshot

BROKEN = "topic: cpu\nid: hook\nkind: post\noptions: [unclosed\n"


async def test_create_from_yaml_dry_run_and_send(start_site: StartSite, browser: Browser, sink: HttpSink) -> None:
    site = await start_site()
    page = await open_page(browser, site, "#/handlers/cpu")
    await expect(page.get_by_text("Topic cpu has no handlers.")).to_be_visible()
    await page.get_by_role("button", name="+ New handler").click()
    editor = page.get_by_label("Handler file")
    await editor.fill(BROKEN)
    await page.get_by_role("button", name="Validate").click()
    status = page.locator("#handler-status")
    await expect(status).to_have_text("Line 5, column 1: handler.yaml:5:1: expected ',' or ']', but got '<stream end>'")
    await expect(editor).to_have_attribute("aria-invalid", "true")
    yaml_text = f"topic: cpu\nid: hook\nkind: post\nmatch: level() >= WARNING\noptions:\n  url: {sink.url}/hook\n"
    await editor.fill(yaml_text)
    await page.get_by_role("button", name="Save handler").click()
    await expect(status).to_have_text("Saved handler cpu/hook.")
    row = page.locator('tr[data-handler="hook"]')
    await expect(row).to_contain_text("post")
    await expect(row).to_contain_text("level() >= WARNING")
    spec = site.engine.get_handler("cpu", "hook")
    assert (spec.kind, spec.options, spec.match) == ("post", {"url": f"{sink.url}/hook"}, "level() >= WARNING")

    event = {"topic": "cpu", "id": "cpu:web1", "level": "CRITICAL", "message": "cpu high"}
    event["time"] = "2026-01-02T03:04:05Z"
    await page.get_by_label("Event (JSON, one object or a list)").fill(json.dumps(event))
    await page.get_by_role("button", name="Dry run", exact=True).click()
    result = page.locator('article[data-handler="hook"]')
    await expect(result).to_contain_text("hook (post): matches")
    await expect(result.locator('[data-part="head"]')).to_have_text(
        f"POST {sink.url}/hook\nContent-Type: application/json"
    )
    body = json.loads(await result.locator('[data-part="body"]').inner_text())
    assert body == {
        "id": "cpu:web1",
        "message": "cpu high",
        "details": "",
        "time": "2026-01-02T03:04:05Z",
        "duration": 0,
        "level": "CRITICAL",
        "data": {"series": None},
        "previousLevel": "OK",
        "recoverable": True,
    }
    assert sink.requests == []
    await screenshot(page, "handlers-dry-run")
    await page.get_by_role("button", name="Send this event for real").click()
    await expect(page.get_by_text("Sent: 1 event accepted. See Deliveries for the outcome.")).to_be_visible()
    (request,) = await sink.wait_for(1)
    assert request.json() == body

    await row.get_by_role("button", name="Delete").click()
    await row.get_by_role("button", name="Confirm: Delete").click()
    await expect(page.get_by_text("Topic cpu has no handlers.")).to_be_visible()
    await page.close()
