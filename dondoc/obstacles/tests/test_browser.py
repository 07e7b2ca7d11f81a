"""In a real browser, on a desktop and on a phone: a unit manager turns the difficulties of
a progress report into an obstacle, staff escalate it, the register and the ageing view
show it. Screenshots go to $DONDOC_SCREENSHOTS when set."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.obstacles.models import Obstacle
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate(
        "document.scrollingElement.scrollWidth <= document.documentElement.clientWidth + 1"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height", "name"), [(1366, 768, "desktop"),
                                                        (390, 844, "phone")])
def test_progress_report_to_escalated_obstacle(live_server, org, people, width: int,
                                               height: int, name: str) -> None:
    document = services.document_create(
        actor=people.staff, kind="plan", number="118-KH/ĐUCA", title="Kế hoạch 118",
        issuer="Đảng ủy Công an Trung ương", issue_date=dt.date(2022, 5, 25),
        owner_unit=org.catp, code_prefix="KH118")
    task = services.task_create(
        actor=people.staff, document=document, title="Lắp đặt camera giám sát giao thông",
        lead_unit=org.pc08, assigning_unit=org.catp, due_date=dt.date(2030, 6, 30),
        assigned_on=dt.date(2025, 1, 10))
    services.progress_post(actor=people.manager, task=task, unit=org.pc08, percent=30,
                           results="Đã khảo sát 12 nút giao",
                           difficulties="Chưa được bố trí kinh phí lắp đặt camera",
                           proposals="Đề nghị Sở Tài chính bổ sung kinh phí")
    base = live_server.url
    with browser_page(width=width, height=height) as page:
        browser_support.log_in(page, base, "manager", DEFAULT_PASSWORD)
        page.goto(f"{base}/tasks/{task.pk}/")
        expect(page.get_by_role("link", name="Nêu khó khăn, vướng mắc")).to_be_visible()
        page.get_by_role("link", name="Nêu thành khó khăn, vướng mắc").click()
        page.wait_for_url(re.compile(r".*/obstacles/new/\?progress=\d+$"))
        assert page.locator("#id_description").input_value() == \
            "Chưa được bố trí kinh phí lắp đặt camera"
        # Sent without a kind: the error is next to the radios, in their fieldset.
        page.locator("main button[type=submit]").click()
        expect(page.locator("fieldset#id_category .invalid-feedback")).to_be_visible()
        screenshot(page, f"obstacle-form-error-{name}")
        assert no_sideways_scroll(page)
        page.get_by_label("Kinh phí").check()
        page.get_by_label("Một cơ quan bên ngoài").check()
        page.locator("#id_resolver_agency").fill("Sở Tài chính thành phố Đà Nẵng")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/obstacles/\d+/$"))
        obstacle = Obstacle.objects.get()
        assert obstacle.progress_update is not None
        expect(page.get_by_text("Đang mở").first).to_be_visible()
        page.goto(f"{base}/tasks/{task.pk}/")
        expect(page.get_by_role("link", name=f"Đã nêu thành vướng mắc số {obstacle.pk}")).to_be_visible()
        screenshot(page, f"obstacle-on-task-{name}")
        assert no_sideways_scroll(page)

        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.goto(f"{base}/obstacles/")
        expect(page.get_by_role("link", name=re.compile("Chưa được bố trí kinh phí"))).to_be_visible()
        screenshot(page, f"obstacle-register-{name}")
        assert no_sideways_scroll(page)
        page.get_by_role("link", name=re.compile("Chưa được bố trí kinh phí")).click()
        page.get_by_role("link", name="Báo cáo lãnh đạo").click()
        page.locator("#id_text").fill("Đề nghị Ban Giám đốc làm việc với Sở Tài chính")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/obstacles/{obstacle.pk}/")
        expect(page.get_by_text("Đã báo cáo lãnh đạo").first).to_be_visible()
        screenshot(page, f"obstacle-detail-{name}")
        assert no_sideways_scroll(page)
        page.goto(f"{base}/obstacles/ageing/")
        screenshot(page, f"obstacle-ageing-{name}")
        assert no_sideways_scroll(page)
    assert Obstacle.objects.get().state == "escalated"
