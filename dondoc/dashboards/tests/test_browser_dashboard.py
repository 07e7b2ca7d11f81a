"""In a real browser: a leader opens the dashboard, ranks the units by on-time rate,
clicks a unit's overdue count and lands on exactly those tasks. Screenshots (desktop,
phone) and the printed PDF are saved under /tmp/dondoc-dashboard/ to be looked at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_group, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]
SHOTS = Path("/tmp/dondoc-dashboard")  # noqa: S108 - screenshots for people to look at


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    browser_support.log_in(page, base, username, DEFAULT_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_leader_ranks_units_and_opens_a_units_overdue_tasks(live_server, org, people) -> None:
    today = timezone.localdate()
    document = make_document(org.pv01, actor=people.staff, issue_date=today.replace(day=1)
                             - dt.timedelta(days=200))
    group = make_group(document, title="Kiện toàn tổ chức bộ máy", actor=people.staff)
    long_ago = today - dt.timedelta(days=120)
    # PC08: two overdue, one on time; PC06: one completed on time; PX05: one overdue.
    overdue = [make_task(document, org.pc08, actor=people.staff, group=group,
                         title=f"Việc quá hạn PC08 số {n}", assigned_on=long_ago,
                         due_date=today - dt.timedelta(days=10 * n)) for n in (1, 5)]
    make_task(document, org.pc08, actor=people.staff, group=group, title="Việc trong hạn PC08",
              assigned_on=long_ago, due_date=today + dt.timedelta(days=20))
    done = make_task(document, org.pc06, actor=people.staff, title="Việc xong PC06",
                     assigned_on=long_ago, due_date=today + dt.timedelta(days=5))
    request = services.completion_request(actor=people.outsider, task=done, note="Đã xong")
    services.completion_decide(actor=people.staff, request=request, accept=True)
    make_task(document, org.px05, actor=people.staff, title="Việc quá hạn PX05",
              assigned_on=long_ago, due_date=today - dt.timedelta(days=40))
    services.direction_add(actor=people.leader, task=overdue[0], text="Khẩn trương hoàn thành")
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        log_in(page, base, "leader")
        expect(page.locator("#league-title")).to_be_visible()  # the home page has the picture
        page.goto(f"{base}/dashboard/")
        assert "Xếp hạng theo tỷ lệ đúng hạn" in page.locator("#league-caption").inner_text()
        page.screenshot(path=str(SHOTS / "dashboard-1366.png"), full_page=True)
        page.emulate_media(media="print")
        page.pdf(path=str(SHOTS / "dashboard-a4.pdf"), landscape=True, format="A4",
                 print_background=True)
        page.emulate_media(media="screen")

        # Rank by on-time rate, worst first: PC08 (0 %) and PX05 (0 %) above PC06 (100 %).
        page.locator("a.sort-link[data-sort=rate]").click()
        page.wait_for_url(re.compile(r".*sort=rate.*dir=asc.*"))
        codes = page.locator("table.league tbody tr[data-unit]").evaluate_all(
            "rows => rows.map(r => r.dataset.unit)")
        assert codes.index("PC06") > codes.index("PC08")
        assert codes.index("PC06") > codes.index("PX05")

        # PC08's overdue count opens exactly its two overdue tasks.
        link = page.locator("tr[data-unit=PC08] a[data-col=in_progress_overdue]")
        assert link.inner_text() == "2"
        link.click()
        page.wait_for_url(re.compile(r".*/tasks/\?.*status=in_progress_overdue.*"))
        titles = sorted(page.locator(".task-title").all_inner_texts())
        assert titles == sorted(task.title for task in overdue)

    with browser_page(width=390, height=844) as page:
        log_in(page, base, "leader")
        page.goto(f"{base}/dashboard/")
        page.screenshot(path=str(SHOTS / "dashboard-390.png"), full_page=True)
        # On a phone each unit of the league table is a card: no column out of sight, and
        # each figure says what it counts.
        league = page.locator("table.league")
        assert league.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        pc08 = page.locator("tr[data-unit=PC08]")
        expect(pc08.get_by_text("Tỷ lệ đúng hạn")).to_be_visible()
        assert pc08.locator("a[data-col=in_progress_overdue]").inner_text() == "2"
        # Tasks, overdue and rate first; every other figure on request.
        expect(pc08.get_by_text("Chờ xác nhận")).to_be_hidden()
        page.get_by_label("Hiện đủ các số liệu của từng đơn vị").check()
        expect(pc08.get_by_text("Chờ xác nhận")).to_be_visible()
        assert league.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        page.goto(f"{base}/")  # the home page shows the same table
        expect(page.locator("#league-title")).to_be_visible()
        league = page.locator("table.league")
        assert league.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
