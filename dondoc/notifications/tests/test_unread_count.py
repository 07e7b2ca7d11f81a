"""The bell's count: always the number of unread notifications the list would show."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dondoc.notifications import kinds, selectors
from dondoc.notifications.models import Notification
from dondoc.notifications.reminders import run_reminder_pass
from dondoc.plans.tests.factories import make_document, make_task

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)


def note(user: Any, task: Any = None, *, read: bool = False) -> Notification:
    """A notification about ``task`` (or about no task), written directly: the writers
    would refuse one about a task the reader does not see."""
    number = next(_keys)
    return Notification.objects.create(
        recipient=user, kind=kinds.TASK_COMMENTED, key=f"test:{number}",
        object_label="plans.task" if task else "", object_id=task.pk if task else number,
        task=task, params={"code": task.code if task else "", "actor": "A", "text": "x"},
        key_date=dt.date(2030, 3, 1), read_at=timezone.now() if read else None)


def reference(user: Any) -> int:
    return selectors.notifications_of(user=user, unread_only=True).count()


@pytest.fixture
def scene(org: Any, people: Any) -> dict[str, Any]:
    """The manager of PC08 with unread notifications about two of PC08's tasks (three
    about one), about no task, about a task of PC06 they do not see, and read ones."""
    document = make_document(org.pv01, actor=people.staff)
    ours = [make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2030, 3, 31),
                      assigned_on=dt.date(2030, 1, 10)) for _ in range(2)]
    theirs = make_task(document, org.pc06, actor=people.staff, due_date=dt.date(2030, 3, 31),
                       assigned_on=dt.date(2030, 1, 10))
    manager = people.manager
    for _ in range(3):
        note(manager, ours[0])
    note(manager, ours[1])
    note(manager)
    note(manager)
    note(manager, theirs)
    note(manager, theirs)
    note(manager, ours[0], read=True)
    note(manager, read=True)
    note(manager, theirs, read=True)
    note(people.officer, ours[0])  # someone else's
    return {"manager": manager, "ours": ours, "theirs": theirs}


def test_it_counts_what_the_list_shows(scene: dict[str, Any]) -> None:
    manager = scene["manager"]
    assert reference(manager) == 6  # 3 + 1 about tasks seen, 2 about no task
    # The hidden ones matter: counting without the scope would say 8.
    assert Notification.objects.filter(recipient=manager, read_at__isnull=True).count() == 8
    assert selectors.unread_count(user=manager) == 6


def test_a_task_out_of_scope_drops_out_of_the_count(scene: dict[str, Any], org: Any) -> None:
    manager = scene["manager"]
    manager.unit = org.pc06  # moved: PC06's task is in scope now, PC08's are not
    manager.save()
    assert selectors.unread_count(user=manager) == reference(manager) == 4


def test_the_digests_reminders_count_as_their_digest(scene: dict[str, Any],
                                                     people: Any) -> None:
    run_reminder_pass(dt.date(2030, 3, 31))
    manager = scene["manager"]
    assert Notification.objects.filter(recipient=manager, digest__isnull=False).exists()
    assert selectors.unread_count(user=manager) == reference(manager) == 7


def test_past_the_limit_it_asks_the_one_query(scene: dict[str, Any], monkeypatch: Any
                                                 ) -> None:
    manager = scene["manager"]
    monkeypatch.setattr(selectors, "UNREAD_ROWS_LISTED", 3)
    with CaptureQueriesContext(connection) as context:
        assert selectors.unread_count(user=manager) == reference(manager) == 6
    assert any("EXISTS" in query["sql"] for query in context.captured_queries)


def test_without_notifications_about_tasks_the_scope_is_not_asked(people: Any) -> None:
    note(people.manager)
    with CaptureQueriesContext(connection) as context:
        count = selectors.unread_count(user=people.manager)
    assert count == reference(people.manager) == 1
    assert len(context.captured_queries) == 1
    assert selectors.unread_count(user=people.officer) == 0
