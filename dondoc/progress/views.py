"""The statistics page: counts and on-time rates for a unit subtree, as of any date."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dondoc.core.dates import parse_day
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.progress import selectors


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    units = scoping.units_visible_to(user)
    root = scoping.scope_root(user)
    unit = root or units.order_by("depth", "path").first()
    if request.GET.get("unit"):
        unit = scoping.get_visible_or_404(units, pk=request.GET["unit"])
    error = ""
    try:
        as_of = parse_day(request.GET.get("as_of"))
    except ValueError:
        as_of, error = None, "as_of"
    tasks = scoping.tasks_visible_to(user)
    rows: list[tuple[Unit | None, Any]] = []
    total = None
    if unit is not None:
        scoped = tasks.filter(lead_unit__path__startswith=unit.path)
        total = selectors.statistics(scoped, as_of)
        branches = {row.key: row.counts for row in selectors.statistics_by_subtree(
            tasks, parent_path=unit.path, steplen=Unit.steplen, as_of=as_of)}
        children = {child.path: child for child in Unit.objects.filter(
            path__in=[key for key in branches if key != unit.path])}
        rows = [(children.get(path), counts) for path, counts in branches.items()
                if path in children]
        rows.sort(key=lambda row: (-(row[1].overdue_total), row[0].path if row[0] else ""))
        own = branches.get(unit.path)
        if own is not None:
            rows.insert(0, (None, own))
    by_document = selectors.statistics_by(
        tasks.filter(lead_unit__path__startswith=unit.path) if unit else tasks, "document",
        as_of)
    documents = Document.objects.in_bulk([row.key for row in by_document])
    return render(request, "progress/statistics.html", {
        "unit": unit, "as_of": as_of, "raw_day": request.GET.get("as_of", ""), "error": error,
        "total": total, "rows": rows,
        "by_document": [(documents.get(row.key), row.counts) for row in by_document],
        # Any unit in scope, with or without sub-units (a ward, a leaf department).
        "units": units.filter(is_active=True).order_by("path").values_list("pk", "code", "name"),
    })
