"""Reads of the notification centre: a person's notifications, re-checked against scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from dondoc.notifications import kinds
from dondoc.notifications.models import Notification, ReminderRule
from dondoc.organization import scoping


def _still_visible(user: Any) -> Q:
    """A notification about a task shows only while its reader still sees the task."""
    visible_task = scoping.tasks_visible_to(user).filter(pk=OuterRef("task_id"))
    return Q(task__isnull=True) | Q(Exists(visible_task))


def notifications_of(*, user: Any, unread_only: bool = False,
                     digest: Notification | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first: the top level (a digest stands for its
    reminders), or the reminders of ``digest``."""
    rows = Notification.objects.filter(recipient=user).filter(_still_visible(user))
    rows = rows.filter(digest=digest) if digest is not None else rows.filter(
        digest__isnull=True)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    """The bell's number: one query."""
    return notifications_of(user=user, unread_only=True).count()


def without_hidden(user: Any, rows: Iterable[Notification]) -> list[Notification]:
    """Drop the rows about objects other than tasks the user no longer sees: one query per
    kind of object on the page."""
    rows = list(rows)
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.task_id is None and row.object_label in kinds.OBJECTS:
            wanted[row.object_label].add(row.object_id)
    visible = {label: set(kinds.OBJECTS[label].visible(user).filter(pk__in=ids)
                          .values_list("pk", flat=True)) for label, ids in wanted.items()}
    return [row for row in rows if row.task_id is not None
            or row.object_label not in visible or row.object_id in visible[row.object_label]]


def own_notification(*, user: Any, pk: Any) -> Notification:
    """The user's own notification or 404, like any object outside one's scope."""
    return scoping.get_visible_or_404(notifications_any_level(user=user), pk=pk)


def notifications_any_level(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).filter(_still_visible(user))


def reminder_rules() -> QuerySet[ReminderRule]:
    return ReminderRule.objects.order_by("kind", "-days", "id")
