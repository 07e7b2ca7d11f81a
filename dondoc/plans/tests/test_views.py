"""Task and document pages end to end: permissions, workflow, bad input, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dondoc.audit.models import AuditEvent
from dondoc.plans import services
from dondoc.plans.models import CompletionRequest, Direction, Task, TaskState
from dondoc.progress.models import ProgressUpdate


@pytest.fixture
def plan(org, people):  # type: ignore[no-untyped-def]
    document = services.document_create(
        actor=people.staff, kind="plan", number="118-KH/ĐUCA", title="Kế hoạch thực hiện NQ 12",
        issuer="Đảng ủy Công an Trung ương", issue_date=dt.date(2022, 5, 25),
        owner_unit=org.catp, code_prefix="KH118")
    group = services.group_create(actor=people.staff, document=document, number="I",
                                  title="Quán triệt, tuyên truyền")
    return document, group


@pytest.fixture
def pc08_task(org, people, plan):  # type: ignore[no-untyped-def]
    document, group = plan
    return services.task_create(
        actor=people.staff, document=document, group=group,
        title="Tổ chức quán triệt Nghị quyết 12 đến toàn thể cán bộ", lead_unit=org.pc08,
        assigning_unit=org.catp, coordinating_units=[org.pc06],
        due_date=timezone.localdate() + dt.timedelta(days=30), expected_product="Báo cáo kết quả")


@pytest.fixture
def pc06_task(org, people, plan):  # type: ignore[no-untyped-def]
    document, group = plan
    return services.task_create(
        actor=people.staff, document=document, group=group, title="Nhiệm vụ riêng của PC06",
        lead_unit=org.pc06, assigning_unit=org.catp, due_date=timezone.localdate())


TASK_URLS = ["", "edit/", "cascade/", "progress/", "complete/", "extend/", "suspend/",
             "cancel/"]


@pytest.mark.parametrize("suffix", TASK_URLS)
def test_another_unit_guessing_a_task_id_gets_404(people, login, pc06_task, suffix) -> None:
    client = login(people.officer)  # PC08: not lead, not coordinator of the PC06 task
    assert client.get(f"/tasks/{pc06_task.pk}/{suffix}").status_code == 404
    response = client.post(f"/tasks/{pc06_task.pk}/{suffix}", {"percent": 50, "results": "x",
                                                                "reason": "x", "note": "x"})
    assert response.status_code == 404
    assert not ProgressUpdate.objects.filter(task=pc06_task).exists()


@pytest.mark.parametrize("path", ["/tasks/{pk}/resume/", "/tasks/{pk}/direction/"])
def test_posting_to_another_units_task_gets_404(people, login, pc06_task, path) -> None:
    client = login(people.officer)
    assert client.post(path.format(pk=pc06_task.pk), {"text": "x"}).status_code == 404


def test_another_agency_cannot_see_tasks_files_or_exports(people, login, pc08_task) -> None:
    client = login(people.other_staff)
    assert client.get(f"/tasks/{pc08_task.pk}/").status_code == 404
    page = client.get("/tasks/")
    assert pc08_task.code not in page.content.decode()
    services.progress_post(actor=people.officer, task=pc08_task, unit=pc08_task.lead_unit,
                           percent=10, results="Đã triển khai",
                           files=[SimpleUploadedFile("bc.pdf", b"%PDF-1.4 x",
                                                     content_type="application/pdf")])
    file_id = pc08_task.files.get().pk
    assert client.get(f"/tasks/files/{file_id}/").status_code == 404
    assert login(people.officer).get(f"/tasks/files/{file_id}/").status_code == 200


def test_coordinating_unit_sees_the_task_and_may_report_but_not_complete(people, login,
                                                                        pc08_task) -> None:
    client = login(people.outsider)  # manager of PC06, a coordinating unit
    assert client.get(f"/tasks/{pc08_task.pk}/").status_code == 200
    assert client.get(f"/tasks/{pc08_task.pk}/progress/").status_code == 200
    assert client.get(f"/tasks/{pc08_task.pk}/complete/").status_code == 403
    assert client.get(f"/tasks/{pc08_task.pk}/edit/").status_code == 403


def test_viewer_reads_but_cannot_report(people, login, pc08_task) -> None:
    client = login(people.viewer)
    assert client.get(f"/tasks/{pc08_task.pk}/").status_code == 200
    assert client.post(f"/tasks/{pc08_task.pk}/progress/", {"percent": 5}).status_code == 403


def test_the_main_flow_assign_report_complete_approve(org, people, login, plan) -> None:
    document, group = plan
    staff = login(people.staff)
    due = (timezone.localdate() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    response = staff.post(f"/tasks/new/?document={document.pk}", {
        "document": document.pk, "group": group.pk, "title": "Rà soát mô hình tổ chức bộ máy",
        "description": "", "lead_unit": org.pc08.pk, "coordinating_units": [org.pc06.pk],
        "deadline_kind": "fixed", "due_date": due, "expected_product": "Báo cáo",
        "priority": 3, "tags": "", "version": 1,
    })
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get(title="Rà soát mô hình tổ chức bộ máy")
    assert task.code == "KH118-I.1"

    officer = login(people.officer)
    response = officer.post(f"/tasks/{task.pk}/progress/", {
        "unit": org.pc08.pk, "percent": 60, "results": "Đã rà soát 6/10 đơn vị",
        "difficulties": "", "proposals": "",
        "evidence": [SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 ok")],
    })
    assert response.status_code == 302
    response = officer.post(f"/tasks/{task.pk}/complete/", {"note": "Đã hoàn thành báo cáo"})
    assert response.status_code == 302
    request = CompletionRequest.objects.get(task=task)

    response = staff.post(f"/completions/{request.pk}/decide/", {"completion-decision": "approve",
                                                                  "completion-note": ""})
    assert response.status_code == 302
    page = staff.get(f"/tasks/{task.pk}/")
    assert page.context["evaluation"].status == "completed_on_time"
    task.refresh_from_db()
    assert (task.state, task.progress) == (TaskState.COMPLETED, 100)
    assert AuditEvent.objects.filter(object_type="plans.completionrequest").count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"percent": 101}, "percent"),
        ({"percent": -1}, "percent"),
        ({"percent": "abc"}, "percent"),
        ({"results": ""}, "results"),
        ({"evidence": [SimpleUploadedFile("virus.exe", b"MZ...")]}, "evidence"),
        ({"evidence": [SimpleUploadedFile("fake.pdf", b"not a pdf")]}, None),
    ],
    ids=["over 100", "negative", "not a number", "no results", "executable", "renamed file"],
)
def test_bad_progress_reports_are_refused_and_nothing_saved(org, people, login, pc08_task,
                                                            data, field) -> None:
    client = login(people.officer)
    payload = {"unit": org.pc08.pk, "percent": 50, "results": "Kết quả", **data}
    response = client.post(f"/tasks/{pc08_task.pk}/progress/", payload)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field in errors) if field else errors
    assert not ProgressUpdate.objects.filter(task=pc08_task).exists()


def test_extension_request_must_move_the_deadline_later(people, login, pc08_task) -> None:
    client = login(people.officer)
    earlier = (pc08_task.deadline - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(f"/tasks/{pc08_task.pk}/extend/", {"proposed_due": earlier,
                                                               "reason": "Chờ số liệu"})
    assert response.status_code == 200
    assert "proposed_due" in response.context["form"].errors
    bad = client.post(f"/tasks/{pc08_task.pk}/extend/", {"proposed_due": "32/13/2026",
                                                         "reason": "x"})
    assert "proposed_due" in bad.context["form"].errors
    assert not pc08_task.extensions.exists()


def test_approved_extension_keeps_the_original_due_date(people, login, pc08_task) -> None:
    later = pc08_task.deadline + dt.timedelta(days=20)
    login(people.officer).post(f"/tasks/{pc08_task.pk}/extend/", {
        "proposed_due": later.strftime("%d/%m/%Y"), "reason": "Chờ kinh phí"})
    extension = pc08_task.extensions.get()
    login(people.staff).post(f"/extensions/{extension.pk}/decide/", {"extension-decision": "approve"})
    pc08_task.refresh_from_db()
    assert pc08_task.deadline == later
    assert pc08_task.due_date == later - dt.timedelta(days=20)


def test_refusing_needs_a_reason(people, login, pc08_task) -> None:
    services.completion_request(actor=people.officer, task=pc08_task, note="Xong")
    request = pc08_task.completion_requests.get()
    login(people.staff).post(f"/completions/{request.pk}/decide/", {"completion-decision": "refuse",
                                                                    "completion-note": ""})
    request.refresh_from_db()
    assert request.status == "pending"


def test_only_the_assigning_side_decides(people, login, pc08_task) -> None:
    services.completion_request(actor=people.officer, task=pc08_task, note="Xong")
    request = pc08_task.completion_requests.get()
    response = login(people.manager).post(f"/completions/{request.pk}/decide/",
                                          {"completion-decision": "approve"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_leader_direction_is_highlighted_until_acknowledged(people, login, pc08_task) -> None:
    login(people.leader).post(f"/tasks/{pc08_task.pk}/direction/",
                              {"text": "Khẩn trương hoàn thành trước hạn"})
    officer = login(people.officer)
    page = officer.get(f"/tasks/{pc08_task.pk}/")
    assert [d.text for d in page.context["unacknowledged"]] == ["Khẩn trương hoàn thành trước hạn"]
    direction = Direction.objects.get()
    assert officer.post(f"/directions/{direction.pk}/acknowledge/").status_code == 302
    assert officer.get(f"/tasks/{pc08_task.pk}/").context["unacknowledged"] == []


def test_officers_cannot_give_directions(people, login, pc08_task) -> None:
    assert login(people.officer).post(f"/tasks/{pc08_task.pk}/direction/",
                                      {"text": "x"}).status_code == 403


def test_manager_cascades_to_a_sub_unit_and_parent_rolls_up(org, people, login,
                                                           pc08_task) -> None:
    manager = login(people.manager)
    response = manager.post(f"/tasks/{pc08_task.pk}/cascade/", {
        "document": pc08_task.document_id, "title": "Quán triệt tại Đội CSGT số 1",
        "description": "", "lead_unit": org.pc08_d1.pk, "deadline_kind": "fixed",
        "due_date": pc08_task.deadline.strftime("%d/%m/%Y"), "expected_product": "",
        "priority": 2, "tags": "", "version": 1,
    })
    assert response.status_code == 302, response.context["form"].errors
    child = Task.objects.get(parent=pc08_task)
    assert child.code == f"{pc08_task.code}.1"
    services.progress_post(actor=people.team_officer, task=child, unit=org.pc08_d1, percent=80,
                           results="Đã quán triệt")
    page = manager.get(f"/tasks/{pc08_task.pk}/")
    assert page.context["rollup"] == 80
    # A sub-task may not go outside the parent's lead unit.
    outside = manager.post(f"/tasks/{pc08_task.pk}/cascade/", {
        "document": pc08_task.document_id, "title": "X", "lead_unit": org.pc06.pk,
        "deadline_kind": "standing", "priority": 2, "version": 1})
    assert outside.status_code == 200
    assert "lead_unit" in outside.context["form"].errors


def test_stale_task_edit_is_refused(org, people, login, pc08_task) -> None:
    staff = login(people.staff)
    form = {"group": pc08_task.group_id, "title": "Tên A", "description": "",
            "lead_unit": org.pc08.pk, "coordinating_units": [], "deadline_kind": "fixed",
            "due_date": pc08_task.due_date.strftime("%d/%m/%Y"), "expected_product": "",
            "priority": 2, "tags": "", "version": pc08_task.version}
    assert staff.post(f"/tasks/{pc08_task.pk}/edit/", form).status_code == 302
    response = staff.post(f"/tasks/{pc08_task.pk}/edit/", {**form, "title": "Tên B"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Task.objects.get(pk=pc08_task.pk).title == "Tên A"


def test_task_list_filters_and_diacritic_insensitive_search(people, login, pc08_task,
                                                            pc06_task) -> None:
    client = login(people.staff)
    found = client.get("/tasks/?q=quan triet nghi quyet")
    assert [task.pk for task in found.context["page"]] == [pc08_task.pk]
    overdue = client.get("/tasks/?status=in_progress_overdue")
    assert list(overdue.context["page"]) == []
    bad = client.get("/tasks/?due_from=31/02/2026&status=bogus")
    assert set(bad.context["filters"].errors) == {"due_from", "status"}


def test_task_list_and_detail_use_a_bounded_number_of_queries(
        org, people, login, plan, django_assert_max_num_queries) -> None:
    document, group = plan
    tasks = [services.task_create(actor=people.staff, document=document, group=group,
                                  title=f"Nhiệm vụ {n}", lead_unit=org.pc08,
                                  assigning_unit=org.catp, coordinating_units=[org.pc06],
                                  due_date=dt.date(2030, 1, 1)) for n in range(30)]
    for n in range(10):
        services.progress_post(actor=people.officer, task=tasks[0], unit=org.pc08,
                               percent=n * 10, results=f"Báo cáo {n}")
    client = login(people.staff)
    with django_assert_max_num_queries(11):
        assert client.get("/tasks/?size=50").status_code == 200
    # The task page: 12 (26 before issue 15): one query tells which of its often empty
    # lists (sub-tasks, obstacles and import flags too) have rows, and only those are read;
    # the step files are one query; the obstacle box's "may raise" is the page's own "may
    # report"; the user's unit comes with the user (the sign-in backend); the user's
    # rights on the task (decide, report, lead) are one query.
    with django_assert_max_num_queries(12):
        assert client.get(f"/tasks/{tasks[0].pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/documents/").status_code == 200


def test_my_tasks_splits_by_status_and_home_links_to_overdue(org, people, login, plan) -> None:
    document, group = plan
    late = services.task_create(actor=people.staff, document=document, group=group,
                                title="Nhiệm vụ quá hạn", lead_unit=org.pc08,
                                assigning_unit=org.catp, due_date=dt.date(2024, 1, 1),
                                assigned_on=dt.date(2023, 6, 1))
    client = login(people.officer)
    home = client.get("/")
    overdue = next(item for item in home.context["attention"] if item.tone == "danger")
    assert overdue.count == 1
    page = client.get(overdue.url)
    assert [task.pk for task in page.context["page"]] == [late.pk]


def test_document_pages_and_staff_only_registration(people, login, plan) -> None:
    document, _group = plan
    assert login(people.officer).get(f"/documents/{document.pk}/").status_code == 200
    assert login(people.officer).get("/documents/new/").status_code == 403
    response = login(people.staff).post("/documents/new/", {
        "kind": "project", "number": "01/ĐA-CATP", "title": "Đề án", "issuer": "CATP",
        "issue_date": "31/12/2022", "parent": document.pk, "owner_unit": document.owner_unit_id,
        "code_prefix": "da01", "summary": "", "version": 1})
    assert response.status_code == 302
    duplicate = login(people.staff).post("/documents/new/", {
        "kind": "project", "number": "02", "title": "X", "issuer": "CATP",
        "issue_date": "31/12/2022", "owner_unit": document.owner_unit_id,
        "code_prefix": "DA01", "version": 1})
    assert duplicate.status_code == 200
    assert "code_prefix" in duplicate.context["form"].errors


def test_document_attachments_are_type_checked_and_scoped(people, login, plan) -> None:
    document, _group = plan
    staff = login(people.staff)
    staff.post(f"/documents/{document.pk}/attach/",
               {"file": SimpleUploadedFile("kh118.pdf", b"%PDF-1.7 content")})
    staff.post(f"/documents/{document.pk}/attach/",
               {"file": SimpleUploadedFile("kh118.pdf", b"<html>not a pdf")})
    staff.post(f"/documents/{document.pk}/attach/",
               {"file": SimpleUploadedFile("script.js", b"alert(1)")})
    assert [a.original_name for a in document.attachments.all()] == ["kh118.pdf"]
    attachment = document.attachments.get()
    assert login(people.other_staff).get(f"/documents/files/{attachment.pk}/").status_code == 404


def test_transfer_moves_open_tasks_of_a_dissolved_unit(org, people, login, pc06_task,
                                                       pc08_task) -> None:
    staff = login(people.staff)
    response = staff.post(f"/units/{org.pc06.pk}/transfer/", {"to_unit": org.pv01.pk,
                                                              "on": "01/03/2025"})
    assert response.status_code == 302
    pc06_task.refresh_from_db()
    assert pc06_task.lead_unit_id == org.pv01.pk
    assert list(pc08_task.coordinating_units.values_list("code", flat=True)) == ["PV01"]
    assert login(people.manager).post(f"/units/{org.pc06.pk}/transfer/", {}).status_code == 404


def test_statistics_page_counts_by_unit_as_of_a_date(org, people, login, plan) -> None:
    document, group = plan
    services.task_create(actor=people.staff, document=document, group=group,
                         title="Quá hạn", lead_unit=org.pc08_d1, assigning_unit=org.catp,
                         due_date=dt.date(2024, 1, 1), assigned_on=dt.date(2023, 6, 1))
    client = login(people.staff)
    page = client.get(f"/statistics/?unit={org.catp.pk}")
    rows = {child.code if child else None: counts for child, counts in page.context["rows"]}
    assert rows["PC08"].in_progress_overdue == 1  # counted in the PC08 subtree
    assert page.context["total"].total == 1
    before = client.get(f"/statistics/?unit={org.catp.pk}&as_of=01/12/2023")
    assert before.context["total"].in_progress_on_time == 1
    earlier = client.get(f"/statistics/?unit={org.catp.pk}&as_of=01/01/2023")
    assert earlier.context["total"].total == 0  # not yet assigned
    bad = client.get("/statistics/?as_of=99/99/2023")
    assert bad.context["error"] == "as_of"
    assert login(people.manager).get(f"/statistics/?unit={org.pc06.pk}").status_code == 404


def test_a_correction_is_a_new_report_that_points_to_the_old_one(org, people, login,
                                                                 pc08_task) -> None:
    first = services.progress_post(actor=people.officer, task=pc08_task, unit=org.pc08,
                                   percent=70, results="Sai số liệu")
    response = login(people.officer).post(f"/tasks/{pc08_task.pk}/progress/", {
        "unit": org.pc08.pk, "percent": 40, "results": "Số liệu đúng là 40%",
        "corrects": first.pk})
    assert response.status_code == 302
    updates = list(ProgressUpdate.objects.filter(task=pc08_task).order_by("id"))
    assert [u.percent for u in updates] == [70, 40]
    assert updates[1].corrects_id == first.pk
    assert updates[0].results == "Sai số liệu"  # the original is untouched


def test_task_list_pages_count_and_clamp_like_the_paginator(org, people, login, plan) -> None:
    document, group = plan
    for n in range(30):
        services.task_create(actor=people.staff, document=document, group=group,
                             title=f"Nhiệm vụ {n:02d}", lead_unit=org.pc08,
                             assigning_unit=org.catp, due_date=dt.date(2030, 1, n % 28 + 1))
    client = login(people.staff)
    first = client.get("/tasks/?sort=code")
    second = client.get("/tasks/?sort=code&page=2")
    beyond = client.get("/tasks/?sort=code&page=99")
    bogus = client.get("/tasks/?sort=code&page=abc")
    assert first.context["page"].paginator.count == 30
    codes = [t.code for t in first.context["page"]] + [t.code for t in second.context["page"]]
    assert len(codes) == len(set(codes)) == 30
    assert [t.code for t in beyond.context["page"]] == [t.code for t in second.context["page"]]
    assert beyond.context["page"].number == 2
    assert [t.code for t in bogus.context["page"]] == [t.code for t in first.context["page"]]
    empty = client.get("/tasks/?q=khong-co-gi")
    assert empty.context["page"].paginator.count == 0
    assert list(empty.context["page"]) == []


def test_other_pages_use_a_bounded_number_of_queries(org, people, login, plan,
                                                      django_assert_max_num_queries) -> None:
    document, group = plan
    for n in range(40):
        task = services.task_create(actor=people.staff, document=document, group=group,
                                    title=f"Nhiệm vụ {n}", lead_unit=org.pc08_d1,
                                    assigning_unit=org.catp, coordinating_units=[org.pc06],
                                    due_date=dt.date(2030, 1, 1))
        services.progress_post(actor=people.team_officer, task=task, unit=org.pc08_d1,
                               percent=10, results="Đã triển khai")
    staff = login(people.staff)
    officer = login(people.officer)
    # Each page counts one query more for the header's notification bell (its unread count).
    with django_assert_max_num_queries(15):
        assert officer.get("/tasks/mine/?size=50").status_code == 200
    with django_assert_max_num_queries(15):
        assert staff.get(f"/statistics/?unit={org.catp.pk}").status_code == 200
    # The roll-up over implementing documents and the access level (documents readable
    # vs. only titled) each cost one query, whatever the number of tasks; the obstacles
    # box two (its list; the count on its tasks with the right to raise one).
    with django_assert_max_num_queries(19):
        assert staff.get(f"/documents/{document.pk}/").status_code == 200
    with django_assert_max_num_queries(11):
        assert staff.get("/audit/?size=100").status_code == 200
    # The home page carries the unit's reduced dashboard under its cards (issue 10):
    # its figures in one grouped query, the league's units, the shared tasks; the
    # reporting obligations the user sees (issue 12: report card and league column); and
    # the league's "urged N times" (one query for the whole column).
    with django_assert_max_num_queries(19):
        assert officer.get("/").status_code == 200


def test_both_pending_decisions_show_separate_forms(people, login, pc08_task) -> None:
    services.extension_request(actor=people.officer, task=pc08_task, reason="Chờ kinh phí",
                               proposed_due=pc08_task.deadline + dt.timedelta(days=30))
    services.completion_request(actor=people.officer, task=pc08_task, note="Đã xong")
    page = login(people.staff).get(f"/tasks/{pc08_task.pk}/").content.decode()
    assert page.count('id="id_completion-decision_0"') == 1
    assert page.count('id="id_extension-decision_0"') == 1
    extension = pc08_task.extensions.get()
    login(people.staff).post(f"/extensions/{extension.pk}/decide/",
                             {"extension-decision": "refuse", "extension-note": "Không cần"})
    extension.refresh_from_db()
    assert extension.status == "refused"
    assert pc08_task.completion_requests.get().status == "pending"


def test_home_links_staff_to_the_extensions_waiting_for_them(people, login, pc08_task,
                                                             pc06_task) -> None:
    services.extension_request(actor=people.officer, task=pc08_task, reason="Chờ số liệu",
                               proposed_due=pc08_task.deadline + dt.timedelta(days=10))
    client = login(people.staff)
    item = next(i for i in client.get("/").context["attention"] if "extension" in i.url)
    assert item.count == 1
    page = client.get(item.url)
    assert [task.pk for task in page.context["page"]] == [pc08_task.pk]


def test_filtered_task_lists_page_and_count_the_same_way(org, people, login, plan) -> None:
    document, group = plan
    for n in range(30):
        services.task_create(actor=people.staff, document=document, group=group,
                             title=f"Rà soát trụ sở {n:02d}", lead_unit=org.pc08,
                             assigning_unit=org.catp, due_date=dt.date(2030, 1, n % 28 + 1))
    client = login(people.staff)
    url = "/tasks/?status=in_progress_on_time&q=ra+soat&sort=code"
    first, second = client.get(url), client.get(url + "&page=2")
    beyond = client.get(url + "&page=9")
    assert first.context["page"].paginator.count == 30
    codes = [t.code for t in first.context["page"]] + [t.code for t in second.context["page"]]
    assert len(set(codes)) == 30
    assert beyond.context["page"].number == 2
    none = client.get("/tasks/?status=in_progress_overdue&q=ra+soat")
    assert none.context["page"].paginator.count == 0
