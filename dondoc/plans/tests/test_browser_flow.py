"""In a real browser: staff assigns a task, the officer reports and asks for completion,
staff approves, and the task shows 'completed on time'."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    browser_support.log_in(page, base, username, DEFAULT_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_assign_report_complete_approve(live_server, org, people) -> None:
    document = services.document_create(
        actor=people.staff, kind="plan", number="118-KH/ĐUCA", title="Kế hoạch 118",
        issuer="Đảng ủy Công an Trung ương", issue_date=dt.date(2022, 5, 25),
        owner_unit=org.catp, code_prefix="KH118")
    services.group_create(actor=people.staff, document=document, number="I",
                          title="Quán triệt, tuyên truyền")
    base = live_server.url
    due = (timezone.localdate() + dt.timedelta(days=14)).strftime("%d/%m/%Y")
    with browser_page() as page:
        # Staff assigns the task.
        log_in(page, base, "staff")
        page.goto(f"{base}/tasks/new/?document={document.pk}")
        page.locator("#id_group").select_option(label="I. Quán triệt, tuyên truyền")
        page.locator("#id_title").fill("Tổ chức hội nghị quán triệt Nghị quyết 12")
        page.locator("#id_lead_unit").select_option(value=str(org.pc08.pk))
        page.locator("#id_due_date").fill(due)
        page.locator("#id_expected_product").fill("Báo cáo kết quả hội nghị")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
        task_url = page.url
        expect(page.get_by_text("KH118-I.1").first).to_be_visible()

        # The officer of the lead unit reports progress, then asks for completion.
        log_in(page, base, "officer")
        page.goto(task_url)
        page.get_by_role("link", name="Báo cáo tiến độ").click()
        page.locator("#id_percent").fill("100")
        page.locator("#id_results").fill("Đã tổ chức hội nghị cho 100% cán bộ")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(task_url)
        page.get_by_role("link", name="Đề nghị hoàn thành").click()
        page.locator("#id_note").fill("Đã hoàn thành, gửi kèm báo cáo")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(task_url)
        expect(page.locator(".status-awaiting_confirmation").first).to_be_visible()

        # Staff approves; the status reads 'completed on time'.
        log_in(page, base, "staff")
        page.goto(task_url)
        page.locator("input[name=completion-decision][value=approve]").check()
        page.get_by_role("button", name="Ghi nhận quyết định").first.click()
        page.wait_for_url(task_url)
        badge = page.locator(".status-completed_on_time").first
        expect(badge).to_be_visible()
        assert "Hoàn thành đúng hạn" in badge.inner_text()
