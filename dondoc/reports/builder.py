"""The data of a consolidated report: the status engine's figures as of the cut-off.

``build_report_data`` reads the database once (a bounded number of queries whatever the
number of tasks) and returns plain JSON values: the draft keeps them, issuing freezes
them, and the DOCX and XLSX are rendered from them alone (``render.py``). Every count
comes from the status SQL of ``dondoc.progress.selectors`` (through the dashboard's
``live_figures``) and the period figures from ``dondoc.progress.periods``: never a copy.

A task belongs to the report when it implements the document (or a document implementing
it) and a unit of the scope led it on the cut-off date, as on the dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, fields
from typing import Any

from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from dondoc.dashboards.figures import Figures, live_figures
from dondoc.organization.models import Unit
from dondoc.plans.models import (
    CompletionRequest,
    Document,
    LeadUnitChange,
    RequestStatus,
    Task,
    TaskGroup,
)
from dondoc.plans.selectors import document_with_descendants
from dondoc.progress import periods
from dondoc.progress.engine import Counts, Status, period_containing
from dondoc.progress.rates import percent
from dondoc.progress.selectors import (
    RECURRENCE_OF_KIND,
    annotate_list_facts,
    annotate_status,
    lead_path_at,
    lead_unit_at,
)
from dondoc.reports import sources

DATA_VERSION = 1
TITLES_PER_GROUP = 5  # completed tasks named under each task group in section II
COMPLETED = [Status.COMPLETED_ON_TIME.value, Status.COMPLETED_LATE.value]


def counts_dict(counts: Counts) -> dict[str, Any]:
    values: dict[str, Any] = asdict(counts)
    rate = percent(counts.on_time_rate)
    values["rate"] = str(rate) if rate is not None else None
    return values


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def tasks_of_report(scope_unit: Unit, document_ids: list[int], day: dt.date,
                    ) -> QuerySet[Task]:
    """Tasks of the documents that a unit of the scope may have led on ``day`` (the lead
    then is checked by the grouping, as the dashboard does)."""
    subtree = Unit.objects.filter(path__startswith=scope_unit.path).values("pk")
    moved = LeadUnitChange.objects.filter(
        changed_on__gt=day, old_unit__path__startswith=scope_unit.path).values("task_id")
    return Task.objects.filter(Q(lead_unit__in=subtree) | Q(pk__in=moved),
                               document_id__in=document_ids)


def _led_in_scope(tasks: QuerySet[Task], scope_unit: Unit, day: dt.date) -> QuerySet[Task]:
    return tasks.annotate(lead_path_on=lead_path_at(day)).filter(
        lead_path_on__startswith=scope_unit.path)


def _unit_rows(scope_unit: Unit, own: dict[int, Figures]) -> list[dict[str, Any]]:
    """One row per direct sub-unit of the scope (its whole subtree) with any task, and the
    scope's own tasks first."""
    units = {row[0]: row for row in Unit.objects.filter(
        path__startswith=scope_unit.path).values_list("pk", "code", "name", "short_name",
                                                      "path", "order")}
    step = Unit.steplen
    branch_of: dict[str, int] = {}
    children = [row for row in units.values() if len(row[4]) == len(scope_unit.path) + step]
    for row in children:
        branch_of[row[4]] = row[0]
    totals: dict[int, Counts] = {}
    for pk, figures in own.items():
        if pk not in units:
            continue
        path = units[pk][4]
        key = scope_unit.pk if path == scope_unit.path else branch_of[path[:len(
            scope_unit.path) + step]]
        totals[key] = totals.get(key, Counts()) + figures.counts
    rows = []
    ordered = sorted(children, key=lambda row: (row[5], row[2]))
    if scope_unit.pk in totals:
        rows.append({"code": scope_unit.code, "name": scope_unit.name,
                     "short_name": scope_unit.short_name or scope_unit.name, "own": True,
                     "counts": counts_dict(totals[scope_unit.pk])})
    for row in ordered:
        if row[0] in totals and totals[row[0]].total:
            rows.append({"code": row[1], "name": row[2], "short_name": row[3] or row[2],
                         "own": False, "counts": counts_dict(totals[row[0]])})
    return rows


