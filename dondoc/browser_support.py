"""Launching Debian's chromium for browser tests (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("DONDOC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


def expect(target: Any) -> Any:
    """Playwright's assertions, which wait for the page (a bare ``is_visible()`` right
    after a click can run before the next page has drawn)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


@contextmanager
def browser_page(*, width: int = 1280, height: int = 900) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the
    # tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="en-US")
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in(page: Any, base: str, username: str, password: str) -> None:
    """Sign in through the login page (after dropping any earlier session) and wait for
    the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot as ``$DONDOC_SCREENSHOTS/<name>.png`` when that folder is set, so
    that a person can look at the pages a browser test walked through."""
    folder = os.environ.get("DONDOC_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
