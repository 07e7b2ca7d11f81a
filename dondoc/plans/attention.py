"""Home-page attention items for tasks: what needs the user today, each one click away."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from dondoc.core.dashboard import AttentionItem, register
from dondoc.organization import scoping
from dondoc.organization.models import Role
from dondoc.plans.models import Direction, RequestStatus, TaskState
from dondoc.plans.selectors import tasks_awaiting_decision_by
from dondoc.progress.engine import Status
from dondoc.progress.selectors import statistics

AGENCY_VIEW = {Role.ADMIN, Role.LEADER, Role.STAFF, Role.INSPECTOR}


@register
def task_attention(user: Any) -> list[AttentionItem]:
    """Overdue, due soon, awaiting confirmation, directions and decisions waiting."""
    wide = user.role in AGENCY_VIEW or user.unit is None
    if wide:
        tasks = scoping.tasks_visible_to(user)
        base = reverse("task_list")
    else:
        tasks = scoping.tasks_visible_to(user).filter(
            Q(lead_unit__path__startswith=user.unit.path))
        base = reverse("my_tasks") + "?role=lead&"
    joiner = "&" if base.endswith("&") else "?"
    base = base.rstrip("&").rstrip("?")
    counts = statistics(tasks)
    items = [
        AttentionItem(_("Overdue"), counts.in_progress_overdue,
                      f"{base}{joiner}status={Status.IN_PROGRESS_OVERDUE}", "danger",
                      "bi-exclamation-octagon-fill"),
        AttentionItem(_("Due within 3 days"), counts.due_soon, f"{base}{joiner}status=due_soon",
                      "warning", "bi-alarm"),
        AttentionItem(_("In progress"), counts.in_progress_on_time,
                      f"{base}{joiner}status={Status.IN_PROGRESS_ON_TIME}", "info",
                      "bi-arrow-repeat"),
    ]
    decidable = scoping.tasks_decidable_by(user)
    waiting = decidable.filter(state=TaskState.SUBMITTED).count() if decidable.exists() else 0
    if user.role in {Role.STAFF, Role.ADMIN, Role.UNIT_MANAGER} and (
            waiting or user.role == Role.STAFF):
        items.append(AttentionItem(_("Completions to confirm"), waiting,
                                   f"{reverse('task_list')}?status=awaiting_confirmation",
                                   "purple", "bi-hourglass-split"))
        extensions = decidable.filter(extensions__status=RequestStatus.PENDING).distinct().count()
        items.append(AttentionItem(_("Extensions to decide"), extensions,
                                   f"{reverse('task_list')}?extension=pending", "secondary",
                                   "bi-calendar-plus"))
    if user.role in {Role.LEADER, Role.STAFF, Role.ADMIN, Role.UNIT_MANAGER}:
        # Exactly the tasks whose pending request this user may approve or refuse.
        mine = tasks_awaiting_decision_by(user).count()
        if mine or user.role == Role.LEADER:
            items.append(AttentionItem(_("Requests awaiting your decision"), mine,
                                       f"{reverse('task_list')}?decide=mine", "purple",
                                       "bi-check2-square"))
    if not wide:
        directions = Direction.objects.filter(
            acknowledged_at__isnull=True,
            task__in=scoping.tasks_led_by_own_subtree(user)).count()
        items.append(AttentionItem(_("Directions to acknowledge"), directions,
                                   f"{reverse('my_tasks')}?role=lead", "warning",
                                   "bi-megaphone-fill"))
    else:
        items.append(AttentionItem(_("Awaiting confirmation"), counts.awaiting_confirmation,
                                   f"{reverse('task_list')}?status=awaiting_confirmation",
                                   "purple", "bi-hourglass-split"))
    return items