def _period_dict(stats: periods.PeriodStats) -> dict[str, Any]:
    rate = percent(stats.on_time_rate)
    return {"label": stats.period.label, "start": _iso(stats.period.start),
            "end": _iso(stats.period.end), "assigned": stats.assigned,
            "completed_on_time": stats.completed_on_time,
            "completed_late": stats.completed_late, "completed": stats.completed,
            "overdue_at_end": stats.overdue_at_end,
            "rate": str(rate) if rate is not None else None}


def _accepted_submission(day: dt.date) -> Any:
    """The submission date of the request whose acceptance completed the task by ``day``."""
    return Subquery(CompletionRequest.objects.filter(
        task=OuterRef("pk"), status=RequestStatus.APPROVED, decided_on__lte=day,
    ).order_by("decided_on", "id").values("submitted_on")[:1])


LIST_FIELDS = ("pk", "code", "title", "deadline_kind", "deadline_text", "expected_product",
               "document__number", "group__number", "lead_on", "status", "deadline_at",
               "progress_at", "completed_at")


def _task_rows(rows: list[dict[str, Any]], day: dt.date, units: dict[int, str],
               ) -> list[dict[str, Any]]:
    result = []
    for task in rows:
        deadline = task["deadline_at"]
        days = None
        if task["status"] == Status.IN_PROGRESS_OVERDUE:
            recurrence = RECURRENCE_OF_KIND.get(task["deadline_kind"])
            if recurrence is not None:
                deadline = period_containing(day, recurrence)[0] - dt.timedelta(days=1)
            days = (day - deadline).days if deadline is not None else None
        result.append({
            "code": task["code"], "title": task["title"], "lead": units.get(task["lead_on"], ""),
            "document": task["document__number"], "group": task["group__number"] or "",
            "deadline": _iso(deadline), "deadline_text": task["deadline_text"],
            "status": task["status"], "progress": task["progress_at"], "days_overdue": days,
            "completed_on": _iso(task["completed_at"]), "product": task["expected_product"],
        })
    return result


def _listed(tasks: QuerySet[Task], day: dt.date) -> Any:
    annotated: Any = annotate_list_facts(annotate_status(tasks, day), day)
    return annotated.annotate(lead_on=lead_unit_at(day))


