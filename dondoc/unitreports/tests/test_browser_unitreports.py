"""In a real browser, on a desktop and on a phone: the unit fills and submits its period
report, staff return it with a reason, the unit corrects and submits it again."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services as plan_services
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.progress.periods import period_of_kind
from dondoc.unitreports import services
from dondoc.unitreports.models import ReportState, UnitReport

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_fill_submit_return_resubmit(live_server, org, people, width, height) -> None:
    today = timezone.localdate()
    quarter = period_of_kind("quarter", today)
    document = make_document(org.catp, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff, assigned_on=quarter.start,
                     due_date=quarter.end)
    plan_services.progress_post(actor=people.officer, task=task, unit=org.pc08, percent=60,
                                results="Đã lắp đặt 40 camera giám sát giao thông",
                                difficulties="Thiếu kinh phí bảo trì",
                                proposals="Bổ sung kinh phí năm sau", reported_on=today)
    services.obligation_create(
        actor=people.staff, document=document, owner_unit=org.catp,
        title="Báo cáo quý thực hiện Nghị quyết 12", kind="quarter", units=[org.pc08],
        with_subunits=False, first_period=quarter, last_period=quarter,
        deadline_rule="days_after_end", deadline_value=10, on=quarter.start)
    base = live_server.url
    size = f"{width}x{height}"
    with browser_page(width=width, height=height) as page:
        browser_support.log_in(page, base, "officer", DEFAULT_PASSWORD)
        page.goto(f"{base}/unit-reports/")
        screenshot(page, f"unitreports-{size}-1-mine")
        page.locator(".my-reports button[type=submit]").first.click()
        page.wait_for_url(re.compile(r".*/unit-reports/\d+/$"))
        url = page.url
        assert "40 camera" in page.locator("#id_results").input_value()
        assert "Thiếu kinh phí" in page.locator("#id_difficulties").input_value()
        page.locator("#id_proposals").fill("Đề nghị bổ sung kinh phí bảo trì camera")
        screenshot(page, f"unitreports-{size}-2-fill")
        page.locator("button[name=submit]").click()
        page.wait_for_url(url)
        expect(page.locator(".status[data-state=submitted]").first).to_be_visible()

        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.goto(url)
        page.locator("#id_reason").fill("Bổ sung số liệu camera theo từng quận")
        screenshot(page, f"unitreports-{size}-3-review")
        page.locator("form[action$='/return/'] button").click()
        page.wait_for_url(url)
        expect(page.locator(".status[data-state=returned]").first).to_be_visible()

        browser_support.log_in(page, base, "officer", DEFAULT_PASSWORD)
        page.goto(url)
        assert "theo từng quận" in page.locator("[data-testid=return-reason]").inner_text()
        page.locator("#id_results").fill("Đã lắp đặt 40 camera: Hải Châu 15, Thanh Khê 25")
        page.locator("button[name=submit]").click()
        page.wait_for_url(url)
        expect(page.locator(".status[data-state=submitted]").first).to_be_visible()
        screenshot(page, f"unitreports-{size}-4-resubmitted")

        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.goto(f"{base}/unit-reports/matrix/")
        expect(page.locator(".report-matrix [data-state=submitted]").first).to_be_visible()
        screenshot(page, f"unitreports-{size}-5-matrix")
    report = UnitReport.objects.get()
    assert report.state == ReportState.SUBMITTED and "Hải Châu 15" in report.results
