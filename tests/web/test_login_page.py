"""Signing in to the page when `[http] auth-enabled = true`: refused and accepted credentials, writes, sign-out."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.support.config import OPEN_POLICY_TOML
from tests.web.conftest import FAST_RETRY, StartSite, open_page, screenshot

ADMIN, PASSWORD = "root", "root-pass-1"
AUTH = f'[http]\nauth-enabled = true\nadmin-user = "{ADMIN}"\nadmin-password = "{PASSWORD}"\n'


async def test_sign_in_use_the_page_and_sign_out(start_site: StartSite, browser: Browser) -> None:
    site = await start_site(FAST_RETRY + AUTH + OPEN_POLICY_TOML)
    page = await open_page(browser, site, "#/topics")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("navigation", name="Pages")).to_be_hidden()
    await page.get_by_label("Username").fill(ADMIN)
    await page.get_by_label("Password").fill("wrong")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("wrong username or password")
    await screenshot(page, "login-refused")

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Topics", exact=True)).to_be_visible()
    await expect(page.get_by_text(f"Signed in as {ADMIN}")).to_be_visible()
    (cookie,) = await page.context.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (
        "tocsin_session",
        True,
        "Strict",
        False,
    )
    assert await page.evaluate("document.cookie") == ""

    # A write from the page carries the CSRF token: create a handler through the editor.
    await page.goto(f"{site.url}/#/handlers/cpu")
    await expect(page.get_by_text("Topic cpu has no handlers.")).to_be_visible()
    await page.get_by_role("button", name="+ New handler").click()
    await page.get_by_label("Handler file").fill("topic: cpu\nid: keep\nkind: log\noptions:\n  path: /dev/null\n")
    await page.get_by_role("button", name="Save handler").click()
    await expect(page.locator("#handler-status")).to_have_text("Saved handler cpu/keep.")
    assert site.engine.get_handler("cpu", "keep").kind == "log"

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text("You are signed out.")
    assert await page.context.cookies() == []
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.close()


async def test_an_ended_session_brings_back_the_sign_in_form(start_site: StartSite, browser: Browser) -> None:
    site = await start_site(FAST_RETRY + AUTH)
    page = await open_page(browser, site, "#/topics")
    await page.get_by_label("Username").fill(ADMIN)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Topics", exact=True)).to_be_visible()
    await page.context.clear_cookies()
    await page.get_by_role("link", name="Deliveries").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text("Signed out: unable to parse authentication credentials")
    await page.close()


async def test_without_auth_there_is_no_sign_in(start_site: StartSite, browser: Browser) -> None:
    site = await start_site()
    page = await open_page(browser, site, "#/topics")
    await expect(page.get_by_role("heading", name="Topics", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    await page.close()
