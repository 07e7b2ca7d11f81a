"""Inspections and meetings: follow-up tasks, scoping (404 by guessing ids on pages, the
export and the API), bad input, permissions and bounded queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from dondoc.inspections import services
from dondoc.inspections.models import Conclusion, InspectionState, Recommendation
from dondoc.inspections.tests.conftest import Inspected
from dondoc.plans import services as plans
from dondoc.plans.models import DocumentKind, Task, TaskState


def conclude(inspected: Inspected, people: Any) -> None:
    services.inspection_conclude(actor=people.inspector, inspection=inspected.inspection,
                                 number="15/KL-TTr", issue_date=dt.date(2025, 5, 14))


# Follow-up tasks ------------------------------------------------------------------------


def test_recommendations_become_tasks_of_the_conclusion_led_by_the_unit_inspected(
        inspected: Inspected, people: Any, org: Any) -> None:
    conclude(inspected, people)
    inspection = inspected.inspection
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.CONCLUDED
    conclusion = inspection.conclusion
    assert conclusion is not None and conclusion.kind == DocumentKind.INSPECTION
    assert conclusion.number == "15/KL-TTr" and conclusion.owner_unit == org.px05
    tasks = {rec.unit.code: rec.task for rec in Recommendation.objects.select_related("task")}
    assert tasks["PC08"].lead_unit == org.pc08 and tasks["PC06"].lead_unit == org.pc06
    assert tasks["PC08"].deadline == dt.date(2025, 9, 30)
    assert tasks["PC06"].due_date == dt.date(2025, 8, 31)
    assert {task.document_id for task in tasks.values()} == {conclusion.pk}
    assert tasks["PC08"].assigning_unit == org.px05
    # Staff confirm them as usual: the staff department decides on tasks the agency assigned.
    from dondoc.organization import scoping
    assert scoping.tasks_decidable_by(people.staff).filter(pk=tasks["PC08"].pk).exists()


def test_a_recommendation_added_after_the_conclusion_is_at_once_a_task(
        inspected: Inspected, people: Any, org: Any) -> None:
    conclude(inspected, people)
    rec = services.recommendation_add(actor=people.inspector, inspection=inspected.inspection,
                                      unit=org.pc08, text="Bổ sung quy chế",
                                      due_date=dt.date(2025, 12, 31))
    inspected.inspection.refresh_from_db()
    assert rec.task is not None and rec.task.lead_unit == org.pc08
    assert rec.task.document == inspected.inspection.conclusion


def test_a_recommendations_status_follows_its_task(inspected: Inspected, people: Any,
                                                  login: Any, time_machine: Any) -> None:
    conclude(inspected, people)
    rec = Recommendation.objects.get(unit__code="PC08")
    task = rec.task
    assert task is not None
    page = login(people.inspector).get(f"/inspections/{inspected.inspection.pk}/")
    assert "Đang thực hiện trong hạn" in page.content.decode() or \
        "In progress, on time" in page.content.decode()
    request = plans.completion_request(actor=people.manager, task=task, note="Đã lắp đặt xong")
    plans.completion_decide(actor=people.staff, request=request, accept=True)
    task.refresh_from_db()
    assert task.state == TaskState.COMPLETED
    data = login(people.inspector).get(
        f"/api/v1/inspections/{inspected.inspection.pk}").json()
    statuses = {item["unit"]["code"]: item["follow_up"]["status"]
                for item in data["recommendations"]}
    assert statuses == {"PC08": "completed_on_time", "PC06": "in_progress_on_time"}
    time_machine.move_to(dt.datetime(2025, 9, 5, 9, 0, tzinfo=dt.UTC), tick=False)
    data = login(people.inspector).get(
        f"/api/v1/inspections/{inspected.inspection.pk}").json()
    statuses = {item["unit"]["code"]: item["follow_up"]["status"]
                for item in data["recommendations"]}
    assert statuses["PC06"] == "in_progress_overdue"


def test_a_meeting_conclusion_becomes_a_task_of_the_notice(inspected: Inspected, people: Any,
                                                           org: Any, login: Any) -> None:
    meeting = inspected.meeting
    conclusion = Conclusion.objects.get(meeting=meeting)
    client = login(people.staff)
    # Before the notice: no task can be made; the page says why.
    response = client.get(f"/meetings/conclusions/{conclusion.pk}/task/")
    assert response.status_code == 302
    response = client.post(f"/meetings/{meeting.pk}/notice/",
                           {"number": "45/TB-BCĐ", "issue_date": "14/05/2025"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    notice = meeting.notice
    assert notice is not None and notice.kind == DocumentKind.MEETING_NOTICE
    form = client.get(f"/meetings/conclusions/{conclusion.pk}/task/")
    page = form.content.decode()
    assert "Đẩy nhanh tiến độ lắp đặt camera" in page and "31/07/2025" in page
    response = client.post(f"/meetings/conclusions/{conclusion.pk}/task/", {
        "document": notice.pk, "title": "Đẩy nhanh tiến độ lắp đặt camera",
        "lead_unit": org.pc08.pk, "deadline_kind": "fixed", "due_date": "31/07/2025",
        "priority": 2, "version": 1})
    assert response.status_code == 302, response.content.decode()[:2000]
    conclusion.refresh_from_db()
    task = conclusion.task
    assert task is not None and task.document == notice and task.lead_unit == org.pc08
    assert task.deadline == dt.date(2025, 7, 31)
    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert task.code in detail
    # The unit sees the task like any other.
    assert login(people.manager).get(f"/tasks/{task.pk}/").status_code == 200
    # The notice's page names the meeting.
    assert meeting.title in client.get(f"/documents/{notice.pk}/").content.decode()


# Scoping ---------------------------------------------------------------------------------


def test_a_unit_inspected_sees_its_own_findings_only(inspected: Inspected, people: Any,
                                                     login: Any) -> None:
    conclude(inspected, people)
    pk = inspected.inspection.pk
    manager = login(people.manager)  # PC08
    page = manager.get(f"/inspections/{pk}/").content.decode()
    assert "PC08: chậm lắp đặt camera" in page and "PC08 hoàn thành" in page
    assert "PC06: hồ sơ" not in page and "PC06 số hoá" not in page
    export = manager.get(f"/inspections/{pk}/recommendations.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    texts = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert "PC08 hoàn thành" in texts and "PC06 số hoá" not in texts
    data = manager.get(f"/api/v1/inspections/{pk}").json()
    assert [f["unit"]["code"] for f in data["findings"]] == ["PC08"]
    assert [r["unit"]["code"] for r in data["recommendations"]] == ["PC08"]
    # Inspectors, staff and leaders of the agency see everything.
    for persona in (people.inspector, people.staff, people.leader):
        page = login(persona).get(f"/inspections/{pk}/").content.decode()
        assert "PC08: chậm" in page and "PC06: hồ sơ" in page


@pytest.mark.parametrize("path", [
    "/inspections/{i}/", "/inspections/{i}/recommendations.xlsx", "/api/v1/inspections/{i}",
    "/inspections/{i}/findings/new/", "/meetings/{m}/", "/api/v1/meetings/{m}",
    "/meetings/conclusions/{c}/task/",
])
def test_others_guessing_ids_get_404(inspected: Inspected, people: Any, login: Any,
                                     path: str) -> None:
    conclusion = Conclusion.objects.get(meeting=inspected.meeting)
    url = path.format(i=inspected.inspection.pk, m=inspected.meeting.pk, c=conclusion.pk)
    assert login(people.other_staff).get(url).status_code == 404
    if "/meetings/" in url:  # a unit's manager is not in the steering committee's scope
        assert login(people.manager).get(url).status_code == 404


def test_a_unit_not_inspected_gets_404(inspected: Inspected, people: Any, login: Any,
                                       org: Any) -> None:
    inspection = services.inspection_create(
        actor=people.inspector, owner_unit=org.px05, title="Kiểm tra riêng PC06",
        period_start=dt.date(2025, 5, 1), period_end=dt.date(2025, 5, 2),
        subject_units=[org.pc06])
    client = login(people.manager)  # PC08
    for url in (f"/inspections/{inspection.pk}/", f"/inspections/{inspection.pk}/"
                "recommendations.xlsx", f"/api/v1/inspections/{inspection.pk}"):
        assert client.get(url).status_code == 404
    listed = client.get("/api/v1/inspections").json()
    assert [item["id"] for item in listed["results"]] == [inspected.inspection.pk]


# Permissions and bad input -----------------------------------------------------------------


def test_only_inspectors_create_inspections(inspected: Inspected, people: Any, login: Any,
                                            org: Any) -> None:
    for persona in (people.staff, people.leader, people.manager, people.officer):
        client = login(persona)
        assert client.get("/inspections/new/").status_code == 403
        assert client.post("/api/v1/inspections", {
            "title": "X", "subject_units": [org.pc08.pk], "period_start": "2025-05-01",
            "period_end": "2025-05-02"}, content_type="application/json").status_code == 403
    pk = inspected.inspection.pk
    assert login(people.staff).post(f"/inspections/{pk}/findings/new/", {
        "unit": org.pc08.pk, "text": "x"}).status_code == 403
    assert login(people.manager).get("/meetings/new/").status_code == 403


def test_an_inspection_ending_before_it_starts_is_refused_next_to_the_field(
        people: Any, login: Any, org: Any, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    client = login(people.inspector)
    response = client.post("/inspections/new/", {
        "title": "Kiểm tra", "subject_units": [org.pc08.pk], "period_start": "10/05/2025",
        "period_end": "01/05/2025", "version": 1})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_period_end_error"' in page
    assert "không thể trước ngày bắt đầu" in page
    api = client.post("/api/v1/inspections", {
        "title": "X", "subject_units": [org.pc08.pk], "period_start": "2025-05-10",
        "period_end": "2025-05-01"}, content_type="application/json")
    assert api.status_code == 422 and "period_end" in api.json()["errors"]


def test_a_recommendation_due_before_the_inspection_is_refused(
        inspected: Inspected, people: Any, login: Any, org: Any) -> None:
    pk = inspected.inspection.pk
    response = login(people.inspector).post(f"/inspections/{pk}/recommendations/new/", {
        "unit": org.pc08.pk, "text": "Khắc phục", "due_date": "01/05/2025"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_due_date_error"' in page
    assert "09/05/2025" in page
    assert Recommendation.objects.count() == 2
    # And a unit that was not inspected cannot receive one.
    response = login(people.inspector).post(f"/inspections/{pk}/recommendations/new/", {
        "unit": org.bgd.pk, "text": "Khắc phục", "due_date": "01/06/2025"})
    assert 'id="id_unit_error"' in response.content.decode()


def test_a_conclusion_dated_after_a_recommendation_falls_due_is_refused(
        inspected: Inspected, people: Any, login: Any, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2025, 10, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    response = login(people.inspector).post(
        f"/inspections/{inspected.inspection.pk}/conclude/",
        {"number": "15/KL-TTr", "issue_date": "10/10/2025"})
    assert 'id="id_issue_date_error"' in response.content.decode()
    assert not Task.objects.exists()


# Bounded queries ---------------------------------------------------------------------------


def test_lists_and_detail_do_not_query_per_row(inspected: Inspected, people: Any, login: Any,
                                              org: Any, django_assert_max_num_queries: Any
                                              ) -> None:
    for number in range(8):
        services.inspection_create(
            actor=people.inspector, owner_unit=org.px05, title=f"Kiểm tra {number}",
            period_start=dt.date(2025, 4, 1), period_end=dt.date(2025, 4, 2),
            subject_units=[org.pc08, org.pc06])
        services.conclusion_add(actor=people.staff, meeting=inspected.meeting,
                                text=f"Kết luận {number}")
    conclude(inspected, people)
    for number in range(6):
        services.recommendation_add(actor=people.inspector, inspection=inspected.inspection,
                                    unit=org.pc08, text=f"Kiến nghị {number}",
                                    due_date=dt.date(2025, 12, 31))
    client = login(people.inspector)
    staff = login(people.staff)
    for url, user_client in ((("/inspections/"), client),
                             (f"/inspections/{inspected.inspection.pk}/", client),
                             (f"/inspections/{inspected.inspection.pk}/recommendations.xlsx",
                              client),
                             ("/api/v1/inspections", client),
                             (f"/api/v1/inspections/{inspected.inspection.pk}", client),
                             ("/meetings/", staff), (f"/meetings/{inspected.meeting.pk}/", staff),
                             (f"/api/v1/meetings/{inspected.meeting.pk}", staff)):
        with django_assert_max_num_queries(16):  # the same with 1 or 10 rows
            assert user_client.get(url).status_code == 200


def test_pages_render_in_english(inspected: Inspected, people: Any, login: Any) -> None:
    people.inspector.language = "en"
    people.inspector.save()
    page = login(people.inspector).get(f"/inspections/{inspected.inspection.pk}/")
    text = page.content.decode()
    assert "Findings" in text and "Recommendations" in text


def test_editing_the_plan_keeps_units_with_findings_and_detects_a_stale_version(
        inspected: Inspected, people: Any, login: Any, org: Any) -> None:
    pk = inspected.inspection.pk
    client = login(people.inspector)
    form = {"title": "Kiểm tra (sửa)", "subject_units": [org.pc08.pk], "period_start":
            "05/05/2025", "period_end": "09/05/2025", "version": 1}
    page = client.post(f"/inspections/{pk}/edit/", form).content.decode()
    assert 'id="id_subject_units_error"' in page and "Phòng Cảnh sát quản lý hành chính" in page
    form["subject_units"] = [org.pc08.pk, org.pc06.pk, org.pc08_d1.pk]
    assert client.post(f"/inspections/{pk}/edit/", form).status_code == 302
    inspected.inspection.refresh_from_db()
    assert inspected.inspection.title == "Kiểm tra (sửa)"
    assert inspected.inspection.subject_units.count() == 3
    stale = client.post(f"/inspections/{pk}/edit/", {**form, "title": "Cũ"}).content.decode()
    assert "Người khác vừa sửa" in stale
    assert login(people.staff).post(f"/inspections/{pk}/edit/", form).status_code == 403


def test_the_conclusion_documents_page_links_to_its_inspection(inspected: Inspected,
                                                               people: Any, login: Any) -> None:
    conclude(inspected, people)
    inspected.inspection.refresh_from_db()
    conclusion = inspected.inspection.conclusion
    assert conclusion is not None
    page = login(people.staff).get(f"/documents/{conclusion.pk}/").content.decode()
    assert f'href="/inspections/{inspected.inspection.pk}/"' in page
    assert "Kết luận kiểm tra" in page
    # The unit inspected knows the document by number through its task, no more.
    limited = login(people.manager).get(f"/documents/{conclusion.pk}/")
    assert limited.status_code == 200
    assert "PC06 số hoá" not in limited.content.decode()


def test_the_api_creates_inspections_and_meetings_within_the_scope(
        inspected: Inspected, people: Any, login: Any, org: Any) -> None:
    inspector = login(people.inspector)
    created = inspector.post("/api/v1/inspections", {
        "title": "Kiểm tra PC08", "subject_units": [org.pc08.pk],
        "period_start": "2025-05-01", "period_end": "2025-05-02"},
        content_type="application/json")
    assert created.status_code == 201
    assert created.json()["owner_unit"]["code"] == "PX05"
    foreign = inspector.post("/api/v1/inspections", {
        "title": "Kiểm tra", "subject_units": [org.other.pk],
        "period_start": "2025-05-01", "period_end": "2025-05-02"},
        content_type="application/json")
    assert foreign.status_code == 422 and "subject_units" in foreign.json()["errors"]
    staff = login(people.staff)
    meeting = staff.post("/api/v1/meetings", {"title": "Họp BCĐ", "held_on": "2025-05-10",
                                              "chair_name": "Đồng chí Giám đốc"},
                         content_type="application/json")
    assert meeting.status_code == 201
    item = staff.post(f"/api/v1/meetings/{meeting.json()['id']}/conclusions",
                      {"text": "Giao Phòng Tham mưu tổng hợp"}, content_type="application/json")
    assert item.status_code == 201 and item.json()["number"] == 1
    no_chair = staff.post("/api/v1/meetings", {"title": "Họp", "held_on": "2025-05-10"},
                          content_type="application/json")
    assert no_chair.status_code == 422 and "chair" in no_chair.json()["errors"]
    assert login(people.inspector).post("/api/v1/meetings", {
        "title": "Họp", "held_on": "2025-05-10", "chair_name": "A"},
        content_type="application/json").status_code == 403


def test_the_new_document_kinds_are_in_the_api_schema_and_filters(
        inspected: Inspected, people: Any, login: Any) -> None:
    conclude(inspected, people)
    client = login(people.staff)
    schema = client.get("/api/v1/openapi.json").content.decode()
    assert '"inspection"' in schema and '"meeting_notice"' in schema
    listed = client.get("/api/v1/documents?kind=inspection").json()
    assert [item["number"] for item in listed["results"]] == ["15/KL-TTr"]
    assert listed["results"][0]["kind_label"] == "Kết luận kiểm tra"


def test_the_inspection_list_filters_by_state_in_the_url(inspected: Inspected, people: Any,
                                                         login: Any, org: Any) -> None:
    services.inspection_create(
        actor=people.inspector, owner_unit=org.px05, title="Kiểm tra khác",
        period_start=dt.date(2025, 5, 1), period_end=dt.date(2025, 5, 2),
        subject_units=[org.pc08])
    conclude(inspected, people)
    client = login(people.inspector)
    page = client.get("/inspections/?state=concluded").content.decode()
    assert inspected.inspection.title in page and "Kiểm tra khác" not in page
    page = client.get("/inspections/?state=nonsense").content.decode()
    assert inspected.inspection.title in page and "Kiểm tra khác" in page


def test_staff_edit_a_meeting_but_not_after_its_conclusions_fall_due(
        inspected: Inspected, people: Any, login: Any) -> None:
    pk = inspected.meeting.pk
    client = login(people.staff)
    form = {"title": "Phiên họp (sửa)", "held_on": "13/05/2025", "chair": people.leader.pk,
            "attendees": [people.staff.pk, people.inspector.pk], "version": 1}
    assert client.post(f"/meetings/{pk}/edit/", form).status_code == 302
    inspected.meeting.refresh_from_db()
    assert inspected.meeting.title == "Phiên họp (sửa)"
    assert inspected.meeting.attendees.count() == 2
    moved = client.post(f"/meetings/{pk}/edit/", {**form, "held_on": "01/08/2025",
                                                  "version": 2}).content.decode()
    assert 'id="id_held_on_error"' in moved
    stale = client.post(f"/meetings/{pk}/edit/", form).content.decode()
    assert "Người khác vừa sửa" in stale
    assert login(people.leader).post(f"/meetings/{pk}/edit/", form).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_unit_inspected_is_told_of_its_follow_up_task(org: Any, people: Any,
                                                          time_machine: Any) -> None:
    from dondoc.notifications.models import Notification

    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    inspection = services.inspection_create(
        actor=people.inspector, owner_unit=org.px05, title="Kiểm tra PC08",
        period_start=dt.date(2025, 5, 5), period_end=dt.date(2025, 5, 9),
        subject_units=[org.pc08])
    services.recommendation_add(actor=people.inspector, inspection=inspection, unit=org.pc08,
                                text="Khắc phục", due_date=dt.date(2025, 9, 30))
    services.inspection_conclude(actor=people.inspector, inspection=inspection,
                                 number="1/KL-TTr", issue_date=dt.date(2025, 5, 14))
    told = set(Notification.objects.filter(kind="task_assigned").values_list(
        "recipient__username", flat=True))
    assert "manager" in told and "outsider" not in told
