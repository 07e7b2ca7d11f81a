"""In a real browser: staff assigns a task; the unit manager sees the bell's count, opens
the list and clicks through to the task."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


@pytest.mark.django_db(transaction=True)
def test_the_bell_counts_the_list_opens_and_leads_to_the_task(live_server, org,
                                                              people) -> None:
    document = services.document_create(
        actor=people.staff, kind="plan", number="118-KH/ĐUCA", title="Kế hoạch 118",
        issuer="Đảng ủy Công an Trung ương", issue_date=dt.date(2022, 5, 25),
        owner_unit=org.catp, code_prefix="KH118")
    task = services.task_create(
        actor=people.staff, document=document, title="Lắp đặt camera giám sát giao thông",
        lead_unit=org.pc08, assigning_unit=org.catp, due_date=dt.date(2030, 6, 30))
    services.direction_add(actor=people.leader, task=task, text="Ưu tiên các nút giao")
    base = live_server.url
    for width, height, name in ((390, 844, "phone"), (1366, 768, "desktop")):
        with browser_page(width=width, height=height) as page:
            browser_support.log_in(page, base, "manager", DEFAULT_PASSWORD)
            suffix = "-compact" if name == "phone" else ""
            bell = page.get_by_test_id(f"notification-bell{suffix}")
            assert page.get_by_test_id(f"unread-count{suffix}").inner_text() == "2"
            screenshot(page, f"notifications-bell-{name}")
            bell.click()
            page.wait_for_url(re.compile(r".*/notifications/\?show=unread$"))
            expect(page.get_by_text("Nhiệm vụ mới KH118.1 giao cho Phòng Cảnh sát giao "
                                    "thông")).to_be_visible()
            expect(page.get_by_text("Ưu tiên các nút giao")).to_be_visible()
            screenshot(page, f"notifications-list-{name}")
            if name == "phone":
                continue
            page.get_by_role("button", name=re.compile("Nhiệm vụ mới KH118.1")).click()
            page.wait_for_url(f"{base}/tasks/{task.pk}/")
            expect(page.get_by_text("Lắp đặt camera giám sát giao thông").first).to_be_visible()
            assert page.get_by_test_id("unread-count").inner_text() == "1"
