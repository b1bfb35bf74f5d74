"""The alert-endpoints page: Slack with two workspaces, test alerts, secrets that never come back."""

from __future__ import annotations

from playwright.async_api import Browser, Locator, Page, expect

from tests.support.sink import Answer, HttpSink
from tests.web.conftest import StartSite, open_page, screenshot

SECRET_OPS = "T0OPS/B0OPS/opsSECRETvalue"
SECRET_DEV = "T0DEV/B0DEV/devSECRETvalue"


async def add_workspace(page: Page, name: str, url: str, channel: str) -> Locator:
    await page.get_by_role("button", name="+ Add Another Config").click()
    form = page.locator('form[data-entry="new"]')
    await form.locator('[data-field="workspace"] input').fill(name)
    await form.locator('[data-field="url"] input[type="password"]').fill(url)
    await form.locator('[data-field="channel"] input').fill(channel)
    await form.get_by_label("Enabled").check()
    await form.get_by_role("button", name="Save Changes").click()
    saved = page.locator(f'form[data-entry="{name}"]')
    await expect(saved.get_by_role("status")).to_have_text(f"Saved slack/{name}.")
    return saved


async def test_slack_two_workspaces_test_alerts_and_secrets(
    start_site: StartSite, browser: Browser, sink: HttpSink
) -> None:
    site = await start_site()
    page = await open_page(browser, site, "#/endpoints/slack")
    await expect(page.get_by_role("tab", name="slack")).to_have_attribute("aria-selected", "true")
    default = page.locator('form[data-entry=""]')
    save = default.get_by_role("button", name="Save Changes")
    await expect(save).to_be_disabled()
    await expect(default.get_by_role("button", name="Send Test Alert")).to_be_disabled()
    await default.locator('[data-field="channel"] input').fill("#general")
    await expect(save).to_be_enabled()
    await default.locator('[data-field="channel"] input').fill("")
    await expect(save).to_be_disabled()

    ops = await add_workspace(page, "ops", f"{sink.url}/services/{SECRET_OPS}", "#ops")
    dev = await add_workspace(page, "dev", f"{sink.url}/services/{SECRET_DEV}", "#dev")
    await expect(page.get_by_role("tab", name="slack enabled")).to_be_visible()
    # The saved secret shows as set, with Change and Cancel; an empty box keeps it.
    await expect(ops.locator('[data-field="url"]')).to_contain_text("✓ Value set")
    await ops.locator('[data-field="url"]').get_by_role("button", name="Change").click()
    await expect(ops.get_by_role("button", name="Save Changes")).to_be_disabled()
    await ops.locator('[data-field="url"] input[type="password"]').fill("https://hooks.example.com/x")
    await expect(ops.get_by_role("button", name="Save Changes")).to_be_enabled()
    await expect(ops.get_by_role("button", name="Send Test Alert")).to_be_disabled()
    await ops.locator('[data-field="url"]').get_by_role("button", name="Cancel").click()
    await expect(ops.get_by_role("button", name="Send Test Alert")).to_be_enabled()

    await ops.get_by_role("button", name="Send Test Alert").click()
    await expect(ops.get_by_role("status")).to_have_text("Test alert sent to slack/ops.")
    (request,) = await sink.wait_for(1)
    assert request.path == f"/services/{SECRET_OPS}"
    assert request.json()["channel"] == "#ops"

    sink.answer(Answer(404, body=b"no_service"))
    await dev.get_by_role("button", name="Send Test Alert").click()
    status = dev.get_by_role("status")
    await expect(status).to_contain_text("Test alert to slack/dev failed: ")
    await expect(status).to_contain_text("404")
    await expect(status).to_have_class("status status-error")
    await sink.wait_for(2)
    assert sink.requests[1].path == f"/services/{SECRET_DEV}"
    await screenshot(page, "endpoints-slack")

    # The server's 400 text appears next to the field it names.
    await page.get_by_role("tab", name="smtp").click()
    smtp = page.locator("form.entry")
    await smtp.locator('[data-field="port"] input').fill("25x")
    await smtp.get_by_role("button", name="Save Changes").click()
    await expect(smtp.locator('[data-field="port"] .field-error')).to_have_text("port must be a whole number")
    await smtp.locator('[data-field="port"] input').fill("2525")
    await smtp.locator('[data-field="idle-timeout"] input').fill("30s")
    await smtp.get_by_role("button", name="Save Changes").click()
    await expect(smtp.get_by_role("status")).to_have_text("Saved smtp.")
    await page.get_by_role("tab", name="kafka").click()
    kafka = page.locator('form[data-entry="default"]')
    await kafka.get_by_label("Enabled").check()
    await kafka.get_by_role("button", name="Save Changes").click()
    error = "failed to override configuration kafka/default: failed validation: no brokers specified, must provide at least one broker URL"  # noqa: E501
    await expect(kafka.locator('[data-field="brokers"] .field-error')).to_have_text(error)
    await screenshot(page, "endpoints-kafka-error")

    html = await page.content()
    assert SECRET_OPS not in html and SECRET_DEV not in html
    assert site.received, "the page made no requests"
    for url, body in site.received:
        assert SECRET_OPS not in body and SECRET_DEV not in body, url
    await page.close()
