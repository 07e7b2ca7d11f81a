"""In a real browser: an inspector plans an inspection, records a finding and a
recommendation (a due date before the inspection is refused next to the field), registers
the conclusion; the unit inspected opens it on a phone and sees its own part, as a task."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def _day(offset: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=offset)).strftime("%d/%m/%Y")


@pytest.mark.django_db(transaction=True)
def test_inspector_records_and_the_unit_sees_its_own_part(live_server, org, people) -> None:
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        browser_support.log_in(page, base, "inspector", DEFAULT_PASSWORD)
        page.goto(f"{base}/inspections/")
        page.get_by_role("link", name="Lập kế hoạch kiểm tra").click()
        page.locator("#id_title").fill("Kiểm tra thực hiện Nghị quyết 12-NQ/TW")
        page.locator("#id_subject_units").select_option([str(org.pc08.pk), str(org.pc06.pk)])
        page.locator("#id_period_start").fill(_day(-10))
        page.locator("#id_period_end").fill(_day(-12))  # before the start: refused
        page.locator("main button[type=submit]").click()
        expect(page.locator("#id_period_end_error")).to_be_visible()
        screenshot(page, "inspection-form-error-1366")
        page.locator("#id_period_end").fill(_day(-6))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/inspections/\d+/$"))
        detail = page.url

        page.get_by_role("link", name="Ghi kết quả kiểm tra").click()
        page.locator("#id_unit").select_option(value=str(org.pc08.pk))
        page.locator("#id_text").fill("PC08 chậm cập nhật tiến độ lắp đặt camera")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(detail)
        page.get_by_role("link", name="Ghi kết quả kiểm tra").click()
        page.locator("#id_unit").select_option(value=str(org.pc06.pk))
        page.locator("#id_text").fill("PC06 thiếu cán bộ số hoá hồ sơ")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(detail)

        page.get_by_role("link", name="Ghi kiến nghị").click()
        page.locator("#id_unit").select_option(value=str(org.pc08.pk))
        page.locator("#id_text").fill("Cập nhật đầy đủ tiến độ lắp đặt camera")
        page.locator("#id_due_date").fill(_day(-20))  # before the inspection: refused
        page.locator("main button[type=submit]").click()
        expect(page.locator("#id_due_date_error")).to_be_visible()
        page.locator("#id_due_date").fill(_day(30))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(detail)

        page.get_by_role("link", name="Đăng ký kết luận").click()
        page.locator("#id_number").fill("25/KL-TTr")
        page.locator("#id_issue_date").fill(_day(0))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(detail)
        expect(page.get_by_text("25/KL-TTr").first).to_be_visible()
        assert page.locator(".recommendation").get_by_text("Đang thực hiện trong hạn").count()
        screenshot(page, "inspection-detail-1366")

    with browser_page(width=390, height=844) as phone:
        browser_support.log_in(phone, base, "manager", DEFAULT_PASSWORD)
        phone.goto(detail)
        body = phone.locator("main").inner_text()
        assert "PC08 chậm cập nhật" in body and "PC06 thiếu cán bộ" not in body
        assert "Cập nhật đầy đủ tiến độ lắp đặt camera" in body
        screenshot(phone, "inspection-detail-unit-390")
        phone.locator(".recommendation a").first.click()
        phone.wait_for_url(re.compile(r".*/tasks/\d+/$"))
        assert "Cập nhật đầy đủ tiến độ" in phone.locator("main").inner_text()
        # The page is no wider than the phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_staff_make_a_meeting_conclusion_a_task_on_a_phone(live_server, org, people) -> None:
    from dondoc.inspections import services

    meeting = services.meeting_create(
        actor=people.staff, owner_unit=org.catp, title="Phiên họp Ban Chỉ đạo quý IV",
        held_on=timezone.localdate() - dt.timedelta(days=3), chair=people.leader)
    services.conclusion_add(actor=people.staff, meeting=meeting, lead_unit=org.pc08,
                            text="Phòng CSGT hoàn thành dự án camera",
                            due_date=timezone.localdate() + dt.timedelta(days=40))
    base = live_server.url
    with browser_page(width=390, height=844) as phone:
        browser_support.log_in(phone, base, "staff", DEFAULT_PASSWORD)
        phone.goto(f"{base}/meetings/{meeting.pk}/")
        phone.get_by_role("link", name="Đăng ký thông báo kết luận").first.click()
        phone.locator("#id_number").fill("145/TB-BCĐ")
        phone.locator("#id_issue_date").fill(_day(-1))
        phone.locator("main button[type=submit]").click()
        phone.wait_for_url(f"{base}/meetings/{meeting.pk}/")
        phone.get_by_role("link", name="Giao thành nhiệm vụ").click()
        assert phone.locator("#id_title").input_value() == "Phòng CSGT hoàn thành dự án camera"
        assert phone.locator("#id_due_date").input_value() == _day(40)
        screenshot(phone, "meeting-conclusion-task-form-390")
        phone.locator("main button[type=submit]").click()
        phone.wait_for_url(f"{base}/meetings/{meeting.pk}/")
        assert phone.locator(".conclusion").get_by_text("Đang thực hiện trong hạn").count()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "meeting-detail-390")
