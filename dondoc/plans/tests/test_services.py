"""The task workflow rules, one test per rule, and who may see, decide and report on a task.

Everything is set up through the real services with explicit dates; "today" is frozen
at 12/06/2024 so that defaults and the status as of today are deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dondoc.audit.models import AuditEvent
from dondoc.organization import scoping
from dondoc.organization.models import Unit, User
from dondoc.plans import services
from dondoc.plans.models import (
    CompletionRequest,
    DeadlineExtension,
    DeadlineKind,
    Document,
    LeadUnitChange,
    RequestStatus,
    Task,
    TaskState,
)
from dondoc.plans.services import ConflictError, WorkflowError
from dondoc.plans.tests.factories import make_document, make_group, make_task
from dondoc.progress.engine import Status
from dondoc.progress.models import ProgressUpdate
from dondoc.progress.selectors import annotate_status, evaluate_task

d = dt.date.fromisoformat
DUE = d("2024-03-31")  # the default due date of make_task; assigned on 10/01/2024


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2024, 6, 12, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
                             tick=False):
        yield


@pytest.fixture
def document(org, people) -> Document:
    return make_document(org.pv01, actor=people.staff)


@pytest.fixture
def task(document, org, people) -> Task:
    """A PC08 task with PC06 coordinating, assigned by the Staff Department."""
    return make_task(document, org.pc08, actor=people.staff, coordinating_units=[org.pc06])


def fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def report(task: Task, people, on: str, percent: int = 40, **kw: Any) -> ProgressUpdate:
    return services.progress_post(actor=people.officer, task=task, unit=task.lead_unit,
                                  percent=percent, results="Đã triển khai", reported_on=d(on),
                                  **kw)


def request_completion(task: Task, people, on: str) -> CompletionRequest:
    return services.completion_request(actor=people.officer, task=task,
                                       note="Đã hoàn thành, có báo cáo", submitted_on=d(on))


def decide(request: CompletionRequest, people, on: str, *, accept: bool = True,
           note: str = "") -> CompletionRequest:
    return services.completion_decide(actor=people.staff, request=request, accept=accept,
                                      note=note, decided_on=d(on))


def extend(task: Task, people, to: str, on: str, *, reason: str = "Chờ kinh phí",
           ) -> DeadlineExtension:
    return services.extension_request(actor=people.officer, task=task, proposed_due=d(to),
                                      reason=reason, requested_on=d(on))


def sql_status(task: Task, on: str) -> tuple[str, bool]:
    return annotate_status(Task.objects.filter(pk=task.pk), d(on)).values_list(
        "status", "awaiting_late").get()


# --- Progress ---------------------------------------------------------------------------


def test_the_first_progress_update_moves_an_assigned_task_to_in_progress(task, people) -> None:
    assert task.state == TaskState.ASSIGNED
    report(task, people, "2024-02-01", percent=30)
    task = fresh(task)
    assert task.state == TaskState.IN_PROGRESS
    assert (task.progress, task.last_progress_on) == (30, d("2024-02-01"))


def test_a_coordinating_units_update_does_not_set_the_tasks_progress(task, org, people) -> None:
    report(task, people, "2024-02-01", percent=30)
    services.progress_post(actor=people.outsider, task=task, unit=org.pc06, percent=90,
                           results="Phối hợp xong", reported_on=d("2024-02-05"))
    task = fresh(task)
    assert task.progress == 30
    assert task.last_progress_on == d("2024-02-05")


def test_progress_updates_cannot_be_edited_or_deleted(task, people) -> None:
    update = report(task, people, "2024-02-01")
    update.percent = 90
    with pytest.raises(PermissionError):
        update.save()
    with pytest.raises(PermissionError):
        update.delete()
    assert ProgressUpdate.objects.get(pk=update.pk).percent == 40


def test_a_correction_is_a_new_update_that_references_the_old_one(task, people) -> None:
    wrong = report(task, people, "2024-02-01", percent=80)
    correction = report(task, people, "2024-02-02", percent=35, corrects=wrong)
    assert correction.pk != wrong.pk
    assert list(wrong.corrections.all()) == [correction]
    assert ProgressUpdate.objects.get(pk=wrong.pk).percent == 80
    assert fresh(task).progress == 35


def test_a_correction_must_belong_to_the_same_task(task, document, org, people) -> None:
    other = make_task(document, org.pc08, actor=people.staff)
    foreign = report(other, people, "2024-02-01")
    with pytest.raises(ValidationError):
        report(task, people, "2024-02-02", corrects=foreign)


@pytest.mark.parametrize("close", ["complete", "cancel"])
def test_a_closed_task_refuses_progress(task, people, close: str) -> None:
    if close == "complete":
        decide(request_completion(task, people, "2024-03-01"), people, "2024-03-02")
    else:
        services.task_cancel(actor=people.staff, task=task, reason="Không còn phù hợp",
                             on=d("2024-03-01"))
    with pytest.raises(WorkflowError):
        report(task, people, "2024-03-05")
    assert not ProgressUpdate.objects.filter(task=task).exists()


# --- Completion -------------------------------------------------------------------------


def test_an_accepted_completion_dates_from_the_submission_even_when_confirmed_days_later(
        task, people) -> None:
    request = request_completion(task, people, "2024-03-31")  # on the due date
    assert sql_status(task, "2024-04-08") == (Status.AWAITING_CONFIRMATION, False)
    decide(request, people, "2024-04-09")  # staff confirm nine days after the deadline
    task = fresh(task)
    assert task.state == TaskState.COMPLETED
    assert (task.completed_on, task.accepted_on) == (d("2024-03-31"), d("2024-04-09"))
    assert task.completion_late is False
    assert task.progress == 100
    evaluation = evaluate_task(task, d("2024-04-09"))
    assert evaluation is not None
    assert evaluation.status == Status.COMPLETED_ON_TIME
    assert sql_status(task, "2024-04-09")[0] == Status.COMPLETED_ON_TIME


def test_a_completion_submitted_after_the_deadline_is_late(task, people) -> None:
    decide(request_completion(task, people, "2024-04-01"), people, "2024-04-01")
    task = fresh(task)
    assert task.completion_late is True
    assert sql_status(task, "2024-06-01")[0] == Status.COMPLETED_LATE


def test_lateness_is_judged_against_the_deadline_in_force(task, people) -> None:
    extension = extend(task, people, to="2024-04-30", on="2024-03-20")
    services.extension_decide(actor=people.staff, extension=extension, approve=True,
                              decided_on=d("2024-03-25"))
    task = fresh(task)
    assert (task.due_date, task.deadline) == (DUE, d("2024-04-30"))  # the original is kept
    decide(request_completion(task, people, "2024-04-20"), people, "2024-04-22")
    task = fresh(task)
    assert task.completion_late is False
    assert sql_status(task, "2024-05-01")[0] == Status.COMPLETED_ON_TIME
    assert evaluate_task(task, d("2024-05-01")).status == Status.COMPLETED_ON_TIME


def test_an_extension_approved_after_the_submission_does_not_excuse_it(task, people) -> None:
    extension = extend(task, people, to="2024-04-30", on="2024-03-20")
    request = request_completion(task, people, "2024-04-05")
    services.extension_decide(actor=people.staff, extension=extension, approve=True,
                              decided_on=d("2024-04-06"))
    assert sql_status(task, "2024-04-06") == (Status.AWAITING_CONFIRMATION, True)
    decide(request, people, "2024-04-07")
    assert sql_status(task, "2024-04-07")[0] == Status.COMPLETED_LATE
    assert evaluate_task(fresh(task), d("2024-04-07")).status == Status.COMPLETED_LATE


def test_an_extension_approved_on_the_day_of_the_submission_counts_for_it(task, people) -> None:
    extension = extend(task, people, to="2024-04-30", on="2024-03-20")
    request = request_completion(task, people, "2024-04-05")
    assert fresh(task).pending_late is True
    services.extension_decide(actor=people.staff, extension=extension, approve=True,
                              decided_on=d("2024-04-05"))
    assert fresh(task).pending_late is False
    assert sql_status(task, "2024-04-05") == (Status.AWAITING_CONFIRMATION, False)
    decide(request, people, "2024-04-08")
    assert fresh(task).completion_late is False
    assert evaluate_task(fresh(task), d("2024-04-08")).status == Status.COMPLETED_ON_TIME


def test_correcting_the_due_date_judges_the_completion_again(task, people) -> None:
    decide(request_completion(task, people, "2024-04-05"), people, "2024-04-06")
    assert fresh(task).completion_late is True
    task = fresh(task)
    services.task_update(actor=people.staff, task=task, expected_version=task.version,
                         due_date=d("2024-04-10"))
    task = fresh(task)
    assert (task.due_date, task.deadline, task.completion_late) == (
        d("2024-04-10"), d("2024-04-10"), False)
    assert sql_status(task, "2024-05-01")[0] == Status.COMPLETED_ON_TIME
    assert evaluate_task(task, d("2024-05-01")).status == Status.COMPLETED_ON_TIME


def test_a_returned_request_sends_the_task_back_for_rework(task, people) -> None:
    request = request_completion(task, people, "2024-03-01")
    decide(request, people, "2024-03-04", accept=False, note="Thiếu sản phẩm")
    task = fresh(task)
    assert task.state == TaskState.RETURNED
    assert (task.completed_on, task.pending_since) == (None, None)
    assert CompletionRequest.objects.get(pk=request.pk).status == RequestStatus.REFUSED
    assert sql_status(task, "2024-03-04")[0] == Status.IN_PROGRESS_ON_TIME
    report(task, people, "2024-03-10")
    assert fresh(task).state == TaskState.IN_PROGRESS
    decide(request_completion(task, people, "2024-03-20"), people, "2024-03-21")
    assert fresh(task).completed_on == d("2024-03-20")


def test_returning_a_request_needs_a_reason(task, people) -> None:
    request = request_completion(task, people, "2024-03-01")
    with pytest.raises(ValidationError):
        decide(request, people, "2024-03-04", accept=False, note="  ")
    assert fresh(task).state == TaskState.SUBMITTED


def test_completion_needs_a_description_of_the_results(task, people) -> None:
    with pytest.raises(ValidationError):
        services.completion_request(actor=people.officer, task=task, note=" ",
                                    submitted_on=d("2024-03-01"))


# --- Extensions ---------------------------------------------------------------------------


@pytest.mark.parametrize("proposed", ["2024-03-31", "2024-03-01"])
def test_an_extension_must_be_later_than_the_current_deadline(task, people,
                                                              proposed: str) -> None:
    with pytest.raises(ValidationError):
        extend(task, people, to=proposed, on="2024-03-20")
    assert not DeadlineExtension.objects.exists()


def test_an_extension_needs_a_reason(task, people) -> None:
    with pytest.raises(ValidationError):
        extend(task, people, to="2024-04-30", on="2024-03-20", reason="   ")


def test_only_one_extension_may_wait_for_a_decision(task, people) -> None:
    extend(task, people, to="2024-04-30", on="2024-03-20")
    with pytest.raises(WorkflowError):
        extend(task, people, to="2024-05-31", on="2024-03-21")


def test_a_refused_extension_keeps_the_deadline(task, people) -> None:
    extension = extend(task, people, to="2024-04-30", on="2024-03-20")
    with pytest.raises(ValidationError):  # refusing needs a reason too
        services.extension_decide(actor=people.staff, extension=extension, approve=False,
                                  decided_on=d("2024-03-22"))
    services.extension_decide(actor=people.staff, extension=extension, approve=False,
                              note="Không có căn cứ", decided_on=d("2024-03-22"))
    assert fresh(task).deadline == DUE
    assert sql_status(task, "2024-04-01")[0] == Status.IN_PROGRESS_OVERDUE
    extend(task, people, to="2024-05-31", on="2024-03-23")  # another may be asked for now


@pytest.mark.parametrize("kind", [DeadlineKind.STANDING, DeadlineKind.MONTHLY])
def test_standing_and_recurring_tasks_cannot_be_extended(document, org, people, kind) -> None:
    task = make_task(document, org.pc08, actor=people.staff, deadline_kind=kind)
    assert task.due_date is None
    with pytest.raises(WorkflowError):
        extend(task, people, to="2024-04-30", on="2024-03-20")


def test_a_completion_request_cannot_be_decided_twice(task, people) -> None:
    request = request_completion(task, people, "2024-03-01")
    decide(request, people, "2024-03-02")
    with pytest.raises(WorkflowError):
        decide(request, people, "2024-03-03", accept=False, note="Đổi ý")
    assert CompletionRequest.objects.get(pk=request.pk).status == RequestStatus.APPROVED
    assert fresh(task).state == TaskState.COMPLETED


def test_an_extension_cannot_be_decided_twice(task, people) -> None:
    extension = extend(task, people, to="2024-04-30", on="2024-03-20")
    services.extension_decide(actor=people.staff, extension=extension, approve=True,
                              decided_on=d("2024-03-21"))
    with pytest.raises(WorkflowError):
        services.extension_decide(actor=people.staff, extension=extension, approve=False,
                                  note="Đổi ý", decided_on=d("2024-03-22"))
    assert DeadlineExtension.objects.get(pk=extension.pk).status == RequestStatus.APPROVED
    assert fresh(task).deadline == d("2024-04-30")


# --- Suspension and cancellation ----------------------------------------------------------


def test_suspending_and_cancelling_need_a_reason(task, people) -> None:
    with pytest.raises(ValidationError):
        services.task_suspend(actor=people.staff, task=task, reason=" ", start=d("2024-02-01"))
    with pytest.raises(ValidationError):
        services.task_cancel(actor=people.staff, task=task, reason="", on=d("2024-02-01"))
    assert fresh(task).state == TaskState.ASSIGNED


def test_a_suspended_task_resumes_where_it_was(task, people) -> None:
    report(task, people, "2024-01-20")
    services.task_suspend(actor=people.staff, task=task, reason="Chờ chủ trương",
                          start=d("2024-02-01"))
    assert fresh(task).state == TaskState.SUSPENDED
    assert sql_status(task, "2024-02-01")[0] == Status.SUSPENDED
    with pytest.raises(WorkflowError):
        services.task_suspend(actor=people.staff, task=task, reason="Lần nữa")
    services.task_resume(actor=people.staff, task=task, end=d("2024-02-15"))
    assert fresh(task).state == TaskState.IN_PROGRESS
    assert sql_status(task, "2024-02-14")[0] == Status.SUSPENDED
    assert sql_status(task, "2024-02-15")[0] == Status.IN_PROGRESS_ON_TIME


def test_cancelling_closes_the_task_and_its_waiting_requests(task, people) -> None:
    extension = extend(task, people, to="2024-04-30", on="2024-03-20")
    request = request_completion(task, people, "2024-03-25")
    services.task_cancel(actor=people.staff, task=task, reason="Không còn phù hợp",
                         on=d("2024-03-28"))
    task = fresh(task)
    assert (task.state, task.cancelled_on) == (TaskState.CANCELLED, d("2024-03-28"))
    for waiting in (DeadlineExtension.objects.get(pk=extension.pk),
                    CompletionRequest.objects.get(pk=request.pk)):
        assert (waiting.status, waiting.decided_on) == (RequestStatus.REFUSED, d("2024-03-28"))
    with pytest.raises(WorkflowError):
        decide(request, people, "2024-03-29")
    assert sql_status(task, "2024-03-27")[0] == Status.AWAITING_CONFIRMATION
    assert not annotate_status(Task.objects.filter(pk=task.pk), d("2024-03-28")).exists()


# --- Cascade and transfer -----------------------------------------------------------------


def test_a_sub_task_goes_to_a_strict_sub_unit_of_the_parent_lead(task, document, org,
                                                                 people) -> None:
    for wrong_lead in Unit.objects.filter(code__in=["PC08", "PC06", "CATP"]):
        with pytest.raises(ValidationError):
            make_task(document, wrong_lead, org.pc08, actor=people.manager, parent=task)
    child = make_task(document, org.pc08_d1, org.pc08, actor=people.manager, parent=task)
    assert child.parent_id == task.pk
    assert child.code == f"{task.code}.1"


def test_a_group_of_another_document_is_refused(task, document, org, people) -> None:
    other = make_document(org.pv01, actor=people.staff)
    with pytest.raises(ValidationError):
        make_task(document, org.pc08, actor=people.staff, group=make_group(other))


def test_a_transfer_moves_open_tasks_to_the_successor_and_keeps_completed_ones(
        document, org, people) -> None:
    open_task = make_task(document, org.pc06, actor=people.staff)
    done = make_task(document, org.pc06, actor=people.staff)
    decide(request_completion(done, people, "2024-03-01"), people, "2024-03-02")
    coordinated = make_task(document, org.pc08, actor=people.staff, coordinating_units=[org.pc06])
    moved = services.tasks_transfer(actor=people.staff, from_unit=org.pc06, to_unit=org.px05,
                                    on=d("2024-04-01"))
    assert moved == 2
    assert fresh(open_task).lead_unit == org.px05
    assert fresh(done).lead_unit == org.pc06
    assert set(fresh(coordinated).coordinating_units.all()) == {org.px05}
    change = LeadUnitChange.objects.get()
    assert (change.task_id, change.old_unit, change.new_unit, change.changed_on) == (
        open_task.pk, org.pc06, org.px05, d("2024-04-01"))


def test_a_transfer_to_the_same_unit_is_refused(org, people) -> None:
    with pytest.raises(WorkflowError):
        services.tasks_transfer(actor=people.staff, from_unit=org.pc06, to_unit=org.pc06)


# --- Concurrent edits ---------------------------------------------------------------------


def test_of_two_edits_from_the_same_version_the_second_conflicts_and_changes_nothing(
        task, people) -> None:
    first, second = fresh(task), fresh(task)
    version = first.version
    services.task_update(actor=people.staff, task=first, expected_version=version,
                         title="Tiêu đề của người thứ nhất")
    events = AuditEvent.objects.count()
    with pytest.raises(ConflictError):
        services.task_update(actor=people.manager, task=second, expected_version=version,
                             title="Tiêu đề của người thứ hai", priority=4)
    task = fresh(task)
    assert (task.title, task.priority, task.version) == ("Tiêu đề của người thứ nhất", 2,
                                                         version + 1)
    assert AuditEvent.objects.count() == events


# --- Audit --------------------------------------------------------------------------------


@dataclass
class Scene:
    org: Any
    people: Any
    document: Document
    task: Task


def _request(scene: Scene) -> CompletionRequest:
    return request_completion(scene.task, scene.people, "2024-03-01")


def _extension(scene: Scene) -> DeadlineExtension:
    return extend(scene.task, scene.people, to="2024-04-30", on="2024-03-20")


# service → (what it does, the object type audited, who did it)
AUDITED: dict[str, tuple[Callable[[Scene], Any], str, str]] = {
    "document_create": (lambda s: make_document(s.org.pv01, actor=s.people.staff),
                        "plans.document", "staff"),
    "document_update": (lambda s: services.document_update(
        actor=s.people.staff, document=s.document, expected_version=s.document.version,
        title="Kế hoạch mới"), "plans.document", "staff"),
    "group_create": (lambda s: make_group(s.document, actor=s.people.staff), "plans.taskgroup",
                     "staff"),
    "task_create": (lambda s: make_task(s.document, s.org.pc06, actor=s.people.staff),
                    "plans.task", "staff"),
    "task_update": (lambda s: services.task_update(
        actor=s.people.staff, task=s.task, expected_version=s.task.version, priority=3),
        "plans.task", "staff"),
    "progress_post": (lambda s: report(s.task, s.people, "2024-02-01"),
                      "progress.progressupdate", "officer"),
    "completion_request": (_request, "plans.completionrequest", "officer"),
    "completion_decide": (lambda s: decide(_request(s), s.people, "2024-03-02"),
                          "plans.completionrequest", "staff"),
    "extension_request": (_extension, "plans.deadlineextension", "officer"),
    "extension_decide": (lambda s: services.extension_decide(
        actor=s.people.staff, extension=_extension(s), approve=True,
        decided_on=d("2024-03-21")), "plans.deadlineextension", "staff"),
    "task_suspend": (lambda s: services.task_suspend(
        actor=s.people.staff, task=s.task, reason="Chờ", start=d("2024-02-01")), "plans.task",
        "staff"),
    "task_resume": (lambda s: services.task_resume(actor=s.people.staff, task=services.task_suspend(
        actor=s.people.staff, task=s.task, reason="Chờ", start=d("2024-02-01")),
        end=d("2024-02-05")), "plans.task", "staff"),
    "task_cancel": (lambda s: services.task_cancel(
        actor=s.people.staff, task=s.task, reason="Thôi", on=d("2024-02-01")), "plans.task",
        "staff"),
    "direction_add": (lambda s: services.direction_add(
        actor=s.people.leader, task=s.task, text="Khẩn trương hoàn thành"), "plans.direction",
        "leader"),
    "direction_acknowledge": (lambda s: services.direction_acknowledge(
        actor=s.people.officer, direction=services.direction_add(
            actor=s.people.leader, task=s.task, text="Báo cáo trước 30/6")), "plans.direction",
        "officer"),
    "tasks_transfer": (lambda s: services.tasks_transfer(
        actor=s.people.staff, from_unit=s.org.pc08, to_unit=s.org.px05, on=d("2024-02-01")),
        "plans.task", "staff"),
}


@pytest.mark.parametrize("service", list(AUDITED))
def test_every_service_writes_an_audit_event(document, task, org, people, service) -> None:
    act, object_type, persona = AUDITED[service]
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    result = act(Scene(org=org, people=people, document=document, task=task))
    last = AuditEvent.objects.filter(seq__gt=before).order_by("-seq").first()
    assert last is not None, f"{service} wrote no audit event"
    assert (last.object_type, last.actor_id) == (object_type, getattr(people, persona).pk)
    expected_id = task.pk if service == "tasks_transfer" else result.pk
    assert last.object_id == str(expected_id)


# --- Who may see, decide and report -------------------------------------------------------


@pytest.fixture
def matrix(org, people, document) -> dict[str, Task]:
    """A: PC08 leads, PC06 coordinates, the Staff Department assigned it.
    B: a sub-task of A that PC08 cascaded to its team PC08-D1.
    C: PC06 leads alone. D: a task of another agency."""
    a = make_task(document, org.pc08, actor=people.staff, code="A",
                  coordinating_units=[org.pc06])
    b = make_task(document, org.pc08_d1, org.pc08, actor=people.manager, code="B", parent=a)
    c = make_task(document, org.pc06, actor=people.staff, code="C")
    elsewhere = make_document(org.other, actor=people.other_staff)
    d_ = make_task(elsewhere, org.other, actor=people.other_staff, code="D")
    return {"A": a, "B": b, "C": c, "D": d_}


def as_in_a_request(user: User) -> User:
    """The user loaded afresh, as a request would: the fixture's unit objects may hold a
    path from before later siblings were inserted into the tree."""
    return User.objects.select_related("unit").get(pk=user.pk)


def codes(queryset: Any) -> set[str]:
    return set(queryset.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("persona", "visible", "decidable", "reportable"),
    [
        pytest.param("admin", "ABCD", "ABCD", "ABCD", id="admin: everything"),
        pytest.param("staff", "ABC", "ABC", "", id="staff: decides what its agency assigned"),
        pytest.param("leader", "ABC", "", "", id="leader: sees the agency, decides nothing"),
        pytest.param("inspector", "ABC", "", "", id="inspector: sees the agency"),
        pytest.param("manager", "AB", "B", "AB",
                     id="lead unit manager: decides the sub-task it cascaded"),
        pytest.param("officer", "AB", "", "AB", id="lead unit officer: reports"),
        pytest.param("viewer", "AB", "", "", id="lead unit viewer: only sees"),
        pytest.param("team_officer", "B", "", "B",
                     id="sub-unit officer: only its own sub-task, not the parent's task"),
        pytest.param("outsider", "AC", "", "AC",
                     id="coordinating unit: sees and reports on what it coordinates"),
        pytest.param("other_staff", "D", "", "D",
                     id="another agency: only its own, and not D, which its own unit leads"),
    ],
)
def test_task_permissions_by_persona(matrix, people, persona, visible, decidable,
                                     reportable) -> None:
    user = as_in_a_request(getattr(people, persona))
    assert codes(scoping.tasks_visible_to(user)) == set(visible)
    assert codes(scoping.tasks_decidable_by(user)) == set(decidable)
    assert codes(scoping.tasks_reportable_by(user)) == set(reportable)


def test_a_parent_unit_sees_the_tasks_of_its_sub_units(matrix, org, people) -> None:
    services.tasks_transfer(actor=people.staff, from_unit=org.pc06, to_unit=org.pc08_d1,
                            on=d("2024-02-01"))
    # C now belongs to PC08-D1: the PC08 manager above it sees it and its team reports on it.
    assert "C" in codes(scoping.tasks_visible_to(as_in_a_request(people.manager)))
    assert "C" in codes(scoping.tasks_reportable_by(as_in_a_request(people.team_officer)))
    assert "C" not in codes(scoping.tasks_visible_to(as_in_a_request(people.outsider)))
