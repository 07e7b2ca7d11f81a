"""In a real browser, on a desktop and on a phone: a unit manager opens the camera target,
sees the trajectory and the league table, enters a measurement (a bad number first).
Screenshots go to $DONDOC_SCREENSHOTS when set."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services as plans
from dondoc.targets import services
from dondoc.targets.models import Measurement

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
def test_unit_enters_a_measurement(live_server, org, people, width: int, height: int,
                                   name: str) -> None:
    document = plans.document_create(
        actor=people.staff, kind="investment", number="4125/QĐ-UBND",
        title="Dự án Hệ thống camera giám sát an ninh, trật tự", issuer="UBND thành phố",
        issue_date=dt.date(2022, 12, 28), owner_unit=org.catp, code_prefix="DA13")
    target = services.target_create(
        actor=people.staff, document=document, name="Camera giám sát lắp đặt",
        measure_unit="camera", direction="higher", baseline_value=Decimal(0),
        baseline_date=dt.date(2023, 1, 1), target_value=Decimal(300),
        target_date=dt.date(2026, 6, 30),
        shares=[services.UnitShare(org.pc08, Decimal(200)),
                services.UnitShare(org.pc06, Decimal(100))])
    for day, whole, pc08, pc06 in [(dt.date(2023, 6, 30), 30, 25, 5),
                                   (dt.date(2024, 6, 30), 110, 80, 30),
                                   (dt.date(2025, 6, 30), 190, 130, 60)]:
        for unit, value in ((None, whole), (org.pc08, pc08), (org.pc06, pc06)):
            services.measurement_add(actor=people.staff, target=target, unit=unit,
                                     period_end=day, value=Decimal(value), note="Báo cáo")
    base = live_server.url
    with browser_page(width=width, height=height) as page:
        browser_support.log_in(page, base, "manager", DEFAULT_PASSWORD)
        page.goto(f"{base}/targets/")
        page.get_by_role("link", name="Camera giám sát lắp đặt").click()
        page.wait_for_url(re.compile(r".*/targets/\d+/$"))
        assert page.locator("svg polyline").count() == 2
        expect(page.get_by_role("heading", name="Bảng xếp hạng đơn vị")).to_be_visible()
        screenshot(page, f"target-detail-{name}")
        assert no_sideways_scroll(page)
        # The chart's years and figures stay readable (about 12 px) on a phone too.
        assert page.evaluate("""() => Math.min(...[...document.querySelectorAll(
            '.target-chart text')].map(label => label.getBoundingClientRect().height))""") >= 11
        page.get_by_role("link", name="Nhập kết quả đo").click()
        page.locator("#id_period_end").fill("30/09/2025")
        page.locator("#id_value").fill("một trăm")
        page.locator("#id_note").fill("Báo cáo quý III")
        page.locator("main button[type=submit]").click()
        expect(page.locator("#id_value_error")).to_be_visible()
        screenshot(page, f"target-measure-error-{name}")
        assert no_sideways_scroll(page)
        page.locator("#id_value").fill("150")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/targets/{target.pk}/")
        screenshot(page, f"target-after-{name}")
        assert no_sideways_scroll(page)
    assert Measurement.objects.filter(unit=org.pc08, value=150,
                                      entered_by__username="manager").exists()
