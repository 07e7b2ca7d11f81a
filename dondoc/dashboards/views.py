"""The dashboard pages: parse the choices, read the picture, render it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dondoc.core import dashboard as home_cards
from dondoc.dashboards import charts, exports, selectors
from dondoc.dashboards.params import scope_from_params
from dondoc.organization import scoping
from dondoc.plans.exports import XLSX_CONTENT_TYPE
from dondoc.plans.selectors import document_tree


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
    context["sort_label"] = dict(league_columns()).get(parsed.scope.sort, "")
    if not reduced:
        context["units"] = scoping.units_visible_to(user).filter(is_active=True).values_list(
            "pk", "code", "name")
        context["documents"] = document_tree(user=user)
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
    months, trend = selectors.trend(user, scope, lines, lifetime=lifetime)
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
                                  age_rows=context["age_rows"], trend=context.get("trend"))
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
