"""Statistics: the status engine's counts and on-time rate for a scope, document and date."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dondoc.api.common import responses, user
from dondoc.api.errors import invalid
from dondoc.api.schemas import ApiDate, QueryId, StatisticsOut
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.progress import engine
from dondoc.progress import selectors as stats

router = Router(tags=["statistics"])


class StatisticsQuery(Schema):
    unit: QueryId | None = Field(None, description=(
        "Tasks led by this unit's subtree (as of the date: a task transferred later still "
        "counts for its old unit). Default: your whole scope."))
    document: QueryId | None = None
    as_of: ApiDate | None = Field(None, description="Default: today.")
    group_by: Literal["none", "document", "child_unit"] = Field("none", description=(
        "child_unit: one row per direct sub-unit of unit (default: the top of your "
        "scope), each with its subtree, plus the unit's own tasks."))


def present_counts(counts: engine.Counts) -> dict[str, Any]:
    return {**dataclasses.asdict(counts), "completed": counts.completed, "open": counts.open,
            "overdue_total": counts.overdue_total, "on_time_rate": counts.on_time_rate,
            "on_time_percent": (None if counts.on_time_percent is None
                                else float(counts.on_time_percent))}


@router.get("/statistics", response=responses({200: StatisticsOut}), summary="Statistics")
def statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> dict[str, Any]:
    """Counts by status and the on-time rate as of a date: completed on time ÷ (completed
    + open tasks whose deadline in force has passed)."""
    caller = user(request)
    day = query.as_of or stats.business_today()
    tasks = scoping.tasks_visible_to(caller)
    if query.document is not None:
        if not scoping.documents_visible_to(caller).filter(pk=query.document).exists():
            raise invalid("document", _("Unknown document: %(id)s") % {"id": query.document})
        tasks = tasks.filter(document_id=query.document)
    unit: Unit | None = None
    if query.unit is not None:
        unit = scoping.units_visible_to(caller).filter(pk=query.unit).first()
        if unit is None:
            raise invalid("unit", _("Unknown unit: %(id)s") % {"id": query.unit})
    if query.group_by == "child_unit" and unit is None:
        unit = scoping.scope_root(caller)  # the top of the caller's scope
        if unit is None:  # administrators see several trees: say which
            raise invalid("unit", _("Give the unit whose sub-units are compared."))
    groups: list[dict[str, Any]] = []
    if unit is not None and query.group_by == "document":
        found = stats.subtree_statistics(tasks, parent_path=unit.path, steplen=Unit.steplen,
                                         as_of=day)
        total = found.total
        groups = _document_groups(found.documents)
    elif unit is not None:
        rows = stats.statistics_by_subtree(tasks, parent_path=unit.path, steplen=Unit.steplen,
                                           as_of=day)
        total = sum((row.counts for row in rows), engine.Counts())
        if query.group_by == "child_unit":
            groups = _child_unit_groups(unit, rows)
    elif query.group_by == "document":
        per_document = {row.key: row.counts
                        for row in stats.statistics_by(tasks, "document", day)}
        total = sum(per_document.values(), engine.Counts())
        groups = _document_groups(per_document)
    else:
        total = stats.statistics(tasks, day)
    return {"as_of": day, "unit": unit.pk if unit else None, "document": query.document,
            "counts": present_counts(total), "groups": groups}


def _child_unit_groups(unit: Unit, rows: list[stats.StatRow]) -> list[dict[str, Any]]:
    units = {child.path: child for child in
             Unit.objects.filter(path__in=[row.key for row in rows])}
    result = []
    for row in sorted(rows, key=lambda row: row.key):
        child = units.get(row.key)
        label = (_("%(unit)s (own tasks)") % {"unit": unit.name} if row.key == unit.path
                 else child.name if child else row.key)
        result.append({"key": child.pk if child else None, "label": label,
                       "counts": present_counts(row.counts)})
    return result


def _document_groups(per_document: dict[int, engine.Counts]) -> list[dict[str, Any]]:
    """One group per document, in the documents' own order (date of issue, number)."""
    return [{"key": pk, "label": number, "counts": present_counts(per_document[pk])}
            for pk, number in Document.objects.filter(pk__in=list(per_document))
            .values_list("pk", "number")]
