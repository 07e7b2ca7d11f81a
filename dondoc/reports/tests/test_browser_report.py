"""In a real browser: staff generate the Q3/2026 report, edit a section, issue it with
the demo certificate and see the signature valid. Screenshots (desktop and phone) go to
/tmp/dondoc-report/ to be looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.reports import signing
from dondoc.reports.models import ConsolidatedReport

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]
SHOTS = Path("/tmp/dondoc-report")  # noqa: S108 - screenshots for people to look at


@pytest.mark.django_db(transaction=True)
def test_staff_generate_edit_and_issue_a_signed_report(live_server, org, people, city,
                                                       quick_pdf, settings) -> None:
    signing.ensure_demo_certificate()
    people.staff.language = "en"
    people.staff.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        browser_support.log_in(page, base, people.staff.username, DEFAULT_PASSWORD)
        page.goto(f"{base}/reports/new/")
        page.locator("#id_document").select_option(str(city.document.pk))
        page.locator("#id_period").fill("Q3/2026")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/reports/*/")
        expect(page.locator("[data-testid=by-unit]")).to_be_visible()
        page.screenshot(path=str(SHOTS / "draft-1366.png"), full_page=True)
        page.locator("#id_signer_name").fill("Đại tá Nguyễn Văn Bình")
        page.locator("form:has(#id_signer_name) button[type=submit]").click()
        page.wait_for_load_state()
        page.locator("input[name=number]").fill("125/BC-CATP-PV01")
        page.locator("form[action$='/issue/'] button[type=submit]").click()
        # Issuing runs in the background queue: its job page, then back to the report.
        page.wait_for_url(f"{base}/jobs/*/")
        assert "Report issued and digitally signed." in page.locator("main").inner_text()
        page.get_by_role("link", name="Open the result").click()
        page.wait_for_url(f"{base}/reports/*/")
        signature = page.locator("[data-testid=signature]")
        assert "The digital signature is valid." in signature.inner_text()
        assert "DEMO certificate" in signature.inner_text()
        page.screenshot(path=str(SHOTS / "issued-1366.png"), full_page=True)
        report = ConsolidatedReport.objects.get()
        assert report.is_issued and report.signed and report.signer_name
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/reports/{report.pk}/")
        page.screenshot(path=str(SHOTS / "issued-390.png"), full_page=True)
        page.goto(f"{base}/reports/")
        assert "125/BC-CATP-PV01" in page.locator("[data-testid=report-table]").inner_text()
        page.screenshot(path=str(SHOTS / "list-390.png"), full_page=True)
        # On a phone each report is a card: its subject (the link that opens it) in sight.
        table = page.locator("[data-testid=report-table]")
        assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        subject = table.locator("td.report-subject a").first
        box = subject.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
