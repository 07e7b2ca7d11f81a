"""In a real browser: staff urge every unit with overdue tasks in their scope, preview the
tasks, generate one letter with an appendix per unit and download it; the manager of a
unit addressed sees the notification and opens the letter. Screenshots
(desktop, phone) are saved under /tmp/dondoc-urging/ to be looked at."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as Docx

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.urging.models import UrgingLetter, UrgingRecord

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]
SHOTS = Path("/tmp/dondoc-urging")  # noqa: S108 - screenshots for people to look at


@pytest.mark.django_db(transaction=True)
def test_staff_urge_all_units_with_overdue_tasks_and_download_the_letter(
        live_server, world, org, people) -> None:
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.get_by_role("button", name="Đôn đốc, kiểm tra").or_(
            page.get_by_role("link", name="Đôn đốc, kiểm tra")).first.click()  # the menu
        page.locator("nav a[href='/urging/']").first.click()
        page.wait_for_url(f"{base}/urging/")
        page.locator("a[href='/urging/new/']").first.click()
        page.locator("#id_as_of").fill("01/05/2024")
        page.locator("#id_letter_date").fill("02/05/2024")
        page.locator("#id_reply_by").fill("10/05/2024")
        page.locator("#id_signer_name").fill("Đại tá Trần Văn Bình")
        page.locator("#preview-button").click()
        page.wait_for_selector("#preview-title")
        units = page.locator("#preview h3[data-unit]").evaluate_all(
            "els => els.map(e => e.dataset.unit)")
        assert units == ["PC08", "PX05"] or sorted(units) == ["PC08", "PX05"]
        page.screenshot(path=str(SHOTS / "urging-preview-1366.png"), full_page=True)
        page.locator("#generate-button").click()
        page.wait_for_selector("#letters")
        letter = UrgingLetter.objects.get()
        assert letter.number in page.locator("#letters").inner_text()
        page.screenshot(path=str(SHOTS / "urging-letters-1366.png"), full_page=True)
        with page.expect_download() as download_info:
            page.locator("#letters a.download-link").first.click()
        download = download_info.value
        data = Path(download.path()).read_bytes()
        document = Docx(io.BytesIO(data))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Phụ lục 1" in text and "Phụ lục 2" in text
        assert set(UrgingRecord.objects.values_list("unit__code", flat=True)) == {
            "PC08", "PX05"}
        # The manager of PC08 is told, and opens the letter from the notification.
        browser_support.log_in(page, base, "manager", DEFAULT_PASSWORD)
        page.goto(f"{base}/notifications/")
        notice = page.locator("button.notification-open", has_text=letter.number)
        notice.first.click()
        page.wait_for_url(f"{base}/urging/{letter.pk}/")
        expect(page.locator("#download-docx")).to_be_visible()
        page.screenshot(path=str(SHOTS / "urging-manager-letter-1366.png"), full_page=True)
        with page.expect_download() as download_info:
            page.locator("#download-docx").click()
        assert Path(download_info.value.path()).read_bytes() == data
        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.goto(f"{base}/urging/template/")
        expect(page.locator("#variables")).to_be_visible()
        page.screenshot(path=str(SHOTS / "urging-template-1366.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/urging/{letter.pk}/")
        page.screenshot(path=str(SHOTS / "urging-letter-390.png"), full_page=True)
        page.goto(f"{base}/urging/new/")
        page.screenshot(path=str(SHOTS / "urging-new-390.png"), full_page=True)
