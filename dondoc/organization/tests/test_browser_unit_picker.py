"""In a real browser: a unit picker of a tree too large to list in the page (issue 15)
finds units as the user types, whatever the accents, and filters the task list by the one
chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available
from dondoc.organization import selectors
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans.tests.factories import make_document, make_group, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


@pytest.mark.django_db(transaction=True)
def test_typing_finds_a_unit_on_the_server_and_filters_by_it(live_server, org, people,
                                                             monkeypatch) -> None:
    monkeypatch.setattr(selectors, "PICKER_INLINE_LIMIT", 3)
    document = make_document(org.catp, actor=people.staff)
    make_group(document, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, title="Nhiệm vụ của PC08")
    make_task(document, org.pc06, actor=people.staff, title="Nhiệm vụ của PC06")
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.goto(f"{base}/tasks/")
        expect(page.locator("#task-results .task-title")).to_have_count(2)
        page.locator("details.filters").evaluate("details => { details.open = true; }")
        assert page.locator("#f-lead option").count() == 1  # "All" only: nothing listed
        page.locator("#f-lead ~ .ts-wrapper .ts-control").click()
        # Typed only once the picker's own input has the focus: on a busy machine the
        # keys could otherwise land before it takes it, and no search would be asked.
        expect(page.locator("#f-lead-ts-control")).to_be_focused()
        with page.expect_response(lambda r: "/units/options/?q=" in r.url):
            page.keyboard.type("quan ly hanh")
        option = page.locator("#f-lead-ts-dropdown .option", has_text="PC06")
        expect(option).to_have_count(1)
        assert "Phòng Cảnh sát quản lý hành chính" in option.inner_text()
        with page.expect_response(lambda r: "/tasks/?" in r.url):
            option.click()
        expect(page.locator("#task-results .task-title")).to_have_count(1)
        assert "Nhiệm vụ của PC06" in page.locator("#task-results").inner_text()
        assert f"lead={org.pc06.pk}" in page.url
        # Reloaded, the chosen unit is still shown in its picker.
        page.reload()
        assert "PC06" in page.locator("#f-lead ~ .ts-wrapper .ts-control").inner_text()
