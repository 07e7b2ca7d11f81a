"""In a real browser (issue 9, item 1): after filtering a task list with htmx, the URL,
the list, the status tabs and the Excel export all describe the same set of tasks, and
pressing the filter button again does not repeat the URL's parameters."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dondoc.browser_support import browser_page, chromium_available
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.plans.tests.test_browser_flow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def _world(org, people):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    first = make_document(org.catp, actor=people.staff, code_prefix="KHA")
    second = make_document(org.catp, actor=people.staff, code_prefix="KHB")
    for document in (first, second):
        for unit in (org.pc08, org.pc06):
            make_task(document, unit, actor=people.staff, assigned_on=today - dt.timedelta(60),
                      due_date=today - dt.timedelta(days=5))  # overdue
            make_task(document, unit, actor=people.staff, assigned_on=today - dt.timedelta(60),
                      due_date=today + dt.timedelta(days=40))  # in progress
    awaiting = make_task(first, org.pc08, actor=people.staff,
                         assigned_on=today - dt.timedelta(60), due_date=today)
    services.completion_request(actor=people.officer, task=awaiting, note="Xong")
    return first


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("#task-results tbody tr .task-title").count()


@pytest.mark.django_db(transaction=True)
def test_the_export_tabs_url_and_list_describe_the_same_tasks(live_server, org, people):
    first = _world(org, people)
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        log_in(page, base, "staff")
        page.goto(f"{base}/tasks/")
        assert _rows(page) == 9
        page.locator("details.filters").evaluate("details => { details.open = true; }")
        with page.expect_response(lambda r: "/tasks/?" in r.url):
            page.locator("#f-status").select_option("in_progress_overdue")
        with page.expect_response(lambda r: "/tasks/?" in r.url):
            page.locator("#f-document").select_option(str(first.pk))
        for _press in range(3):
            with page.expect_response(lambda r: "/tasks/?" in r.url):
                page.locator("details.filters button[type=submit]").click()
        # Playwright's expect polls from outside the page: a predicate evaluated inside
        # it (wait_for_function) is refused by the page's CSP (no 'unsafe-eval').
        expect(page.locator("#task-results .task-title")).to_have_count(2)

        url = _params(page.url)
        assert all(len(values) == 1 for values in url.values()), page.url
        assert url["status"] == ["in_progress_overdue"]
        assert url["document"] == [str(first.pk)]
        export_href = page.locator("#export-link").get_attribute("href") or ""
        export = _params(export_href)
        assert export["status"] == ["in_progress_overdue"]
        assert export["document"] == [str(first.pk)]
        assert all(len(values) == 1 for values in export.values()), export_href
        workbook = page.request.get(f"{base}{export_href}")
        assert workbook.ok
        sheet = openpyxl.load_workbook(io.BytesIO(workbook.body())).active
        codes = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
        listed = page.locator("#task-results tbody tr code").all_inner_texts()
        assert sorted(codes) == sorted(listed) and len(codes) == 2
        print_href = page.locator("#print-link").get_attribute("href") or ""
        assert _params(print_href)["status"] == ["in_progress_overdue"]


@pytest.mark.django_db(transaction=True)
def test_my_tasks_tabs_follow_the_status_filter(live_server, org, people):
    _world(org, people)
    base = live_server.url
    with browser_page(width=390, height=844) as page:
        log_in(page, base, "officer")
        page.goto(f"{base}/tasks/mine/?status=in_progress_overdue")
        danger = page.locator(".status-tabs a.btn-danger")
        assert danger.count() == 1 and _rows(page) == 2
        page.locator("details.filters").evaluate("details => { details.open = true; }")
        with page.expect_response(lambda r: "/tasks/mine/?" in r.url):
            page.locator("#f-status").select_option("awaiting_confirmation")
        expect(page.locator("#task-results .task-title")).to_have_count(1)
        # The highlighted tab is the list's status, not the one the page opened with.
        assert page.locator(".status-tabs a.btn-danger").count() == 0
        assert page.locator(".status-tabs a.btn-secondary").count() == 1
        export = _params(page.locator("#export-link").get_attribute("href") or "")
        assert export["status"] == ["awaiting_confirmation"]
        assert export["unit"] == [str(org.pc08.pk)]  # the unit of "my tasks" is kept
        assert _params(page.url)["status"] == ["awaiting_confirmation"]
