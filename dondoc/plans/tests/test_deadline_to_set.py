"""A task assigned without a date (deadline kind "none", "Chưa xác định thời hạn"): in
progress on time with a "no deadline yet" flag, outside the on-time rate; setting the
date later is recorded with its own date (issue 8, decision "No date yet")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dondoc.plans import services
from dondoc.plans.models import DeadlineExtension, DeadlineKind, Task
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.progress.engine import Status
from dondoc.progress.selectors import annotate_status, statistics

ASSIGNED = dt.date(2024, 1, 10)
SET_ON = dt.date(2024, 3, 1)
TODAY = dt.datetime(2024, 5, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def undated(org, people) -> Task:  # type: ignore[no-untyped-def]
    document = make_document(org.catp, actor=people.staff)
    return make_task(document, org.pc08, actor=people.staff, due_date=None,
                     assigned_on=ASSIGNED)


def status_of(task: Task, day: dt.date) -> tuple[str, bool]:
    row = annotate_status(Task.objects.filter(pk=task.pk), day).values_list(
        "status", "no_deadline").get()
    return row[0], bool(row[1])


@time_machine.travel(TODAY, tick=False)
def test_an_empty_deadline_on_create_is_a_deadline_to_set(undated) -> None:
    assert (undated.deadline_kind, undated.due_date, undated.deadline) == (
        DeadlineKind.NONE, None, None)
    assert status_of(undated, TODAY.date()) == (Status.IN_PROGRESS_ON_TIME, True)
    counts = statistics(Task.objects.all())
    assert (counts.no_deadline, counts.in_progress_on_time, counts.on_time_rate) == (1, 1, None)


@time_machine.travel(TODAY, tick=False)
def test_setting_the_date_later_keeps_earlier_dates_as_they_were(people, undated) -> None:
    services.task_set_deadline(actor=people.staff, task=undated, due=dt.date(2024, 3, 31),
                               on=SET_ON)

    undated.refresh_from_db()
    assert (undated.deadline_kind, undated.deadline) == (DeadlineKind.NONE, dt.date(2024, 3, 31))
    assert status_of(undated, dt.date(2024, 2, 29)) == (Status.IN_PROGRESS_ON_TIME, True)
    assert status_of(undated, SET_ON) == (Status.IN_PROGRESS_ON_TIME, False)
    assert status_of(undated, TODAY.date()) == (Status.IN_PROGRESS_OVERDUE, False)
    before = statistics(Task.objects.all(), dt.date(2024, 2, 29))
    assert (before.no_deadline, before.in_progress_overdue) == (1, 0)
    setting = DeadlineExtension.objects.get(task=undated)
    assert (setting.sets_deadline, setting.decided_on, setting.status) == (True, SET_ON,
                                                                          "approved")


@time_machine.travel(TODAY, tick=False)
def test_the_edit_form_sets_the_date_from_today(people, login, undated) -> None:
    client = login(people.staff)
    page = client.get(f"/tasks/{undated.pk}/edit/").content.decode()
    assert "Chưa xác định thời hạn" in page  # the deadline kind offered by the form

    response = client.post(f"/tasks/{undated.pk}/edit/", {
        "title": undated.title, "lead_unit": undated.lead_unit_id, "deadline_kind": "fixed",
        "due_date": "30/06/2024", "priority": 2, "version": undated.version})

    assert response.status_code == 302, response.content.decode()[:2000]
    undated.refresh_from_db()
    assert (undated.deadline_kind, undated.due_date, undated.deadline) == (
        DeadlineKind.NONE, None, dt.date(2024, 6, 30))
    assert DeadlineExtension.objects.get(task=undated).decided_on == TODAY.date()
    detail = client.get(f"/tasks/{undated.pk}/").content.decode()
    assert "Đã xác định thời hạn" in detail and "30/06/2024" in detail
    yesterday = client.get(f"/tasks/{undated.pk}/?as_of=01/05/2024").content.decode()
    assert "Chưa có thời hạn" in yesterday  # the flag, as of the day before


@time_machine.travel(TODAY, tick=False)
def test_a_new_task_form_with_no_date_creates_a_deadline_to_set(org, people, login) -> None:
    document = make_document(org.catp, actor=people.staff)
    client = login(people.staff)
    response = client.post(f"/tasks/new/?document={document.pk}", {
        "title": "Xây dựng đề án theo Kế hoạch của Quốc hội", "lead_unit": org.pc08.pk,
        "deadline_kind": "fixed", "due_date": "", "priority": 2, "version": 0})
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get(document=document)
    assert task.deadline_kind == DeadlineKind.NONE
    listing = client.get("/tasks/?status=no_deadline").content.decode()
    assert task.code in listing and "Chưa có thời hạn" in listing


@time_machine.travel(TODAY, tick=False)
def test_bad_dates_are_refused_with_a_reason(org, people, undated) -> None:
    with pytest.raises(ValidationError, match="trước ngày giao nhiệm vụ"):
        services.task_set_deadline(actor=people.staff, task=undated, due=dt.date(2023, 12, 1))
    with pytest.raises(ValidationError, match="Không thể xác định thời hạn"):
        services.task_set_deadline(actor=people.staff, task=undated, due=dt.date(2024, 6, 1),
                                   on=dt.date(2024, 1, 1))
    fixed = make_task(undated.document, org.pc08, actor=people.staff)
    with pytest.raises(services.WorkflowError, match="hãy gia hạn"):
        services.task_set_deadline(actor=people.staff, task=fixed, due=dt.date(2024, 6, 1))
    assert not DeadlineExtension.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_once_set_the_deadline_can_be_extended(people, undated) -> None:
    services.task_set_deadline(actor=people.staff, task=undated, due=dt.date(2024, 6, 30))
    extension = services.extension_request(actor=people.officer, task=undated,
                                           proposed_due=dt.date(2024, 9, 30), reason="Chờ luật")
    services.extension_decide(actor=people.staff, extension=extension, approve=True)
    undated.refresh_from_db()
    assert undated.deadline == dt.date(2024, 9, 30)
