"""In a real browser: Back and Forward after filtering a list restore a working page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans.tests.factories import make_document, make_group, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    browser_support.log_in(page, base, username, DEFAULT_PASSWORD)


def assert_working_filters(page) -> None:  # type: ignore[no-untyped-def]
    """Each unit picker is one live Tom Select control, closed, that opens on its options."""
    assert page.locator(".ts-dropdown:visible").count() == 0  # nothing drawn over the labels
    for name in ("lead", "coordinator"):
        assert page.locator(f"#f-{name} ~ .ts-wrapper").count() == 1
        assert page.evaluate(f"!!document.getElementById('f-{name}').tomselect")
        page.locator(f"#f-{name} ~ .ts-wrapper .ts-control").click()
        page.locator(f"#f-{name}-ts-dropdown .option").nth(1).wait_for()
        page.keyboard.press("Escape")
        page.locator("h1").click()  # close it again
    assert page.locator(".ts-dropdown:visible").count() == 0


@pytest.mark.django_db(transaction=True)
def test_back_and_forward_after_filtering_restore_a_working_page(live_server, org,
                                                                   people) -> None:
    document = make_document(org.catp, actor=people.staff)
    make_group(document, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, title="Nhiệm vụ của PC08")
    make_task(document, org.pc06, actor=people.staff, title="Nhiệm vụ của PC06")
    base = live_server.url
    with browser_page() as page:
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, base, "staff")
        page.goto(f"{base}/tasks/?q=")
        assert_working_filters(page)
        page.locator("#f-status").select_option("in_progress_overdue")
        page.wait_for_url(lambda url: "status=in_progress_overdue" in url)
        page.wait_for_load_state("networkidle")

        page.go_back()
        page.wait_for_url(lambda url: "status=" not in url)
        page.wait_for_load_state("networkidle")
        # The restored page may still be loading when the URL changes: wait for its field.
        expect(page.locator("#f-status")).to_have_value("")
        assert_working_filters(page)
        expect(page.get_by_text("Nhiệm vụ của PC06")).to_be_visible()

        page.go_forward()
        page.wait_for_url(lambda url: "status=in_progress_overdue" in url)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#f-status")).to_have_value("in_progress_overdue")
        assert_working_filters(page)
        assert errors == []  # no Content-Security-Policy violations
