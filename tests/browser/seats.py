"""Helpers of the sealed-bid browser tests: a signed-in browser context for a seat, and the bid
page's steps (fill, seal with WebCrypto, upload, save the key file, load it back, commit)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from trading.models import User


def signed_in_context(
    browser: Browser, base: str, user: User, violations: list[str]
) -> BrowserContext:
    """A browser context signed in as `user` (its session cookie set), collecting CSP breaches."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base}])

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", on_console)
    return context


def bid_seal_in_page(
    page: Page, offer: dict[str, str], documents: list[Path], key_file: Path
) -> None:
    """On the open bid page: fill `offer`, attach `documents`, seal and upload, save the key file
    (Playwright's download) at `key_file`, load it back as asked, commit; the page then shows
    the new version."""
    page.fill("#bid-price", offer["price"])
    page.fill("#bid-duration", offer["duration"])
    page.fill("#bid-quality", offer["quality"])
    page.fill("#bid-manager", offer["project_manager"])
    page.set_input_files("#bid-documents", [str(path) for path in documents])
    page.click("#bid-seal")
    expect(page.locator("#bid-key-step")).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        page.click("#bid-key-download")
    download.value.save_as(key_file)
    # Until the bidder proves it kept the key file, there is nothing to commit.
    expect(page.locator("#bid-commit")).to_be_disabled()
    page.set_input_files("#bid-key-check", str(key_file))
    expect(page.locator("#bid-commit")).to_be_enabled()
    page.click("#bid-commit")
    expect(page.locator("#bid-state")).to_contain_text("已递交第", timeout=15_000)
