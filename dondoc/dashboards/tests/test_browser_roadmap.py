"""In a real browser: a leader opens a plan's roadmap and the deadline calendar on a
desktop and a phone and prints the roadmap on A4 landscape. Screenshots and the PDF are
saved under /tmp/dondoc-roadmap/ to be looked at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services
from dondoc.plans.models import DeadlineKind
from dondoc.plans.tests.factories import make_document, make_group, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]
SHOTS = Path("/tmp/dondoc-roadmap")  # noqa: S108 - screenshots for people to look at

TITLES = [
    "Rà soát, sắp xếp tổ chức bộ máy các phòng nghiệp vụ",
    "Kiện toàn Công an phường theo mô hình chính quy",
    "Xây dựng đề án bố trí Công an chính quy về xã",
    "Tổ chức tập huấn nghiệp vụ cho cán bộ cơ sở",
    "Triển khai hệ thống camera giám sát an ninh trật tự",
    "Số hoá hồ sơ cư trú, căn cước",
    "Nâng cấp trụ sở làm việc Công an các phường",
    "Sơ kết 03 năm thực hiện Nghị quyết 12-NQ/TW",
]


def build_plan(org, people):  # type: ignore[no-untyped-def]
    """A plan with three groups and tasks in every status, dated around today."""
    today = timezone.localdate()
    document = make_document(org.pv01, actor=people.staff, number="125/KH-CATP",
                             title="Kế hoạch thực hiện Nghị quyết 12-NQ/TW về đẩy mạnh xây "
                                   "dựng lực lượng Công an nhân dân",
                             issue_date=today - dt.timedelta(days=300))
    groups = [make_group(document, number=number, title=title, actor=people.staff)
              for number, title in (("I", "Kiện toàn tổ chức bộ máy"),
                                    ("II", "Xây dựng lực lượng, đào tạo cán bộ"),
                                    ("III", "Hiện đại hoá, chuyển đổi số"))]
    units = [org.pc08, org.pc06, org.px05, org.pc08_d1]
    tasks = []
    for index in range(18):
        start = today - dt.timedelta(days=260 - index * 12)
        due = start + dt.timedelta(days=70 + (index % 5) * 45)
        kind = DeadlineKind.STANDING if index == 17 else DeadlineKind.FIXED
        tasks.append(make_task(document, units[index % 4], actor=people.staff,
                               group=groups[index % 3], title=TITLES[index % len(TITLES)],
                               assigned_on=start, due_date=due, deadline_kind=kind))
    # Completed on time, completed late, awaiting confirmation, an extension.
    for task, delay in ((tasks[0], -5), (tasks[1], 12), (tasks[3], -2)):
        task.refresh_from_db()
        request = services.completion_request(
            actor=None, task=task, note="Đã hoàn thành",
            submitted_on=min(today, task.deadline + dt.timedelta(days=delay)))
        services.completion_decide(actor=people.staff, request=request, accept=True,
                                   decided_on=min(today, request.submitted_on
                                                  + dt.timedelta(days=3)))
    tasks[6].refresh_from_db()
    services.completion_request(actor=None, task=tasks[6], note="Xin xác nhận",
                                submitted_on=today - dt.timedelta(days=2))
    tasks[8].refresh_from_db()
    extension = services.extension_request(
        actor=None, task=tasks[8], reason="Chờ kinh phí",
        proposed_due=tasks[8].deadline + dt.timedelta(days=60),
        requested_on=today - dt.timedelta(days=20))
    services.extension_decide(actor=people.staff, extension=extension, approve=True,
                              decided_on=today - dt.timedelta(days=18))
    return document


@pytest.mark.django_db(transaction=True)
def test_roadmap_and_calendar_on_desktop_phone_and_paper(live_server, org, people) -> None:
    document = build_plan(org, people)
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        browser_support.log_in(page, base, "leader", DEFAULT_PASSWORD)
        page.goto(f"{base}/documents/{document.pk}/")
        page.locator(f"a[href='/documents/{document.pk}/roadmap/']").click()
        page.wait_for_url(f"{base}/documents/{document.pk}/roadmap/")
        assert page.locator("svg.gantt").count() == 3  # one per task group
        assert page.locator("rect.gantt-bar").count() == 18
        page.screenshot(path=str(SHOTS / "roadmap-1366.png"), full_page=True)
        page.goto(f"{base}/documents/{document.pk}/roadmap/?group=lead&zoom=quarter")
        assert page.locator("svg.gantt").count() == 4  # one per lead unit
        page.screenshot(path=str(SHOTS / "roadmap-lead-quarter-1366.png"), full_page=True)
        page.goto(f"{base}/documents/{document.pk}/roadmap/")
        page.emulate_media(media="print")
        page.pdf(path=str(SHOTS / "roadmap-a4.pdf"), landscape=True, format="A4",
                 print_background=True)
        page.emulate_media(media="screen")
        # A bar opens its task.
        page.locator("svg.gantt a").first.click()
        page.wait_for_url(f"{base}/tasks/**")
        page.goto(f"{base}/calendar/")
        expect(page.locator("table.cal-grid")).to_be_visible()
        page.screenshot(path=str(SHOTS / "calendar-1366.png"), full_page=True)
    with browser_page(width=390, height=844) as page:
        browser_support.log_in(page, base, "leader", DEFAULT_PASSWORD)
        page.goto(f"{base}/documents/{document.pk}/roadmap/")
        expect(page.locator(".roadmap-phone li").first).to_be_visible()  # dated list, no scroll
        page.screenshot(path=str(SHOTS / "roadmap-390.png"), full_page=True)
        page.goto(f"{base}/calendar/")
        expect(page.locator("table.cal-grid")).to_be_hidden()
        expect(page.locator(".cal-list")).to_be_visible()
        page.screenshot(path=str(SHOTS / "calendar-390.png"), full_page=True)
    assert (SHOTS / "roadmap-a4.pdf").read_bytes().startswith(b"%PDF")