def build_report_data(*, user: Any, scope_unit: Unit, document: Document,
                      period: periods.Period, cut_off: dt.date) -> dict[str, Any]:
    """Everything the report shows, as JSON values, as of ``cut_off``."""
    document_ids = document_with_descendants(user=user, pk=document.pk)
    documents = list(Document.objects.filter(pk__in=document_ids).order_by(
        "issue_date", "number").values("pk", "number", "title"))
    tasks = tasks_of_report(scope_unit, document_ids, cut_off)

    # One grouped query: figures per (lead unit on the day, task group).
    found = live_figures(tasks, cut_off, keys=("lead_unit", "group_id"))
    in_scope_units = set(Unit.objects.filter(path__startswith=scope_unit.path)
                         .values_list("pk", flat=True))
    per_unit: dict[int, Figures] = {}
    per_group: dict[int | None, Counts] = {}
    for (unit_id, group_id), figures in found.items():
        if unit_id not in in_scope_units:
            continue
        per_unit[unit_id] = per_unit[unit_id] + figures if unit_id in per_unit else figures
        per_group[group_id] = per_group.get(group_id, Counts()) + figures.counts
    total = Counts()
    for figures in per_unit.values():
        total = total + figures.counts

    groups = {group.pk: group for group in TaskGroup.objects.filter(
        pk__in=[key for key in per_group if key]).select_related("document")}
    by_group: list[dict[str, Any]] = []
    for key in sorted(per_group, key=lambda pk: (
            pk is None, (groups[pk].document.issue_date, groups[pk].document.number,
                         groups[pk].order, groups[pk].number) if pk else ())):
        group = groups.get(key) if key else None
        by_group.append({
            "id": key, "number": group.number if group else "",
            "title": group.title if group else "",
            # Groups of an implementing document are named with its number.
            "document": (group.document.number if group and group.document_id != document.pk
                         else ""),
            "counts": counts_dict(per_group[key])})

    led = _led_in_scope(tasks, scope_unit, cut_off)
    stats_period = periods.Period(period.start, min(period.end, cut_off), period.label)
    current = periods.period_statistics(led, stats_period)
    previous_period = periods.previous_period(period)
    previous_led = _led_in_scope(tasks_of_report(scope_unit, document_ids,
                                                 previous_period.end),
                                 scope_unit, previous_period.end)
    previous = periods.period_statistics(previous_led, previous_period)
    coming = periods.next_period(period)

    lead_names = dict(Unit.objects.filter(path__startswith=scope_unit.path).values_list(
        "pk", "short_name"))
    lead_names.update({pk: name for pk, name in Unit.objects.filter(
        pk__in=[pk for pk, short in lead_names.items() if not short]).values_list(
        "pk", "name")})

    # The three lists in one query over the tasks led in the scope, split here.
    before: Any = annotate_status(tasks, period.start - dt.timedelta(days=1))
    completed_before = set(before.filter(status__in=COMPLETED).values_list("pk", flat=True))
    open_statuses = [Status.IN_PROGRESS_ON_TIME.value, Status.IN_PROGRESS_OVERDUE.value]
    listed = _listed(led, cut_off).filter(
        Q(status__in=[Status.IN_PROGRESS_OVERDUE.value, *COMPLETED])
        | Q(status__in=open_statuses, deadline_at__gt=cut_off, deadline_at__lte=coming.end),
    ).annotate(completed_at=_accepted_submission(cut_off)).order_by(
        "deadline_at", "code").values(*LIST_FIELDS)
    overdue_rows: list[dict[str, Any]] = []
    completed_rows: list[dict[str, Any]] = []
    due_rows: list[dict[str, Any]] = []
    for task in listed:
        if task["status"] in COMPLETED:
            if task["pk"] not in completed_before:
                completed_rows.append(task)
        elif task["deadline_at"] is not None and cut_off < task["deadline_at"] <= coming.end:
            due_rows.append(task)
        elif task["status"] == Status.IN_PROGRESS_OVERDUE:
            overdue_rows.append(task)
    overdue = _task_rows(overdue_rows, cut_off, lead_names)
    overdue.sort(key=lambda row: (-(row["days_overdue"] or 0), row["code"]))
    completed_rows.sort(key=lambda task: (task["completed_at"] or dt.date.min, task["code"]))
    completed = _task_rows(completed_rows, cut_off, lead_names)
    due_next = _task_rows(due_rows, cut_off, lead_names)

    completed_by_group: dict[str, list[str]] = {}
    for row in completed:
        titles = completed_by_group.setdefault(row["group"] + "|" + row["document"], [])
        if len(titles) < TITLES_PER_GROUP:
            titles.append(row["title"])
    for row in by_group:
        doc_number = groups[row["id"]].document.number if row["id"] in groups else ""
        row["completed_titles"] = completed_by_group.get(row["number"] + "|" + doc_number, [])

    return {
        "version": DATA_VERSION,
        "scope": {"id": scope_unit.pk, "code": scope_unit.code, "name": scope_unit.name},
        "document": {"id": document.pk, "number": document.number, "title": document.title,
                     "issuer": document.issuer, "issue_date": _iso(document.issue_date)},
        "documents": [{"id": row["pk"], "number": row["number"], "title": row["title"]}
                      for row in documents],
        "period": {"label": period.label, "start": _iso(period.start),
                   "end": _iso(period.end)},
        "cut_off": _iso(cut_off),
        "next_period": {"label": coming.label, "start": _iso(coming.start),
                        "end": _iso(coming.end)},
        "totals": counts_dict(total),
        "by_unit": _unit_rows(scope_unit, per_unit),
        "by_group": by_group,
        "periods": {"current": _period_dict(current), "previous": _period_dict(previous)},
        "overdue": overdue,
        "completed": completed,
        "due_next": due_next,
        "sources": sources.collect(scope_unit=scope_unit, document=document,
                                   document_ids=document_ids, period=period,
                                   cut_off=cut_off),
    }


COUNT_KEYS = [item.name for item in fields(Counts)]
