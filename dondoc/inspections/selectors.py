"""Reads for inspections and meetings, scoped through ``organization.scoping``.

The status of a recommendation or of a conclusion is its task's status as the status
engine computes it (``progress.selectors.annotate_status``), read in one query for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from dondoc.inspections.models import Conclusion, Finding, Inspection, Meeting, Recommendation
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Task, TaskState
from dondoc.progress.labels import DUE_SOON, NO_DEADLINE, STATUS_STYLES

NOT_ASSIGNED = _("Not yet a task")
CANCELLED = _("Cancelled")


@dataclass(frozen=True)
class FollowUp:
    """The follow-up of a recommendation or a conclusion, as its task stands today."""

    status: str  # a status-engine value, "" when there is no task or it was cancelled
    label: str
    due_soon: bool
    no_deadline: bool
    progress: int | None


def inspection_list(*, user: Any) -> QuerySet[Inspection]:
    return (scoping.inspections_visible_to(user)
            .select_related("owner_unit", "conclusion")
            .prefetch_related(Prefetch("subject_units", queryset=Unit.objects.order_by("path")))
            .order_by("-period_start", "-id"))


def inspection_for(*, user: Any, pk: Any) -> Inspection:
    return scoping.get_visible_or_404(
        scoping.inspections_visible_to(user).select_related(
            "owner_unit", "conclusion", "team_leader"), pk=pk)


def findings_of(*, user: Any, inspection: Inspection) -> QuerySet[Finding]:
    return (Finding.objects.filter(inspection=inspection)
            .filter(scoping.inspection_parts_q(user)).select_related("unit", "inspection")
            .order_by("unit__path", "id"))


def recommendations_of(*, user: Any, inspection: Inspection) -> QuerySet[Recommendation]:
    return (Recommendation.objects.filter(inspection=inspection)
            .filter(scoping.inspection_parts_q(user))
            .select_related("unit", "task", "inspection").order_by("unit__path", "id"))


def follow_ups(tasks: Iterable[Task | None]) -> dict[int, FollowUp]:
    """Task id → its follow-up today, for the given tasks (one query)."""
    from dondoc.progress.selectors import annotate_status

    ids = [task.pk for task in tasks if task is not None]
    result: dict[int, FollowUp] = {}
    if not ids:
        return result
    for task in annotate_status(Task.objects.filter(pk__in=ids)):
        status: str = getattr(task, "status", "")
        due_soon, no_deadline = bool(getattr(task, "due_soon", False)), bool(
            getattr(task, "no_deadline", False))
        style = DUE_SOON if due_soon else NO_DEADLINE if no_deadline else \
            STATUS_STYLES.get(status)
        result[task.pk] = FollowUp(status, str(style.label if style else status), due_soon,
                                   no_deadline, task.progress)
    return result


def follow_up_of(task: Task | None, known: dict[int, FollowUp]) -> FollowUp:
    if task is None:
        return FollowUp("", str(NOT_ASSIGNED), False, False, None)
    if task.pk in known:
        return known[task.pk]
    # Counted nowhere today: cancelled (or assigned later than today).
    label = CANCELLED if task.state == TaskState.CANCELLED else NOT_ASSIGNED
    return FollowUp("", str(label), False, False, task.progress)


def with_follow_ups(items: Iterable[Any]) -> list[tuple[Any, FollowUp]]:
    """``(item, follow-up)`` for recommendations or conclusions (their ``task`` loaded)."""
    items = list(items)
    known = follow_ups(item.task for item in items)
    return [(item, follow_up_of(item.task, known)) for item in items]


def meeting_list(*, user: Any) -> QuerySet[Meeting]:
    return (scoping.meetings_visible_to(user).select_related("owner_unit", "notice", "chair")
            .order_by("-held_on", "-id"))


def meeting_for(*, user: Any, pk: Any) -> Meeting:
    return scoping.get_visible_or_404(
        scoping.meetings_visible_to(user).select_related("owner_unit", "notice", "chair"),
        pk=pk)


def conclusions_of(meeting: Meeting) -> QuerySet[Conclusion]:
    return meeting.conclusions.select_related("lead_unit", "task", "meeting").order_by("number")


def conclusion_for(*, user: Any, pk: Any) -> Conclusion:
    return scoping.get_visible_or_404(
        Conclusion.objects.filter(meeting__in=scoping.meetings_visible_to(user))
        .select_related("meeting__notice__owner_unit", "meeting__owner_unit", "lead_unit"),
        pk=pk)
