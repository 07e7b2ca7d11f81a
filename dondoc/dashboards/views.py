"""The dashboard pages: parse the choices, read the picture, render it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dondoc.core import dashboard as home_cards
from dondoc.core import limits
from dondoc.core.dates import DayOutOfRange, parse_day
from dondoc.dashboards import charts, exports, gantt, selectors
from dondoc.dashboards import roadmap as roadmap_reads
from dondoc.dashboards.params import scope_from_params
from dondoc.organization import scoping
from dondoc.organization.selectors import UnitChoices, pickable_units
from dondoc.plans.exports import XLSX_CONTENT_TYPE
from dondoc.plans.selectors import document_tree
from dondoc.targets import selectors as target_reads


def league_columns() -> list[tuple[str, str]]:
    return [
        ("unit", _("Unit")), ("total", _("Tasks")),
        ("completed_on_time", _("Completed on time")), ("completed_late", _("Completed late")),
        ("in_progress_on_time", _("In progress, on time")),
        ("in_progress_overdue", _("Overdue")),
        ("awaiting_confirmation", _("Awaiting confirmation")), ("rate", _("On-time rate")),
        ("oldest", _("Oldest overdue (days)")),
    ]


def _context(request: HttpRequest, *, reduced: bool = False) -> dict[str, Any]:
    """``reduced``: the home page of a unit's own people (officers, managers, viewers):
    the unit's figures and league table without the comparison and the choice form (a
    few queries; the full dashboard is one link away)."""
    user: Any = request.user
    parsed = scope_from_params(user, request.GET)
    context: dict[str, Any] = {"parsed": parsed, "raw": parsed.raw, "errors": parsed.errors,
                               "reduced": reduced}
    if parsed.scope is None:
        return context
    if reduced:
        parsed.scope.compare_on = None
    board = selectors.dashboard(user, parsed.scope)
    context["board"] = board
    figures = board.figures
    context["age_rows"] = [
        (_("1–7 days overdue"), "age_0", figures.ages[0], "late"),
        (_("8–30 days overdue"), "age_1", figures.ages[1], "late"),
        (_("31–90 days overdue"), "age_2", figures.ages[2], "late"),
        (_("More than 90 days overdue"), "age_3", figures.ages[3], "late"),
        (_("Due in the next 7 days"), "due_7", figures.due_7, "soon"),
        (_("Due in the next 30 days"), "due_30", figures.due_30, "soon"),
    ]
    context["age_max"] = max([1, *figures.ages, figures.due_30])
    context["league_columns"] = league_columns()
    context["league_labels"] = dict(league_columns())  # the phone's card rows label each figure
    context["sort_label"] = dict(league_columns()).get(parsed.scope.sort, "")
    if not reduced:
        context["units"] = UnitChoices(pickable_units(user))
        context["documents"] = document_tree(user=user)
        scope = parsed.scope
        context["board_targets"], context["board_targets_count"] = target_reads.for_dashboard(
            user=user, unit=scope.unit, document_ids=scope.document_ids, as_of=scope.as_of)
    return context


def _trend(request: HttpRequest, context: dict[str, Any]) -> None:
    """The trend of the full page: one line per chosen unit (default: the scope)."""
    user: Any = request.user
    board = context.get("board")
    if board is None:
        return
    scope = board.scope
    wanted = [int(pk) for pk in request.GET.getlist("line") if pk.isdigit()][:6]
    lines = list(scoping.units_visible_to(user).filter(pk__in=wanted).order_by("path"))
    if not lines:
        lines = [scope.unit]
    lifetime = request.GET.get("lifetime") == "1" and scope.document is not None
    months, trend = selectors.trend(user, scope, lines, lifetime=lifetime,
                                    shown=board.figures)
    context["trend"] = (months, trend)
    context["trend_lines"] = lines
    context["trend_line_ids"] = [unit.pk for unit in lines]
    context["trend_lifetime"] = lifetime
    context["trend_rows"] = [(day, [line.points[index][1] for line in trend])
                             for index, day in enumerate(months)]
    names = [line.unit.short_name or line.unit.name for line in trend]
    context["trend_svg"] = charts.line_chart(
        title=str(_("On-time rate by month end")), months=months, maximum=100, unit="%",
        series=[charts.Series(name, [float(f.rate) if f.rate is not None else None
                                     for _day, f in line.points])
                for name, line in zip(names, trend, strict=True)])
    context["overdue_svg"] = charts.line_chart(
        title=str(_("Overdue tasks by month end")), months=months,
        series=[charts.Series(name, [float(f.counts.in_progress_overdue)
                                     for _day, f in line.points])
                for name, line in zip(names, trend, strict=True)])


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The whole leadership picture for a scope, a document and a date."""
    context = _context(request)
    _trend(request, context)
    return render(request, "dashboards/dashboard.html", context)


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """Every table and chart of the dashboard, as an Excel workbook."""
    context = _context(request)
    board = context.get("board")
    if board is None:
        raise Http404
    _trend(request, context)
    data = exports.dashboard_xlsx(board, org_name=settings.DONDOC_ORG_NAME,
                                  columns=context["league_columns"],
                                  age_rows=context["age_rows"], trend=context.get("trend"),
                                  targets=context.get("board_targets"))
    name = f"dashboard-{board.scope.unit.code}-{board.scope.as_of:%Y%m%d}.xlsx"
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what needs attention today, and under it the dashboard (full for
    leaders, staff and inspectors; reduced to the own unit's picture for others).

    A visitor who is not signed in lands on the public portal (which links to sign-in);
    a portal editor on the portal's editing pages."""
    user: Any = request.user
    if not user.is_authenticated:
        return redirect("portal:home")
    if scoping.is_portal_only(user):
        return redirect("portal:manage")
    context = home_cards.home_context(user)
    full = user.role in selectors.FULL_ROLES or scoping.is_admin(user)
    context.update(_context(request, reduced=not full))
    context["on_home"] = True
    return render(request, "dashboards/home.html", context)


# The roadmap and the deadline calendar ---------------------------------------------


def _roadmap_choices(request: HttpRequest) -> tuple[dict[str, Any], dict[str, str]]:
    """``as_of``, ``group``, ``zoom`` and ``page`` from the query; a bad value is reported
    and replaced by its default."""
    errors: dict[str, str] = {}
    today = selectors.business_today()
    try:
        as_of = parse_day(request.GET.get("as_of")) or today
    except DayOutOfRange:
        errors["as_of"] = _("Enter a date between %(first)s and %(last)s.") % {
            "first": limits.MIN_DAY.strftime("%d/%m/%Y"), "last": today.strftime("%d/%m/%Y")}
        as_of = today
    except ValueError:
        errors["as_of"] = _("Enter a valid date as dd/mm/yyyy.")
        as_of = today
    if as_of > today:
        errors["as_of"] = _("The date cannot be in the future.")
        as_of = today
    group_by = request.GET.get("group") or "group"
    if group_by not in roadmap_reads.GROUP_BY:
        errors["group"] = _("Unknown grouping: %(value)s") % {"value": group_by[:30]}
        group_by = "group"
    zoom = request.GET.get("zoom") or ""
    if zoom and zoom not in gantt.ZOOMS:
        errors["zoom"] = _("Unknown zoom: %(value)s") % {"value": zoom[:30]}
        zoom = ""
    raw_page = request.GET.get("page") or "1"
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 7 else 1
    return {"as_of": as_of, "group_by": group_by, "zoom": zoom, "page": page,
            "today": as_of == today}, errors


@login_required
def roadmap(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline of a document's tasks (with its descendants) as of a date."""
    user: Any = request.user
    document = roadmap_reads.roadmap_document(user, pk)
    choices, errors = _roadmap_choices(request)
    plan = roadmap_reads.roadmap(user, document, as_of=choices["as_of"],
                                 group_by=choices["group_by"], page=choices["page"])
    bars = plan.bars
    zoom = choices["zoom"] or gantt.auto_zoom(bars, plan.as_of)
    axis, coarser = gantt.axis_for(bars, plan.as_of, zoom)
    if coarser and choices["zoom"]:
        errors["zoom"] = _("The roadmap spans too long for this time scale: it is shown "
                           "by %(zoom)s.") % {"zoom": dict(gantt.zoom_names())[axis.zoom]}
    zoom = axis.zoom
    as_of_text = plan.as_of.strftime("%d/%m/%Y")
    detail = reverse("task_detail", args=[0])
    suffix = "" if choices["today"] else f"?as_of={as_of_text}"

    def link_of(task_pk: int) -> str:
        return detail.replace("/0/", f"/{task_pk}/") + suffix

    charts_of = []
    for number, lane in enumerate(plan.lanes):
        svgs = []
        for start in range(0, len(lane.bars), CHART_ROWS):
            part = lane.bars[start:start + CHART_ROWS]
            svgs.append(gantt.chart(
                bars=part, axis=axis, as_of=plan.as_of, prefix=f"g{number}-{start}",
                title=_("Roadmap of %(lane)s") % {"lane": lane.label}, link_of=link_of,
                as_of_text=as_of_text, today=choices["today"]))
        rows = [(bar, link_of(bar.pk), gantt.status_text(bar, plan.as_of),
                 plan.units.get(bar.lead_id)) for bar in lane.bars]
        charts_of.append((lane, svgs, rows))
    query = {"as_of": "" if choices["today"] else as_of_text, "group": choices["group_by"],
             "zoom": choices["zoom"]}
    return render(request, "dashboards/roadmap.html", {
        "document": document, "plan": plan, "lanes": charts_of, "errors": errors,
        "zoom": zoom, "zoom_chosen": choices["zoom"], "group_by": choices["group_by"],
        "as_of_text": as_of_text, "is_today": choices["today"], "query": query,
        "legend": gantt.legend(), "page_range": range(1, plan.pages + 1),
        "subdocuments": len(plan.document_ids) - 1,
        "dashboard_link": f"{reverse('dashboard')}?document={document.pk}",
    })


CHART_ROWS = 30  # bars in one chart: a chart fits an A4 landscape page


@login_required
def deadline_calendar(request: HttpRequest) -> HttpResponse:
    """A month of deadlines for a unit's subtree (default: the user's scope)."""
    user: Any = request.user
    errors: dict[str, str] = {}
    units = scoping.units_visible_to(user)
    unit = scoping.scope_root(user) or units.order_by("depth", "path").first()
    raw_unit = (request.GET.get("unit") or "").strip()
    if raw_unit:
        chosen = units.filter(pk=int(raw_unit)).first() if raw_unit.isdigit() and len(
            raw_unit) < 19 else None
        if chosen is None:
            errors["unit"] = _("Unknown unit: %(id)s") % {"id": raw_unit[:30]}
        else:
            unit = chosen
    today = selectors.business_today()
    year, month = today.year, today.month
    raw_year = (request.GET.get("year") or "").strip()
    raw_month = (request.GET.get("month") or "").strip()
    if raw_year:
        if raw_year.isdigit() and limits.MIN_DAY.year <= int(raw_year) < limits.MAX_DAY.year:
            year = int(raw_year)
        else:
            errors["year"] = _("Enter a year between %(first)s and %(last)s.") % {
                "first": limits.MIN_DAY.year, "last": limits.MAX_DAY.year - 1}
    if raw_month:
        if raw_month.isdigit() and 1 <= int(raw_month) <= 12:
            month = int(raw_month)
        else:
            errors["month"] = _("Enter a month from 1 to 12.")
    if unit is None:
        return render(request, "dashboards/calendar.html", {"errors": errors})
    month_view = roadmap_reads.deadline_month(user, unit, year, month)
    task_list = reverse("task_list")

    def day_link(day: dt.date) -> str:
        text = day.strftime("%d/%m/%Y")
        return f"{task_list}?" + urlencode({"lead": unit.pk, "subtree": "1", "due_from": text,
                                            "due_to": text, "sort": "deadline"})

    links = {day.day: day_link(day.day) for day in month_view.days_with_tasks}
    return render(request, "dashboards/calendar.html", {
        "view": month_view, "errors": errors, "links": links,
        "units": UnitChoices(pickable_units(user)),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "today": today, "task_base": reverse("task_detail", args=[0])[:-2],
        "month_link": f"{reverse('task_list')}?" + urlencode({
            "lead": unit.pk, "subtree": "1", "sort": "deadline",
            "due_from": month_view.first.strftime("%d/%m/%Y"),
            "due_to": (month_view.next - dt.timedelta(days=1)).strftime("%d/%m/%Y")}),
    })
