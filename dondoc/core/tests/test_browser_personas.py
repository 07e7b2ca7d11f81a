"""The five personas of the issue 9 walk-through, each on their main path, on a desktop
(1366×768) and a phone (390×844), in one browser for the module:

* ``canbo`` (an officer): home → the overdue card → the first task is in the first screen
  → the task → report progress ("Back" beside the form);
* ``thammuu`` (staff): not offered progress on another unit's task; the awaiting card →
  the decision form keeps the choice and shows its error beside the field; a filtered list
  with its filters as chips (the panel closed on a phone);
* ``lanhdao`` (a leader): statistics (on a phone the table scrolls with the unit column
  fixed) → a task → a direction;
* ``phuong`` (the manager of a unit without sub-units): no cascade offered; names the
  officer responsible;
* ``theodoi`` (a viewer of an external agency): reads the document shared with it and its
  task, with no action offered.

Set DONDOC_SCREENSHOTS to a folder to keep the screenshots of every page visited."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    chromium_available,
    expect,
    screenshot,
)
from dondoc.organization.models import Role, UnitKind
from dondoc.organization.tests.factories import DEFAULT_PASSWORD, UserFactory, make_unit
from dondoc.plans import services
from dondoc.plans.models import AccessLevel, TaskState
from dondoc.plans.tests.factories import make_document, make_group, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium for the whole module; each test opens its own context (window size,
    cookies)."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(params=list(SIZES))
def window(request, browser) -> Iterator[tuple[Any, str, int]]:  # type: ignore[no-untyped-def]
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    try:
        yield context.new_page(), request.param, height
    finally:
        context.close()


@pytest.fixture
def walk(org, people):  # type: ignore[no-untyped-def]
    """A plan of the agency with work for every persona."""
    today = timezone.localdate()
    document = make_document(org.catp, actor=people.staff)
    group = make_group(document, actor=people.staff)
    long_ago = today - dt.timedelta(days=90)
    for number in range(6):  # enough rows for the list to be a list
        make_task(document, org.pc08, actor=people.staff, group=group,
                  title=f"Việc đang làm của PC08 số {number + 1}", assigned_on=long_ago,
                  due_date=today + dt.timedelta(days=30 + number))
    overdue = make_task(document, org.pc08, actor=people.staff, group=group,
                        title="Việc quá hạn của PC08", assigned_on=long_ago,
                        due_date=today - dt.timedelta(days=6), coordinating_units=[org.pv01])
    awaiting = make_task(document, org.pc06, actor=people.staff, group=group,
                         title="Việc chờ xác nhận của PC06", assigned_on=long_ago,
                         due_date=today + dt.timedelta(days=10))
    services.completion_request(actor=people.outsider, task=awaiting, note="Đã xong, báo cáo")
    ward_manager = UserFactory(username="phuong", unit=org.pc08_d1, role=Role.UNIT_MANAGER,
                               otp_exempt=True, first_name="Quản lý", last_name="Đội")
    ward_task = make_task(document, org.pc08_d1, actor=people.staff, group=group,
                          title="Việc của Đội CSGT số 1", assigned_on=long_ago,
                          due_date=today + dt.timedelta(days=20))
    # A partner agency inside the city's scope (code sorted last: no sibling renumbered).
    external = make_unit(org.catp, "TGTU", "Ban Tuyên giáo Thành ủy", kind=UnitKind.EXTERNAL)
    UserFactory(username="theodoi", unit=external, role=Role.VIEWER, otp_exempt=True)
    shared = make_document(org.catp, actor=people.staff, number="25-CTr/TU",
                           title="Chương trình hành động của Thành ủy",
                           access_level=AccessLevel.RESTRICTED, shared_with_units=[external])
    shared_task = make_task(shared, org.pc08, actor=people.staff,
                            title="Tuyên truyền Nghị quyết 12", assigned_on=long_ago,
                            due_date=today + dt.timedelta(days=40),
                            coordinating_units=[external])
    return {"overdue": overdue, "awaiting": awaiting, "ward_task": ward_task,
            "ward_manager": ward_manager, "shared": shared, "shared_task": shared_task}


def log_in(page: Any, base: str, username: str) -> None:
    browser_support.log_in(page, base, username, DEFAULT_PASSWORD)


def open_card(page: Any, base: str, query: str) -> None:
    """From the home page, follow the attention card whose list has ``query``."""
    page.goto(f"{base}/")
    page.locator(f".attention-card[href*='{query}']").first.click()
    page.wait_for_load_state()


def header_statuses(page: Any) -> int:
    return int(page.locator("main h1").evaluate(
        "h => h.previousElementSibling.querySelectorAll('.status, .badge:not(.text-bg-danger)')"
        ".length"))


@pytest.mark.django_db(transaction=True)
def test_canbo_reports_progress_on_the_overdue_task(live_server, walk, window) -> None:
    page, size, height = window
    base = live_server.url
    log_in(page, base, "officer")
    open_card(page, base, "status=in_progress_overdue")
    first = page.locator(".task-table tbody tr").first
    box = first.bounding_box()
    assert box is not None and box["y"] < height, box  # in the first screen
    assert "Việc quá hạn của PC08" in first.inner_text()
    assert page.locator("details.filters").get_attribute("open") is None or size == "desktop"
    screenshot(page, f"persona-{size}-canbo-overdue")
    first.get_by_role("link", name="Việc quá hạn của PC08").click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    task_url = page.url
    assert header_statuses(page) == 1
    page.get_by_role("link", name="Báo cáo tiến độ").click()
    expect(page.get_by_role("link", name="Quay lại")).to_be_visible()
    assert page.get_by_role("link", name="Hủy", exact=True).count() == 0
    page.locator("#id_percent").fill("60")
    page.locator("#id_results").fill("Đã hoàn thành khảo sát 3/5 tuyến đường")
    screenshot(page, f"persona-{size}-canbo-progress")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(task_url)
    assert "3/5 tuyến đường" in page.locator(".timeline").inner_text()
    screenshot(page, f"persona-{size}-canbo-task")


@pytest.mark.django_db(transaction=True)
def test_thammuu_decides_and_filters(live_server, org, walk, window) -> None:
    page, size, height = window
    base = live_server.url
    log_in(page, base, "staff")
    # Another unit's task that the staff department coordinates: no progress report here.
    page.goto(f"{base}/tasks/{walk['overdue'].pk}/")
    assert page.get_by_role("link", name="Báo cáo tiến độ").count() == 0
    expect(page.get_by_role("link", name="Hủy nhiệm vụ")).to_be_visible()
    assert header_statuses(page) == 1
    screenshot(page, f"persona-{size}-thammuu-task")

    # The awaiting card → the task → a refusal without a reason.
    open_card(page, base, "status=awaiting_confirmation")
    page.get_by_role("link", name="Việc chờ xác nhận của PC06").first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    decision = page.locator("fieldset#id_completion-decision")
    assert decision.locator("legend").inner_text().startswith("Quyết định")
    decision.get_by_label("Trả lại / không đồng ý").check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    page.wait_for_load_state()
    error = page.locator("#id_completion-note_error")
    assert error.inner_text() == "Nêu lý do."
    expect(error).to_be_visible()
    assert page.locator("fieldset#id_completion-decision").get_by_label(
        "Trả lại / không đồng ý").is_checked()
    screenshot(page, f"persona-{size}-thammuu-decision-error")
    page.locator("fieldset#id_completion-decision").get_by_label("Đồng ý", exact=True).check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    walk["awaiting"].refresh_from_db()
    assert walk["awaiting"].state == TaskState.COMPLETED

    # A filtered list: chips above the results; on a phone the panel starts closed.
    page.goto(f"{base}/tasks/?status=in_progress_on_time&lead={org.pc08.pk}")
    panel = page.locator("details.filters")
    assert (panel.get_attribute("open") is None) == (size == "phone")
    assert "(2)" in panel.locator("summary").inner_text()
    chips = page.locator(".filter-chips .filter-chip:not(.filter-chip-clear)")
    assert chips.count() == 2
    box = page.locator(".task-table tbody tr").first.bounding_box()
    assert box is not None and box["y"] < height
    screenshot(page, f"persona-{size}-thammuu-chips")
    chips.filter(has_text="Trạng thái").click()
    page.wait_for_load_state()
    assert "status=" not in page.url and f"lead={org.pc08.pk}" in page.url
    assert page.locator(".filter-chips .filter-chip:not(.filter-chip-clear)").count() == 1


@pytest.mark.django_db(transaction=True)
def test_lanhdao_reads_statistics_and_gives_a_direction(live_server, walk, window) -> None:
    page, size, _height = window
    base = live_server.url
    log_in(page, base, "leader")
    page.goto(f"{base}/statistics/")
    first_cell = page.locator("table.stat-table tbody tr td").first
    position = first_cell.evaluate("td => getComputedStyle(td).position")
    assert position == ("sticky" if size == "phone" else "static")
    if size == "phone":  # the table scrolls sideways, the unit column stays
        scroller = page.locator(".table-responsive:has(table.stat-table)").first
        before = first_cell.bounding_box()
        scroller.evaluate("el => { el.scrollLeft = 400; }")
        after = first_cell.bounding_box()
        assert before is not None and after is not None and after["x"] == before["x"]
    screenshot(page, f"persona-{size}-lanhdao-statistics")
    page.goto(f"{base}/tasks/{walk['overdue'].pk}/")
    assert header_statuses(page) == 1
    page.locator("form[action$='/direction/'] textarea").fill("Khẩn trương hoàn thành")
    page.get_by_role("button", name="Cho ý kiến chỉ đạo").click()
    page.wait_for_load_state()
    assert "Khẩn trương hoàn thành" in page.locator(".timeline").inner_text()
    screenshot(page, f"persona-{size}-lanhdao-direction")


@pytest.mark.django_db(transaction=True)
def test_phuong_names_the_officer_responsible(live_server, people, walk, window) -> None:
    page, size, _height = window
    base = live_server.url
    log_in(page, base, "phuong")
    page.goto(f"{base}/tasks/mine/")
    page.get_by_role("link", name="Việc của Đội CSGT số 1").first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    assert page.get_by_role("link", name="Giao nhiệm vụ con").count() == 0
    panel = page.locator("#people")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    name = people.team_officer.get_full_name()
    panel.get_by_label(name).check()
    panel.get_by_role("button", name="Lưu cán bộ được giao").click()
    page.wait_for_load_state()
    assert name in page.locator(".task-facts").inner_text()
    screenshot(page, f"persona-{size}-phuong-task")


@pytest.mark.django_db(transaction=True)
def test_theodoi_reads_the_shared_document_and_its_task(live_server, walk, window) -> None:
    page, size, _height = window
    base = live_server.url
    log_in(page, base, "theodoi")
    page.goto(f"{base}/documents/")
    page.get_by_role("link", name="25-CTr/TU").first.click()
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    screenshot(page, f"persona-{size}-theodoi-document")
    page.get_by_role("link", name="Tất cả nhiệm vụ của văn bản").click()
    page.wait_for_load_state()
    screenshot(page, f"persona-{size}-theodoi-tasks")
    page.get_by_role("link", name="Tuyên truyền Nghị quyết 12").first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
    assert header_statuses(page) == 1
    assert page.locator(".task-actions a, .task-actions button").count() == 0
    screenshot(page, f"persona-{size}-theodoi-task")
