"""The statistics page: counts and on-time rates for a unit subtree, as of any date."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dondoc.core import limits
from dondoc.core.dates import DayOutOfRange, parse_day
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.organization.selectors import UnitChoices, pickable_units
from dondoc.plans.models import Document
from dondoc.progress import periods, selectors
from dondoc.progress.rates import percent


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    units = scoping.units_visible_to(user)
    root = scoping.scope_root(user)
    unit = root or units.order_by("depth", "path").first()
    if request.GET.get("unit"):
        unit = scoping.get_visible_or_404(units, pk=request.GET["unit"])
    error = ""
    period_error = ""
    period: periods.Period | None = None
    try:
        as_of = parse_day(request.GET.get("as_of"))
    except DayOutOfRange:
        as_of, error = None, "as_of"
    except ValueError:
        as_of = None
        try:  # "Q3/2026", "6 tháng đầu năm 2026", "năm 2026"…
            period = periods.parse_period(request.GET.get("as_of", ""))
            if not (limits.day_in_range(period.start) and limits.day_in_range(period.until)):
                raise periods.PeriodError(_("Enter a valid date as dd/mm/yyyy."))
            as_of = period.until
        except periods.PeriodError as problem:
            error, period_error = "as_of", str(problem)
    compare: periods.Period | None = None
    compare_error = ""
    if request.GET.get("compare", "").strip():
        try:
            compare = periods.parse_period(request.GET["compare"])
            if not (limits.day_in_range(compare.start) and limits.day_in_range(compare.until)):
                raise periods.PeriodError(_("Enter a valid date as dd/mm/yyyy."))
        except periods.PeriodError as problem:
            compare_error = str(problem)
    tasks = scoping.tasks_visible_to(user)
    rows: list[tuple[Unit | None, Any]] = []
    total = None
    if unit is not None:
        # In all, per child subtree and per document: one pass over the tasks the unit's
        # subtree led on the date (the total is the sum of the rows below it).
        found = selectors.subtree_statistics(tasks, parent_path=unit.path,
                                             steplen=Unit.steplen, as_of=as_of)
        total, branches, per_document = found.total, found.branches, found.documents
        children = {child.path: child for child in Unit.objects.filter(
            path__in=[key for key in branches if key != unit.path])}
        rows = [(children.get(path), counts) for path, counts in branches.items()
                if path in children]
        rows.sort(key=lambda row: (-(row[1].overdue_total), row[0].path if row[0] else ""))
        own = branches.get(unit.path)
        if own is not None:
            rows.insert(0, (None, own))
    else:
        per_document = {row.key: row.counts
                        for row in selectors.statistics_by(tasks, "document", as_of)}
    # In the documents' own order (date of issue, number).
    by_document = [(document, per_document[document.pk]) for document in
                   Document.objects.filter(pk__in=list(per_document)).only("number", "title")]
    side_by_side = None
    if unit is not None and (period is not None or compare is not None):
        side_by_side, more_error = _periods_side_by_side(
            tasks.filter(lead_unit__path__startswith=unit.path), period, compare)
        compare_error = compare_error or more_error
    return render(request, "progress/statistics.html", {
        "unit": unit, "as_of": as_of, "raw_day": request.GET.get("as_of", ""), "error": error,
        "total": total, "rows": rows,
        "by_document": by_document,
        # Any unit in scope, with or without sub-units (a ward, a leaf department).
        "units": UnitChoices(pickable_units(user)),
        "period": period, "period_error": period_error, "compare": compare,
        "raw_compare": request.GET.get("compare", ""), "compare_error": compare_error,
        "side_by_side": side_by_side,
        "link_day": as_of.strftime("%d/%m/%Y") if as_of else "",
    })


PERIOD_ROWS = [
    ("assigned", gettext_lazy("Assigned in the period")),
    ("completed_on_time", gettext_lazy("Completed in the period, on time")),
    ("completed_late", gettext_lazy("Completed in the period, late")),
    ("overdue_at_end", gettext_lazy("Overdue at the period's end")),
]


def _periods_side_by_side(tasks: Any, first: periods.Period | None,
                          second: periods.Period | None) -> tuple[Any, str]:
    """Rows (label, first value, second value, change) for one or two periods."""
    found: list[periods.PeriodStats | None] = []
    error = ""
    for period in (first, second):
        if period is None:
            found.append(None)
            continue
        try:
            found.append(periods.period_statistics(tasks, period))
        except periods.PeriodError as problem:
            found.append(None)
            error = str(problem)
    rows = []
    for key, label in PERIOD_ROWS:
        values = [getattr(item, key) if item else None for item in found]
        change = (values[0] - values[1] if values[0] is not None and values[1] is not None
                  else None)
        rows.append((label, values[0], values[1], change))
    rates = [percent(item.on_time_rate) if item else None for item in found]
    rate_change = (rates[0] - rates[1] if rates[0] is not None and rates[1] is not None
                   else None)
    return {"periods": found, "rows": rows, "rates": rates, "rate_change": rate_change}, error
