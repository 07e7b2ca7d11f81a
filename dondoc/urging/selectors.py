"""Reads of the urging letters: which tasks to urge, letters and records as users see them.

The tasks a letter urges come from the status engine's SQL (``progress.selectors``) as of
the chosen date: a unit's tasks *overdue* at D (status ``in_progress_overdue``) and *due
soon* (in progress on time, deadline in force within N days after D). A task is listed
for the unit that leads it now: the letter goes to the unit answerable for it today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Task
from dondoc.plans.selectors import document_with_descendants, overdue_days
from dondoc.progress.engine import Status
from dondoc.progress.selectors import DATED_KINDS, annotate_list_facts, annotate_status
from dondoc.urging.models import UrgedAs, UrgingLetter, UrgingRecord, UrgingTemplate


@dataclass
class UrgedRow:
    task: Task
    urged_as: str
    deadline: dt.date | None
    days_overdue: int | None
    progress: int


@dataclass
class UnitPreview:
    unit: Unit
    rows: list[UrgedRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.urged_as == UrgedAs.OVERDUE)

    @property
    def due_soon(self) -> int:
        return sum(1 for row in self.rows if row.urged_as == UrgedAs.DUE_SOON)


def urgeable_tasks(*, user: Any, scope: Unit, as_of: dt.date, due_soon_days: int,
                   unit_ids: list[int] | None = None, document_id: int | None = None,
                   ) -> QuerySet[Task]:
    """The visible tasks led in ``scope``'s subtree (by ``unit_ids`` when given) that are
    overdue at ``as_of`` or due within ``due_soon_days`` days after it, annotated with
    ``status``, ``deadline_at`` and ``progress_at``: one query."""
    tasks = scoping.tasks_visible_to(user).filter(lead_unit__path__startswith=scope.path)
    if unit_ids is not None:
        tasks = tasks.filter(lead_unit_id__in=unit_ids)
    if document_id is not None:
        tasks = tasks.filter(document_id__in=document_with_descendants(user=user,
                                                                        pk=document_id))
    annotated = annotate_list_facts(annotate_status(tasks, as_of), as_of)
    wanted = Q(status=Status.IN_PROGRESS_OVERDUE)
    if due_soon_days > 0:
        wanted |= Q(status=Status.IN_PROGRESS_ON_TIME, deadline_kind__in=DATED_KINDS,
                    deadline_at__gte=as_of,
                    deadline_at__lte=as_of + dt.timedelta(days=due_soon_days))
    return (annotated.filter(wanted).select_related("lead_unit", "document")
            .order_by("lead_unit__path", "code"))


def preview(*, user: Any, scope: Unit, as_of: dt.date, due_soon_days: int,
            unit_ids: list[int] | None = None, document_id: int | None = None,
            ) -> list[UnitPreview]:
    """Per unit (in tree order), the tasks a letter would urge. With ``unit_ids=None``:
    every unit of the scope with at least one overdue task ("all units with overdue
    tasks"); otherwise the chosen units that have anything to urge."""
    by_unit: dict[int, UnitPreview] = {}
    for task in urgeable_tasks(user=user, scope=scope, as_of=as_of,
                               due_soon_days=due_soon_days, unit_ids=unit_ids,
                               document_id=document_id):
        overdue = getattr(task, "status", None) == Status.IN_PROGRESS_OVERDUE
        item = by_unit.setdefault(task.lead_unit_id, UnitPreview(unit=task.lead_unit))
        item.rows.append(UrgedRow(
            task=task, urged_as=UrgedAs.OVERDUE if overdue else UrgedAs.DUE_SOON,
            deadline=getattr(task, "deadline_at", None),
            days_overdue=overdue_days(task, as_of) if overdue else None,
            progress=int(getattr(task, "progress_at", 0) or 0)))
    result = list(by_unit.values())
    if unit_ids is None:
        result = [item for item in result if item.overdue]
    for item in result:  # the most overdue first, then what falls due first
        item.rows.sort(key=lambda row: (row.urged_as != UrgedAs.OVERDUE,
                                        -(row.days_overdue or 0),
                                        row.deadline or dt.date.max, row.task.code))
    return result


def units_with_overdue(*, user: Any, scope: Unit, as_of: dt.date,
                       document_id: int | None = None) -> list[Unit]:
    """The units of ``scope`` leading at least one task overdue at ``as_of``."""
    return [item.unit for item in preview(user=user, scope=scope, as_of=as_of,
                                          due_soon_days=0, document_id=document_id)]


# Letters and records ------------------------------------------------------------------


def letter_list(*, user: Any, batch: str = "", unit_id: int | None = None,
                ) -> QuerySet[UrgingLetter]:
    letters = scoping.urging_letters_visible_to(user)
    if batch:
        letters = letters.filter(batch=batch)
    if unit_id is not None:
        letters = letters.filter(units=unit_id)
    return (letters.select_related("created_by", "document", "issuing_unit")
            .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("path")))
            .annotate(task_count=Count("records", distinct=True))
            .order_by("-letter_date", "-id"))


def letter_get(*, user: Any, pk: int) -> UrgingLetter:
    return scoping.get_visible_or_404(
        scoping.urging_letters_visible_to(user).select_related(
            "created_by", "document", "issuing_unit", "scope_unit"), pk=pk)


def letter_records(*, user: Any, letter: UrgingLetter) -> QuerySet[UrgingRecord]:
    return (scoping.urging_records_visible_to(user).filter(letter=letter)
            .select_related("unit", "task").order_by("unit__path", "-urged_as", "-days_overdue",
                                                     "task__code"))


def record_list(*, user: Any, task_id: int | None = None, unit_id: int | None = None,
                letter_id: int | None = None) -> QuerySet[UrgingRecord]:
    records = scoping.urging_records_visible_to(user).filter(
        letter__in=scoping.urging_letters_visible_to(user))
    if task_id is not None:
        records = records.filter(task_id=task_id)
    if unit_id is not None:
        records = records.filter(unit_id=unit_id)
    if letter_id is not None:
        records = records.filter(letter_id=letter_id)
    return records.select_related("unit", "task", "letter").order_by("-letter__letter_date",
                                                                     "-letter_id", "task__code")


def urged_counts(*, top_path: str, as_of: dt.date) -> dict[str, int]:
    """How many letters each unit under ``top_path`` received on or before ``as_of``, by
    unit path (one aggregate query); the dashboard's league table adds them up per
    subtree."""
    rows = (UrgingLetter.units.through.objects
            .filter(unit__path__startswith=top_path, urgingletter__letter_date__lte=as_of)
            .values("unit__path").annotate(n=Count("urgingletter_id", distinct=True)))
    return {row["unit__path"]: row["n"] for row in rows}


# Templates ----------------------------------------------------------------------------


def template_scope(user: Any) -> Unit | None:
    """The unit whose staff share one letter template: the user's scope root (for an
    administrator, the agency of their own unit); ``None`` without a unit."""
    if not user.is_authenticated:
        return None
    root = scoping.scope_root(user)
    if root is not None or user.unit is None:
        return root
    unit: Unit = user.unit
    step = Unit.steplen
    above = [unit.path[:length] for length in range(step, len(unit.path) + 1, step)]
    agency = Unit.objects.filter(path__in=above, is_scope_root=True).order_by("-depth").first()
    return agency or unit


def active_template(user: Any) -> UrgingTemplate | None:
    scope = template_scope(user)
    if scope is None:
        return None
    return UrgingTemplate.objects.filter(scope_unit=scope, is_active=True).first()
