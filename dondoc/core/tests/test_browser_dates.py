"""In a real browser, on a phone: a date field takes typed digits and offers a calendar."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    browser_support.log_in(page, base, username, DEFAULT_PASSWORD)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
@pytest.mark.django_db(transaction=True)
def test_an_officer_types_or_picks_the_new_deadline(live_server, org, people, width,
                                                    height) -> None:
    document = make_document(org.catp, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2026, 5, 31),
                     assigned_on=dt.date(2026, 1, 5))
    base = live_server.url
    with browser_page(width=width, height=height) as page:
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, base, "officer")
        page.goto(f"{base}/tasks/{task.pk}/extend/")
        field = page.locator("#id_proposed_due")
        assert field.get_attribute("type") == "text"  # not the browser's own date input
        assert field.get_attribute("inputmode") == "numeric"  # the number pad on phones

        # The calendar button sits beside the field and picks a day as dd/mm/yyyy.
        button = page.get_by_role("button", name="Chọn ngày trên lịch")
        expect(button).to_be_visible()
        field_box, button_box = field.bounding_box(), button.bounding_box()
        assert abs(field_box["y"] - button_box["y"]) < 2  # on the same line
        assert button_box["x"] >= field_box["x"] + field_box["width"] - 1
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        calendar = page.locator(".date-popover")
        expect(calendar).to_be_visible()
        popover_box = calendar.bounding_box()
        assert popover_box["x"] >= 0 and popover_box["x"] + popover_box["width"] <= width
        screenshot(page, f"date-picker-{width}")
        calendar.locator(".datepicker-cell.day:not(.prev):not(.next)", has_text=re.compile(
            r"^15$")).click()
        assert calendar.is_hidden()
        assert re.fullmatch(r"15/\d\d/\d{4}", field.input_value())

        # Opening it again shows the typed day; Escape closes it.
        field.fill("30.6.2026")
        button.click()
        assert calendar.locator(".datepicker-cell.selected").inner_text() == "30"
        assert "6" in calendar.locator(".view-switch").inner_text()
        page.keyboard.press("Escape")
        assert calendar.is_hidden()

        # Digits only, as a phone keypad types them: read and shown as dd/mm/yyyy.
        field.fill("30062026")
        page.locator("#id_reason").fill("Chờ số liệu của các phường")
        assert field.input_value() == "30/06/2026"
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/tasks/{task.pk}/")
        assert errors == []
    assert task.extensions.get().proposed_due == dt.date(2026, 6, 30)
