"""The register's pages: scope (404 for others), the steps, the forms, the Excel export,
progress report → obstacle, the task and document pages, and bounded queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from dondoc.audit.models import AuditEvent
from dondoc.obstacles import services
from dondoc.obstacles.models import Obstacle
from dondoc.plans import services as plan_services

STEP_URLS = ["/obstacles/{}/", "/obstacles/{}/edit/", "/obstacles/{}/escalate/",
             "/obstacles/{}/reject/", "/obstacles/{}/direct/", "/obstacles/{}/resolve/"]


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("url", STEP_URLS)
@pytest.mark.parametrize("persona", ["other_staff", "outsider"])
def test_another_unit_gets_404_for_every_page(raise_on: Any, people: Any, login: Any,
                                              work: Any, url: str, persona: str) -> None:
    obstacle = raise_on(task=work.team_task, actor=people.team_officer)  # PC08-D1's task
    client = login(getattr(people, persona))
    for method in ("get", "post"):
        theirs = getattr(client, method)(url.format(obstacle.pk))
        missing = getattr(client, method)(url.format(987654))
        assert theirs.status_code == missing.status_code == 404
    assert "Thiếu" not in text(client.get(url.format(obstacle.pk)))


def test_raising_on_a_task_one_cannot_see_is_404_and_one_not_ones_own_403(
        people: Any, login: Any, work: Any) -> None:
    assert login(people.other_staff).get(f"/obstacles/new/?task={work.traffic.pk}"
                                         ).status_code == 404
    assert login(people.manager).get(f"/obstacles/new/?task={work.admin_task.pk}"
                                     ).status_code == 404  # PC06's task
    assert login(people.inspector).get(f"/obstacles/new/?task={work.traffic.pk}"
                                       ).status_code == 403
    assert login(people.viewer).get(f"/obstacles/new/?task={work.traffic.pk}"
                                    ).status_code == 403


def test_export_holds_only_what_the_user_sees_with_the_filters(
        raise_on: Any, people: Any, login: Any, work: Any, org: Any) -> None:
    mine = raise_on(description="=HYPERLINK(\"x\") kinh phí camera")
    raise_on(task=work.team_task, actor=people.team_officer, description="Thiếu cán bộ đội 1",
             category="personnel")
    response = login(people.outsider).get("/obstacles/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 1
    assert rows[0][5] == mine.description and sheet.cell(3, 6).data_type == "s"
    assert rows[0][2] == org.pc08.name and rows[0][7] == org.pv01.name
    assert "Thiếu cán bộ" not in str(rows)
    staff_rows = list(load_workbook(io.BytesIO(login(people.staff).get(
        "/obstacles/export/?category=personnel").content)).active.iter_rows(
            min_row=3, values_only=True))
    assert [row[5] for row in staff_rows] == ["Thiếu cán bộ đội 1"]
    assert staff_rows[0][4] == "Nhân sự" and staff_rows[0][8] == "Đang mở"
    header = [cell.value for cell in sheet[2]]
    assert header[:3] == ["STT", "Ngày nêu", "Đơn vị nêu"]
    assert AuditEvent.objects.filter(action="export", object_type="obstacles.obstacle").count() == 2
    assert login(people.staff).get("/obstacles/export/?age=forever").status_code == 400
    again = login(people.outsider).get("/obstacles/export/")
    assert again.content == response.content  # byte-identical for the same rows and day


def test_the_register_and_ageing_pages(raise_on: Any, people: Any, login: Any) -> None:
    raise_on(raised_on=dt.date(2025, 1, 1))
    client = login(people.staff)
    page = text(client.get("/obstacles/?state=unresolved&age=gt90"))
    assert "Chưa được bố trí kinh phí" in page and "134" in page and "1 khó khăn" in page
    assert "Chưa được bố trí" not in text(client.get("/obstacles/?age=0-30"))
    ageing = text(client.get("/obstacles/ageing/"))
    assert "Tồn đọng trên 90 ngày" in ageing and 'href="/obstacles/?category=budget&amp;age=gt90"' in ageing
    assert "Không rõ trạng thái" in text(client.get("/obstacles/?state=lost"))


def test_the_register_does_not_query_per_row(raise_on: Any, people: Any, login: Any,
                                             django_assert_max_num_queries: Any,
                                             work: Any) -> None:
    client = login(people.staff)
    for _ in range(3):
        raise_on()
    client.get("/obstacles/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/obstacles/").status_code == 200
    for index in range(20):
        raise_on(task=work.team_task if index % 2 else work.traffic,
                 actor=people.team_officer if index % 2 else people.manager,
                 resolver_unit=None, resolver_agency=f"Sở {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/obstacles/").status_code == 200


def test_raise_escalate_direct_resolve_through_the_pages(people: Any, login: Any,
                                                         work: Any, org: Any) -> None:
    manager = login(people.manager)
    form = text(manager.get(f"/obstacles/new/?task={work.traffic.pk}"))
    assert "<fieldset" in form and "<legend" in form and "Kinh phí" in form
    response = manager.post("/obstacles/new/", {
        "task": work.traffic.pk, "category": "budget", "description": "",
        "resolver_kind": "unit", "version": 1})
    page = text(response)
    assert response.status_code == 200 and "Có lỗi cần khắc phục" in page
    assert 'id="id_description_error"' in page and 'id="id_resolver_unit_error"' in page
    response = manager.post("/obstacles/new/", {
        "task": work.traffic.pk, "category": "budget", "description": "Thiếu kinh phí",
        "resolver_kind": "agency", "resolver_agency": "Sở Tài chính", "version": 1})
    obstacle = Obstacle.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/obstacles/{obstacle.pk}/"
    assert obstacle.unit == org.pc08 and obstacle.resolver_agency == "Sở Tài chính"
    # The manager may not escalate; staff may; the leader directs; staff resolve (outside).
    assert manager.post(f"/obstacles/{obstacle.pk}/escalate/", {"version": 1}).status_code == 403
    staff = login(people.staff)
    assert staff.post(f"/obstacles/{obstacle.pk}/escalate/",
                      {"version": 1, "text": ""}).status_code == 302
    # A second escalation is refused with a clear message, nothing changes.
    response = staff.get(f"/obstacles/{obstacle.pk}/escalate/", follow=True)
    assert "Chỉ khó khăn, vướng mắc đang mở mới được báo cáo lãnh đạo" in text(response)
    leader = login(people.leader)
    stale = leader.post(f"/obstacles/{obstacle.pk}/direct/", {"version": 1, "text": "Giải quyết"})
    assert stale.status_code == 200 and "Người khác đã thay đổi bản ghi này" in text(stale)
    assert leader.post(f"/obstacles/{obstacle.pk}/direct/",
                       {"version": 2, "text": "Khẩn trương giải quyết"}).status_code == 302
    response = staff.post(f"/obstacles/{obstacle.pk}/resolve/", {"version": 3, "text": ""})
    assert 'id="id_text_error"' in text(response)
    assert staff.post(f"/obstacles/{obstacle.pk}/resolve/",
                      {"version": 3, "text": "Đã bố trí kinh phí"}).status_code == 302
    detail = text(manager.get(f"/obstacles/{obstacle.pk}/"))
    for seen in ("Đã giải quyết", "Khẩn trương giải quyết", "Đã bố trí kinh phí",
                 "Đã báo cáo lãnh đạo", "Lãnh đạo cho ý kiến chỉ đạo"):
        assert seen in detail, seen


def test_a_progress_report_becomes_an_obstacle_in_one_step(people: Any, login: Any,
                                                           work: Any) -> None:
    update = plan_services.progress_post(
        actor=people.manager, task=work.traffic, unit=work.traffic.lead_unit, percent=30,
        results="Đã khảo sát vị trí", difficulties="Chưa được cấp kinh phí lắp camera",
        proposals="Đề nghị Sở Tài chính bố trí kinh phí")
    manager = login(people.manager)
    task_page = text(manager.get(f"/tasks/{work.traffic.pk}/"))
    assert f"/obstacles/new/?progress={update.pk}" in task_page
    assert "Nêu khó khăn, vướng mắc" in task_page
    form = text(manager.get(f"/obstacles/new/?progress={update.pk}"))
    assert "Chưa được cấp kinh phí lắp camera" in form and "Đề nghị Sở Tài chính" in form
    response = manager.post("/obstacles/new/", {
        "progress": update.pk, "category": "budget",
        "description": "Chưa được cấp kinh phí lắp camera",
        "proposed_solution": "Đề nghị Sở Tài chính bố trí kinh phí", "resolver_kind": "agency",
        "resolver_agency": "Sở Tài chính", "version": 1})
    obstacle = Obstacle.objects.get()
    assert response.status_code == 302
    assert obstacle.progress_update == update and obstacle.task == work.traffic
    task_page = text(manager.get(f"/tasks/{work.traffic.pk}/"))
    assert f"/obstacles/{obstacle.pk}/" in task_page
    assert f"/obstacles/new/?progress={update.pk}" not in task_page
    again = manager.get(f"/obstacles/new/?progress={update.pk}")
    assert again.status_code == 302 and again["Location"] == f"/obstacles/{obstacle.pk}/"
    assert login(people.other_staff).get(f"/obstacles/new/?progress={update.pk}"
                                         ).status_code == 404


def test_the_document_page_lists_its_obstacles(raise_on: Any, people: Any, login: Any,
                                               work: Any) -> None:
    raise_on(document=work.document, actor=people.staff, category="policy",
             description="Chưa có hướng dẫn thống nhất")
    raise_on()
    page = text(login(people.staff).get(f"/documents/{work.document.pk}/"))
    assert "Chưa có hướng dẫn thống nhất" in page
    assert f"/obstacles/new/?document={work.document.pk}" in page
    assert f"/obstacles/?document={work.document.pk}" in page  # those of its tasks
    outsider_page = text(login(people.outsider).get(f"/documents/{work.document.pk}/"))
    assert "Chưa có hướng dẫn thống nhất" not in outsider_page


def test_the_english_register(raise_on: Any, people: Any, login: Any) -> None:
    raise_on()
    people.staff.language = "en"
    people.staff.save()
    page = text(login(people.staff).get("/obstacles/"))
    assert "Difficulties and obstacles" in page and "Budget" in page and "Open" in page


def test_services_refuse_stale_steps_seen_on_the_page(raise_on: Any, people: Any,
                                                      login: Any) -> None:
    obstacle = raise_on()
    services.obstacle_reject(actor=people.staff, obstacle=obstacle, reason="Không thuộc")
    response = login(people.staff).post(f"/obstacles/{obstacle.pk}/escalate/",
                                        {"version": 2}, follow=True)
    assert "Chỉ khó khăn, vướng mắc đang mở" in text(response)
    assert Obstacle.objects.get().state == "rejected"


def test_staff_find_a_new_obstacle_in_their_notifications(
        raise_on: Any, people: Any, login: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        obstacle = raise_on()
    from dondoc.notifications.models import Notification

    staff = login(people.staff)
    assert "Chưa được bố trí kinh phí" in text(staff.get("/notifications/"))
    notice = Notification.objects.get(recipient=people.staff)
    opened = staff.post(f"/notifications/{notice.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/obstacles/{obstacle.pk}/"
    assert "Chưa được bố trí" not in text(login(people.other_staff).get("/notifications/"))
