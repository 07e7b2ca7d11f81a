"""Issue 9 (what five users hit in a walk-through): files on every step, people inside a
unit, home cards that count their lists, task creation from the list, documents rolling up
their implementing documents, comments, withdrawal and bulk confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dondoc.audit.models import AuditEvent
from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory
from dondoc.plans import services
from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    RequestStatus,
    Task,
    TaskComment,
    TaskState,
)
from dondoc.plans.selectors import TaskFilters, task_list
from dondoc.progress.engine import Status
from dondoc.progress.selectors import annotate_status, evaluate_task

PDF = b"%PDF-1.4\n% evidence\n"
TODAY = timezone.localdate


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def plan(org, people):  # type: ignore[no-untyped-def]
    document = services.document_create(
        actor=people.staff, kind="plan", number="118-KH/ĐUCA", title="Kế hoạch thực hiện NQ 12",
        issuer="Đảng ủy Công an Trung ương", issue_date=dt.date(2022, 5, 25),
        owner_unit=org.catp, code_prefix="KH118")
    group = services.group_create(actor=people.staff, document=document, number="I",
                                  title="Quán triệt, tuyên truyền")
    return document, group


def _task(plan: Any, people: Any, lead: Any, *, days: int = 30, title: str = "Nhiệm vụ",
          **extra: Any) -> Task:
    document, group = plan
    extra.setdefault("group", group)
    extra.setdefault("assigning_unit", document.owner_unit)
    return services.task_create(actor=people.staff, document=document, title=title,
                                lead_unit=lead, due_date=TODAY() + dt.timedelta(days=days),
                                assigned_on=TODAY() - dt.timedelta(days=60), **extra)


@pytest.fixture
def team_manager(org):  # type: ignore[no-untyped-def]
    """The manager of a unit without sub-units (like a ward police station)."""
    return UserFactory(username="team_manager", unit=org.pc08_d1, role=Role.UNIT_MANAGER,
                       otp_exempt=True)


# 2. Every step's files stay on the timeline ------------------------------------------


def test_files_of_every_step_stay_on_the_timeline_after_the_decisions(org, people, login,
                                                                      plan) -> None:
    task = _task(plan, people, org.pc08)
    officer = login(people.officer)
    officer.post(f"/tasks/{task.pk}/extend/", {
        "proposed_due": (task.deadline + dt.timedelta(days=20)).strftime("%d/%m/%Y"),
        "reason": "Chờ thiết bị", "evidence": [_pdf("cong-van-xin-gia-han.pdf")]})
    leader = login(people.leader)
    leader.post(f"/tasks/{task.pk}/direction/", {"text": "Khẩn trương hoàn thành",
                                                 "attachments": [_pdf("chi-dao.pdf")]})
    staff = login(people.staff)
    extension = DeadlineExtension.objects.get(task=task)
    staff.post(f"/extensions/{extension.pk}/decide/", {"extension-decision": "approve"})
    officer.post(f"/tasks/{task.pk}/complete/", {"note": "Đã hoàn thành",
                                                 "evidence": [_pdf("bao-cao-ket-qua.pdf")]})
    request = CompletionRequest.objects.get(task=task)
    staff.post(f"/completions/{request.pk}/decide/", {"completion-decision": "approve"})
    assert Task.objects.get(pk=task.pk).state == TaskState.COMPLETED

    names = {"cong-van-xin-gia-han.pdf", "chi-dao.pdf", "bao-cao-ket-qua.pdf"}
    for person in (people.officer, people.staff, people.leader):
        page = login(person).get(f"/tasks/{task.pk}/")
        timeline = page.content.decode().split('class="timeline list-unstyled', 1)[1]
        assert {n for n in names if n not in timeline} == set(), (person.username, list(task.files.values_list("original_name", "extension_id", "completion_request_id")))
    for item in task.files.all():
        download = officer.get(f"/tasks/files/{item.pk}/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert login(people.other_staff).get(f"/tasks/files/{item.pk}/").status_code == 404
    linked = {item.original_name: (item.extension_id, item.direction_id,
                                   item.completion_request_id) for item in task.files.all()}
    assert linked["cong-van-xin-gia-han.pdf"][0] == extension.pk
    assert linked["chi-dao.pdf"][1] is not None
    assert linked["bao-cao-ket-qua.pdf"][2] == request.pk


def test_a_file_of_a_refused_type_on_an_extension_request_saves_nothing(org, people, login,
                                                                         plan) -> None:
    task = _task(plan, people, org.pc08)
    response = login(people.officer).post(f"/tasks/{task.pk}/extend/", {
        "proposed_due": (task.deadline + dt.timedelta(days=20)).strftime("%d/%m/%Y"),
        "reason": "Chờ thiết bị",
        "evidence": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/octet-stream")]})
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"]
    assert not DeadlineExtension.objects.filter(task=task).exists()


# 6. Cascade only where it can work; work inside a unit goes to people ----------------


def test_a_unit_without_sub_units_is_not_offered_cascade(org, people, login, plan,
                                                         team_manager) -> None:
    task = _task(plan, people, org.pc08_d1)
    client = login(team_manager)
    page = client.get(f"/tasks/{task.pk}/")
    assert not page.context["can"]["cascade"]
    assert f"/tasks/{task.pk}/cascade/" not in page.content.decode()
    response = client.get(f"/tasks/{task.pk}/cascade/", follow=True)
    assert response.redirect_chain[-1][0] == f"/tasks/{task.pk}/"
    assert "cán bộ" in response.content.decode()  # told to name the officers instead
    # A unit with sub-units still cascades.
    parent = _task(plan, people, org.pc08)
    assert login(people.manager).get(f"/tasks/{parent.pk}/").context["can"]["cascade"]


def test_a_sub_task_does_not_default_to_a_deadline_already_past(org, people, login,
                                                                plan) -> None:
    late = _task(plan, people, org.pc08, days=-5)
    form = login(people.manager).get(f"/tasks/{late.pk}/cascade/").context["form"]
    assert form["due_date"].value() is None
    ahead = _task(plan, people, org.pc08, days=10)
    form = login(people.manager).get(f"/tasks/{ahead.pk}/cascade/").context["form"]
    assert form["due_date"].value() == ahead.deadline


def test_a_unit_manager_names_officers_shown_on_lists_and_filterable(org, people, login,
                                                                     plan) -> None:
    task = _task(plan, people, org.pc08, title="Lắp đặt camera")
    other = _task(plan, people, org.pc08, title="Việc khác của phòng")
    colleague = UserFactory(username="colleague", unit=org.pc08, role=Role.OFFICER,
                            first_name="Bình", last_name="Trần", otp_exempt=True)
    manager = login(people.manager)
    response = manager.post(f"/tasks/{task.pk}/people/",
                            {"officers": [people.officer.pk, colleague.pk]})
    assert response.status_code == 302
    assert set(Task.objects.get(pk=task.pk).assignees.all()) == {people.officer, colleague}
    event = AuditEvent.objects.filter(object_type="plans.task", object_id=str(task.pk),
                                      action="update").last()
    assert event is not None
    assert event.changes["assignees"] == [[], sorted([people.officer.pk, colleague.pk])]

    officer = login(people.officer)
    listing = officer.get("/tasks/mine/?assignee=me")
    assert [row.pk for row in listing.context["page"]] == [task.pk]
    assert "Trần Bình" in listing.content.decode() or "Bình" in listing.content.decode()
    everything = officer.get("/tasks/mine/")
    assert {row.pk for row in everything.context["page"]} >= {task.pk, other.pk}
    by_id = login(people.staff).get(f"/tasks/?assignee={colleague.pk}")
    assert [row.pk for row in by_id.context["page"]] == [task.pk]
    home = officer.get("/")
    mine = next(item for item in home.context["attention"] if "assignee=me" in item.url)
    assert mine.count == 1
    detail = officer.get(f"/tasks/{task.pk}/").content.decode()
    assert colleague.get_full_name() in detail

    # Unticking everyone gives the task back to the unit as a whole.
    manager.post(f"/tasks/{task.pk}/people/", {})
    assert not Task.objects.get(pk=task.pk).assignees.exists()


def test_only_the_manager_of_a_unit_of_the_task_names_its_officers(org, people, login,
                                                                   plan) -> None:
    task = _task(plan, people, org.pc08)
    assert login(people.officer).post(f"/tasks/{task.pk}/people/",
                                      {"officers": [people.officer.pk]}).status_code == 403
    assert login(people.staff).post(f"/tasks/{task.pk}/people/",
                                    {"officers": [people.officer.pk]}).status_code == 403
    outsider_task = _task(plan, people, org.pc06)
    assert login(people.manager).post(f"/tasks/{outsider_task.pk}/people/",
                                      {"officers": [people.officer.pk]}).status_code == 404
    # Someone of another unit cannot be named: the choice is refused, nothing saved.
    response = login(people.manager).post(f"/tasks/{task.pk}/people/",
                                          {"officers": [people.outsider.pk]}, follow=True)
    assert not Task.objects.get(pk=task.pk).assignees.exists()
    assert any("officers" in str(m) or "hợp lệ" in str(m) or "valid" in str(m)
               for m in response.context["messages"])


def test_the_service_refuses_officers_of_another_unit_with_a_clear_message(org, people,
                                                                           plan) -> None:
    task = _task(plan, people, org.pc08)
    with pytest.raises(Exception) as error:
        services.task_assign_people(actor=people.manager, task=task, unit=org.pc08,
                                    officers=[people.outsider])
    message = error.value.message_dict["officers"][0]  # type: ignore[attr-defined]
    assert people.outsider.get_full_name() in message and org.pc08.name in message


# 7. Each home card opens exactly the set it counts ------------------------------------


def _build_home_world(org: Any, people: Any, plan: Any) -> None:
    document, _group = plan
    _task(plan, people, org.pc08, days=-3, title="Quá hạn PC08")
    _task(plan, people, org.pc08_d1, days=2, title="Sắp đến hạn D1")
    _task(plan, people, org.pc06, days=40, title="Đang làm PC06")
    _task(plan, people, org.pc08, days=40, title="Đang làm PC08", group=None)
    awaiting = _task(plan, people, org.pc08, days=20, title="Chờ xác nhận PC08")
    services.completion_request(actor=people.officer, task=awaiting, note="Xong")
    # A sub-task PC08 assigned itself: its manager decides on it.
    parent = _task(plan, people, org.pc08, days=20, title="Nhiệm vụ mẹ")
    child = services.task_create(actor=people.manager, document=document, parent=parent,
                                 title="Nhiệm vụ con", lead_unit=org.pc08_d1,
                                 assigning_unit=org.pc08,
                                 due_date=TODAY() + dt.timedelta(days=15))
    services.completion_request(actor=people.team_officer, task=child, note="Xong")
    extended = _task(plan, people, org.pc08, days=10, title="Xin gia hạn")
    services.extension_request(actor=people.officer, task=extended, reason="Chờ",
                               proposed_due=TODAY() + dt.timedelta(days=30))
    directed = _task(plan, people, org.pc08, days=25, title="Có chỉ đạo")
    services.direction_add(actor=people.leader, task=directed, text="Một")
    services.direction_add(actor=people.leader, task=directed, text="Hai")
    services.task_assign_people(actor=people.manager, task=directed, unit=org.pc08,
                                officers=[people.officer])


@pytest.mark.parametrize("persona", ["admin", "leader", "staff", "inspector", "manager",
                                     "officer", "team_officer", "viewer", "outsider"])
def test_each_home_card_counts_the_rows_of_the_list_it_opens(org, people, login, plan,
                                                              persona) -> None:
    _build_home_world(org, people, plan)
    client = login(getattr(people, persona))
    cards = client.get("/").context["attention"]
    assert cards
    targets = [card.url for card in cards]
    assert len(targets) == len(set(targets)), "two cards open the same list"
    for card in cards:
        listing = client.get(card.url)
        assert listing.status_code == 200, card.url
        assert listing.context["page"].paginator.count == card.count, (card.label, card.url)


def test_the_cards_say_which_set_their_list_shows(org, people, login, plan) -> None:
    _build_home_world(org, people, plan)
    manager = login(people.manager)
    cards = {card.label: card for card in manager.get("/").context["attention"]}
    directions = next(card for label, card in cards.items() if "direction" in card.url)
    assert directions.count == 1  # one task, though it has two directions
    text = manager.get(directions.url).content.decode()
    assert "chưa xác nhận đã nắm" in text or "not yet acknowledged" in text
    confirm = next(card for card in cards.values() if "decide=mine" in card.url
                   and "awaiting" in card.url)
    assert confirm.count == 1  # the sub-task PC08 assigned, not the city's awaiting task
    assert "Chờ bạn quyết định" in manager.get(confirm.url).content.decode() or \
        "Waiting for your decision" in manager.get(confirm.url).content.decode()


# 8. A task is created from the task list ----------------------------------------------


def test_new_task_from_the_list_asks_for_the_document_first(org, people, login, plan) -> None:
    document, _group = plan
    staff = login(people.staff)
    listing = staff.get("/tasks/").content.decode()
    assert 'href="/tasks/new/"' in listing
    choose = staff.get("/tasks/new/")
    assert choose.status_code == 200
    assert document.pk in [doc.pk for doc in choose.context["form"].fields["document"].queryset]
    missing = staff.get("/tasks/new/?document=")
    assert missing.context["form"].errors["document"]
    form = staff.get(f"/tasks/new/?document={document.pk}")
    assert form.context["document"] == document
    assert login(people.officer).get("/tasks/new/").status_code == 403


# 9. A parent document rolls up its implementing documents -----------------------------


def test_a_document_lists_its_ungrouped_tasks_and_rolls_up_its_descendants(org, people, login,
                                                                            plan) -> None:
    document, _group = plan
    root = services.document_create(
        actor=people.staff, kind="resolution", number="12-NQ/TW", title="Nghị quyết 12",
        issuer="Bộ Chính trị", issue_date=dt.date(2022, 3, 16), owner_unit=org.catp,
        code_prefix="NQ12")
    services.document_update(actor=people.staff, document=document, expected_version=1,
                             parent=root)
    child_plan = services.document_create(
        actor=people.staff, kind="programme", number="5-CTr", title="Chương trình 5",
        issuer="CATP", issue_date=dt.date(2022, 6, 1), owner_unit=org.catp, code_prefix="CT5",
        parent=document)
    ungrouped = [_task(plan, people, org.pc08, title=f"Không nhóm {n}", group=None)
                 for n in range(2)]
    services.task_create(actor=people.staff, document=child_plan, title="Việc của CT5",
                         lead_unit=org.pc06, assigning_unit=org.catp,
                         due_date=TODAY() + dt.timedelta(days=9))
    staff = login(people.staff)

    page = staff.get(f"/documents/{document.pk}/")
    assert page.context["ungrouped"].total == 2
    text = page.content.decode()
    assert f"?document={document.pk}&amp;group=none" in text
    assert [row.pk for row in staff.get(f"/tasks/?document={document.pk}&group=none")
            .context["page"]] == sorted(task.pk for task in ungrouped) or {
        row.pk for row in staff.get(f"/tasks/?document={document.pk}&group=none")
        .context["page"]} == {task.pk for task in ungrouped}
    assert page.context["total"].total == 3  # its two tasks and the programme's one

    root_page = staff.get(f"/documents/{root.pk}/")
    assert root_page.context["total"].total == 3
    assert f"?document={root.pk}&amp;subdocs=1" in root_page.content.decode()
    rolled = staff.get(f"/tasks/?document={root.pk}&subdocs=1")
    assert rolled.context["page"].paginator.count == 3
    rows = {doc.pk: rollup for doc, _depth, rollup in
            staff.get("/documents/").context["rows"]}
    assert (rows[root.pk].counts.total, rows[root.pk].own_total) == (3, 0)
    assert rows[child_plan.pk].counts.total == 1


# 12. Comments, withdrawal, bulk confirmation -----------------------------------------


def test_both_sides_comment_on_a_task_and_each_comment_is_audited(org, people, login,
                                                                  plan) -> None:
    task = _task(plan, people, org.pc08)
    assert login(people.officer).post(f"/tasks/{task.pk}/comments/",
                                      {"text": "Xin hướng dẫn mẫu báo cáo"}).status_code == 302
    assert login(people.staff).post(f"/tasks/{task.pk}/comments/",
                                    {"text": "Dùng mẫu số 2"}).status_code == 302
    assert [c.text for c in TaskComment.objects.filter(task=task)] == [
        "Xin hướng dẫn mẫu báo cáo", "Dùng mẫu số 2"]
    assert AuditEvent.objects.filter(object_type="plans.taskcomment", action="create").count() == 2
    page = login(people.manager).get(f"/tasks/{task.pk}/").content.decode()
    assert "Dùng mẫu số 2" in page and "Xin hướng dẫn mẫu báo cáo" in page
    # Outside the scope: 404; in scope but not a side of the task: 403; empty: refused.
    assert login(people.other_staff).post(f"/tasks/{task.pk}/comments/",
                                          {"text": "x"}).status_code == 404
    assert login(people.viewer).post(f"/tasks/{task.pk}/comments/",
                                     {"text": "x"}).status_code == 403
    empty = login(people.officer).post(f"/tasks/{task.pk}/comments/", {"text": "  "},
                                       follow=True)
    assert TaskComment.objects.filter(task=task).count() == 2
    assert list(empty.context["messages"])


def test_comment_add_refuses_empty_and_overlong_text(org, people, plan) -> None:
    task = _task(plan, people, org.pc08)
    for text in ("", "   ", "x" * (services.COMMENT_MAX_LENGTH + 1)):
        with pytest.raises(Exception) as error:
            services.comment_add(actor=people.officer, task=task, text=text)
        assert "text" in error.value.message_dict  # type: ignore[attr-defined]


def test_a_withdrawn_request_was_awaiting_before_the_withdrawal_not_after(org, people, login,
                                                                          plan) -> None:
    task = _task(plan, people, org.pc08)
    submitted = TODAY() - dt.timedelta(days=10)
    withdrawn = TODAY() - dt.timedelta(days=4)
    request = services.completion_request(actor=people.officer, task=task, note="Xong",
                                          submitted_on=submitted)
    services.completion_withdraw(actor=people.officer, request=request, on=withdrawn)
    task = Task.objects.get(pk=task.pk)
    assert task.state == TaskState.ASSIGNED and task.pending_since is None
    assert CompletionRequest.objects.get(pk=request.pk).status == RequestStatus.WITHDRAWN

    detail = Task.objects.prefetch_related("completion_requests", "extensions", "suspensions",
                                           "updates").get(pk=task.pk)
    for day, expected in [(submitted - dt.timedelta(days=1), Status.IN_PROGRESS_ON_TIME),
                          (submitted, Status.AWAITING_CONFIRMATION),
                          (withdrawn - dt.timedelta(days=1), Status.AWAITING_CONFIRMATION),
                          (withdrawn, Status.IN_PROGRESS_ON_TIME),
                          (TODAY(), Status.IN_PROGRESS_ON_TIME)]:
        engine_status = evaluate_task(detail, day)
        assert engine_status is not None and engine_status.status == expected, day
        sql = annotate_status(Task.objects.filter(pk=task.pk), day).get().status  # type: ignore[attr-defined]
        assert sql == expected, day
    listing = task_list(user=people.staff, filters=TaskFilters(
        status="awaiting_confirmation", as_of=withdrawn - dt.timedelta(days=1)))
    assert [row.pk for row in listing] == [task.pk]
    page = login(people.officer).get(f"/tasks/{task.pk}/").content.decode()
    assert "Đề nghị hoàn thành đã rút" in page or "Completion request withdrawn" in page


def test_the_lead_unit_withdraws_its_requests_and_others_may_not(org, people, login,
                                                                 plan) -> None:
    task = _task(plan, people, org.pc08)
    extension = services.extension_request(actor=people.officer, task=task, reason="Chờ",
                                           proposed_due=task.deadline + dt.timedelta(days=9))
    request = services.completion_request(actor=people.officer, task=task, note="Xong")
    staff = login(people.staff)
    assert staff.post(f"/completions/{request.pk}/withdraw/").status_code == 403
    assert login(people.other_staff).post(
        f"/completions/{request.pk}/withdraw/").status_code == 404
    officer = login(people.officer)
    page = officer.get(f"/tasks/{task.pk}/").content.decode()
    assert f"/completions/{request.pk}/withdraw/" in page
    assert officer.post(f"/completions/{request.pk}/withdraw/").status_code == 302
    assert officer.post(f"/extensions/{extension.pk}/withdraw/").status_code == 302
    assert DeadlineExtension.objects.get(pk=extension.pk).status == RequestStatus.WITHDRAWN
    assert Task.objects.get(pk=task.pk).deadline == task.deadline
    again = officer.post(f"/completions/{request.pk}/withdraw/", follow=True)
    assert any("waiting" in str(m) or "chờ" in str(m) for m in again.context["messages"])
    changes = list(AuditEvent.objects.filter(changes__status=["pending", "withdrawn"])
                   .values_list("object_type", flat=True))
    assert sorted(changes) == ["plans.completionrequest", "plans.deadlineextension"]
    # A withdrawn request can no longer be decided.
    response = staff.post(f"/completions/{request.pk}/decide/",
                          {"completion-decision": "approve"}, follow=True)
    assert Task.objects.get(pk=task.pk).state != TaskState.COMPLETED
    assert list(response.context["messages"])


def test_staff_confirm_several_completions_and_the_others_are_refused_one_by_one(
        org, people, login, plan) -> None:
    first = _task(plan, people, org.pc08, title="Một")
    second = _task(plan, people, org.pc06, title="Hai")
    open_task = _task(plan, people, org.pc08, title="Chưa xong")
    for task in (first, second):
        services.completion_request(actor=people.admin, task=task, note="Xong")
    other = services.task_create(actor=people.other_staff,
                                 document=services.document_create(
                                     actor=people.other_staff, kind="plan", number="7",
                                     title="KH 7", issuer="CAT", issue_date=dt.date(2025, 1, 1),
                                     owner_unit=org.other, code_prefix="KH7"),
                                 title="Tỉnh khác", lead_unit=org.other,
                                 assigning_unit=org.other, due_date=TODAY())
    services.completion_request(actor=people.other_staff, task=other, note="Xong")

    staff = login(people.staff)
    awaiting = staff.get("/tasks/?status=awaiting_confirmation")
    assert awaiting.context["bulk_confirm"]
    assert 'form="bulk-confirm"' in awaiting.content.decode()
    response = staff.post("/completions/confirm/", {
        "task": [first.pk, second.pk, open_task.pk, other.pk, "abc"],
        "next": "/tasks/?status=awaiting_confirmation"}, follow=True)
    assert response.redirect_chain[-1][0] == "/tasks/?status=awaiting_confirmation"
    states = dict(Task.objects.filter(pk__in=[first.pk, second.pk, open_task.pk, other.pk])
                  .values_list("pk", "state"))
    assert states == {first.pk: TaskState.COMPLETED, second.pk: TaskState.COMPLETED,
                      open_task.pk: TaskState.ASSIGNED, other.pk: TaskState.SUBMITTED}
    messages = [str(m) for m in response.context["messages"]]
    assert any(first.code in m and second.code in m for m in messages)
    assert any(open_task.code in m for m in messages)  # refused with its reason
    assert AuditEvent.objects.filter(object_type="plans.completionrequest", action="update",
                                     actor_name="staff").count() == 2

    # A manager may only confirm what the unit assigned: the city's task is refused.
    waiting = _task(plan, people, org.pc08_d1, title="Của thành phố")
    services.completion_request(actor=people.team_officer, task=waiting, note="Xong")
    outcomes = services.completions_confirm_many(actor=people.manager, task_ids=[waiting.pk])
    assert outcomes[0].error and Task.objects.get(pk=waiting.pk).state == TaskState.SUBMITTED
    empty = staff.post("/completions/confirm/", {"next": "https://evil.example/"}, follow=True)
    assert empty.redirect_chain[-1][0].startswith("/tasks/")
