"""Issue 9 in a real browser, on a desktop and on a phone: creating a task from the task
list, files on the timeline after the decision, officers named on a task, the comment
thread, and confirming several completions from the awaiting list."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from dondoc.browser_support import browser_page, chromium_available, expect
from dondoc.plans import services
from dondoc.plans.models import Task, TaskState
from dondoc.plans.tests.test_browser_flow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
PDF = b"%PDF-1.4\n% evidence\n"
# Set DONDOC_SCREENSHOTS to a folder to keep screenshots of the pages visited.
SHOTS = os.environ.get("DONDOC_SCREENSHOTS", "")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.django_db(transaction=True)
def test_walkthrough_paths(live_server, org, people, size, tmp_path) -> None:
    document = services.document_create(
        actor=people.staff, kind="plan", number="118-KH/ĐUCA", title="Kế hoạch 118",
        issuer="Đảng ủy Công an Trung ương", issue_date=dt.date(2022, 5, 25),
        owner_unit=org.catp, code_prefix="KH118")
    due = timezone.localdate() + dt.timedelta(days=14)
    other = services.task_create(actor=people.staff, document=document, title="Việc thứ hai",
                                 lead_unit=org.pc06, assigning_unit=org.catp, due_date=due)
    services.completion_request(actor=people.admin, task=other, note="Đã xong việc thứ hai")
    evidence = tmp_path / "bao-cao-ket-qua.pdf"
    evidence.write_bytes(PDF)
    base = live_server.url
    width, height = SIZES[size]
    with browser_page(width=width, height=height) as page:
        # 8. Staff create a task from the task list, choosing the document.
        log_in(page, base, "staff")
        page.goto(f"{base}/tasks/")
        page.get_by_role("link", name="Thêm nhiệm vụ").click()
        page.wait_for_url(f"{base}/tasks/new/")
        shot(page, f"{size}-task-choose-document")
        page.locator("#id_document").select_option(value=str(document.pk))
        page.get_by_role("button", name="Tiếp tục").click()
        page.wait_for_url(re.compile(r".*/tasks/new/\?document=\d+"))
        page.locator("#id_title").fill("Tổ chức hội nghị quán triệt")
        page.locator("#id_lead_unit").select_option(value=str(org.pc08.pk), force=True)
        page.locator("#id_due_date").fill(due.strftime("%d/%m/%Y"))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/tasks/\d+/$"))
        task_url = page.url
        task = Task.objects.get(title="Tổ chức hội nghị quán triệt")
        page.goto(f"{base}/documents/{document.pk}/")
        expect(page.get_by_role("link", name="Nhiệm vụ không thuộc nhóm")).to_be_visible()
        shot(page, f"{size}-document-detail")

        # 6. The unit manager names the officer responsible; 12. and comments.
        log_in(page, base, "manager")
        page.goto(task_url)
        people_panel = page.locator("#people")
        if people_panel.get_attribute("open") is None:
            people_panel.locator("summary").click()
        people_panel.get_by_label(people.officer.get_full_name()).check()
        people_panel.get_by_role("button", name="Lưu cán bộ được giao").click()
        page.wait_for_url(task_url)
        assert people.officer.get_full_name() in page.locator(".task-facts").inner_text()
        page.locator("#id_comment_text").fill("Đề nghị Phòng Tham mưu gửi mẫu báo cáo")
        page.get_by_role("button", name="Gửi ý kiến").click()
        page.wait_for_url(re.compile(re.escape(task_url) + "(#comments)?$"))
        assert "gửi mẫu báo cáo" in page.locator("#comments").inner_text()
        shot(page, f"{size}-task-people-comments")
        page.goto(f"{base}/")
        shot(page, f"{size}-home-manager")

        # 2. The officer asks for completion with a file.
        log_in(page, base, "officer")
        page.goto(f"{base}/tasks/mine/?assignee=me")
        expect(page.get_by_role("link", name="Tổ chức hội nghị quán triệt").first).to_be_visible()
        shot(page, f"{size}-my-tasks-assigned")
        page.goto(task_url)
        page.get_by_role("link", name="Đề nghị hoàn thành").click()
        page.locator("#id_note").fill("Đã tổ chức hội nghị, gửi kèm báo cáo")
        page.locator("#id_evidence").set_input_files(str(evidence))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(task_url)

        # 12. Staff confirm both waiting completions at once from the awaiting list.
        log_in(page, base, "staff")
        page.goto(f"{base}/tasks/?status=awaiting_confirmation&decide=mine")
        expect(page.get_by_text("Chờ bạn quyết định").first).to_be_visible()
        page.locator(f"#pick-{task.pk}").check()
        page.locator(f"#pick-{other.pk}").check()
        shot(page, f"{size}-awaiting-bulk-confirm")
        page.get_by_role("button", name="Xác nhận hoàn thành các nhiệm vụ đã chọn").click()
        page.wait_for_load_state()
        assert "Đã xác nhận hoàn thành 2 nhiệm vụ" in page.locator("main").inner_text()
        states = set(Task.objects.filter(pk__in=[task.pk, other.pk])
                     .values_list("state", flat=True))
        assert states == {TaskState.COMPLETED}

        # 2. After the decision the file is still on the timeline, and downloads.
        page.goto(task_url)
        link = page.locator(".timeline").get_by_role("link", name=re.compile("bao-cao-ket-qua"))
        assert link.count() == 1
        with page.expect_download() as download:
            link.click()
        assert Path(download.value.path()).read_bytes() == PDF
        shot(page, f"{size}-task-timeline-files")
