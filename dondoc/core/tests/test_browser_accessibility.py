"""In a real browser: axe-core finds no serious or critical accessibility problem on the
pages the main personas use, on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dondoc import browser_support
from dondoc.browser_support import browser_page, chromium_available, screenshot
from dondoc.imports.samples import sample_workbook
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_group, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]

AXE = "/static/vendor/axe-core/axe.min.js"  # vendored; only these tests load it
SERIOUS = ("serious", "critical")


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    browser_support.log_in(page, base, username, DEFAULT_PASSWORD)


def serious_problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(url=page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + AXE)
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + "; ".join(" ".join(n["target"]) + " — " + n.get("failureSummary", "").replace("\n", " ")
                    for n in v["nodes"][:4])
        for v in result["violations"] if v["impact"] in SERIOUS
    ]


@pytest.fixture
def walkthrough_data(org, people):  # type: ignore[no-untyped-def]
    document = make_document(org.catp, actor=people.staff)
    make_group(document, actor=people.staff)
    today = timezone.localdate()
    overdue = make_task(document, org.pc08, actor=people.staff, title="Nhiệm vụ quá hạn",
                        due_date=today - dt.timedelta(days=5),
                        assigned_on=today - dt.timedelta(days=60))
    make_task(document, org.pc08, actor=people.staff, title="Nhiệm vụ sắp đến hạn",
              due_date=today + dt.timedelta(days=2), assigned_on=today - dt.timedelta(days=30))
    make_task(document, org.pc06, actor=people.staff, title="Nhiệm vụ của PC06",
              due_date=today + dt.timedelta(days=40), assigned_on=today - dt.timedelta(days=3))
    services.direction_add(actor=people.leader, task=overdue,
                            text="Khẩn trương hoàn thành trong tuần")
    return document, overdue


PAGES = {
    "staff": ["/", "/tasks/", "/tasks/?status=in_progress_overdue", "{task}", "/statistics/",
              "/audit/", "import", "/urging/new/", "/urging/template/", "/urging/"],
    "leader": ["/", "/tasks/", "{task}", "/statistics/"],
    "manager": ["/", "/tasks/mine/", "{task}", "/statistics/", "/audit/"],
    "officer": ["/", "/tasks/mine/", "{task}", "{task}progress/"],
    "viewer": ["/", "/tasks/", "{task}"],
}


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_serious_accessibility_problems(live_server, people,
                                                            walkthrough_data, width,
                                                            height) -> None:
    document, task = walkthrough_data
    base = live_server.url
    problems: dict[str, list[str]] = {}
    with browser_page(width=width, height=height) as page:
        for persona, paths in PAGES.items():
            log_in(page, base, persona)
            for index, path in enumerate(paths):
                if path == "import":
                    page.goto(f"{base}/documents/{document.pk}/import/")
                    page.locator("input[type=file]").set_input_files(files=[{
                        "name": "phu-luc.xlsx", "buffer": sample_workbook(),
                        "mimeType": "application/vnd.openxmlformats-officedocument"
                                    ".spreadsheetml.sheet"}])
                    page.locator("main button[type=submit]").first.click()
                    page.locator(".import-preview").wait_for()  # the rows, with their issues
                else:
                    page.goto(base + path.format(task=f"/tasks/{task.pk}/"))
                found = serious_problems(page)
                name = f"{persona} {page.url.removeprefix(base)}"
                screenshot(page, f"a11y-{width}-{persona}-{index}")
                if found:
                    problems[name] = found
    assert problems == {}, "\n".join(f"{name}: {found}" for name, found in problems.items())
