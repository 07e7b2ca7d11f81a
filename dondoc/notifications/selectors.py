"""Reads of the notification centre: a person's notifications, re-checked against scope."""

from __future__ import annotations

from collections import Counter, defaultdict
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


# Above this many unread notifications, the bell counts them in the one query that tests
# each row against the whole task scope (see unread_count).
UNREAD_ROWS_LISTED = 500


def unread_count(*, user: Any) -> int:
    """The bell's number: exactly ``notifications_of(user=user, unread_only=True).count()``.

    Shown on every page, so it avoids compiling the task scope into a correlated EXISTS:
    it reads the task of each unread top-level notification (index
    ``notification_unread``); those without a task count as they are, and the scope is
    asked only about the few tasks named (not at all when there are none). Past
    :data:`UNREAD_ROWS_LISTED` unread notifications, the reference query."""
    task_ids = list(Notification.objects.filter(
        recipient=user, digest__isnull=True, read_at__isnull=True)
        .order_by().values_list("task_id", flat=True)[:UNREAD_ROWS_LISTED + 1])
    if len(task_ids) > UNREAD_ROWS_LISTED:
        return notifications_of(user=user, unread_only=True).count()
    per_task = Counter(pk for pk in task_ids if pk is not None)
    total = len(task_ids) - per_task.total()
    if per_task:
        visible = (scoping.tasks_visible_to(user).filter(pk__in=list(per_task))
                   .order_by().values_list("pk", flat=True))
        total += sum(per_task[pk] for pk in visible)
    return total


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
