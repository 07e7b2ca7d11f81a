"""Home-page attention items for tasks: what needs the user today, each one click away.

Each card is a link to a task list with filters, and its count is the number of rows of
that very list (the same selector with the same parameters), so the two cannot differ.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from dondoc.core.dashboard import AttentionItem, register
from dondoc.organization import scoping
from dondoc.organization.models import Role
from dondoc.plans import selectors
from dondoc.progress.engine import Status

AGENCY_VIEW = {Role.ADMIN, Role.LEADER, Role.STAFF, Role.INSPECTOR}


def _effective(user: Any, view: str, params: dict[str, str]) -> dict[str, Any]:
    return selectors.my_tasks_params(user, params) if view == "my_tasks" else params


def _card(user: Any, label: str, view: str, params: dict[str, str], tone: str,
          icon: str, count: int | None = None) -> AttentionItem:
    """A card opening ``view`` with ``params``, counting the rows that list shows (or
    given ``count``, counted for that list by ``selectors.task_list_counts``)."""
    if count is None:
        count = selectors.task_list(
            user=user, filters=selectors.filters_from_params(_effective(user, view, params)),
        ).count()
    return AttentionItem(label, count, f"{reverse(view)}?{urlencode(params)}", tone, icon)


@register
def task_attention(user: Any) -> list[AttentionItem]:
    """Overdue, due soon, awaiting confirmation, directions and decisions waiting."""
    wide = user.role in AGENCY_VIEW or user.unit is None
    view, base = ("task_list", {}) if wide else ("my_tasks", {"role": "lead"})
    # The first three cards are one list under three statuses: counted in one query.
    overdue, soon, on_time = Status.IN_PROGRESS_OVERDUE.value, "due_soon", \
        Status.IN_PROGRESS_ON_TIME.value
    counts = selectors.task_list_counts(user=user, params=_effective(user, view, base),
                                        statuses=[overdue, soon, on_time])
    items = [
        _card(user, _("Overdue"), view, {**base, "status": overdue}, "danger",
              "bi-exclamation-octagon-fill", counts[overdue]),
        _card(user, _("Due within 3 days"), view, {**base, "status": soon}, "warning",
              "bi-alarm", counts[soon]),
        _card(user, _("In progress"), view, {**base, "status": on_time}, "info",
              "bi-arrow-repeat", counts[on_time]),
    ]
    if not wide and user.role in {Role.OFFICER, Role.UNIT_MANAGER}:
        mine = _card(user, _("Assigned to me"), "my_tasks", {"assignee": "me", "status": "open"},
                     "info", "bi-person-check")
        if mine.count or user.role == Role.OFFICER:
            items.append(mine)
    deciding = False
    if user.role in {Role.STAFF, Role.ADMIN, Role.UNIT_MANAGER} and \
            scoping.tasks_decidable_by(user).exists():
        confirm = _card(user, _("Completions to confirm"), "task_list",
                        {"status": Status.AWAITING_CONFIRMATION.value, "decide": "mine"},
                        "purple", "bi-hourglass-split")
        if confirm.count or user.role != Role.UNIT_MANAGER:
            deciding = True
            items.append(confirm)
            items.append(_card(user, _("Extensions to decide"), "task_list",
                               {"extension": "pending", "decide": "mine"}, "secondary",
                               "bi-calendar-plus"))
    if user.role == Role.LEADER:
        # Exactly the tasks whose pending request this leader may approve or refuse.
        items.append(_card(user, _("Requests awaiting your decision"), "task_list",
                           {"decide": "mine"}, "purple", "bi-check2-square"))
    if not wide:
        items.append(_card(user, _("Directions to acknowledge"), "my_tasks",
                           {"role": "lead", "direction": "unacknowledged"}, "warning",
                           "bi-megaphone-fill"))
    elif not deciding:
        # Those who watch but do not decide see what waits on the deciding side.
        items.append(_card(user, _("Awaiting confirmation"), "task_list",
                           {"status": Status.AWAITING_CONFIRMATION.value}, "purple",
                           "bi-hourglass-split"))
    return items
