"""Each step of a task's life tells the right people, and only them, exactly once."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.notifications import kinds
from dondoc.notifications.models import Notification
from dondoc.notifications.services import notify
from dondoc.plans import services
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username",
                                                                   flat=True))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the services leave for after the commit, as a real request would."""

    def run(action):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def task(org, people, commit):
    document = make_document(org.pv01, actor=people.staff)
    return commit(lambda: make_task(document, org.pc08, actor=people.staff,
                                    due_date=dt.date(2030, 3, 31),
                                    assigned_on=dt.date(2030, 1, 10)))


def test_a_new_task_tells_the_lead_units_manager_only(task, people) -> None:
    assert told(kinds.TASK_ASSIGNED) == {"manager"}
    row = Notification.objects.get(kind=kinds.TASK_ASSIGNED)
    assert row.task_id == task.pk and row.object_label == "plans.task"
    assert task.code in row.summary and "Phòng Cảnh sát giao thông" in row.summary


def test_a_sub_task_tells_the_sub_units_officers_when_it_has_no_manager(task, org, people,
                                                                       commit) -> None:
    commit(lambda: services.task_create(
        actor=people.manager, document=task.document, title="Phần việc của Đội 1",
        lead_unit=org.pc08_d1, assigning_unit=org.pc08, parent=task,
        due_date=dt.date(2030, 3, 1), assigned_on=dt.date(2030, 1, 12)))
    assert told(kinds.SUBTASK_ASSIGNED) == {"team_officer"}


def test_a_direction_tells_the_lead_side_and_the_named_officers(task, org, people,
                                                                commit) -> None:
    commit(lambda: services.task_assign_people(actor=people.manager, task=task, unit=org.pc08,
                                               officers=[people.officer]))
    commit(lambda: services.direction_add(actor=people.leader, task=task,
                                          text="Khẩn trương hoàn thành"))
    assert told(kinds.PERSON_NAMED) == {"officer"}
    assert told(kinds.DIRECTION_GIVEN) == {"manager", "officer"}
    row = Notification.objects.filter(kind=kinds.DIRECTION_GIVEN).first()
    assert row is not None and "Khẩn trương hoàn thành" in row.summary


def test_requests_go_to_those_who_decide_and_decisions_back_to_the_unit(task, people,
                                                                        commit) -> None:
    request = commit(lambda: services.completion_request(
        actor=people.officer, task=task, note="Đã xong", submitted_on=dt.date(2030, 3, 1)))
    # The staff of the assigning side decide; the lead unit never decides its own task.
    assert told(kinds.COMPLETION_REQUESTED) == {"staff"}
    commit(lambda: services.completion_decide(actor=people.staff, request=request,
                                              accept=False, note="Bổ sung sản phẩm",
                                              decided_on=dt.date(2030, 3, 2)))
    assert told(kinds.COMPLETION_RETURNED) == {"manager", "officer"}


def test_an_extension_request_and_its_approval(task, people, commit) -> None:
    extension = commit(lambda: services.extension_request(
        actor=people.manager, task=task, proposed_due=dt.date(2030, 6, 30),
        reason="Chờ hướng dẫn", requested_on=dt.date(2030, 3, 1)))
    assert told(kinds.EXTENSION_REQUESTED) == {"staff"}
    commit(lambda: services.extension_decide(actor=people.staff, extension=extension,
                                             approve=True, decided_on=dt.date(2030, 3, 2)))
    assert told(kinds.EXTENSION_APPROVED) == {"manager"}
    assert "30/06/2030" in Notification.objects.get(kind=kinds.EXTENSION_APPROVED).summary


def test_a_changed_deadline_tells_the_lead_side(task, people, commit) -> None:
    commit(lambda: services.task_update(actor=people.staff, task=task,
                                        expected_version=task.version,
                                        due_date=dt.date(2030, 4, 30)))
    assert told(kinds.DEADLINE_CHANGED) == {"manager"}


def test_a_comment_tells_the_other_side_not_its_author(task, people, commit) -> None:
    commit(lambda: services.comment_add(actor=people.manager, task=task, text="Xin ý kiến"))
    assert told(kinds.TASK_COMMENTED) == {"staff"}
    commit(lambda: services.comment_add(actor=people.staff, task=task, text="Đồng ý"))
    assert told(kinds.TASK_COMMENTED) == {"staff", "manager"}
    assert Notification.objects.filter(kind=kinds.TASK_COMMENTED).count() == 2


def test_inactive_people_are_not_told(org, people, commit) -> None:
    people.manager.is_active = False
    people.manager.save()
    document = make_document(org.pv01, actor=people.staff)
    commit(lambda: make_task(document, org.pc08, actor=people.staff))
    # Without an active manager the unit's officers are told instead.
    assert told(kinds.TASK_ASSIGNED) == {"officer"}


def test_nobody_is_told_of_what_they_cannot_see(task, people) -> None:
    created = notify([people.outsider, people.other_staff, people.manager],
                     kinds.TASK_COMMENTED, task, {"code": task.code})
    assert [row.recipient.username for row in created] == ["manager"]


def test_the_same_notice_is_written_once(task, people) -> None:
    for _attempt in range(2):
        notify([people.manager], kinds.URGING_LETTER_RECEIVED, task,
               {"number": "15/CV-PV01", "unit": "PC08"}, key_date=dt.date(2030, 2, 1))
    assert Notification.objects.filter(kind=kinds.URGING_LETTER_RECEIVED).count() == 1


def test_a_failing_notification_never_undoes_the_step(task, people, commit,
                                                      monkeypatch) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr("dondoc.notifications.events.notify", broken)
    comment = commit(lambda: services.comment_add(actor=people.manager, task=task,
                                                  text="Vẫn lưu"))
    assert comment.pk is not None and task.comments.count() == 1
