"""In a real browser: a staff officer logs in and opens the unit tree in Vietnamese."""

from __future__ import annotations

import pytest

from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.organization.tests.factories import DEFAULT_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


@pytest.mark.django_db(transaction=True)
def test_staff_logs_in_and_sees_the_unit_tree_in_vietnamese(live_server, people) -> None:
    with browser_page() as page:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == "vi"
        page.get_by_label("Tên đăng nhập").fill("staff")
        page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/")
        page.get_by_role("button", name="Tổ chức").click()  # the Organisation menu
        page.get_by_role("link", name="Đơn vị", exact=True).click()
        page.wait_for_url(f"{live_server.url}/units/")
        expect(page.get_by_role("heading", name="Cây đơn vị")).to_be_visible()
        expect(page.get_by_role("link", name="Phòng Cảnh sát giao thông")).to_be_visible()
        expect(page.get_by_role("columnheader", name="Mã")).to_be_visible()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.reload()
        assert errors == []  # no CSP violations, no missing vendored assets
