"""In a real browser, on a desktop and on a phone: a unit manager fills the vehicles table
(one wrong row first: the message shows next to the row), then submits.
Screenshots go to $DONDOC_SCREENSHOTS when set."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.surveys import services
from dondoc.surveys.builtin_forms import ensure_builtin_forms
from dondoc.surveys.models import Submission, SubmissionStatus, SurveyForm

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]

ROWS = [(3, 2, 1, 0), (12, 8, 3, 1), (0, 0, 0, 0), (0, 0, 0, 0), (1, 1, 0, 0)]


def clipped_inputs(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The ids of the table's inputs whose value does not fit in the box."""
    return list(page.evaluate("""() => [...document.querySelectorAll('.survey-table input')]
        .filter(el => el.type !== 'checkbox' && el.scrollWidth > el.clientWidth)
        .map(el => el.id)"""))


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate(
        "document.scrollingElement.scrollWidth <= document.documentElement.clientWidth + 1"))


def cut_off(page, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The tables matching ``table`` wider than their box: a column out of sight."""
    return list(page.evaluate("""(table) => [...document.querySelectorAll(table)]
        .filter(el => el.parentElement.scrollWidth > el.parentElement.clientWidth + 1)
        .map(el => el.className)""", table))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height", "name"), [(1366, 768, "desktop"),
                                                        (390, 844, "phone")])
def test_a_unit_manager_fills_the_table_and_submits(live_server, org, people, width: int,
                                                    height: int, name: str) -> None:
    ensure_builtin_forms()
    campaign = services.campaign_create(
        actor=people.staff, title="Khảo sát phương tiện 2026",
        form=SurveyForm.objects.filter(key="vehicles").latest("version"),
        reference_date=dt.date(2026, 9, 30), deadline=dt.date(2099, 12, 31),
        units=[org.pc08])
    services.campaign_open(actor=people.staff, campaign=campaign)
    submission = Submission.objects.get(campaign=campaign)
    base = live_server.url
    with browser_page(width=width, height=height) as page:
        browser_support.log_in(page, base, "manager", DEFAULT_PASSWORD)
        page.goto(f"{base}/surveys/")
        page.get_by_role("link", name="Trả lời").click()
        page.wait_for_url(re.compile(r".*/surveys/submissions/\d+/$"))
        for index, (quantity, good, fair, unusable) in enumerate(ROWS):
            for column, value in (("quantity", quantity), ("good", good), ("fair", fair),
                                  ("unusable", unusable)):
                page.locator(f"#t-vehicles-{index}-{column}").fill(str(value))
        page.locator("#t-vehicles-1-good").fill("9")  # 9 + 3 + 1 ≠ 12
        page.locator("#t-vehicles-0-average_age").fill("6,5")
        # a city's fleet runs to hundreds: every figure stays readable, even on a phone
        for column in ("quantity", "good", "fair", "unusable"):
            page.locator(f"#t-vehicles-2-{column}").fill("1234")
        assert clipped_inputs(page) == []
        assert cut_off(page, ".survey-table") == []  # every column in sight, phone too
        if name == "phone":  # each input says which column it is for
            expect(page.locator("#row-vehicles-0 .card-label").first).to_be_visible()
        for column in ("quantity", "good", "fair", "unusable"):
            page.locator(f"#t-vehicles-2-{column}").fill("0")
        page.get_by_role("button", name="Gửi").click()
        page.wait_for_load_state()
        expect(page.locator("#form-top")).to_be_visible()
        expect(page.locator("#row-vehicles-1").get_by_text(
            "Tốt + trung bình + hỏng phải bằng số lượng.").first).to_be_visible()
        assert page.locator("#t-vehicles-0-average_age").input_value() == "6,5"
        screenshot(page, f"survey-error-{name}")
        assert no_sideways_scroll(page)
        page.locator("#t-vehicles-1-good").fill("8")
        page.get_by_role("button", name="Gửi").click()
        page.wait_for_url(f"{base}/surveys/submissions/{submission.pk}/")
        assert page.locator("#submission-status").inner_text().strip() != ""
        screenshot(page, f"survey-submitted-{name}")
        assert no_sideways_scroll(page)
        # The staff's consolidation: every figure in sight and the unit names not squeezed.
        browser_support.log_in(page, base, "staff", DEFAULT_PASSWORD)
        page.goto(f"{base}/surveys/campaigns/{campaign.pk}/consolidation/?submitted=1")
        screenshot(page, f"survey-consolidation-{name}")
        assert no_sideways_scroll(page)
        assert cut_off(page, ".survey-consolidation") == []
        unit = page.locator(".survey-consolidation tbody th").last
        assert unit.bounding_box()["width"] >= min(width * 0.6, 200)
        expect(page.locator(".survey-consolidation tbody td").first).to_be_visible()
        # One drawing of the chart for the screen, its labels readable (a phone's too).
        chart = page.locator("svg.survey-chart:visible")
        assert chart.count() == 1
        heights = [box["height"] for box in (label.bounding_box() for label in
                                             chart.locator("text").all()) if box]
        assert heights and min(heights) >= 9.5, heights
    saved = Submission.objects.select_related("current").get(pk=submission.pk)
    assert saved.status == SubmissionStatus.SUBMITTED
    assert saved.answers["vehicles"][1] == {"row": "motorbikes", "quantity": 12, "good": 8,
                                            "fair": 3, "unusable": 1}
    assert saved.answers["vehicles"][0]["average_age"] == "6.5"
